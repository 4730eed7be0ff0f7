import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listKindKeys, listKindModels, loadKindModel, loadKindModelForApiVersion, loadKindVersions } from './index.js';

test('generated kinds load lazily by group/kind (case-insensitive) and by apiVersion', async () => {
  assert.ok(listKindKeys().includes('storage.azure.com/StorageAccount'));
  const account = await loadKindModel('STORAGE.azure.com', 'storageaccount');
  assert.equal(account?.armType, 'Microsoft.Storage/storageAccounts');
  assert.equal(await loadKindModel('storage.azure.com', 'Nothing'), undefined);
  assert.equal(
    (await loadKindModelForApiVersion('storage.azure.com/v1api20230101', 'StorageAccount'))?.apiVersion,
    '2023-01-01',
  );
  assert.equal(await loadKindModelForApiVersion('storage.azure.com/v1api20150615', 'StorageAccount'), undefined);
  const all = await listKindModels();
  assert.equal(all.length, listKindKeys().length);
});

test('a multi-version kind: the hub is its newest GA version and lists every version; the others load by version', async () => {
  const versions = await loadKindVersions('documentdb.azure.com', 'DatabaseAccount');
  const [hub, ...others] = versions;
  assert.ok(hub && others.length >= 2);
  assert.equal(hub.hub, undefined);
  assert.deepEqual(hub.servedApiVersions, versions.map((model) => model.apiVersion).sort());
  const newestGa = versions
    .map((model) => model.apiVersion)
    .filter((version) => !version.endsWith('preview'))
    .sort()
    .at(-1);
  assert.equal(hub.apiVersion, newestGa);
  for (const other of others) {
    assert.equal(other.hub, false);
    assert.equal(
      (await loadKindModelForApiVersion(`documentdb.azure.com/${other.versions[1]}`, 'DatabaseAccount'))?.apiVersion,
      other.apiVersion,
    );
  }
});
