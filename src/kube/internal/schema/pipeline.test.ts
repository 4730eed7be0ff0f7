import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyDefaults,
  parseJsonDetectingDuplicates,
  pruneUnknownFields,
  validateValue,
  type JSONSchemaProps,
} from './index.js';

// A Widget CRD version schema, as in the API subset's examples.
const widget: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        replicas: { type: 'integer', minimum: 0, default: 1 },
        size: { type: 'string', enum: ['small', 'large'] },
        config: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { level: { type: 'integer', default: 2 } },
        },
        containers: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, image: { type: 'string', default: 'nginx' } },
          },
        },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

function admit(body: string): { value: unknown; unknown: string[]; duplicates: string[]; causes: string[] } {
  const parsed = parseJsonDetectingDuplicates(body);
  const pruned = pruneUnknownFields(parsed.value, widget);
  const value = applyDefaults(pruned.value, widget);
  const causes = validateValue(value, widget).map((cause) => `${cause.field}: ${cause.message}`);
  return { value, unknown: pruned.pruned, duplicates: parsed.duplicateFields, causes };
}

test('decode → prune → default → validate on a custom resource', () => {
  const result = admit(`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","labels":{"a":"b"}},
    "spec":{"size":"small","size":"large","extra":true,"replicas":null,"config":{"free":{"x":1}},
      "containers":[{"name":"a","junk":1},{"name":"b","image":"busybox"}]}}`);
  assert.deepEqual(result.duplicates, ['spec.size']);
  assert.deepEqual(result.unknown, ['spec.extra', 'spec.containers[0].junk']);
  assert.deepEqual(result.causes, []);
  assert.deepEqual(result.value, {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', labels: { a: 'b' } },
    spec: {
      size: 'large',
      replicas: 1,
      config: { free: { x: 1 }, level: 2 },
      containers: [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'busybox' },
      ],
    },
  });
});

test('an invalid custom resource gets one cause per violation', () => {
  const result = admit('{"spec":{"replicas":"three","size":"medium","containers":[{"name":"a"},{"name":"a"},{}]}}');
  assert.deepEqual(result.causes, [
    'spec.replicas: Invalid value: "three": spec.replicas in body must be of type integer: "string"',
    'spec.size: Unsupported value: "medium": supported values: "small", "large"',
    'spec.containers[2].name: Required value',
    'spec.containers[1]: Duplicate value: {"name":"a"}',
  ]);
});
