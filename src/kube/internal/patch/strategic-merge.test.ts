import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError } from './errors.js';
import { applyStrategicMergePatch, listStrategiesOf } from './strategic-merge.js';

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'c',
    labels: { a: '1', b: '2' },
    finalizers: ['x', 'y'],
    ownerReferences: [
      { apiVersion: 'v1', kind: 'A', name: 'a', uid: 'u1' },
      { apiVersion: 'v1', kind: 'B', name: 'b', uid: 'u2' },
    ],
  },
  data: { k: 'v', k2: 'v2' },
};

test('strategic merge patch on built-ins', () => {
  const cases: Array<[string, unknown, (result: typeof cm) => unknown, unknown]> = [
    [
      'plain merge and null deletes',
      { data: { k: 'w', k2: null }, metadata: { labels: { c: '3' } } },
      (r) => [r.data, r.metadata.labels],
      [{ k: 'w' }, { a: '1', b: '2', c: '3' }],
    ],
    [
      'finalizers merge as a set',
      { metadata: { finalizers: ['y', 'z'] } },
      (r) => r.metadata.finalizers,
      ['x', 'y', 'z'],
    ],
    [
      '$deleteFromPrimitiveList/finalizers',
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } },
      (r) => r.metadata.finalizers,
      ['y'],
    ],
    [
      'delete + add finalizers together',
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['x', 'y'], finalizers: ['z'] } },
      (r) => r.metadata.finalizers,
      ['z'],
    ],
    [
      '$setElementOrder/finalizers',
      { metadata: { '$setElementOrder/finalizers': ['y', 'x'] } },
      (r) => r.metadata.finalizers,
      ['y', 'x'],
    ],
    [
      'ownerReferences merge by uid',
      {
        metadata: {
          ownerReferences: [
            { uid: 'u2', name: 'b2' },
            { apiVersion: 'v1', kind: 'C', name: 'c', uid: 'u3' },
          ],
        },
      },
      (r) => r.metadata.ownerReferences.map((o) => `${o.uid}:${o.name}`),
      ['u1:a', 'u2:b2', 'u3:c'],
    ],
    [
      'ownerReferences $patch: delete item',
      { metadata: { ownerReferences: [{ uid: 'u1', $patch: 'delete' }] } },
      (r) => r.metadata.ownerReferences.map((o) => o.uid),
      ['u2'],
    ],
    [
      'list $patch: replace',
      { metadata: { ownerReferences: [{ $patch: 'replace' }, { apiVersion: 'v1', kind: 'D', name: 'd', uid: 'u4' }] } },
      (r) => r.metadata.ownerReferences.map((o) => o.uid),
      ['u4'],
    ],
    ['map $patch: replace', { data: { $patch: 'replace', only: 'one' } }, (r) => r.data, { only: 'one' }],
    ['map $patch: delete', { data: { $patch: 'delete' } }, (r) => r.data, undefined],
    ['map $patch: merge', { data: { $patch: 'merge', k3: 'v3' } }, (r) => r.data, { k: 'v', k2: 'v2', k3: 'v3' }],
    [
      '$retainKeys clears other keys',
      { data: { $retainKeys: ['k', 'k3'], k3: 'v3' } },
      (r) => r.data,
      { k: 'v', k3: 'v3' },
    ],
    [
      'other lists are replaced',
      { metadata: { labels: null }, spec: { finalizers: ['kubernetes'] } },
      (r) => [r.metadata.labels, (r as unknown as { spec: unknown }).spec],
      [undefined, { finalizers: ['kubernetes'] }],
    ],
  ];
  for (const [name, patch, pick, expected] of cases) {
    assert.deepEqual(pick(applyStrategicMergePatch(cm, patch) as typeof cm), expected, name);
  }
  assert.deepEqual(cm.metadata.finalizers, ['x', 'y'], 'input untouched');
});

test('status.conditions merge by type', () => {
  const ns = {
    status: {
      conditions: [
        { type: 'A', status: 'True' },
        { type: 'B', status: 'False' },
      ],
    },
  };
  const result = applyStrategicMergePatch(ns, { status: { conditions: [{ type: 'B', status: 'True' }] } }) as typeof ns;
  assert.deepEqual(result.status.conditions, [
    { type: 'A', status: 'True' },
    { type: 'B', status: 'True' },
  ]);
});

test('unknown directives and malformed patches are 400', () => {
  const cases: unknown[] = [
    { $foo: 1 },
    { metadata: { $bogus: true } },
    { data: { $patch: 'explode' } },
    { metadata: { ownerReferences: [{ name: 'no-uid' }] } },
    { metadata: { $retainKeys: 'x' } },
    ['not', 'an', 'object'],
  ];
  for (const patch of cases) {
    assert.throws(
      () => applyStrategicMergePatch(cm, patch),
      (error: unknown) => error instanceof PatchError && error.httpStatus === 400,
      JSON.stringify(patch),
    );
  }
});

test('list strategies come from the schema: merge keys and primitive sets, at their dotted paths', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          containers: {
            type: 'array',
            'x-kubernetes-patch-strategy': 'merge',
            'x-kubernetes-patch-merge-key': 'name',
            items: {
              type: 'object',
              properties: {
                env: {
                  type: 'array',
                  'x-kubernetes-patch-strategy': 'merge',
                  'x-kubernetes-patch-merge-key': 'name',
                  items: { type: 'object' },
                },
              },
            },
          },
          hosts: { type: 'array', 'x-kubernetes-patch-strategy': 'merge', items: { type: 'string' } },
          args: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  };
  const strategies = listStrategiesOf(schema);
  assert.deepEqual(strategies['spec.containers'], { kind: 'merge', key: 'name' });
  assert.deepEqual(strategies['spec.containers.env'], { kind: 'merge', key: 'name' });
  assert.deepEqual(strategies['spec.hosts'], { kind: 'set' });
  assert.equal(strategies['spec.args'], undefined, 'a list without a strategy is replaced');
  assert.deepEqual(strategies['metadata.finalizers'], { kind: 'set' }, 'the defaults stay');
  const merged = applyStrategicMergePatch(
    { spec: { containers: [{ name: 'a', image: 'x' }] } },
    { spec: { containers: [{ name: 'b' }] } },
    { listStrategies: strategies },
  );
  assert.deepEqual(merged, { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } });
});
