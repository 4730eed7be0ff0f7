import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../schema/index.js';
import { serverSideApply } from './apply.js';
import { conflictCause, formatConflictMessage } from './managed-fields.js';
import { recordUpdate } from './update.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' } },
        flags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string' } },
          },
        },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        template: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } },
      },
    },
  },
};
const base = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' } };
const now = '2024-05-01T10:00:00Z';
const later = '2024-05-01T11:00:00Z';
type Obj = Record<string, unknown> & {
  metadata: Record<string, unknown> & {
    managedFields?: Array<Record<string, unknown>>;
    labels?: Record<string, string>;
  };
  spec: Record<string, unknown>;
};

function apply(
  live: Record<string, unknown> | undefined,
  applied: Record<string, unknown>,
  manager: string,
  force = false,
  time = now,
) {
  const result = serverSideApply({ live, applied, manager, force, apiVersion: 'example.com/v1', schema, now: time });
  return { object: result.object as Obj, conflicts: result.conflicts };
}

function fieldsOf(object: Obj, manager: string, operation = 'Apply'): unknown {
  return object.metadata.managedFields?.find((entry) => entry.manager === manager && entry.operation === operation)
    ?.fieldsV1;
}

test('create records the applied fields in FieldsV1 form (map items k:, set items v:)', () => {
  const { object, conflicts } = apply(
    undefined,
    {
      ...base,
      metadata: { ...base.metadata, labels: { app: 'x' }, finalizers: ['f1'] },
      spec: {
        replicas: 2,
        tags: ['a'],
        flags: ['x', 'y'],
        ports: [{ name: 'http', port: 80 }],
        selector: { a: 'b' },
        template: {},
      },
    },
    'kubectl',
  );
  assert.deepEqual(conflicts, []);
  assert.deepEqual(object.spec.replicas, 2);
  assert.deepEqual(object.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'example.com/v1',
      time: now,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:finalizers': { 'v:"f1"': {} }, 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:flags': { 'v:"x"': {}, 'v:"y"': {} },
          'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
          'f:replicas': {},
          'f:selector': {},
          'f:tags': {},
          'f:template': {},
        },
      },
    },
  ]);
});

