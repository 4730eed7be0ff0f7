/**
 * Patch semantics over real HTTPS: strategic merge on built-ins, server-side apply with field ownership and conflicts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { call, widgetCrd } from './kube-helpers.js';

let server: RunningApiServer;
before(async () => {
  server = await startApiServer({ port: 0 });
  const crd = widgetCrd();
  const version = (
    crd.spec as {
      versions: Array<{
        schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } };
      }>;
    }
  ).versions[0];
  if (!version) throw new Error('widget CRD without a version');
  version.schema.openAPIV3Schema.properties.spec.properties.ports = {
    type: 'array',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
    items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
  };
  assert.equal(
    (await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status,
    201,
  );
});
after(async () => {
  await server.close();
});

const configmaps = '/api/v1/namespaces/default/configmaps';
const widgets = '/apis/example.com/v1/namespaces/default/widgets';
const smp = 'application/strategic-merge-patch+json';
const apply = 'application/apply-patch+yaml';

describe('strategic merge patch on built-ins', () => {
  it('merges finalizers as a set, removes with $deleteFromPrimitiveList, merges ownerReferences by uid', async () => {
    // Real owners: a dependent whose owners do not exist would be garbage-collected.
    const [first, second] = await Promise.all(
      ['o1', 'o2'].map(
        async (name) =>
          (
            await call(server, 'POST', configmaps, {
              body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } },
            })
          ).body,
      ),
    );
    const owner = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid });
    await call(server, 'POST', configmaps, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'smp', finalizers: ['example.com/a'], ownerReferences: [owner('o1', first.metadata.uid)] },
        data: { keep: '1' },
      },
    });
    const merged = await call(server, 'PATCH', `${configmaps}/smp`, {
      body: {
        metadata: {
          finalizers: ['example.com/b'],
          ownerReferences: [owner('o2', second.metadata.uid), { ...owner('o1', first.metadata.uid), controller: true }],
        },
        data: { added: '2' },
      },
      contentType: smp,
    });
    assert.equal(merged.status, 200, merged.text);
    assert.deepEqual(merged.body.metadata.finalizers, ['example.com/a', 'example.com/b']);
    assert.deepEqual(
      merged.body.metadata.ownerReferences.map(
        (reference: { name: string; controller?: boolean }) =>
          `${reference.name}:${String(reference.controller ?? false)}`,
      ),
      ['o1:true', 'o2:false'],
    );
    assert.deepEqual(merged.body.data, { keep: '1', added: '2' });
    const removed = await call(server, 'PATCH', `${configmaps}/smp`, {
      body: { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a', 'example.com/b'] } },
      contentType: smp,
    });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.body.metadata.finalizers, undefined);
  });

  it('answers an unknown $ directive with 400 and changes nothing', async () => {
    const before = (await call(server, 'GET', `${configmaps}/smp`)).body;
    const response = await call(server, 'PATCH', `${configmaps}/smp`, {
      body: { data: { $bogus: 'x', other: '3' } },
      contentType: smp,
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.kind, 'Status');
    assert.match(response.body.message, /\$bogus/);
    assert.deepEqual((await call(server, 'GET', `${configmaps}/smp`)).body, before);
  });
});

describe('server-side apply', () => {
  const applied = (manager: string, data: Record<string, string>, query = '') =>
    call(server, 'PATCH', `${configmaps}/owned?fieldManager=${manager}${query}`, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned' }, data },
      contentType: apply,
    });

  it('records who owns which field in managedFields', async () => {
    assert.equal((await applied('alice', { a: '1', shared: 'x' })).status, 201);
    const second = await applied('bob', { b: '2', shared: 'x' });
    assert.equal(second.status, 200, second.text);
    const managers = Object.fromEntries(
      second.body.metadata.managedFields.map((entry: { manager: string; operation: string; fieldsV1: unknown }) => [
        entry.manager,
        entry,
      ]),
    );
    assert.equal(managers.alice.operation, 'Apply');
    assert.deepEqual(managers.alice.fieldsV1, { 'f:data': { 'f:a': {}, 'f:shared': {} } });
    assert.deepEqual(managers.bob.fieldsV1, { 'f:data': { 'f:b': {}, 'f:shared': {} } });
    assert.deepEqual(second.body.data, { a: '1', b: '2', shared: 'x' });
  });

  it('refuses to change a field another manager owns (409 with causes) unless forced', async () => {
    const conflict = await applied('bob', { b: '2', shared: 'changed' });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.shared');
    assert.deepEqual(conflict.body.details.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "alice" using v1', field: '.data.shared' },
    ]);
    assert.equal((await call(server, 'GET', `${configmaps}/owned`)).body.data.shared, 'x');
    const forced = await applied('bob', { b: '2', shared: 'changed' }, '&force=true');
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.body.data.shared, 'changed');
    const alice = forced.body.metadata.managedFields.find((entry: { manager: string }) => entry.manager === 'alice');
    assert.deepEqual(alice.fieldsV1, { 'f:data': { 'f:a': {} } });
  });

  it('removes a field its manager stops applying, unless someone else owns it', async () => {
    const dropped = await applied('alice', {});
    assert.equal(dropped.status, 200, dropped.text);
    assert.deepEqual(dropped.body.data, { b: '2', shared: 'changed' });
    const updated = await call(server, 'PATCH', `${configmaps}/owned?fieldManager=editor`, {
      body: { data: { c: '3' } },
      contentType: 'application/merge-patch+json',
    });
    const editor = updated.body.metadata.managedFields.find((entry: { manager: string }) => entry.manager === 'editor');
    assert.equal(editor.operation, 'Update');
    assert.deepEqual(editor.fieldsV1, { 'f:data': { 'f:c': {} } });
  });

  it('merges list-type map items by key on custom resources and leaves atomic fields to their owner', async () => {
    const widget = (ports: Array<{ name: string; port: number }>, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'ports' },
      spec: { color: 'red', ports, ...extra },
    });
    assert.equal(
      (
        await call(server, 'PATCH', `${widgets}/ports?fieldManager=web`, {
          body: widget([{ name: 'http', port: 80 }]),
          contentType: apply,
        })
      ).status,
      201,
    );
    const second = await call(server, 'PATCH', `${widgets}/ports?fieldManager=tls`, {
      body: { ...widget([{ name: 'https', port: 443 }]), spec: { ports: [{ name: 'https', port: 443 }] } },
      contentType: apply,
    });
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.body.spec.ports, [
      { name: 'http', port: 80 },
      { name: 'https', port: 443 },
    ]);
    const conflict = await call(server, 'PATCH', `${widgets}/ports?fieldManager=tls`, {
      body: { ...widget([]), spec: { color: 'blue' } },
      contentType: apply,
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.details.causes[0].field, '.spec.color');
  });

  it('rejects an applied configuration without apiVersion/kind, or with a stale resourceVersion', async () => {
    const noKind = await call(server, 'PATCH', `${configmaps}/owned?fieldManager=alice`, {
      body: { metadata: { name: 'owned' } },
      contentType: apply,
    });
    assert.equal(noKind.status, 400);
    const stale = await call(server, 'PATCH', `${configmaps}/owned?fieldManager=alice`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'owned', resourceVersion: '1' },
        data: { z: '1' },
      },
      contentType: apply,
    });
    assert.equal(stale.status, 409);
    assert.equal((await call(server, 'GET', `${configmaps}/owned`)).body.data.z, undefined);
  });
});
