import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter, fixtureModel, fixtureState } from '../testing/fixtures.js';
import { applyOverrides } from './apply-overrides.js';
import { stages, runStages } from '../pipeline.js';

test('config overrides mark configmap inputs (even over ASO simple) and add hooks', async () => {
  const state = await fixtureAfter('apply-overrides');
  const lock = fixtureModel(state, 'Lock');
  assert.equal(lock.body.properties?.properties?.properties?.notes?.configMapInput, true);
  assert.deepEqual(lock.hooks, ['lockHook']);
});

test('overrides: flatten, references, notReferences, secrets, enum additions, renames; bad paths fail', async () => {
  const state = await runStages(fixtureState(), stages.slice(1, stages.findIndex((stage) => stage.id === 'detect-references') + 1));
  const work = state.kinds.find((candidate) => candidate.model.kind === 'Widget');
  assert.ok(work);
  work.request = { ...work.request, override: {
    reason: 'test', flatten: false, references: ['properties.dnsServers'], notReferences: ['properties.subnetId'],
    secrets: ['properties.tenantId'], enumAdditions: { 'properties.mode': ['C'] }, renames: { 'properties.size': 'widgetSize' },
  } };
  const after = await applyOverrides.run(state);
  const model = fixtureModel(after, 'Widget');
  const props = model.body.properties?.properties?.properties ?? {};
  assert.equal(model.flatten, false);
  assert.equal(props.dnsServers?.items?.reference, true);
  assert.equal(props.subnetId?.reference, undefined);
  assert.equal(props.tenantId?.secret, true);
  assert.deepEqual(props.mode?.enum, ['A', 'B', 'C']);
  assert.equal(props.size?.kubeName, 'widgetSize');
  work.request = { ...work.request, override: { reason: 'test', secrets: ['properties.nothing'] } };
  assert.throws(() => applyOverrides.run(state), /does not exist/);
});
