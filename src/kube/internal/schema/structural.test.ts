import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStructuralSchema } from './structural.js';
import type { JSONSchemaProps } from './types.js';
import { findCelValidations } from './cel.js';
import { unknownSchemaFields } from './schema-keywords.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const good: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer', default: 1, minimum: 0 },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        anything: { 'x-kubernetes-preserve-unknown-fields': true },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        s: {
          type: 'string',
          anyOf: [{ pattern: '^a' }, { maxLength: 3 }],
          'x-kubernetes-validations': [{ rule: 'self != ""' }],
        },
      },
    },
  },
};

test('a structural schema passes', () => {
  assert.deepEqual(checkStructuralSchema(good, P), []);
});

test('each structural rule produces a cause with the Kubernetes field path', () => {
  const cases: Array<[string, JSONSchemaProps, string, RegExp]> = [
    ['root type missing', { properties: {} }, `${P}.type`, /Required value: must not be empty at the root/],
    ['root not object', { type: 'string' }, `${P}.type`, /must be object at the root/],
    [
      'property type missing',
      { type: 'object', properties: { spec: { properties: {} } } },
      `${P}.properties[spec].type`,
      /Required value: must not be empty for specified object fields/,
    ],
    [
      'item type missing',
      { type: 'object', properties: { l: { type: 'array', items: {} } } },
      `${P}.properties[l].items.type`,
      /for specified array items/,
    ],
    [
      'unknown type',
      { type: 'object', properties: { a: { type: 'map' } } },
      `${P}.properties[a].type`,
      /Unsupported value: "map"/,
    ],
    [
      'properties and additionalProperties',
      {
        type: 'object',
        properties: { a: { type: 'object', properties: {}, additionalProperties: { type: 'string' } } },
      },
      `${P}.properties[a].additionalProperties`,
      /mutual exclusive/,
    ],
    [
      'type in anyOf',
      { type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string' }] } } },
      `${P}.properties[a].anyOf[0].type`,
      /must be empty to be structural/,
    ],
    [
      'default in allOf',
      { type: 'object', properties: { a: { type: 'string', allOf: [{ default: 'x' }] } } },
      `${P}.properties[a].allOf[0].default`,
      /must be undefined to be structural/,
    ],
    [
      'metadata beyond name',
      { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } },
      `${P}.properties[metadata]`,
      /must not specify anything other than name and generateName/,
    ],
    [
      'kind not string',
      { type: 'object', properties: { kind: { type: 'integer' } } },
      `${P}.properties[kind].type`,
      /must be string/,
    ],
    [
      'uniqueItems',
      { type: 'object', properties: { l: { type: 'array', uniqueItems: true, items: { type: 'string' } } } },
      `${P}.properties[l].uniqueItems`,
      /quadratic/,
    ],
    [
      'preserve false',
      { type: 'object', properties: { a: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } } },
      `${P}.properties[a].x-kubernetes-preserve-unknown-fields`,
      /must be true or undefined/,
    ],
    [
      'int-or-string with type',
      { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-int-or-string': true } } },
      `${P}.properties[a].type`,
      /must be empty if x-kubernetes-int-or-string is true/,
    ],
    [
      'embedded not object',
      { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-embedded-resource': true } } },
      `${P}.properties[a].type`,
      /must be object if x-kubernetes-embedded-resource/,
    ],
    [
      'list map without keys',
      {
        type: 'object',
        properties: {
          l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: {} } },
        },
      },
      `${P}.properties[l].x-kubernetes-list-map-keys`,
      /must not be empty if x-kubernetes-list-type is map/,
    ],
    [
      'list map key not required',
      {
        type: 'object',
        properties: {
          l: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['k'],
            items: { type: 'object', properties: { k: { type: 'string' } } },
          },
        },
      },
      `${P}.properties[l].items.properties[k]`,
      /must have a default or be a required property/,
    ],
    [
      'list type on non-array',
      { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-list-type': 'set' } } },
      `${P}.properties[a].x-kubernetes-list-type`,
      /must only be used if type is array/,
    ],
    [
      '$ref',
      { type: 'object', properties: { a: { type: 'string', $ref: '#/x' } } },
      `${P}.properties[a].$ref`,
      /not supported/,
    ],
    [
      'bad pattern',
      { type: 'object', properties: { a: { type: 'string', pattern: '(' } } },
      `${P}.properties[a].pattern`,
      /valid regular expression/,
    ],
    [
      'default of wrong type',
      { type: 'object', properties: { a: { type: 'integer', default: 'x' } } },
      `${P}.properties[a].default`,
      /must be of type integer/,
    ],
    [
      'default with unknown fields',
      {
        type: 'object',
        properties: { a: { type: 'object', default: { z: 1 }, properties: { y: { type: 'string' } } } },
      },
      `${P}.properties[a].default`,
      /must not have unknown fields/,
    ],
    [
      'array without items',
      { type: 'object', properties: { l: { type: 'array' } } },
      `${P}.properties[l].items`,
      /must be specified/,
    ],
  ];
  for (const [name, schema, field, message] of cases) {
    const causes = checkStructuralSchema(schema, P);
    assert.ok(
      causes.some((cause) => cause.field === field && message.test(cause.message)),
      `${name}: ${JSON.stringify(causes)}`,
    );
  }
});

test('CEL rules are found (they are accepted, not evaluated)', () => {
  assert.deepEqual(findCelValidations(good, 'openAPIV3Schema'), ['openAPIV3Schema.properties[spec].properties[s]']);
});

test('unknown keywords inside openAPIV3Schema are found with strict-decoding paths', () => {
  const schema = {
    type: 'object',
    propertes: {},
    properties: {
      spec: { type: 'object', properties: { a: { type: 'string', maxlength: 3 } }, items: { tpye: 'x' } },
      l: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'true', msg: 'x' }] } },
    },
    anyOf: [{ bogus: 1 }],
    default: { anything: { goes: true } },
    example: { also: 'free' },
  };
  assert.deepEqual(unknownSchemaFields(schema, 'spec.versions[0].schema.openAPIV3Schema'), [
    'spec.versions[0].schema.openAPIV3Schema.propertes',
    'spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.a.maxlength',
    'spec.versions[0].schema.openAPIV3Schema.properties.spec.items.tpye',
    'spec.versions[0].schema.openAPIV3Schema.properties.l.items.x-kubernetes-validations[0].msg',
    'spec.versions[0].schema.openAPIV3Schema.anyOf[0].bogus',
  ]);
});
