import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listKindKeys, listKindModels, loadKindModel, loadKindModelForApiVersion } from './index.js';

test('generated kinds load lazily by group/kind (case-insensitive) and by apiVersion', async () => {
  assert.ok(listKindKeys().includes('storage.azure.com/StorageAccount'));
  const account = await loadKindModel('STORAGE.azure.com', 'storageaccount');
  assert.equal(account?.armType, 'Microsoft.Storage/storageAccounts');
  assert.equal(await loadKindModel('storage.azure.com', 'Nothing'), undefined);
  assert.equal((await loadKindModelForApiVersion('storage.azure.com/v1api20230101', 'StorageAccount'))?.apiVersion, '2023-01-01');
  assert.equal(await loadKindModelForApiVersion('storage.azure.com/v1api20210401', 'StorageAccount'), undefined);
  const all = await listKindModels();
  assert.equal(all.length, listKindKeys().length);
});
