/**
 * In-process conversion in the embedded API server (what a conversion webhook does in a real cluster): a write at
 * any served version is stored at the storage version, a read at any version is converted from it, and fields a
 * version lacks travel in the conversion annotation and come back at a version that has them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderCrd } from '../../src/codegen/index.js';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { conversionAnnotation, convertBySchema, loadKindVersions } from '../../src/model/index.js';
import { call } from './kube-helpers.js';

let server: RunningApiServer;
const string = { type: 'string' };
const widgets = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.azure.com' },
  spec: {
    group: 'test.azure.com',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v2',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { size: string, colour: string } } },
          },
        },
      },
      {
        name: 'v1',
        served: true,
        storage: false,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { size: string, legacy: string } } },
          },
        },
      },
    ],
  },
};

before(async () => {
  server = await startApiServer({ port: 0, convert: convertBySchema });
  for (const crd of [widgets, renderCrd(...(await hubAndOthers()))]) {
    const created = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: crd,
    });
    assert.equal(created.status, 201, created.text.slice(0, 300));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
});
after(() => server?.close());

async function hubAndOthers(): Promise<
  [Parameters<typeof renderCrd>[0], Record<string, never>, Parameters<typeof renderCrd>[2]]
> {
  const [hub, ...others] = await loadKindVersions('network.azure.com', 'VirtualNetwork');
  assert.ok(hub);
  return [hub, {}, others];
}

const path = (version: string, name = '') =>
  `/apis/test.azure.com/${version}/namespaces/default/widgets${name ? `/${name}` : ''}`;

test('a field only the old version has is kept in the annotation at the storage version and restored at the old one', async () => {
  const created = await call(server, 'POST', path('v1'), {
    body: {
      apiVersion: 'test.azure.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1' },
      spec: { size: 'L', legacy: 'yes' },
    },
  });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.body.spec, { size: 'L', legacy: 'yes' });
  const atV2 = (await call(server, 'GET', path('v2', 'w1'))).body;
  assert.equal(atV2.apiVersion, 'test.azure.com/v2');
  assert.deepEqual(atV2.spec, { size: 'L' });
  assert.deepEqual(JSON.parse(atV2.metadata.annotations[conversionAnnotation]), [[['spec', 'legacy'], 'yes']]);
  const atV1 = (await call(server, 'GET', path('v1', 'w1'))).body;
  assert.deepEqual(atV1.spec, { size: 'L', legacy: 'yes' });
  assert.equal(atV1.metadata.annotations?.[conversionAnnotation], undefined);
  // A write at the storage version adds a field v1 lacks; v1 readers keep both.
  const updated = await call(server, 'PUT', path('v2', 'w1'), {
    body: { ...atV2, spec: { ...atV2.spec, colour: 'red' } },
  });
  assert.equal(updated.status, 200, updated.text);
  const again = (await call(server, 'GET', path('v1', 'w1'))).body;
  assert.deepEqual(again.spec, { size: 'L', legacy: 'yes' });
  assert.deepEqual(JSON.parse(again.metadata.annotations[conversionAnnotation]), [[['spec', 'colour'], 'red']]);
  const listed = (await call(server, 'GET', path('v2'))).body;
  assert.deepEqual(
    listed.items.map((item: { apiVersion: string; spec: unknown }) => [item.apiVersion, item.spec]),
    [['test.azure.com/v2', { size: 'L', colour: 'red' }]],
  );
});

test('a generated kind written at an older version is read at its hub and back unchanged', async () => {
  const [hub, , others] = await hubAndOthers();
  const old = others?.[0];
  assert.ok(old);
  const base = `/apis/network.azure.com/${old.versions[1]}/namespaces/default/virtualnetworks`;
  const spec = { owner: { name: 'rg' }, location: 'westus', addressSpace: { addressPrefixes: ['10.0.0.0/16'] } };
  const created = await call(server, 'POST', base, {
    body: {
      apiVersion: `network.azure.com/${old.versions[1]}`,
      kind: 'VirtualNetwork',
      metadata: { name: 'vnet' },
      spec,
    },
  });
  assert.equal(created.status, 201, created.text);
  const atHub = (
    await call(server, 'GET', `/apis/network.azure.com/${hub.versions[0]}/namespaces/default/virtualnetworks/vnet`)
  ).body;
  assert.equal(atHub.apiVersion, `network.azure.com/${hub.versions[0]}`);
  assert.deepEqual(atHub.spec, spec);
  const back = (await call(server, 'GET', `${base}/vnet`)).body;
  assert.deepEqual(back.spec, spec);
});
