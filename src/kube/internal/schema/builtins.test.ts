import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSchemas } from './builtins.js';
import { objectMetaSchema } from './object-meta.js';
import { pruneUnknownFields } from './prune.js';
import { checkStructuralSchema } from './structural.js';
import type { JSONSchemaProps } from './types.js';

function schemaOf(key: string): JSONSchemaProps {
  const schema = builtinSchemas[key];
  assert.ok(schema, key);
  return schema;
}

test('every built-in schema is structural and has descriptions', () => {
  for (const [key, schema] of Object.entries(builtinSchemas)) {
    assert.deepEqual(
      checkStructuralSchema({ ...schema, properties: { ...schema.properties, metadata: { type: 'object' } } }, key),
      [],
      key,
    );
    assert.ok(typeof schema.description === 'string' && schema.description.length > 0, key);
    assert.ok(schema.properties?.metadata?.properties?.name?.description, key);
  }
  assert.deepEqual(checkStructuralSchema({ type: 'object', properties: { m: objectMetaSchema } }, 'meta'), []);
});

test('strict unknown-field detection on built-ins', () => {
  const cases: Array<[string, unknown, string[]]> = [
    [
      '/v1/ConfigMap',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' }, data2: {} },
      ['data2'],
    ],
    [
      '/v1/Secret',
      { metadata: { name: 's', finalizers: ['f'] }, type: 'Opaque', stringData: { a: 'b' }, data: { c: 'ZA==' } },
      [],
    ],
    [
      '/v1/Namespace',
      { metadata: { name: 'n', nope: 1 }, spec: { finalizers: ['kubernetes'], x: 1 }, status: { phase: 'Active' } },
      ['metadata.nope', 'spec.x'],
    ],
    [
      'coordination.k8s.io/v1/Lease',
      {
        metadata: { name: 'l' },
        spec: { holderIdentity: 'me', renewTime: '2024-05-01T10:00:00.123456Z', bogus: true },
      },
      ['spec.bogus'],
    ],
    [
      '/v1/Event',
      { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p', extra: 1 }, reason: 'R', count: 1 },
      ['involvedObject.extra'],
    ],
    [
      'events.k8s.io/v1/Event',
      {
        metadata: { name: 'e' },
        eventTime: '2024-05-01T10:00:00.000000Z',
        regarding: { kind: 'Pod' },
        note: 'n',
        message: 'x',
      },
      ['message'],
    ],
    [
      '/v1/ServiceAccount',
      { metadata: { name: 'sa' }, secrets: [{ name: 'x' }], automountServiceAccountToken: false, spec: {} },
      ['spec'],
    ],
    [
      'apiextensions.k8s.io/v1/CustomResourceDefinition',
      {
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
                },
              },
              subresources: { status: {} },
              additionalPrinterColumns: [{ name: 'R', type: 'integer', jsonPath: '.spec.r' }],
              typo: 1,
            },
          ],
        },
      },
      ['spec.versions[0].typo'],
    ],
  ];
  for (const [key, object, pruned] of cases) {
    const result = pruneUnknownFields(object, schemaOf(key));
    assert.deepEqual(result.pruned, pruned, key);
  }
});

test('the CRD schema keeps nested openAPIV3Schema untouched (recursive JSONSchemaProps)', () => {
  const deep = {
    type: 'object',
    properties: {
      a: {
        type: 'object',
        properties: { b: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'true' }] } } },
      },
    },
  };
  const crd = { spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: deep } }] } };
  const result = pruneUnknownFields(crd, schemaOf('apiextensions.k8s.io/v1/CustomResourceDefinition'));
  assert.deepEqual(result.value, crd);
});
