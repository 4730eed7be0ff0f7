import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindModel } from '../../model/index.js';
import { runAzureName, runBeforePut, runDesiredBody, type HookArm } from '../internal/hooks.js';
import type { KubeObject } from '../internal/kube.js';
import { uuidV5 } from '../internal/uuid.js';
import { hooksFor } from './index.js';

const model = (group: string, kind: string): KindModel => ({
  group,
  kind,
  versions: ['v1'],
  armType: 'X/y',
  apiVersion: '2023-07-01',
  scope: 'resourceGroup',
  owners: [],
  body: { type: 'object' },
  exports: [],
  hooks: [],
});
const object = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'obj', namespace: 'ns' },
  spec,
});
const noArm: HookArm = { tryGet: async () => undefined, post: async () => undefined };

test('uuidV5 matches the RFC 4122 test vector', () => {
  assert.equal(
    uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
    '2ed6657d-e927-568b-95e1-2665a8aea6a2',
  );
});

test('RoleAssignment: a stable GUID name from the object identity when azureName is unset', () => {
  const hooks = hooksFor('authorization.azure.com', 'RoleAssignment');
  const context = {
    object: object({ owner: { armId: '/subscriptions/s/resourceGroups/rg' } }),
    model: model('authorization.azure.com', 'RoleAssignment'),
  };
  const first = runAzureName(hooks, context, () => 'obj');
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(
    runAzureName(hooks, context, () => 'obj'),
    first,
  );
  assert.notEqual(
    runAzureName(
      hooks,
      { ...context, object: { ...context.object, metadata: { name: 'other', namespace: 'ns' } } },
      () => 'other',
    ),
    first,
  );
  assert.equal(
    runAzureName(hooksFor('resources.azure.com', 'ResourceGroup'), context, () => 'obj'),
    'obj',
    'regular kinds keep metadata.name',
  );
});

test('Vault: createMode never compared; createOrRecover recovers a soft-deleted vault, else default; purgeThenCreate purges', async () => {
  const hooks = hooksFor('keyvault.azure.com', 'Vault');
  const vault = model('keyvault.azure.com', 'Vault');
  const body = { location: 'westus', properties: { createMode: 'createOrRecover', tenantId: 't' } };
  assert.deepEqual(runDesiredBody(hooks, { object: object(), model: vault }, body), {
    location: 'westus',
    properties: { tenantId: 't' },
  });
  const armId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1';
  const recover = object({ properties: { createMode: 'createOrRecover' } });
  const stripped = { location: 'westus', properties: { tenantId: 't' } };
  assert.deepEqual(
    (await runBeforePut(hooks, { object: recover, model: vault, existing: undefined, arm: noArm, armId }, stripped))
      .properties,
    { tenantId: 't', createMode: 'default' },
  );
  const calls: string[] = [];
  const softDeleted: HookArm = {
    tryGet: async (id) => (calls.push(`GET ${id}`), { name: 'kv1' }),
    post: async (id, action) => (calls.push(`POST ${id}/${action}`), {}),
  };
  assert.deepEqual(
    (
      await runBeforePut(
        hooks,
        { object: recover, model: vault, existing: undefined, arm: softDeleted, armId },
        stripped,
      )
    ).properties,
    { tenantId: 't', createMode: 'recover' },
  );
  assert.deepEqual(calls, ['GET /subscriptions/s/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv1']);
  const purge = object({ properties: { createMode: 'purgeThenCreate' } });
  assert.deepEqual(
    (await runBeforePut(hooks, { object: purge, model: vault, existing: undefined, arm: softDeleted, armId }, stripped))
      .properties,
    { tenantId: 't', createMode: 'default' },
  );
  assert.equal(
    calls.at(-1),
    'POST /subscriptions/s/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv1/purge',
  );
  assert.deepEqual(
    (
      await runBeforePut(
        hooks,
        { object: recover, model: vault, existing: { name: 'kv1' }, arm: softDeleted, armId },
        stripped,
      )
    ).properties,
    { tenantId: 't' },
    'updates send no createMode',
  );
});

test('VirtualNetwork: an update keeps the subnets Azure has unless the spec lists its own', async () => {
  const hooks = hooksFor('network.azure.com', 'VirtualNetwork');
  const vnet = model('network.azure.com', 'VirtualNetwork');
  const subnet = {
    name: 's1',
    id: '/x/subnets/s1',
    properties: { addressPrefix: '10.0.0.0/24', provisioningState: 'Succeeded' },
  };
  const gets: string[] = [];
  const listing = (value: unknown): HookArm => ({
    tryGet: async (id) => (gets.push(id), value),
    post: async () => undefined,
  });
  const body = { location: 'westus', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } } };
  const withSubnets = (subnets: unknown[]) => ({ ...body, properties: { ...body.properties, subnets } });
  const run = (arm: HookArm, existing: unknown, desired: Record<string, unknown> = body) =>
    runBeforePut(hooks, { object: object(), model: vnet, existing, arm, armId: '/x' }, desired);
  assert.deepEqual(
    await run(listing({ value: [subnet] }), { properties: {} }),
    withSubnets([subnet]),
    'listed from the subnets collection',
  );
  assert.deepEqual(gets, ['/x/subnets']);
  assert.deepEqual(
    await run(listing({ value: [], nextLink: 'https://more' }), { properties: { subnets: [subnet] } }),
    withSubnets([subnet]),
    'a paged list falls back to the VNet body',
  );
  assert.deepEqual(await run(listing(undefined), { properties: { subnets: [subnet] } }), withSubnets([subnet]));
  assert.deepEqual(await run(listing({ value: [] }), { properties: {} }), body, 'no subnets: nothing added');
  assert.deepEqual(
    await run(listing({ value: [subnet] }), { properties: {} }, withSubnets([])),
    withSubnets([]),
    'the spec lists its own',
  );
  gets.length = 0;
  assert.deepEqual(await run(listing({ value: [subnet] }), undefined), body, 'a create sends the spec as is');
  assert.deepEqual(gets, [], 'and lists nothing');
});

test('GUID names: RoleDefinition and Cosmos SqlRoleAssignment get a stable UUIDv5 of the object when azureName is unset', () => {
  for (const [group, kind] of [
    ['authorization.azure.com', 'RoleDefinition'],
    ['documentdb.azure.com', 'SqlRoleAssignment'],
  ] as const) {
    const hooks = hooksFor(group, kind);
    assert.equal(hooks.length, 1, `${group}/${kind} has an extension`);
    const context = { object: object({ owner: { name: 'parent' } }), model: model(group, kind) };
    const name = runAzureName(hooks, context, () => 'obj');
    assert.equal(name, uuidV5(`${group}/${kind}/ns/obj///parent`));
    assert.match(name, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(
      name,
      runAzureName(hooks, { ...context, object: object({ owner: { name: 'other' } }) }, () => 'obj'),
    );
  }
});
