import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armBodyToStatus, listSpecInputs, MissingInputError, specToArmBody } from './convert.js';
import { widgetModel } from './testing.js';

const spec = {
  owner: { name: 'rg' },
  location: 'westus',
  tags: { env: 'dev' },
  identity: {
    type: 'UserAssigned',
    userAssignedIdentities: [
      { reference: { group: 'managedidentity.azure.com', kind: 'UserAssignedIdentity', name: 'mi' } },
    ],
  },
  size: 3,
  mode: 'A',
  subnetReference: {
    armId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s1',
  },
  scopesReferences: [{ group: 'g', kind: 'K', name: 'one' }],
  roleDefinitionReference: { wellKnownName: 'Reader' },
  password: { name: 'pw', key: 'password' },
  tenantIdFromConfig: { name: 'settings', key: 'tenantId' },
  network: { reference: { armId: '/x/net' } },
  rules: [{ name: 'r1', priority: 100 }],
  policy: { continuous: { kind: 'Continuous', tier: 'Basic' } },
  labels: { a: 'b' },
  extra: { anything: [1, 2] },
  unknownField: 'dropped',
  operatorSpec: { secrets: { primaryKey: { name: 's', key: 'k' } } },
};

const resolved = {
  azureName: 'widget1',
  armIdOf: (path: string, ref: { armId?: string; name?: string; wellKnownName?: string }) =>
    ref.armId ?? `/resolved/${ref.name ?? ref.wellKnownName}`,
  secretValueOf: (path: string) => (path === 'spec.password' ? 'hunter2' : undefined),
  configMapValueOf: (path: string, ref: { key: string }) => `cm:${ref.key}`,
};

test('listSpecInputs finds references, secrets and configmap inputs with their paths', () => {
  const inputs = listSpecInputs(widgetModel(), spec);
  assert.deepEqual(
    inputs.references.map((entry) => entry.path),
    [
      'spec.identity.userAssignedIdentities[0].reference',
      'spec.subnetReference',
      'spec.scopesReferences[0]',
      'spec.roleDefinitionReference',
      'spec.network.reference',
    ],
  );
  assert.deepEqual(inputs.secrets, [{ path: 'spec.password', ref: { name: 'pw', key: 'password' } }]);
  assert.deepEqual(inputs.configMaps, [
    { path: 'spec.tenantIdFromConfig', ref: { name: 'settings', key: 'tenantId' } },
  ]);
});

test('specToArmBody restores the envelope, resolves inputs and sends no read-only or unknown fields', () => {
  const body = specToArmBody(widgetModel(), spec, resolved);
  assert.deepEqual(body, {
    name: 'widget1',
    location: 'westus',
    tags: { env: 'dev' },
    identity: { type: 'UserAssigned', userAssignedIdentities: { '/resolved/mi': {} } },
    properties: {
      size: 3,
      mode: 'A',
      subnetId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s1',
      scopes: ['/resolved/one'],
      roleDefinitionId: '/resolved/Reader',
      password: 'hunter2',
      tenantId: 'cm:tenantId',
      network: { id: '/x/net' },
      rules: [{ name: 'r1', properties: { priority: 100 } }],
      policy: { kind: 'Continuous', tier: 'Basic' },
      labels: { a: 'b' },
      extra: { anything: [1, 2] },
    },
  });
});

test('azureName and fixed names win; plain values win over FromConfig; missing inputs throw', () => {
  assert.equal(specToArmBody(widgetModel(), { ...spec, azureName: 'explicit' }, resolved).name, 'explicit');
  assert.equal(specToArmBody({ ...widgetModel(), fixedName: 'default' }, spec, resolved).name, 'default');
  const plain = specToArmBody(widgetModel(), { ...spec, tenantId: 't1' }, resolved);
  assert.equal((plain.properties as Record<string, unknown>).tenantId, 't1');
  assert.throws(
    () => specToArmBody(widgetModel(), spec, { ...resolved, secretValueOf: () => undefined }),
    MissingInputError,
  );
  assert.throws(
    () => specToArmBody(widgetModel(), { location: 'x', subnetReference: { name: 'n' } }, { azureName: 'w' }),
    /reference at spec.subnetReference/,
  );
});

test('armBodyToStatus flattens, keeps read-only fields, drops secrets, maps unions', () => {
  const status = armBodyToStatus(widgetModel(), {
    id: '/x/widget1',
    name: 'widget1',
    type: 'Microsoft.Test/widgets',
    location: 'westus',
    properties: {
      size: 3,
      endpoint: 'https://w',
      password: 'never',
      stats: { count: 2 },
      policy: { kind: 'periodic', interval: 5 },
      rules: [{ name: 'r1', properties: { priority: 100, state: 'ok' } }],
      notInModel: true,
    },
  });
  assert.deepEqual(status, {
    id: '/x/widget1',
    name: 'widget1',
    type: 'Microsoft.Test/widgets',
    location: 'westus',
    size: 3,
    endpoint: 'https://w',
    stats: { count: 2 },
    policy: { periodic: { kind: 'periodic', interval: 5 } },
    rules: [{ name: 'r1', priority: 100, state: 'ok' }],
  });
});

test('readPath follows export paths with indices, case-insensitively', async () => {
  const { readPath } = await import('./convert.js');
  const response = {
    keys: [
      { keyName: 'key1', value: 'v1' },
      { keyName: 'key2', value: 'v2' },
    ],
    Properties: { PrimaryEndpoints: { blob: 'https://b' } },
  };
  assert.equal(readPath(response, 'keys[1].value'), 'v2');
  assert.equal(readPath(response, 'properties.primaryEndpoints.blob'), 'https://b');
  assert.equal(readPath(response, 'keys[5].value'), undefined);
  assert.equal(readPath(response, 'missing.x'), undefined);
  const named = {
    value: [
      { name: 'Primary', value: 'p' },
      { name: 'Primary Read Only', value: 'r' },
    ],
  };
  assert.equal(readPath(named, 'value[name=Primary Read Only].value'), 'r');
  assert.equal(readPath(named, 'value[NAME=Primary].value'), 'p', 'the selector field matches as property names do');
  assert.equal(readPath(named, 'value[name=Secondary].value'), undefined);
  assert.equal(readPath(named, 'value[x].value'), undefined);
});

test('a flattened `type` goes into properties; status reports it as properties_type next to the resource type', () => {
  const model = widgetModel();
  const envelope = model.body.properties?.properties;
  assert.ok(envelope?.properties);
  envelope.properties.type = { type: 'string' };
  const body = specToArmBody(model, { location: 'westus', size: 1, type: 'AvailabilitySet' }, { azureName: 'pool1' });
  assert.deepEqual(body, { name: 'pool1', location: 'westus', properties: { size: 1, type: 'AvailabilitySet' } });
  const status = armBodyToStatus(model, {
    id: '/x/pool1',
    name: 'pool1',
    type: 'Microsoft.Test/widgets',
    properties: { size: 1, type: 'AvailabilitySet' },
  });
  assert.deepEqual(status, {
    id: '/x/pool1',
    name: 'pool1',
    type: 'Microsoft.Test/widgets',
    size: 1,
    properties_type: 'AvailabilitySet',
  });
});
