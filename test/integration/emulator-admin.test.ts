/** The emulator's admin API (faults, request log, config), throttling, and persistence across restarts. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { armToken, call, startTestEmulator, subscriptionId } from './emulator-helpers.js';
import { storageAccountModel } from './emulator-models.js';

const rg = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}?api-version=2021-04-01`;

describe('emulator admin API', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let token: string;

  before(async () => {
    ({ emulator, cleanup } = await startTestEmulator());
    token = await armToken(emulator);
  });
  after(async () => {
    await cleanup();
  });

  it('fails the next N matching requests with the given status and ARM code', async () => {
    await call(emulator, 'PUT', rg('admin1'), { token, body: { location: 'westus' } });
    const created = await call(emulator, 'POST', '/_emulator/faults', {
      body: {
        method: 'GET',
        path: '/resourceGroups/admin1$',
        status: 500,
        code: 'Boom',
        message: 'injected',
        count: 2,
      },
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.remaining, 2);
    assert.equal((await call(emulator, 'GET', '/_emulator/faults')).json.value.length, 1);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const failed = await call(emulator, 'GET', rg('admin1'), { token });
      assert.equal(failed.status, 500);
      assert.deepEqual(failed.json, { error: { code: 'Boom', message: 'injected' } });
      assert.ok(failed.headers['x-ms-request-id']);
    }
    assert.equal((await call(emulator, 'GET', rg('admin1'), { token })).status, 200);
    assert.equal((await call(emulator, 'GET', '/_emulator/faults')).json.value.length, 0);
    await call(emulator, 'POST', '/_emulator/faults', { body: { path: 'admin1', status: 429 } });
    const throttled = await call(emulator, 'GET', rg('admin1'), { token });
    assert.equal(throttled.json.error.code, 'SubscriptionRequestsThrottled');
    assert.equal(throttled.headers['retry-after'], '0');
  });

  it('adds latency, drops connections, and rejects bad rules', async () => {
    await call(emulator, 'POST', '/_emulator/faults', { body: { method: 'GET', path: 'admin1', latencyMs: 50 } });
    assert.equal((await call(emulator, 'GET', rg('admin1'), { token })).status, 200);
    await call(emulator, 'POST', '/_emulator/faults', { body: { method: 'GET', path: 'admin1', drop: true } });
    await assert.rejects(call(emulator, 'GET', rg('admin1'), { token }), /socket hang up|ECONNRESET/);
    const bad = await call(emulator, 'POST', '/_emulator/faults', { body: { path: '(', status: 500 } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'InvalidParameter');
    assert.equal((await call(emulator, 'POST', '/_emulator/faults', { body: { path: 'x' } })).status, 400);
    assert.equal((await call(emulator, 'GET', '/_emulator/nothing')).json.error.code, 'NotFound');
    const badClient = await call(emulator, 'PUT', '/_emulator/clients/66666666-6666-6666-6666-666666666666', {
      body: { certificates: ['not a certificate'] },
    });
    assert.equal(badClient.status, 400);
    assert.equal(badClient.json.error.target, 'certificates[0]');
    assert.equal(
      (
        await call(emulator, 'PUT', '/_emulator/clients/66666666-6666-6666-6666-666666666666', {
          body: { federated: [{ issuer: 1 }] },
        })
      ).json.error.target,
      'federated',
    );
    await call(emulator, 'POST', '/_emulator/faults', { body: { status: 500, count: 0 } });
    assert.equal((await call(emulator, 'DELETE', '/_emulator/faults')).status, 204);
    assert.equal((await call(emulator, 'GET', rg('admin1'), { token })).status, 200);
  });

  it('keeps a request log readable and resettable over HTTP', async () => {
    assert.equal((await call(emulator, 'DELETE', '/_emulator/requests')).status, 204);
    await call(emulator, 'PUT', rg('logged'), { token, body: { location: 'westus', tags: { k: 'v' } } });
    await call(emulator, 'GET', rg('missing'), { token });
    const log = (await call(emulator, 'GET', '/_emulator/requests')).json.value;
    assert.equal(log.length, 2);
    assert.equal(log[0].method, 'PUT');
    assert.equal(log[0].path, `/subscriptions/${subscriptionId}/resourceGroups/logged`);
    assert.equal(log[0].apiVersion, '2021-04-01');
    assert.deepEqual(log[0].body, { location: 'westus', tags: { k: 'v' } });
    assert.equal(log[0].status, 201);
    assert.ok(!Number.isNaN(Date.parse(log[0].time)));
    assert.equal(log[1].status, 404);
    assert.equal(emulator.requestLog().length, 2);
    emulator.resetRequestLog();
    assert.equal(emulator.requestLog().length, 0);
  });

  it('changes latency at run time through /_emulator/config', async () => {
    const config = await call(emulator, 'PATCH', '/_emulator/config', { body: { latencyMs: 60_000 } });
    assert.equal(config.json.latencyMs, 60_000);
    const put = await call(
      emulator,
      'PUT',
      `/subscriptions/${subscriptionId}/resourceGroups/admin1/providers/Contoso.Slow/things/t1?api-version=2020-01-01`,
      { token, body: { properties: {} } },
    );
    assert.equal(put.status, 201);
    assert.ok(put.headers['azure-asyncoperation']);
    assert.equal((await call(emulator, 'PATCH', '/_emulator/config', { body: { latencyMs: -1 } })).status, 400);
    await call(emulator, 'PATCH', '/_emulator/config', { body: { latencyMs: 0 } });
  });
});

describe('emulator throttling', () => {
  it('counts reads, writes and deletes per subscription and principal, then answers 429 with Retry-After', async () => {
    const { emulator, cleanup } = await startTestEmulator({
      throttling: {
        readsBurst: 3,
        readsPerSecond: 0.01,
        writesBurst: 2,
        writesPerSecond: 0.01,
        deletesBurst: 1,
        deletesPerSecond: 0.01,
      },
    });
    try {
      const token = await armToken(emulator);
      const other = await armToken(emulator, { client: '44444444-4444-4444-4444-444444444444' });
      const remaining: string[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1)
        remaining.push(
          String(
            (await call(emulator, 'GET', rg('t1'), { token })).headers['x-ms-ratelimit-remaining-subscription-reads'],
          ),
        );
      assert.deepEqual(remaining, ['2', '1', '0']);
      const throttled = await call(emulator, 'GET', rg('t1'), { token });
      assert.equal(throttled.status, 429);
      assert.equal(throttled.json.error.code, 'SubscriptionRequestsThrottled');
      assert.match(String(throttled.headers['retry-after']), /^[1-9]\d*$/);
      assert.equal(
        (await call(emulator, 'GET', rg('t1'), { token: other })).status,
        404,
        'another principal has its own bucket',
      );
      const write = await call(emulator, 'PUT', rg('t1'), { token, body: { location: 'westus' } });
      assert.equal(write.headers['x-ms-ratelimit-remaining-subscription-writes'], '1');
      const deleted = await call(emulator, 'DELETE', rg('t1'), { token });
      assert.equal(deleted.headers['x-ms-ratelimit-remaining-subscription-deletes'], '0');
      assert.equal(
        (await call(emulator, 'DELETE', rg('t1'), { token })).json.error.code,
        'SubscriptionRequestsThrottled',
      );
      const tenantLevel = await call(
        emulator,
        'GET',
        '/providers/Microsoft.Management/managementGroups/mg?api-version=2021-04-01',
        { token },
      );
      assert.equal(tenantLevel.headers['x-ms-ratelimit-remaining-tenant-reads'], '2');
      for (let attempt = 0; attempt < 2; attempt += 1)
        await call(emulator, 'GET', '/providers/Microsoft.Management/managementGroups/mg?api-version=2021-04-01', {
          token,
        });
      const tenantThrottled = await call(
        emulator,
        'GET',
        '/providers/Microsoft.Management/managementGroups/mg?api-version=2021-04-01',
        { token },
      );
      assert.equal(tenantThrottled.status, 429);
      assert.equal(tenantThrottled.json.error.code, 'TenantRequestsThrottled');
      assert.equal(tenantThrottled.headers['x-ms-ratelimit-remaining-tenant-reads'], '0');
    } finally {
      await cleanup();
    }
  });
});

describe('emulator persistence', () => {
  it('keeps CA, tenant, tokens, resources, keys and in-flight operations across a restart; failed requests write nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'azo-emulator-persist-'));
    try {
      const account =
        `/subscriptions/${subscriptionId}` +
        `/resourceGroups/keep/providers/Microsoft.Storage/storageAccounts/keep1?api-version=2024-01-01`;
      let emulator = await startEmulator({ dataDir, models: [storageAccountModel] });
      const firstCa = emulator.caCertPem;
      const tenantId = emulator.tenantId;
      assert.equal(emulator.caFile, join(dataDir, 'ca.pem'));
      assert.equal(readFileSync(join(dataDir, 'ca.pem'), 'utf8'), firstCa);
      const token = await armToken(emulator);
      await call(emulator, 'PUT', rg('keep'), { token, body: { location: 'westus' } });
      await call(emulator, 'PUT', account, {
        token,
        body: { location: 'westus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
      });
      const keys = (await call(emulator, 'POST', account.replace('?', '/listKeys?'), { token })).json;
      const saved = readFileSync(join(dataDir, 'state.json'), 'utf8');
      const invalid = await call(emulator, 'PUT', account, {
        token,
        body: { location: 'westus', sku: { name: 'Nope' }, kind: 'StorageV2' },
      });
      assert.equal(invalid.status, 400);
      assert.equal((await call(emulator, 'PUT', account, { token, body: '{"broken' })).status, 400);
      assert.equal(
        readFileSync(join(dataDir, 'state.json'), 'utf8'),
        saved,
        'failed requests leave the saved state untouched',
      );
      emulator.setLatency(300);
      const slow =
        `/subscriptions/${subscriptionId}` +
        `/resourceGroups/keep/providers/Contoso.Slow/things/t1?api-version=2020-01-01`;
      assert.equal((await call(emulator, 'PUT', slow, { token, body: { properties: {} } })).status, 201);
      await emulator.close();
      assert.deepEqual(
        readdirSync(dataDir).filter((file) => file.includes('.tmp')),
        [],
        'no temporary files are left',
      );

      // What a crash in the middle of a save leaves: a partial temporary file next to the intact state.json.
      writeFileSync(join(dataDir, 'state.json.tmp-99999'), '{"version":1,"resources":[{"id":"/half');
      emulator = await startEmulator({ dataDir, models: [storageAccountModel] });
      assert.equal(
        existsSync(join(dataDir, 'state.json.tmp-99999')),
        false,
        'the interrupted write is discarded at start',
      );
      try {
        assert.equal(emulator.caCertPem, firstCa);
        assert.equal(emulator.tenantId, tenantId);
        const got = await call(emulator, 'GET', account, { token });
        assert.equal(got.status, 200, 'the old token is still valid and the resource is still there');
        assert.equal(got.json.sku.name, 'Standard_LRS');
        assert.deepEqual((await call(emulator, 'POST', account.replace('?', '/listKeys?'), { token })).json, keys);
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const state = (await call(emulator, 'GET', slow, { token })).json.properties.provisioningState;
          if (state === 'Succeeded') break;
          await new Promise((done) => setTimeout(done, 20));
        }
        assert.equal((await call(emulator, 'GET', slow, { token })).json.properties.provisioningState, 'Succeeded');
      } finally {
        await emulator.close();
      }
      // A damaged state file stops the emulator with an error naming it, instead of starting empty.
      renameSync(join(dataDir, 'state.json'), join(dataDir, 'state.good'));
      writeFileSync(join(dataDir, 'state.json'), '{"version":1,"tenantId":');
      await assert.rejects(
        startEmulator({ dataDir }),
        (error: Error) =>
          error.message.includes(join(dataDir, 'state.json')) &&
          /not JSON/.test(error.message) &&
          /move it away/.test(error.message),
      );
      writeFileSync(join(dataDir, 'state.json'), JSON.stringify({ version: 2 }));
      await assert.rejects(startEmulator({ dataDir }), /"version" is not 1/);
      renameSync(join(dataDir, 'state.good'), join(dataDir, 'state.json'));
      emulator = await startEmulator({ dataDir });
      try {
        assert.equal((await call(emulator, 'GET', rg('keep'), { token })).status, 200);
      } finally {
        await emulator.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
