/** Key Vault soft-delete in the emulator over raw HTTPS: deleted vaults reserve the name until recovered or purged. */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { loadKindModel, type KindModel } from '../../src/model/index.js';
import { armToken, call, startTestEmulator, subscriptionId } from './emulator-helpers.js';

const v = '?api-version=2023-07-01';
const group = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const vault = (rg: string, name: string) => `${group(rg)}/providers/Microsoft.KeyVault/vaults/${name}`;
const deletedVault = (name: string, location = 'westus') =>
  `/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/locations/${location}/deletedVaults/${name}`;
const vaultBody = (properties: Record<string, unknown> = {}) => ({
  location: 'westus',
  tags: { team: 'a' },
  properties: {
    tenantId: '00000000-0000-0000-0000-0000000000aa',
    sku: { family: 'A', name: 'standard' },
    accessPolicies: [],
    ...properties,
  },
});

describe('emulator Key Vault soft-delete', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let dataDir: string;
  let vaultModel: KindModel;
  let token: string;
  const arm = (method: string, path: string, body?: unknown) =>
    call(emulator, method, path, { token, ...(body !== undefined ? { body } : {}) });

  before(async () => {
    // The generated Vault model: bodies are validated and write-only createMode is left out of responses, as in azo
    // dev.
    const loaded = await loadKindModel('keyvault.azure.com', 'Vault');
    assert.ok(loaded);
    vaultModel = loaded;
    ({ emulator, cleanup, dataDir } = await startTestEmulator({ models: [vaultModel] }));
    token = await armToken(emulator);
    assert.equal((await arm('PUT', `${group('kv')}${v}`, { location: 'westus' })).status, 201);
  });
  after(async () => {
    await cleanup();
  });

  it('a deleted vault reserves its name; createMode recover brings it back with its secrets', async () => {
    assert.equal((await arm('PUT', vault('kv', 'kv1') + v, vaultBody())).status, 201);
    assert.equal(
      (await arm('PUT', `${vault('kv', 'kv1')}/secrets/s1${v}`, { properties: { value: 'shh' } })).status,
      201,
    );
    assert.equal((await arm('DELETE', vault('kv', 'kv1') + v)).status, 200);
    assert.equal((await arm('GET', vault('kv', 'kv1') + v)).status, 404);

    const deleted = await arm('GET', deletedVault('kv1') + v);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.json.type, 'Microsoft.KeyVault/locations/deletedVaults');
    assert.equal(deleted.json.properties.vaultId, `${group('kv')}/providers/Microsoft.KeyVault/vaults/kv1`);
    assert.deepEqual(deleted.json.properties.tags, { team: 'a' });
    assert.ok(
      Date.parse(deleted.json.properties.scheduledPurgeDate) - Date.parse(deleted.json.properties.deletionDate) ===
        90 * 86_400_000,
    );
    const listed = await arm('GET', `/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/deletedVaults${v}`);
    assert.deepEqual(
      listed.json.value.map((item: { name: string }) => item.name),
      ['kv1'],
    );
    const resources = await arm('GET', `/subscriptions/${subscriptionId}/resources${'?api-version=2021-04-01'}`);
    assert.ok(
      !resources.json.value.some((item: { type: string }) => /deletedVaults/i.test(item.type)),
      'a deleted vault is not a resource',
    );

    const conflict = await arm('PUT', vault('kv', 'kv1') + v, vaultBody());
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.error.code, 'ConflictError');
    assert.match(conflict.json.error.message, /already exists in deleted state.*recover or purge/);
    assert.equal((await arm('PUT', vault('kv', 'kv1') + v, vaultBody({ createMode: 'default' }))).status, 409);
    assert.equal((await arm('GET', vault('kv', 'kv1') + v)).status, 404, 'a refused PUT changes nothing');

    const recovered = await arm('PUT', vault('kv', 'kv1') + v, vaultBody({ createMode: 'recover' }));
    assert.equal(recovered.status, 201, recovered.text);
    assert.equal(recovered.json.properties.createMode, undefined, 'createMode is write-only');
    const secret = await arm('GET', `${vault('kv', 'kv1')}/secrets/s1${v}`);
    assert.equal(secret.status, 200, 'the secret came back with the vault');
    assert.equal((await arm('GET', deletedVault('kv1') + v)).status, 404);
  });

  it('createMode recover without a deleted vault is refused', async () => {
    const response = await arm('PUT', vault('kv', 'nothing-deleted') + v, vaultBody({ createMode: 'recover' }));
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'SoftDeletedVaultDoesNotExist');
  });

  it('purge frees the name, over the latency as a long-running operation; purge protection refuses it', async () => {
    assert.equal((await arm('PUT', vault('kv', 'kv2') + v, vaultBody())).status, 201);
    assert.equal((await arm('DELETE', vault('kv', 'kv2') + v)).status, 200);
    emulator.setLatency(300);
    try {
      const purge = await arm('POST', `${deletedVault('kv2')}/purge${v}`);
      assert.equal(purge.status, 202);
      const poll = String(purge.headers['location']);
      assert.equal(
        (await arm('PUT', vault('kv', 'kv2') + v, vaultBody())).status,
        409,
        'the name is reserved until the purge ends',
      );
      let result = await call(emulator, 'GET', poll, { token });
      for (let attempt = 0; result.status === 202 && attempt < 50; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        result = await call(emulator, 'GET', poll, { token });
      }
      assert.ok(result.status < 300, result.text);
    } finally {
      emulator.setLatency(0);
    }
    assert.equal((await arm('GET', deletedVault('kv2') + v)).status, 404);
    assert.equal((await arm('PUT', vault('kv', 'kv2') + v, vaultBody())).status, 201);

    assert.equal((await arm('PUT', vault('kv', 'kv3') + v, vaultBody({ enablePurgeProtection: true }))).status, 201);
    assert.equal((await arm('DELETE', vault('kv', 'kv3') + v)).status, 200);
    const refused = await arm('POST', `${deletedVault('kv3')}/purge${v}`);
    assert.equal(refused.status, 409);
    assert.match(refused.json.error.message, /purge protection/);
  });

  it('deleting the resource group soft-deletes its vaults; enableSoftDelete false deletes outright', async () => {
    assert.equal((await arm('PUT', `${group('kv-gone')}${v}`, { location: 'westus' })).status, 201);
    assert.equal((await arm('PUT', vault('kv-gone', 'kv4') + v, vaultBody())).status, 201);
    assert.equal((await arm('PUT', vault('kv-gone', 'kv5') + v, vaultBody({ enableSoftDelete: false }))).status, 201);
    const deleting = await arm('DELETE', `${group('kv-gone')}${v}`);
    assert.ok(deleting.status === 200 || deleting.status === 202, deleting.text);
    for (let attempt = 0; (await arm('GET', `${group('kv-gone')}${v}`)).status !== 404 && attempt < 50; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await arm('GET', deletedVault('kv4') + v)).status, 200);
    assert.equal((await arm('GET', deletedVault('kv5') + v)).status, 404);
  });

  it('deleted vaults survive a restart with the data dir, and recover from there', async () => {
    await emulator.close();
    const restarted = await startTestEmulator({ models: [vaultModel], dataDir });
    emulator = restarted.emulator;
    cleanup = async () => {
      await restarted.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    };
    assert.equal((await arm('GET', deletedVault('kv4') + v)).status, 200);
    assert.equal((await arm('PUT', `${group('kv-gone')}${v}`, { location: 'westus' })).status, 201);
    assert.equal((await arm('PUT', vault('kv-gone', 'kv4') + v, vaultBody({ createMode: 'recover' }))).status, 201);
    assert.equal((await arm('GET', deletedVault('kv4') + v)).status, 404);
  });
});
