/**
 * The emulator with the generated resource models (src/model listKindModels): validation, computed values, implicit
 * children.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { listKindModels, specToArmBody, type KindModel } from '../../src/model/index.js';
import { armToken, call, startTestEmulator, subscriptionId } from './emulator-helpers.js';

const rg = `/subscriptions/${subscriptionId}/resourceGroups/models`;

describe('emulator with the generated models', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let token: string;
  let models: KindModel[];
  const arm = (method: string, path: string, body?: unknown) =>
    call(emulator, method, path, { token, ...(body !== undefined ? { body } : {}) });
  const versionOf = (armType: string) =>
    models.find((model) => model.armType.toLowerCase() === armType.toLowerCase())?.apiVersion;

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
    const bad = await arm('PUT', account, {
      location: 'westus',
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      properties: { allowBlobPublicAccess: 'yes' },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.json));
    assert.equal(bad.json.error.target, 'properties.allowBlobPublicAccess');
    const noLocation = await arm('PUT', account, { sku: { name: 'Standard_LRS' }, kind: 'StorageV2' });
    assert.equal(noLocation.json.error?.code, 'LocationRequired');
    const good = await arm('PUT', account, {
      location: 'westus',
      sku: { name: 'standard_lrs' },
      kind: 'StorageV2',
      properties: { minimumTlsVersion: 'TLS1_2' },
    });
    assert.equal(good.status, 200, JSON.stringify(good.json));
    assert.equal(good.json.properties.primaryEndpoints.blob, 'https://genstore1.blob.core.windows.net/');
    const wrongVersion = await arm('GET', account.replace(version, '2001-01-01'));
    assert.equal(wrongVersion.json.error.code, 'NoRegisteredProviderFound');
  });

  it("fills identity IDs and creates a messaging namespace's RootManageSharedAccessKey rule", async (context) => {
    const identityVersion = versionOf('Microsoft.ManagedIdentity/userAssignedIdentities');
    const namespaceVersion = versionOf('Microsoft.ServiceBus/namespaces');
    if (!identityVersion || !namespaceVersion) return context.skip('models missing');
    const identity = await arm(
      'PUT',
      `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=${identityVersion}`,
      { location: 'westus' },
    );
    assert.equal(identity.status, 201, JSON.stringify(identity.json));
    assert.match(identity.json.properties.clientId, /^[0-9a-f-]{36}$/);
    assert.equal(identity.json.properties.tenantId, emulator.tenantId);
    const namespace = `${rg}/providers/Microsoft.ServiceBus/namespaces/sbgen1`;
    const created = await arm('PUT', `${namespace}?api-version=${namespaceVersion}`, {
      location: 'westus',
      sku: { name: 'Standard' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const keys = await arm(
      'POST',
      `${namespace}/authorizationRules/RootManageSharedAccessKey/listKeys?api-version=${namespaceVersion}`,
    );
    assert.equal(keys.status, 200, JSON.stringify(keys.json));
    assert.match(keys.json.primaryConnectionString, /^Endpoint=sb:\/\/sbgen1\.servicebus\.windows\.net\//);
  });
  it('accepts the ARM bodies of ASO samples that follow ASO (ML compute, ML connection, Search)', async (context) => {
    const model = (group: string, kind: string) =>
      models.find((candidate) => candidate.kind === kind && candidate.group.startsWith(group));
    const compute = model('machinelearningservices', 'WorkspacesCompute');
    const connection = model('machinelearningservices', 'WorkspacesConnection');
    const search = model('search', 'SearchService');
    if (!compute || !connection || !search) return context.skip('models missing');
    const vm = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';
    const resolved = { armIdOf: () => vm, secretValueOf: () => 'Passw0rd!' };
    const workspace = `${rg}/providers/Microsoft.MachineLearningServices/workspaces/ws1`;
    const workspaceVersion = versionOf('Microsoft.MachineLearningServices/workspaces');
    const workspaceBody = { location: 'westus3', properties: {} };
    const parent = await arm('PUT', `${workspace}?api-version=${workspaceVersion}`, workspaceBody);
    assert.ok(parent.status < 300, JSON.stringify(parent.json));
    // ASO's sample spec (v1api20240401): the VirtualMachine compute type keeps its own `properties`.
    const administratorAccount = { username: 'adminUser', password: { name: 'pw', key: 'password' } };
    const virtualMachine = {
      computeLocation: 'westus3',
      computeType: 'VirtualMachine',
      resourceReference: { name: 'vm1' },
      properties: { sshPort: 22, administratorAccount },
    };
    const computeSpec = { location: 'westus3', owner: { name: 'ws1' }, properties: { virtualMachine } };
    const computeBody = specToArmBody(compute, computeSpec, { ...resolved, azureName: 'vm-compute' });
    const computes = `${workspace}/computes`;
    const put = await arm('PUT', `${computes}/vm-compute?api-version=${compute.apiVersion}`, computeBody);
    assert.ok(put.status < 300, JSON.stringify(put.json));
    assert.equal(put.json.properties.computeType, 'VirtualMachine');
    assert.equal(put.json.properties.properties.sshPort, 22);
    assert.equal(put.json.properties.sshPort, undefined);
    const badBody = {
      ...computeBody,
      properties: { ...(computeBody.properties as object), properties: { sshPort: 'twenty-two' } },
    };
    const badPort = await arm('PUT', `${computes}/vm-bad?api-version=${compute.apiVersion}`, badBody);
    assert.equal(badPort.status, 400, JSON.stringify(badPort.json));
    assert.equal(badPort.json.error.target, 'properties.properties.sshPort');
    // ASO's connection sample: authType None with value and valueFormat, which 2024-04-01 has in ASO.
    const none = {
      authType: 'None',
      category: 'ContainerRegistry',
      target: 'www.microsoft.com',
      value: '{"foo":"bar"}',
      valueFormat: 'JSON',
    };
    const connectionSpec = { owner: { name: 'ws1' }, properties: { none } };
    const connectionBody = specToArmBody(connection, connectionSpec, { ...resolved, azureName: 'conn1' });
    assert.deepEqual(connectionBody.properties, none);
    const connectionPath = `${workspace}/connections/conn1?api-version=${connection.apiVersion}`;
    const conn = await arm('PUT', connectionPath, connectionBody);
    assert.ok(conn.status < 300, JSON.stringify(conn.json));
    assert.equal(conn.json.properties.valueFormat, 'JSON');
    // ASO's Search sample spells 2023-11-01's enums in lower camel case.
    const searchPath = `${rg}/providers/Microsoft.Search/searchServices/search1?api-version=${search.apiVersion}`;
    const searchSpec = {
      location: 'westus2',
      owner: { name: 'rg' },
      sku: { name: 'standard' },
      hostingMode: 'default',
      publicNetworkAccess: 'disabled',
    };
    const searchBody = specToArmBody(search, searchSpec, { ...resolved, azureName: 'search1' });
    const created = await arm('PUT', searchPath, searchBody);
    assert.ok(created.status < 300, JSON.stringify(created.json));
    assert.equal(created.json.properties.hostingMode, 'default');
    // ARM compares enums case-insensitively: a client of a newer api-version's spelling is served too.
    const pascalBody = { ...searchBody, properties: { hostingMode: 'Default', publicNetworkAccess: 'Disabled' } };
    const pascal = await arm('PUT', searchPath, pascalBody);
    assert.ok(pascal.status < 300, JSON.stringify(pascal.json));
    const wrong = await arm('PUT', searchPath, { ...searchBody, properties: { hostingMode: 'dense' } });
    assert.equal(wrong.status, 400, JSON.stringify(wrong.json));
  });
});
