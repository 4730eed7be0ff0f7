import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter, fixtureModel } from '../testing/fixtures.js';
import { fixedNameOf, scopeOf } from './resolve-resources.js';

test('scope comes from writableScopes and the type depth', () => {
  assert.equal(scopeOf(8, 'Microsoft.Test/widgets'), 'resourceGroup');
  assert.equal(scopeOf(8, 'Microsoft.Test/widgets/gadgets'), 'resourceGroup');
  assert.equal(scopeOf(4, 'Microsoft.Resources/resourceGroups'), 'subscription');
  assert.equal(scopeOf(31, 'Microsoft.Authorization/roleAssignments'), 'extension');
  assert.equal(scopeOf(1, 'Microsoft.Test/tenantThings'), 'tenant');
});

test('owners, fixed names and versions', async () => {
  const state = await fixtureAfter('resolve-resources');
  const widget = fixtureModel(state, 'Widget');
  assert.equal(widget.group, 'test.azure.com');
  assert.deepEqual(widget.versions, ['v20240101', 'v1api20240101']);
  assert.deepEqual(widget.owners, [{ group: 'resources.azure.com', kind: 'ResourceGroup' }]);
  assert.equal(widget.fixedName, undefined);
  const gadget = fixtureModel(state, 'WidgetsGadget');
  assert.deepEqual(gadget.owners, [{ group: 'test.azure.com', kind: 'Widget' }]);
  assert.equal(gadget.fixedName, 'default');
  assert.deepEqual(fixtureModel(state, 'Lock').owners, ['*']);
  assert.equal(fixtureModel(state, 'Lock').scope, 'extension');
  assert.deepEqual(fixtureModel(state, 'ResourceGroup').owners, []);
});

test('bicep types become schema nodes with flags, enums, bounds, patterns, maps and unions', async () => {
  const widget = fixtureModel(await fixtureAfter('resolve-resources'), 'Widget');
  const body = widget.body;
  assert.deepEqual(body.required, ['name', 'location', 'properties']);
  assert.equal(body.properties?.id?.readOnly, true);
  assert.deepEqual(body.properties?.name, { type: 'string', minLength: 3, maxLength: 24, pattern: '^[a-z0-9]+$' });
  assert.deepEqual(body.properties?.tags, { type: 'object', additionalProperties: { type: 'string' } });
  const props = body.properties?.properties?.properties ?? {};
  assert.deepEqual(props.size, { type: 'integer', minimum: 1, maximum: 10, description: 'The size.' });
  assert.deepEqual(props.mode, { type: 'string', enum: ['A', 'B'] });
  assert.deepEqual(props.tier, { type: 'string', enum: ['A', 'B'], extensibleEnum: true });
  assert.deepEqual(props.password, { type: 'string', secret: true, writeOnly: true });
  assert.equal(props.provisioningState?.readOnly, true);
  assert.deepEqual(props.extra, { type: 'any' });
  assert.deepEqual(props.dnsServers, { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 });
  assert.equal(props.backupPolicy?.discriminator?.property, 'kind');
  assert.deepEqual(Object.keys(props.backupPolicy?.discriminator?.variants ?? {}), ['Periodic', 'Continuous']);
  assert.deepEqual(props.backupPolicy?.discriminator?.variants.Periodic?.properties?.kind, {
    type: 'string',
    enum: ['Periodic'],
  });
  assert.equal(props.backupPolicy?.properties?.migrationState?.readOnly, true);
});

test('a one-literal name is fixed, also when the type widens it to any string (managementPolicies)', () => {
  assert.equal(fixedNameOf({ type: 'object', properties: { name: { type: 'string', enum: ['default'] } } }), 'default');
  assert.equal(
    fixedNameOf({ type: 'object', properties: { name: { type: 'string', enum: ['default'], extensibleEnum: true } } }),
    'default',
  );
  assert.equal(
    fixedNameOf({ type: 'object', properties: { name: { type: 'string', enum: ['add', 'remove'] } } }),
    undefined,
  );
  assert.equal(fixedNameOf({ type: 'object', properties: { name: { type: 'string' } } }), undefined);
});
