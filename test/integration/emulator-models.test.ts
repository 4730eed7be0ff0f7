/** The emulator with the generated resource models (src/model listKindModels): validation, computed values, implicit children. */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { listKindModels, type KindModel } from '../../src/model/index.js';
import { armToken, call, startTestEmulator, subscriptionId } from './emulator-helpers.js';

const rg = `/subscriptions/${subscriptionId}/resourceGroups/models`;

describe('emulator with the generated models', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let token: string;
  let models: KindModel[];
  const arm = (method: string, path: string, body?: unknown) => call(emulator, method, path, { token, ...(body !== undefined ? { body } : {}) });
  const versionOf = (armType: string) => models.find((model) => model.armType.toLowerCase() === armType.toLowerCase())?.apiVersion;

  before(async () => {
    models = await listKindModels();
    ({ emulator, cleanup } = await startTestEmulator({ models }));
    token = await armToken(emulator);
    await arm('PUT', `${rg}?api-version=2021-04-01`, { location: 'westus' });
  });
  after(async () => {
    await cleanup();
  });

  it('validates a storage account against the generated model and fills its endpoints', async (context) => {
    const version = versionOf('Microsoft.Storage/storageAccounts');
    if (!version) return context.skip('no generated storage account model');
    const account = `${rg}/providers/Microsoft.Storage/storageAccounts/genstore1?api-version=${version}`;
    const bad = await arm('PUT', account, { location: 'westus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2', properties: { allowBlobPublicAccess: 'yes' } });
    assert.equal(bad.status, 400, JSON.stringify(bad.json));
    assert.equal(bad.json.error.target, 'properties.allowBlobPublicAccess');
    const noLocation = await arm('PUT', account, { sku: { name: 'Standard_LRS' }, kind: 'StorageV2' });
    assert.equal(noLocation.json.error?.code, 'LocationRequired');
    const good = await arm('PUT', account, { location: 'westus', sku: { name: 'standard_lrs' }, kind: 'StorageV2', properties: { minimumTlsVersion: 'TLS1_2' } });
    assert.equal(good.status, 200, JSON.stringify(good.json));
    assert.equal(good.json.properties.primaryEndpoints.blob, 'https://genstore1.blob.core.windows.net/');
    const wrongVersion = await arm('GET', account.replace(version, '2001-01-01'));
    assert.equal(wrongVersion.json.error.code, 'NoRegisteredProviderFound');
  });

  it('fills identity IDs and creates a messaging namespace\'s RootManageSharedAccessKey rule', async (context) => {
    const identityVersion = versionOf('Microsoft.ManagedIdentity/userAssignedIdentities');
    const namespaceVersion = versionOf('Microsoft.ServiceBus/namespaces');
    if (!identityVersion || !namespaceVersion) return context.skip('models missing');
    const identity = await arm('PUT', `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=${identityVersion}`, { location: 'westus' });
    assert.equal(identity.status, 201, JSON.stringify(identity.json));
    assert.match(identity.json.properties.clientId, /^[0-9a-f-]{36}$/);
    assert.equal(identity.json.properties.tenantId, emulator.tenantId);
    const namespace = `${rg}/providers/Microsoft.ServiceBus/namespaces/sbgen1`;
    const created = await arm('PUT', `${namespace}?api-version=${namespaceVersion}`, { location: 'westus', sku: { name: 'Standard' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const keys = await arm('POST', `${namespace}/authorizationRules/RootManageSharedAccessKey/listKeys?api-version=${namespaceVersion}`);
    assert.equal(keys.status, 200, JSON.stringify(keys.json));
    assert.match(keys.json.primaryConnectionString, /^Endpoint=sb:\/\/sbgen1\.servicebus\.windows\.net\//);
  });
});
