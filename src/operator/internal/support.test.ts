import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindModel } from '../../model/index.js';
import { dependencyChanged, needsReconcile } from './changes.js';
import { readPath } from '../../model/index.js';
import { isConditionError } from './errors.js';
import { plannedExports, writeExports } from './exports.js';
import type { KubeAccess } from './kube.js';
import { createMergePatch } from './merge-patch.js';
import { DependencyIndex, parseObjectKey, objectKey } from './registry.js';

const object = (metadata: Record<string, unknown>, status?: Record<string, unknown>) => ({
  metadata: { generation: 1, ...metadata },
  ...(status ? { status } : {}),
});

test('needsReconcile: spec, deletion, finalizers, user annotations and dropped bookkeeping wake; status and our writes do not', () => {
  const base = object({ annotations: { a: '1' }, finalizers: ['f'] });
  assert.equal(needsReconcile(undefined, base), true);
  assert.equal(
    needsReconcile(base, object({ annotations: { a: '1' }, finalizers: ['f'] }, { x: 1 })),
    false,
    'status only',
  );
  assert.equal(
    needsReconcile(
      base,
      object({ annotations: { a: '1', 'serviceoperator.azure.com/resource-id': '/x' }, finalizers: ['f'] }),
    ),
    false,
    'our annotation added',
  );
  assert.equal(
    needsReconcile(
      object({ annotations: { 'serviceoperator.azure.com/resource-id': '/x' } }),
      object({ annotations: {} }),
    ),
    true,
    'our annotation dropped (Argo replace)',
  );
  assert.equal(needsReconcile(base, { ...base, metadata: { ...base.metadata, generation: 2 } }), true);
  assert.equal(needsReconcile(base, object({ annotations: { a: '2' }, finalizers: ['f'] })), true);
  assert.equal(needsReconcile(base, object({ annotations: { a: '1' }, finalizers: [] })), true);
  assert.equal(
    needsReconcile(base, object({ annotations: { a: '1' }, finalizers: ['f', 'serviceoperator.azure.com/finalizer'] })),
    false,
    'our finalizer added',
  );
  assert.equal(
    needsReconcile(object({ finalizers: ['serviceoperator.azure.com/finalizer'] }), object({ finalizers: [] })),
    true,
    'our finalizer dropped',
  );
  assert.equal(
    needsReconcile(base, object({ annotations: { a: '1' }, finalizers: ['f'], deletionTimestamp: 'now' })),
    true,
  );
});

test("dependencyChanged: only what dependents read (uid, ARM ID, deletion) wakes them; an owner's Ready does not", () => {
  const ready = (status: string) => ({
    conditions: [{ type: 'Ready', status, reason: 'x', lastTransitionTime: 't' }],
    tags: { a: '1' },
  });
  const owner = object({ uid: 'u1', annotations: { 'serviceoperator.azure.com/resource-id': '/x' } }, ready('True'));
  assert.equal(dependencyChanged(undefined, owner), true, 'new');
  assert.equal(
    dependencyChanged(owner, {
      ...owner,
      metadata: { ...owner.metadata, resourceVersion: '9', generation: 2 },
      status: { ...ready('True'), tags: { b: '2' } },
    }),
    false,
    'spec, status fields, versions',
  );
  assert.equal(
    dependencyChanged(owner, { ...owner, status: ready('False') }),
    false,
    'Ready changed: children need the ID, not the health',
  );
  assert.equal(dependencyChanged(object({ uid: 'u1' }, ready('True')), owner), true, 'ARM ID recorded');
  assert.equal(
    dependencyChanged(owner, { ...owner, metadata: { ...owner.metadata, deletionTimestamp: 'now' } }),
    true,
    'deleting',
  );
  assert.equal(
    dependencyChanged(owner, { ...owner, metadata: { ...owner.metadata, uid: 'u2' } }),
    true,
    'replaced by a new object',
  );
});