test('conflict with another manager, then force transfers ownership', () => {
  const created = recordUpdate({
    previous: undefined,
    next: { ...base, spec: { replicas: 1, template: { a: 'x' } } },
    manager: 'kubectl-client-side-apply',
    apiVersion: 'example.com/v1',
    now,
  });
  assert.deepEqual(fieldsOf(created as Obj, 'kubectl-client-side-apply', 'Update'), {
    'f:spec': { 'f:replicas': {}, 'f:template': { 'f:a': {} } },
  });

  const attempt = apply(created, { ...base, spec: { replicas: 3, template: { a: 'x' } } }, 'kubectl');
  assert.deepEqual(attempt.conflicts, [
    { manager: 'kubectl-client-side-apply', field: '.spec.replicas', apiVersion: 'example.com/v1' },
  ]);
  assert.equal(
    formatConflictMessage(attempt.conflicts),
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using example.com/v1: .spec.replicas',
  );
  assert.deepEqual(conflictCause(attempt.conflicts[0] ?? { manager: '', field: '' }), {
    reason: 'FieldManagerConflict',
    message: 'conflict with "kubectl-client-side-apply" using example.com/v1',
    field: '.spec.replicas',
  });
  assert.equal(attempt.object.spec.replicas, 1, 'unchanged on conflict');

  const sameValue = apply(created, { ...base, spec: { replicas: 1 } }, 'kubectl');
  assert.deepEqual(sameValue.conflicts, [], 'same value: shared ownership, no conflict');
  assert.deepEqual(fieldsOf(sameValue.object, 'kubectl-client-side-apply', 'Update'), {
    'f:spec': { 'f:replicas': {}, 'f:template': { 'f:a': {} } },
  });

  const forced = apply(created, { ...base, spec: { replicas: 3 } }, 'kubectl', true, later);
  assert.equal(forced.object.spec.replicas, 3);
  assert.deepEqual(fieldsOf(forced.object, 'kubectl'), { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(fieldsOf(forced.object, 'kubectl-client-side-apply', 'Update'), {
    'f:spec': { 'f:template': { 'f:a': {} } },
  });
  assert.deepEqual(forced.object.spec.template, { a: 'x' }, 'fields of other managers stay');
});

test('conflicts name list-map items and set items', () => {
  const first = apply(undefined, { ...base, spec: { ports: [{ name: 'http', port: 80 }] } }, 'a').object;
  const second = apply(first, { ...base, spec: { ports: [{ name: 'http', port: 81 }] } }, 'b');
  assert.deepEqual(second.conflicts, [
    { manager: 'a', field: '.spec.ports[name="http"].port', apiVersion: 'example.com/v1' },
  ]);
  const third = apply(
    apply(undefined, { ...base, metadata: { ...base.metadata, finalizers: ['f'] } }, 'a').object,
    { ...base, metadata: { ...base.metadata, finalizers: [] } },
    'b',
  );
  assert.deepEqual(third.conflicts, [], 'an empty set list owns nothing of the items');
});

test('fields a manager stops applying are removed unless another manager owns them', () => {
  const first = apply(
    undefined,
    {
      ...base,
      metadata: { ...base.metadata, labels: { a: '1', b: '2', c: '3' } },
      spec: {
        replicas: 1,
        ports: [
          { name: 'http', port: 80 },
          { name: 'dns', port: 53 },
        ],
      },
    },
    'kubectl',
  ).object;
  const shared = apply(first, { ...base, metadata: { ...base.metadata, labels: { c: '3' } } }, 'other').object;
  const second = apply(
    shared,
    { ...base, metadata: { ...base.metadata, labels: { a: '1' } }, spec: { ports: [{ name: 'http', port: 80 }] } },
    'kubectl',
  ).object;
  assert.deepEqual(second.metadata.labels, { a: '1', c: '3' });
  assert.equal(second.spec.replicas, undefined);
  assert.deepEqual(second.spec.ports, [{ name: 'http', port: 80 }]);
  assert.deepEqual(fieldsOf(second, 'kubectl'), {
    'f:metadata': { 'f:labels': { 'f:a': {} } },
    'f:spec': { 'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } } },
  });
  assert.deepEqual(fieldsOf(second, 'other'), { 'f:metadata': { 'f:labels': { 'f:c': {} } } });
});

test('list types: atomic replaces, set unions, map merges items; atomic maps replace', () => {
  const first = apply(
    undefined,
    {
      ...base,
      spec: { tags: ['a', 'b'], flags: ['x'], ports: [{ name: 'http', port: 80 }], selector: { a: '1', b: '2' } },
    },
    'one',
  ).object;
  const second = apply(
    first,
    {
      ...base,
      spec: {
        flags: ['y'],
        ports: [
          { name: 'http', protocol: 'TCP' },
          { name: 'dns', port: 53 },
        ],
      },
    },
    'two',
  ).object;
  assert.deepEqual(second.spec.tags, ['a', 'b']);
  assert.deepEqual(second.spec.flags, ['x', 'y']);
  assert.deepEqual(second.spec.ports, [
    { name: 'http', port: 80, protocol: 'TCP' },
    { name: 'dns', port: 53 },
  ]);
  const third = apply(second, { ...base, spec: { tags: ['c'], selector: { c: '3' } } }, 'one', true).object;
  assert.deepEqual(third.spec.tags, ['c']);
  assert.deepEqual(third.spec.selector, { c: '3' });
});

test('metadata: finalizers are a set, ownerReferences a map by uid, server-owned fields are never owned', () => {
  const live = { ...base, metadata: { ...base.metadata, uid: 'abc', resourceVersion: '5', finalizers: ['mine'] } };
  const { object } = apply(
    live,
    {
      ...base,
      metadata: {
        ...base.metadata,
        resourceVersion: '5',
        finalizers: ['theirs'],
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' }],
      },
    },
    'op',
  );
  assert.deepEqual(object.metadata.finalizers, ['mine', 'theirs']);
  assert.equal(object.metadata.uid, 'abc');
  assert.deepEqual(fieldsOf(object, 'op'), {
    'f:metadata': {
      'f:finalizers': { 'v:"theirs"': {} },
      'f:ownerReferences': {
        'k:{"uid":"u1"}': { '.': {}, 'f:apiVersion': {}, 'f:kind': {}, 'f:name': {}, 'f:uid': {} },
      },
    },
  });
});

test('null in the applied configuration deletes the field and owns nothing', () => {
  const first = apply(undefined, { ...base, spec: { replicas: 1, template: { a: 'x', b: 'y' } } }, 'one').object;
  const second = apply(first, { ...base, spec: { template: { a: null, b: 'y' } } }, 'one').object;
  assert.deepEqual(second.spec, { template: { b: 'y' } });
  assert.deepEqual(fieldsOf(second, 'one'), { 'f:spec': { 'f:template': { 'f:b': {} } } });
});

test('recordUpdate: updater gains changed fields, others lose them, removed fields disappear', () => {
  const applied = apply(
    undefined,
    { ...base, metadata: { ...base.metadata, labels: { a: '1' } }, spec: { replicas: 1, template: { a: 'x' } } },
    'kubectl',
  ).object;
  const next = structuredClone(applied);
  next.spec.replicas = 5;
  delete (next.spec.template as Record<string, unknown>).a;
  (next.metadata.labels as Record<string, string>).b = '2';
  const updated = recordUpdate({
    previous: applied,
    next,
    manager: 'kubectl-edit',
    apiVersion: 'example.com/v1',
    now: later,
  }) as Obj;
  // template became an empty map: an empty map is a leaf, now set by the editor.
  assert.deepEqual(fieldsOf(updated, 'kubectl-edit', 'Update'), {
    'f:metadata': { 'f:labels': { 'f:b': {} } },
    'f:spec': { 'f:replicas': {}, 'f:template': {} },
  });
  assert.deepEqual(fieldsOf(updated, 'kubectl'), { 'f:metadata': { 'f:labels': { 'f:a': {} } } });
  const entry = updated.metadata.managedFields?.find((item) => item.manager === 'kubectl-edit');
  assert.equal(entry?.time, later);

  const unchanged = recordUpdate({
    previous: updated,
    next: structuredClone(updated),
    manager: 'noop',
    apiVersion: 'example.com/v1',
    now: later,
  }) as Obj;
  assert.deepEqual(unchanged.metadata.managedFields, updated.metadata.managedFields);

  const statusWrite = recordUpdate({
    previous: updated,
    next: { ...structuredClone(updated), status: { ready: true } },
    manager: 'operator',
    apiVersion: 'example.com/v1',
    now: later,
    subresource: 'status',
  }) as Obj;
  const statusEntry = statusWrite.metadata.managedFields?.find((item) => item.manager === 'operator');
  assert.deepEqual(statusEntry, {
    manager: 'operator',
    operation: 'Update',
    apiVersion: 'example.com/v1',
    time: later,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:ready': {} } },
    subresource: 'status',
  });
});

test('recordUpdate honours a request that rewrites managedFields, and [] resets them', () => {
  const created = recordUpdate({
    previous: undefined,
    next: { ...base, spec: { replicas: 1 } },
    manager: 'kubectl-client-side-apply',
    apiVersion: 'example.com/v1',
    now,
  }) as Obj;
  const migrated = structuredClone(created);
  const first = migrated.metadata.managedFields?.[0];
  assert.ok(first);
  first.manager = 'kubectl';
  first.operation = 'Apply';
  const result = recordUpdate({
    previous: created,
    next: migrated,
    manager: 'kubectl-client-side-apply',
    apiVersion: 'example.com/v1',
    now: later,
  }) as Obj;
  assert.deepEqual(
    result.metadata.managedFields?.map((entry) => `${String(entry.manager)}/${String(entry.operation)}`),
    ['kubectl/Apply'],
  );
  const reset = structuredClone(created);
  reset.metadata.managedFields = [];
  assert.equal(
    (recordUpdate({ previous: created, next: reset, manager: 'x', apiVersion: 'v1', now }) as Obj).metadata
      .managedFields,
    undefined,
  );
});
