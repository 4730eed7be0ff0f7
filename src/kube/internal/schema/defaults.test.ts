import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from './defaults.js';
import type { JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', default: 'auto' },
        nullable: { type: 'string', nullable: true, default: 'd' },
        plain: { type: 'string' },
        nested: {
          type: 'object',
          default: { inner: {} },
          properties: { inner: { type: 'object', properties: { level: { type: 'integer', default: 3 } } } },
        },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } },
          },
        },
        counts: { type: 'array', items: { type: 'integer', default: 0 } },
        byName: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { on: { type: 'boolean', default: true } } },
        },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

test('defaults are applied recursively to absent fields only', () => {
  const cases: Array<{ name: string; input: unknown; output: unknown }> = [
    {
      name: 'absent spec is defaulted, then its own properties',
      input: { apiVersion: 'x/v1' },
      output: {
        apiVersion: 'x/v1',
        spec: { replicas: 1, mode: 'auto', nullable: 'd', nested: { inner: { level: 3 } } },
      },
    },
    {
      name: 'present values are kept (including zero values)',
      input: { spec: { replicas: 0, mode: '', nullable: 'x', nested: { inner: { level: 9 } } } },
      output: { spec: { replicas: 0, mode: '', nullable: 'x', nested: { inner: { level: 9 } } } },
    },
    {
      name: 'null on non-nullable with default → default; nullable null stays; null without default is dropped',
      input: { spec: { replicas: null, nullable: null, plain: null, free: { x: null } } },
      output: {
        spec: { replicas: 1, mode: 'auto', nullable: null, nested: { inner: { level: 3 } }, free: { x: null } },
      },
    },
    {
      name: 'defaults inside array items and additionalProperties',
      input: {
        spec: {
          ports: [{ name: 'http' }, { name: 'dns', protocol: 'UDP' }],
          counts: [1, null],
          byName: { a: {}, b: { on: false } },
        },
      },
      output: {
        spec: {
          replicas: 1,
          mode: 'auto',
          nullable: 'd',
          nested: { inner: { level: 3 } },
          ports: [
            { name: 'http', protocol: 'TCP' },
            { name: 'dns', protocol: 'UDP' },
          ],
          counts: [1, 0],
          byName: { a: { on: true }, b: { on: false } },
        },
      },
    },
  ];
  for (const { name, input, output } of cases) assert.deepEqual(applyDefaults(input, schema), output, name);
});

test('defaulting copies: the default value in the schema is never shared or mutated', () => {
  const first = applyDefaults({}, schema) as { spec: { nested: { inner: { level: number } } } };
  first.spec.nested.inner.level = 42;
  const second = applyDefaults({}, schema) as { spec: { nested: { inner: { level: number } } } };
  assert.equal(second.spec.nested.inner.level, 3);
  assert.deepEqual((schema.properties?.spec?.properties?.nested as JSONSchemaProps).default, { inner: {} });
});
