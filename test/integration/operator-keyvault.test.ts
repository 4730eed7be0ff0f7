// The Vault extension end to end against the emulator's soft-delete: ASO's createMode createOrRecover recovers a
// vault deleted with its object, purgeThenCreate purges it (following the long-running purge) and creates it anew,
// and a plain create over a deleted vault reports Azure's conflict instead of guessing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armToken, call } from './emulator-helpers.js';
import { eventually, readCrds, readyOf, startEnvironment, subscriptionId, waitForReady } from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const kv = { group: 'keyvault.azure.com', version: 'v1api20230701', plural: 'vaults', namespace: 'default' };
const vaultPath = (name: string) =>
  `/subscriptions/${subscriptionId}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/${name}`;
const deletedPath = (name: string) =>
  `/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/${name}`;

function vault(name: string, createMode: string | undefined): Record<string, unknown> {
  return {
    apiVersion: `${kv.group}/${kv.version}`,
    kind: 'Vault',
    metadata: { name },
    spec: {
      location: 'westus',
      owner: { name: 'rg-kv' },
      properties: {
        ...(createMode !== undefined ? { createMode } : {}),
        tenantId: '00000000-0000-0000-0000-0000000000aa',
        sku: { family: 'A', name: 'standard' },
        accessPolicies: [],
      },
    },
  };
}

test('Key Vault create modes against a soft-deleting ARM', async (t) => {
  const environment = await startEnvironment(
    {},
    { installCrds: readCrds(['resourcegroups.resources.azure.com', 'vaults.keyvault.azure.com']) },
  );
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  emulator.setLatency(300);
  const token = await armToken(emulator);
  const azure = async (method: 'GET', path: string) =>
    (await call(emulator, method, `${path}?api-version=2023-07-01`, { token })).status;
  const puts = (name: string) =>
    emulator
      .requestLog()
      .filter((entry) => entry.method === 'PUT' && entry.path === vaultPath(name))
      .map((entry) => (entry.body as { properties?: { createMode?: string } }).properties?.createMode);
  const deleteAndWait = async (name: string) => {
    await custom.deleteNamespacedCustomObject({ ...kv, name });
    await eventually(
      async () =>
        await custom.getNamespacedCustomObject({ ...kv, name }).then(
          () => undefined,
          () => true,
        ),
      `vault ${name} gone`,
    );
    assert.equal(await azure('GET', deletedPath(name)), 200, `${name} is soft-deleted in Azure`);
  };

  await custom.createNamespacedCustomObject({
    ...rg,
    body: {
      apiVersion: `${rg.group}/${rg.version}`,
      kind: 'ResourceGroup',
      metadata: { name: 'rg-kv' },
      spec: { location: 'westus' },
    },
  });
  await waitForReady(environment, { ...rg, name: 'rg-kv' });

  await t.test(
    'createOrRecover: creates when nothing is deleted, recovers the deleted vault after its object is deleted',
    async () => {
      await custom.createNamespacedCustomObject({ ...kv, body: vault('kv-recover', 'createOrRecover') });
      await waitForReady(environment, { ...kv, name: 'kv-recover' });
      await deleteAndWait('kv-recover');
      await custom.createNamespacedCustomObject({ ...kv, body: vault('kv-recover', 'createOrRecover') });
      await waitForReady(environment, { ...kv, name: 'kv-recover' });
      assert.deepEqual(puts('kv-recover'), ['default', 'recover']);
      assert.equal(await azure('GET', deletedPath('kv-recover')), 404);
    },
  );

  await t.test(
    "no createMode over a deleted vault: Azure's ConflictError in Ready, nothing created; purgeThenCreate then " +
      'purges and creates',
    async () => {
      await custom.createNamespacedCustomObject({ ...kv, body: vault('kv-purge', undefined) });
      await waitForReady(environment, { ...kv, name: 'kv-purge' });
      await deleteAndWait('kv-purge');
      await custom.createNamespacedCustomObject({ ...kv, body: vault('kv-purge', undefined) });
      const refused = await eventually(async () => {
        const ready = readyOf(
          (await custom.getNamespacedCustomObject({ ...kv, name: 'kv-purge' })) as Parameters<typeof readyOf>[0],
        );
        return ready?.reason === 'ConflictError' ? ready : undefined;
      }, 'the conflict in Ready');
      assert.equal(refused.status, 'False');
      assert.match(refused.message ?? '', /deleted state/);
      assert.equal(await azure('GET', vaultPath('kv-purge')), 404);

      await custom.patchNamespacedCustomObject({
        ...kv,
        name: 'kv-purge',
        body: [{ op: 'add', path: '/spec/properties/createMode', value: 'purgeThenCreate' }],
      });
      await waitForReady(environment, { ...kv, name: 'kv-purge' });
      const log = emulator.requestLog();
      const purge = log.findIndex(
        (entry) => entry.method === 'POST' && entry.path === `${deletedPath('kv-purge')}/purge`,
      );
      assert.ok(purge >= 0, 'the deleted vault was purged');
      assert.equal(
        log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/purge')).length,
        1,
        'one purge',
      );
      // The operator waits for the long-running purge to end: its next PUT is the create, not another refused one.
      const after = log.slice(purge).filter((entry) => entry.method === 'PUT' && entry.path === vaultPath('kv-purge'));
      assert.deepEqual(
        after.map(
          (entry) =>
            `${entry.status} ${(entry.body as { properties?: { createMode?: string } }).properties?.createMode ?? ''}`,
        ),
        ['201 default'],
      );
      assert.equal(await azure('GET', deletedPath('kv-purge')), 404);
    },
  );
});
