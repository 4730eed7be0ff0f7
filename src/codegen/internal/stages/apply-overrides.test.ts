import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter, fixtureModel, fixtureState } from '../testing/fixtures.js';
import { applyOverrides } from './apply-overrides.js';
import { stages, runStages } from '../pipeline.js';
import type { RawType } from '../state.js';
import type { SchemaNode } from '../../../model/index.js';
import { nodesAtPath } from '../walk.js';

test('config overrides mark configmap inputs (even over ASO simple) and add hooks', async () => {
  const state = await fixtureAfter('apply-overrides');
  const lock = fixtureModel(state, 'Lock');
  assert.equal(lock.body.properties?.properties?.properties?.notes?.configMapInput, true);
  assert.deepEqual(lock.hooks, ['lockHook']);
});

test('overrides: flatten, references, notReferences, secrets, enum additions, renames; bad paths fail', async () => {
  const state = await runStages(
    fixtureState(),
    stages.slice(1, stages.findIndex((stage) => stage.id === 'detect-references') + 1),
  );
  const work = state.kinds.find((candidate) => candidate.model.kind === 'Widget');
  assert.ok(work);
  work.request = {
    ...work.request,
    override: {
      reason: 'test',
      flatten: false,
      references: ['properties.dnsServers'],
      notReferences: ['properties.subnetId'],
      secrets: ['properties.tenantId'],
      enumAdditions: { 'properties.mode': ['C'] },
      renames: { 'properties.size': 'widgetSize' },
    },
  };
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

test('overrides: kept nested envelopes, enum values, properties copied from another api-version of the index', async () => {
  const upToReferences = stages.slice(1, stages.findIndex((stage) => stage.id === 'detect-references') + 1);
  const state = await runStages(fixtureState(), upToReferences);
  const ref = (index: number) => ({ $ref: `#/${index}` });
  const plain = (index: number) => ({ type: ref(index), flags: 0 });
  const older: RawType[] = [
    { $type: 'StringType' },
    { $type: 'ObjectType', name: 'WidgetProperties', properties: { color: plain(0), size: plain(0) } },
    { $type: 'ObjectType', name: 'Microsoft.Test/widgets', properties: { name: plain(0), properties: plain(1) } },
    { $type: 'ResourceType', name: 'Microsoft.Test/widgets@2023-01-01', body: ref(2), writableScopes: 8 },
  ];
  const widgetVersions = { ...state.typeIndex['Microsoft.Test/widgets'], '2023-01-01': 'old.json' };
  state.typeIndex = { ...state.typeIndex, 'Microsoft.Test/widgets': widgetVersions };
  state.typeFiles = { ...state.typeFiles, 'old.json': older };
  const work = state.kinds.find((candidate) => candidate.model.kind === 'Widget');
  assert.ok(work);
  const box = (): SchemaNode => ({
    type: 'object',
    properties: { properties: { type: 'object', properties: { x: { type: 'string' } } } },
  });
  Object.assign(work.model.body.properties?.properties?.properties ?? {}, { box: box(), otherBox: box() });
  const override = {
    reason: 'test',
    keepEnvelopes: ['properties.box.properties'],
    enumValues: { 'properties.mode': ['a', 'b'] },
    propertiesFrom: { apiVersion: '2023-01-01', paths: ['properties.color', 'properties.size'] },
  };
  work.request = { ...work.request, override };
  const after = await applyOverrides.run(state);
  const props = fixtureModel(after, 'Widget').body.properties?.properties?.properties ?? {};
  assert.equal(props.box?.properties?.properties?.flatten, false);
  assert.equal(props.otherBox?.properties?.properties?.flatten, undefined, 'only the named envelope is kept');
  assert.deepEqual(props.mode?.enum, ['a', 'b']);
  assert.deepEqual(props.color, { type: 'string' });
  assert.equal(props.size?.type, 'integer', 'a property the version has is not replaced');
  assert.ok(after.notes.some((note) => note.endsWith('properties.color from 2023-01-01')));
  work.request = { ...work.request, override: { reason: 'test', keepEnvelopes: ['properties.size'] } };
  assert.throws(() => applyOverrides.run(state), /names no properties envelope/);
  const shade = { apiVersion: '2023-01-01', paths: ['properties.shade'] };
  work.request = { ...work.request, override: { reason: 'test', propertiesFrom: shade } };
  assert.throws(() => applyOverrides.run(state), /is in neither 2024-01-01 nor 2023-01-01/);
});

test('nodesAtPath: <*> stands for every variant of a union', () => {
  const enveloped = (name: string): SchemaNode => ({
    type: 'object',
    properties: { properties: { type: 'object', description: name } },
  });
  const variants = { A: enveloped('a'), B: enveloped('b'), C: { type: 'object' as const } };
  const root: SchemaNode = {
    type: 'object',
    properties: { properties: { type: 'object', discriminator: { property: 'kind', variants } } },
  };
  const descriptions = (path: string) => nodesAtPath(root, path).map((node) => node.description);
  assert.deepEqual(descriptions('properties.<*>.properties'), ['a', 'b']);
  assert.equal(nodesAtPath(root, 'properties.<*>').length, 3);
  assert.deepEqual(descriptions('properties.<A>.properties'), ['a']);
  assert.deepEqual(nodesAtPath(root, 'nothing.<*>.properties'), []);
});
