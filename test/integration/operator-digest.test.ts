// The digest key over real HTTPS (embedded API server + emulator + operator): the operator creates its Secret on the
// first start and reuses it after a restart (no write), a rotated key re-signs digests without an ARM write, and a
// malformed key Secret stops the operator at start with a message naming the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startEmulator } from '../../src/emulator/index.js';
import { startApiServer } from '../../src/kube/index.js';
import { listKindModels } from '../../src/model/index.js';
import { startOperator } from '../../src/operator/index.js';
import { eventually, readCrds, subscriptionId } from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const digestAnnotation = 'serviceoperator.azure.com/azo-applied-digest';
const operatorNamespace = 'azo-digest-ns';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

test('the digest key: created once, kept across restarts, rotated without an ARM write, refused when malformed', async (t) => {
  const apiServer = await startApiServer({ port: 0 });
  const emulator = await startEmulator({ models: await listKindModels() });
  t.after(async () => {
    await emulator.close();
    await apiServer.close();
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const start = () =>
    startOperator({
      kubeConfig,
      installCrds: readCrds(['resourcegroups.resources.azure.com']),
      armCaCertPem: emulator.caCertPem,
      logger: pino({ level: 'silent' }),
      env: {
        AZURE_SUBSCRIPTION_ID: subscriptionId,
        AZURE_TENANT_ID: emulator.tenantId,
        AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000d19e',
        AZURE_CLIENT_SECRET: 'digest',
        AZURE_RESOURCE_MANAGER_ENDPOINT: emulator.url,
        AZURE_AUTHORITY_HOST: emulator.url,
        AZURE_SYNC_PERIOD: 'never',
        POD_NAMESPACE: operatorNamespace,
      },
    });
  const keySecret = async () => core.readNamespacedSecret({ namespace: operatorNamespace, name: 'azo-digest-key' });
  const keys = async () =>
    Object.fromEntries(
      Object.entries((await keySecret()).data ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString(),
      ]),
    );
  const digestOf = async () => {
    const object = (await custom.getNamespacedCustomObject({ ...rg, name: 'rg-digest' })) as {
      metadata: { annotations?: Record<string, string> };
    };
    return object.metadata.annotations?.[digestAnnotation];
  };
  const writes = () => emulator.requestLog().filter((entry) => entry.method !== 'GET' && entry.path.startsWith('/sub'));

  let operator = await start();
  const first = await keys();
  const current = first['current'] ?? '';
  assert.match(current, /^k[0-9a-f]{8}$/, 'created with one key, named by `current`');
  assert.match(first[current] ?? '', /^[0-9a-f]{64}$/);
  await custom.createNamespacedCustomObject({
    ...rg,
    body: {
      apiVersion: `${rg.group}/${rg.version}`,
      kind: 'ResourceGroup',
      metadata: { name: 'rg-digest' },
      spec: { location: 'westus', tags: { a: '1' } },
    },
  });
  const digest = await eventually(async () => digestOf(), 'the applied digest');
  assert.ok(digest.startsWith(`v1.${current}.`), digest);
  assert.equal(writes().length, 1);

  await operator.stop();
  operator = await start();
  assert.deepEqual(await keys(), first, 'the same key after a restart');
  await eventually(
    async () => (operator.stats().reconciles >= 1 && operator.stats().queued === 0 ? true : undefined),
    'a resync',
  );
  assert.equal(writes().length, 1, 'no write after a restart');

  // Rotation: a new key becomes current; the digest is re-signed with it at the next reconcile, without an ARM write.
  await operator.stop();
  await core.patchNamespacedSecret(
    {
      namespace: operatorNamespace,
      name: 'azo-digest-key',
      body: { stringData: { k2: 'ab'.repeat(32), current: 'k2' } },
    },
    mergePatch,
  );
  operator = await start();
  const resigned = await eventually(
    async () => ((await digestOf())?.startsWith('v1.k2.') ? digestOf() : undefined),
    'a re-signed digest',
  );
  assert.notEqual(resigned, digest);
  assert.equal(writes().length, 1, 'rotation writes nothing to Azure');

  // A malformed keyring is never replaced silently: the operator refuses to start and names the fix.
  await operator.stop();
  await core.patchNamespacedSecret(
    { namespace: operatorNamespace, name: 'azo-digest-key', body: { stringData: { current: 'k9' } } },
    mergePatch,
  );
  await assert.rejects(
    start(),
    /azo-digest-key: 'current' names key "k9", which it does not contain; fix it, or delete it/,
  );
});