test('createMergePatch: only changes, nulls for removed keys, arrays whole', () => {
  assert.equal(createMergePatch({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2 } }), undefined);
  assert.deepEqual(createMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 2 } }), { b: { d: null } });
  assert.deepEqual(createMergePatch({ l: [1, 2] }, { l: [1, 3] }), { l: [1, 3] });
  assert.deepEqual(createMergePatch(undefined, { a: 1 }), { a: 1 });
});

test('exports: paths with indices; requested names checked against the model', () => {
  assert.equal(readPath({ keys: [{ value: 'k1' }, { value: 'k2' }] }, 'keys[1].value'), 'k2');
  assert.equal(
    readPath({ properties: { primaryEndpoints: { blob: 'https://b' } } }, 'properties.primaryEndpoints.blob'),
    'https://b',
  );
  assert.equal(readPath({}, 'a.b[0]'), undefined);
  const model = {
    exports: [
      { name: 'key1', from: 'action', action: 'listKeys', path: 'keys[0].value', secret: true },
      { name: 'blobEndpoint', from: 'status', path: 'properties.primaryEndpoints.blob', secret: false },
    ],
  } as unknown as KindModel;
  const planned = plannedExports(model, {
    operatorSpec: {
      secrets: { key1: { name: 's', key: 'k' }, nope: { name: 's', key: 'x' } },
      configMaps: { blobEndpoint: { name: 'c', key: 'b' } },
    },
  });
  assert.deepEqual(
    planned.requests.map((r) => `${r.kind}/${r.target}/${r.key}`),
    ['Secret/s/k', 'ConfigMap/c/b'],
  );
  assert.deepEqual(planned.unknown, ['operatorSpec.secrets.nope']);
});

test('exports without ARM (an Entra kind): one read from ARM is InvalidExport, refused before any Kubernetes call', async () => {
  const model = {
    kind: 'Thing',
    exports: [
      { name: 'key1', from: 'action', action: 'listKeys', path: 'keys[0].value', secret: true },
      { name: 'tenant', from: 'armId', path: 'subscriptionId', secret: false },
      { name: 'id', from: 'status', path: 'id', secret: false },
    ],
  } as unknown as KindModel;
  const calls: string[] = [];
  const kube = new Proxy(
    {},
    {
      get: (_, name) => () => {
        calls.push(String(name));
        throw new Error('no Kubernetes here');
      },
    },
  ) as KubeAccess;
  const object = (operatorSpec: Record<string, unknown>) => ({
    metadata: { name: 'x', namespace: 'ns', uid: 'u' },
    spec: { operatorSpec },
  });
  const refused = await writeExports({
    kube,
    model,
    apiVersion: 'g/v1',
    body: { id: 'i' },
    object: object({
      secrets: { key1: { name: 's', key: 'k' } },
      configMaps: { tenant: { name: 'c', key: 't' }, id: { name: 'c', key: 'i' } },
    }),
  }).catch((error: unknown) => error);
  assert.ok(isConditionError(refused), String(refused));
  assert.equal(refused.reason, 'InvalidExport');
  assert.equal(refused.retryable, false);
  assert.match(refused.message, /cannot export key1, tenant$/);
  assert.deepEqual(calls, []);
  assert.equal(
    await writeExports({ kube, model, apiVersion: 'g/v1', body: { id: 'i' }, object: object({}) }),
    0,
    'nothing asked, nothing read',
  );
});

test('dependency index: dependents found, replaced, removed', () => {
  const index = new DependencyIndex();
  const child = objectKey('storage.azure.com', 'StorageAccount', 'ns', 'sa');
  const owner = objectKey('resources.azure.com', 'ResourceGroup', 'ns', 'rg');
  index.set(child, [owner, '/Secret/ns/s']);
  assert.deepEqual(index.dependentsOf(owner), [child]);
  index.set(child, ['/Secret/ns/s']);
  assert.deepEqual(index.dependentsOf(owner), []);
  index.remove(child);
  assert.deepEqual(index.dependentsOf('/Secret/ns/s'), []);
  assert.deepEqual(parseObjectKey(child), {
    group: 'storage.azure.com',
    kind: 'StorageAccount',
    namespace: 'ns',
    name: 'sa',
  });
});
