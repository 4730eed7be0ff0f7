// The ARM client against the ARM emulator over real HTTPS: tokens from the emulator's Entra endpoint, PUT/GET/DELETE,
// long-running operations followed through a serialized poll state, ARM errors, client-side throttling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArmClient,
  ArmError,
  RequestScheduler,
  createArmCredential,
  decodePollState,
  encodePollState,
  isArmError,
} from '../../src/arm/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { loadKindModel } from '../../src/model/index.js';

const subscription = '00000000-0000-0000-0000-0000000000a1';
const rgId = `/subscriptions/${subscription}/resourceGroups/rg-arm-client`;

test('ARM client against the emulator', async (t) => {
  const rgModel = await loadKindModel('resources.azure.com', 'ResourceGroup');
  const saModel = await loadKindModel('storage.azure.com', 'StorageAccount');
  assert.ok(rgModel && saModel);
  const emulator = await startEmulator({ models: [rgModel, saModel] });
  t.after(() => emulator.close());
  const credential = createArmCredential({
    tenantId: emulator.tenantId,
    clientId: '00000000-0000-0000-0000-00000000c1e1',
    proof: { kind: 'clientSecret', clientSecret: 'secret-1' },
    authorityHost: emulator.url,
    caCertPem: emulator.caCertPem,
  });
  const client = new ArmClient({ endpoint: emulator.url, credential, caCertPem: emulator.caCertPem });

  await t.test('GET of a missing resource: tryGet → undefined, get → ArmError 404', async () => {
    assert.equal(await client.tryGet(rgId, rgModel.apiVersion), undefined);
    await assert.rejects(
      client.get(rgId, rgModel.apiVersion),
      (error: unknown) => isArmError(error) && error.statusCode === 404,
    );
  });

  await t.test('PUT completes synchronously at latency 0, then GET returns it', async () => {
    const result = await client.beginCreateOrUpdate(rgId, rgModel.apiVersion, { location: 'westus', tags: { a: 'b' } });
    assert.equal(result.done, true);
    const body = (await client.get(rgId, rgModel.apiVersion)) as { name: string; tags: Record<string, string> };
    assert.equal(body.name, 'rg-arm-client');
    assert.deepEqual(body.tags, { a: 'b' });
  });

  await t.test('a long-running PUT is followed through a poll state that survives serialization', async () => {
    emulator.setLatency(300);
    const saId = `${rgId}/providers/Microsoft.Storage/storageAccounts/armclientsa1`;
    const started = await client.beginCreateOrUpdate(saId, saModel.apiVersion, {
      location: 'westus',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
    });
    assert.equal(started.done, false);
    if (started.done) return;
    let poll = decodePollState(encodePollState(started.poll));
    assert.ok(poll);
    for (let i = 0; i < 100 && poll !== undefined; i++) {
      const next = await client.poll(poll);
      if (next.done) {
        assert.equal((next.body as { name?: string }).name, 'armclientsa1');
        poll = undefined;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(poll, undefined, 'the operation finished');
    emulator.setLatency(0);
    const deleted = await client.beginDelete(saId, saModel.apiVersion);
    assert.equal(deleted.done, true);
    assert.equal(await client.tryGet(saId, saModel.apiVersion), undefined);
    assert.equal(
      (await client.beginDelete(saId, saModel.apiVersion)).done,
      true,
      'deleting a missing resource is done',
    );
  });

  await t.test('a failed operation ends its poll state; a failed poll request does not', async () => {
    const saId = `${rgId}/providers/Microsoft.Storage/storageAccounts/armclientsa2`;
    emulator.addFault({
      method: 'PUT',
      path: 'armclientsa2$',
      provisioningState: 'Failed',
      code: 'InternalOperationError',
      message: 'it broke',
      count: 1,
    });
    const started = await client.beginCreateOrUpdate(saId, saModel.apiVersion, {
      location: 'westus',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
    });
    assert.equal(started.done, false);
    if (started.done) return;
    emulator.addFault({ method: 'GET', path: '/operation', status: 503, count: 1 });
    await assert.rejects(
      client.poll(started.poll),
      (error: unknown) => isArmError(error) && error.statusCode === 503 && !error.operationEnded,
      'a 503 on the poll says nothing about the operation',
    );
    let ended: unknown;
    for (let i = 0; i < 100 && ended === undefined; i++) {
      try {
        const next = await client.poll(started.poll);
        assert.equal(next.done, false, 'the operation cannot succeed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      } catch (error) {
        ended = error;
      }
    }
    assert.ok(isArmError(ended) && ended.operationEnded && ended.code === 'InternalOperationError', String(ended));
  });

  await t.test('ARM errors carry code and status; injected 500 is an ArmError', async () => {
    emulator.addFault({ method: 'GET', path: 'rg-arm-client$', status: 500, count: 1 });
    await assert.rejects(
      client.get(rgId, rgModel.apiVersion),
      (error: unknown) => error instanceof ArmError && error.statusCode === 500,
    );
    // A 429 is sent again up to three times; a fourth 429 is returned, with its Retry-After.
    emulator.addFault({ method: 'PUT', path: 'rg-arm-client$', status: 429, retryAfterSeconds: 0, count: 4 });
    await assert.rejects(
      client.beginCreateOrUpdate(rgId, rgModel.apiVersion, { location: 'westus' }),
      (error: unknown) => error instanceof ArmError && error.statusCode === 429 && error.retryAfterMs === 0,
    );
  });

  await t.test('client-side throttling waits for a token instead of failing', async () => {
    const scheduler = new RequestScheduler({ limits: { reads: { burst: 2, perSecond: 5 } } });
    const principal = { tenantId: emulator.tenantId, clientId: '00000000-0000-0000-0000-00000000c1e1' };
    const throttled = new ArmClient({
      endpoint: emulator.url,
      credential,
      caCertPem: emulator.caCertPem,
      scheduler,
      principal,
    });
    await throttled.get(rgId, rgModel.apiVersion);
    await throttled.get(rgId, rgModel.apiVersion);
    let third = false;
    const pending = throttled.get(rgId, rgModel.apiVersion).then(() => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(third, false, 'the third read waits for the bucket to refill');
    assert.deepEqual(
      scheduler.state().map((bucket) => [bucket.requestClass, bucket.waiting]),
      [['reads', 1]],
    );
    await pending;
    assert.equal(third, true, 'and is sent once a token is back (200 ms later), with no error');
  });

  await t.test("ARM's own 429 is waited out and sent again: the caller sees no error", async () => {
    emulator.resetRequestLog();
    emulator.addFault({ method: 'GET', path: 'rg-arm-client$', status: 429, retryAfterSeconds: 1, count: 2 });
    const body = await client.get(rgId, rgModel.apiVersion);
    assert.ok(body !== undefined);
    const statuses = emulator
      .requestLog()
      .filter((entry) => entry.path === rgId)
      .map((entry) => entry.status);
    assert.deepEqual(statuses, [429, 429, 200]);
  });

  await t.test('a wrong token endpoint gives AuthenticationFailed without the secret in the message', async () => {
    const bad = createArmCredential({
      tenantId: emulator.tenantId,
      clientId: '00000000-0000-0000-0000-00000000c1e2',
      proof: { kind: 'clientSecret', clientSecret: 'sup3r-s3cret' },
      authorityHost: `${emulator.url}/nowhere`,
      caCertPem: emulator.caCertPem,
    });
    const badClient = new ArmClient({ endpoint: emulator.url, credential: bad, caCertPem: emulator.caCertPem });
    await assert.rejects(
      badClient.get(rgId, rgModel.apiVersion),
      (error: unknown) =>
        isArmError(error) && error.code === 'AuthenticationFailed' && !error.message.includes('sup3r-s3cret'),
    );
  });
});
