import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneUnknownFields } from './prune.js';
import type { JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        matrix: {
          type: 'array',
          items: { type: 'array', items: { type: 'object', properties: { v: { type: 'integer' } } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } },
        free: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { typed: { type: 'object', properties: { keep: { type: 'string' } } } },
        },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
        },
        open: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

test('pruning drops unknown fields and reports their paths', () => {
  const cases: Array<{ name: string; input: unknown; output: unknown; pruned: string[] }> = [
    {
      name: 'root keeps apiVersion/kind/metadata, drops unknown top-level and nested keys',
      input: {
        apiVersion: 'x/v1',
        kind: 'W',
        metadata: { name: 'a', labels: { k: 'v' } },
        extra: 1,
        spec: { replicas: 1, foo: 2 },
      },
      output: { apiVersion: 'x/v1', kind: 'W', metadata: { name: 'a', labels: { k: 'v' } }, spec: { replicas: 1 } },
      pruned: ['extra', 'spec.foo'],
    },
    {
      name: 'root metadata is pruned like ObjectMeta',
      input: {
        metadata: {
          name: 'a',
          bogus: true,
          ownerReferences: [{ uid: 'u', name: 'n', kind: 'K', apiVersion: 'v1', junk: 1 }],
        },
      },
      output: { metadata: { name: 'a', ownerReferences: [{ uid: 'u', name: 'n', kind: 'K', apiVersion: 'v1' }] } },
      pruned: ['metadata.bogus', 'metadata.ownerReferences[0].junk'],
    },
    {
      name: 'nested arrays of objects',
      input: { spec: { items: [{ name: 'a', x: 1 }, { y: 2 }], matrix: [[{ v: 1, w: 2 }], [{ z: 3 }]] } },
      output: { spec: { items: [{ name: 'a' }, {}], matrix: [[{ v: 1 }], [{}]] } },
      pruned: ['spec.items[0].x', 'spec.items[1].y', 'spec.matrix[0][0].w', 'spec.matrix[1][0].z'],
    },
    {
      name: 'additionalProperties schema prunes each value',
      input: { spec: { labels: { one: { a: 'x', b: 'y' } } } },
      output: { spec: { labels: { one: { a: 'x' } } } },
      pruned: ['spec.labels.one.b'],
    },
    {
      name: 'preserve-unknown-fields keeps unknown keys but prunes known typed children',
      input: { spec: { free: { anything: { deep: [1, { x: 2 }] }, typed: { keep: 'k', drop: 'd' } } } },
      output: { spec: { free: { anything: { deep: [1, { x: 2 }] }, typed: { keep: 'k' } } } },
      pruned: ['spec.free.typed.drop'],
    },
    {
      name: 'embedded resource keeps apiVersion/kind, prunes metadata like ObjectMeta and other keys by schema',
      input: {
        spec: {
          template: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'p', nope: 1 },
            spec: { x: 'a', y: 'b' },
            other: 1,
          },
        },
      },
      output: { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'a' } } } },
      pruned: ['spec.template.metadata.nope', 'spec.template.spec.y', 'spec.template.other'],
    },
    {
      name: 'embedded + preserve keeps everything but metadata unknowns',
      input: { spec: { open: { apiVersion: 'v1', kind: 'X', metadata: { name: 'n', zz: 1 }, data: { a: 1 } } } },
      output: { spec: { open: { apiVersion: 'v1', kind: 'X', metadata: { name: 'n' }, data: { a: 1 } } } },
      pruned: ['spec.open.metadata.zz'],
    },
    {
      name: 'scalars, nulls and wrong types are left for validation',
      input: { spec: { replicas: 'three', port: 80, tags: ['a', 1], items: null }, status: 'bad' },
      output: { spec: { replicas: 'three', port: 80, tags: ['a', 1], items: null }, status: 'bad' },
      pruned: [],
    },
  ];
  for (const { name, input, output, pruned } of cases) {
    const result = pruneUnknownFields(input, schema);
    assert.deepEqual(result.value, output, name);
    assert.deepEqual(result.pruned, pruned, name);
  }
});

test('pruning returns a copy and leaves the input untouched', () => {
  const input = { spec: { foo: 1 } };
  pruneUnknownFields(input, schema);
  assert.deepEqual(input, { spec: { foo: 1 } });
});

test('a preserve-unknown root keeps everything except unknown metadata', () => {
  const result = pruneUnknownFields(
    { a: { b: 1 }, metadata: { x: 1, name: 'n' } },
    { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  );
  assert.deepEqual(result.value, { a: { b: 1 }, metadata: { name: 'n' } });
  assert.deepEqual(result.pruned, ['metadata.x']);
});
