import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter, fixtureModel, testAsoConfig } from '../testing/fixtures.js';
import { asoSectionFor, typeNameMatches } from './apply-aso-config.js';

test('ASO type names match bicep names, merged names and _Spec/_STATUS forms', () => {
  assert.ok(typeNameMatches('WidgetProperties', 'WidgetProperties'));
  assert.ok(typeNameMatches('RedisCreateProperties', 'RedisCreatePropertiesOrRedisProperties'));
  assert.ok(typeNameMatches('Destination_Properties', 'DestinationProperties'));
  assert.ok(typeNameMatches('AccessPolicyEntry_STATUS', 'AccessPolicyEntry'));
  assert.ok(!typeNameMatches('Network', 'NetworkRuleSet'));
});

test('the exact ASO version is used, else the newest older one', () => {
  assert.equal(asoSectionFor(testAsoConfig, 'test', '2024-01-01')?.version, '2024-01-01');
  assert.equal(asoSectionFor(testAsoConfig, 'test', '2025-01-01')?.version, '2024-01-01');
  assert.equal(asoSectionFor(testAsoConfig, 'test', '2023-06-01')?.version, '2023-01-01');
  assert.equal(asoSectionFor(testAsoConfig, 'test', '2020-01-01'), undefined);
  assert.equal(asoSectionFor(testAsoConfig, 'nothing', '2024-01-01'), undefined);
});

test('a version ASO lacks takes the settings of the newest older version that exports the kind', () => {
  const asoConfig = {
    objectModelConfiguration: {
      net: { '2024-03-01': { Vnet: { $exportAs: 'Vnet' } }, '2024-10-01': { Watcher: { $exportAs: 'Watcher' } } },
    },
  };
  assert.equal(asoSectionFor(asoConfig, 'net', '2025-03-01', 'Vnet')?.version, '2024-03-01');
  assert.equal(asoSectionFor(asoConfig, 'net', '2025-03-01', 'Watcher')?.version, '2024-10-01');
  assert.equal(asoSectionFor(asoConfig, 'net', '2025-03-01', 'New')?.version, '2024-10-01');
});

test('secrets, configmap inputs, simple references, defaultAzureName and exports come from ASO config', async () => {
  const state = await fixtureAfter('apply-aso-config');
  const widget = fixtureModel(state, 'Widget');
  const props = widget.body.properties?.properties?.properties ?? {};
  assert.equal(props.password?.secret, true);
  assert.equal(props.tenantId?.configMapInput, true);
  const work = state.kinds.find((candidate) => candidate.model.kind === 'Widget');
  assert.deepEqual(work?.asoExports, {
    secrets: ['PrimaryKey', 'PrimaryEndpoint'],
    configs: { PrimaryEndpoint: '$.Status.PrimaryEndpoint' },
  });
  const lock = state.kinds.find((candidate) => candidate.model.kind === 'Lock');
  assert.equal(lock?.model.defaultAzureName, false);
  const notes = lock?.model.body.properties?.properties?.properties?.notes;
  assert.ok(notes && lock?.plainNodes.has(notes));
});

test('arrays of child resources owned by the parent are status only and listed as inline children', async () => {
  const widget = fixtureModel(await fixtureAfter('apply-aso-config'), 'Widget');
  assert.equal(widget.body.properties?.properties?.properties?.gadgets?.readOnly, true);
  assert.deepEqual(widget.inlineChildren, ['gadgets']);
});

test("$renameTo names a property on the Kubernetes side, also in the envelope of ASO's flattened spec", async () => {
  const lock = fixtureModel(await fixtureAfter('apply-aso-config'), 'Lock');
  assert.equal(lock.body.properties?.properties?.properties?.level?.kubeName, 'lockLevel');
});
