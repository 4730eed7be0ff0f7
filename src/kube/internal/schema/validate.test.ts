import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldCause, JSONSchemaProps } from './types.js';
import { validateValue } from './validate.js';

type Case = { name: string; schema: JSONSchemaProps; value: unknown; causes: FieldCause[] };
const at = (path: string, schema: JSONSchemaProps): JSONSchemaProps => {
  // Wraps `schema` as spec.<path> of a root object schema.
  return { type: 'object', properties: { spec: { type: 'object', properties: { [path]: schema } } } };
};
const inv = (field: string, message: string): FieldCause => ({ reason: 'FieldValueInvalid', field, message });
const typ = (field: string, message: string): FieldCause => ({ reason: 'FieldValueTypeInvalid', field, message });

const cases: Case[] = [
  { name: 'integer ok', schema: at('replicas', { type: 'integer' }), value: { spec: { replicas: 3 } }, causes: [] },
  {
    name: 'type mismatch',
    schema: at('replicas', { type: 'integer' }),
    value: { spec: { replicas: 'three' } },
    causes: [typ('spec.replicas', 'Invalid value: "three": spec.replicas in body must be of type integer: "string"')],
  },
  {
    name: 'integer rejects fractions',
    schema: at('n', { type: 'integer' }),
    value: { spec: { n: 1.5 } },
    causes: [typ('spec.n', 'Invalid value: 1.5: spec.n in body must be of type integer: "number"')],
  },
  { name: 'number accepts integers', schema: at('n', { type: 'number' }), value: { spec: { n: 2 } }, causes: [] },
  {
    name: 'object given an array',
    schema: at('o', { type: 'object' }),
    value: { spec: { o: [] } },
    causes: [typ('spec.o', 'Invalid value: "array": spec.o in body must be of type object: "array"')],
  },
  {
    name: 'null on non-nullable',
    schema: at('s', { type: 'string' }),
    value: { spec: { s: null } },
    causes: [typ('spec.s', 'Invalid value: "null": spec.s in body must be of type string: "null"')],
  },
  {
    name: 'null on nullable',
    schema: at('s', { type: 'string', nullable: true }),
    value: { spec: { s: null } },
    causes: [],
  },
  {
    name: 'required',
    schema: {
      type: 'object',
      required: ['spec'],
      properties: {
        spec: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'string' }, b: { type: 'string' } } },
      },
    },
    value: { spec: { a: 'x' } },
    causes: [{ reason: 'FieldValueRequired', field: 'spec.b', message: 'Required value' }],
  },
  {
    name: 'enum',
    schema: at('mode', { type: 'string', enum: ['a', 'b'] }),
    value: { spec: { mode: 'x' } },
    causes: [
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.mode',
        message: 'Unsupported value: "x": supported values: "a", "b"',
      },
    ],
  },
  {
    name: 'numeric enum',
    schema: at('n', { type: 'integer', enum: [1, 2] }),
    value: { spec: { n: 3 } },
    causes: [
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.n',
        message: 'Unsupported value: 3: supported values: "1", "2"',
      },
    ],
  },
  {
    name: 'pattern',
    schema: at('name', { type: 'string', pattern: '^[a-z]+$' }),
    value: { spec: { name: 'Abc' } },
    causes: [inv('spec.name', `Invalid value: "Abc": spec.name in body should match '^[a-z]+$'`)],
  },
  {
    name: 'pattern unicode',
    schema: at('name', { type: 'string', pattern: '^\\p{L}+$' }),
    value: { spec: { name: 'éà' } },
    causes: [],
  },
  {
    name: 'maxLength counts code points',
    schema: at('s', { type: 'string', maxLength: 2 }),
    value: { spec: { s: '😀😀' } },
    causes: [],
  },
  {
    name: 'maxLength exceeded',
    schema: at('s', { type: 'string', maxLength: 2 }),
    value: { spec: { s: 'abc' } },
    causes: [{ reason: 'FieldValueTooLong', field: 'spec.s', message: 'Too long: may not be longer than 2' }],
  },
  {
    name: 'minLength',
    schema: at('s', { type: 'string', minLength: 3 }),
    value: { spec: { s: 'ab' } },
    causes: [inv('spec.s', 'Invalid value: "ab": spec.s in body should be at least 3 chars long')],
  },
  {
    name: 'maximum',
    schema: at('n', { type: 'integer', maximum: 10 }),
    value: { spec: { n: 11 } },
    causes: [inv('spec.n', 'Invalid value: 11: spec.n in body should be less than or equal to 10')],
  },
  {
    name: 'exclusiveMaximum',
    schema: at('n', { type: 'integer', maximum: 10, exclusiveMaximum: true }),
    value: { spec: { n: 10 } },
    causes: [inv('spec.n', 'Invalid value: 10: spec.n in body should be less than 10')],
  },
  {
    name: 'minimum',
    schema: at('n', { type: 'integer', minimum: 1 }),
    value: { spec: { n: 0 } },
    causes: [inv('spec.n', 'Invalid value: 0: spec.n in body should be greater than or equal to 1')],
  },
  {
    name: 'exclusiveMinimum',
    schema: at('n', { type: 'number', minimum: 1, exclusiveMinimum: true }),
    value: { spec: { n: 1 } },
    causes: [inv('spec.n', 'Invalid value: 1: spec.n in body should be greater than 1')],
  },
  {
    name: 'multipleOf',
    schema: at('n', { type: 'number', multipleOf: 0.5 }),
    value: { spec: { n: 1.25 } },
    causes: [inv('spec.n', 'Invalid value: 1.25: spec.n in body should be a multiple of 0.5')],
  },
  {
    name: 'multipleOf ok',
    schema: at('n', { type: 'number', multipleOf: 0.1 }),
    value: { spec: { n: 0.3 } },
    causes: [],
  },
  {
    name: 'maxItems / minItems',
    schema: at('l', { type: 'array', maxItems: 1, items: { type: 'string' } }),
    value: { spec: { l: ['a', 'b'] } },
    causes: [{ reason: 'FieldValueTooMany', field: 'spec.l', message: 'Too many: 2: must have at most 1 items' }],
  },
  {
    name: 'minItems',
    schema: at('l', { type: 'array', minItems: 2, items: { type: 'string' } }),
    value: { spec: { l: ['a'] } },
    causes: [inv('spec.l', 'Invalid value: 1: spec.l in body should have at least 2 items')],
  },
  {
    name: 'maxProperties / minProperties',
    schema: at('m', { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } }),
    value: { spec: { m: { a: 'x', b: 'y' } } },
    causes: [{ reason: 'FieldValueTooMany', field: 'spec.m', message: 'Too many: 2: must have at most 1 items' }],
  },
  {
    name: 'minProperties',
    schema: at('m', { type: 'object', minProperties: 1 }),
    value: { spec: { m: {} } },
    causes: [inv('spec.m', 'Invalid value: 0: spec.m in body should have at least 1 properties')],
  },
  {
    name: 'items and nested arrays of objects report indexed paths',
    schema: at('l', {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
      },
    }),
    value: { spec: { l: [{ name: 'a', tags: ['x', 1] }, {}] } },
    causes: [
      typ('spec.l[0].tags[1]', 'Invalid value: 1: spec.l[0].tags[1] in body must be of type string: "integer"'),
      { reason: 'FieldValueRequired', field: 'spec.l[1].name', message: 'Required value' },
    ],
  },
  {
    name: 'additionalProperties values',
    schema: at('m', { type: 'object', additionalProperties: { type: 'integer' } }),
    value: { spec: { m: { a: 1, b: 'x' } } },
    causes: [typ('spec.m.b', 'Invalid value: "x": spec.m.b in body must be of type integer: "string"')],
  },
  {
    name: 'int-or-string int',
    schema: at('p', { 'x-kubernetes-int-or-string': true }),
    value: { spec: { p: 80 } },
    causes: [],
  },
  {
    name: 'int-or-string string',
    schema: at('p', { 'x-kubernetes-int-or-string': true }),
    value: { spec: { p: 'http' } },
    causes: [],
  },
  {
    name: 'int-or-string bool',
    schema: at('p', { 'x-kubernetes-int-or-string': true }),
    value: { spec: { p: true } },
    causes: [typ('spec.p', 'Invalid value: true: spec.p in body must be of type integer,string: "boolean"')],
  },
  {
    name: 'list-type set duplicates',
    schema: at('s', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }),
    value: { spec: { s: ['a', 'b', 'a'] } },
    causes: [{ reason: 'FieldValueDuplicate', field: 'spec.s[2]', message: 'Duplicate value: "a"' }],
  },
  {
    name: 'list-type map duplicate keys',
    schema: at('ports', {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name', 'protocol'],
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, protocol: { type: 'string' }, port: { type: 'integer' } },
      },
    }),
    value: {
      spec: {
        ports: [
          { name: 'a', protocol: 'TCP', port: 1 },
          { name: 'a', protocol: 'UDP' },
          { name: 'a', protocol: 'TCP', port: 2 },
        ],
      },
    },
    causes: [
      {
        reason: 'FieldValueDuplicate',
        field: 'spec.ports[2]',
        message: 'Duplicate value: {"name":"a","protocol":"TCP"}',
      },
    ],
  },
  {
    name: 'list-type atomic allows duplicates',
    schema: at('s', { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } }),
    value: { spec: { s: ['a', 'a'] } },
    causes: [],
  },
  {
    name: 'allOf adds constraints',
    schema: at('s', { type: 'string', allOf: [{ minLength: 2 }, { pattern: '^a' }] }),
    value: { spec: { s: 'b' } },
    causes: [
      inv('spec.s', 'Invalid value: "b": spec.s in body should be at least 2 chars long'),
      inv('spec.s', `Invalid value: "b": spec.s in body should match '^a'`),
    ],
  },
  {
    name: 'anyOf fails',
    schema: at('s', { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] }),
    value: { spec: { s: 'c' } },
    causes: [inv('spec.s', 'Invalid value: "c": "spec.s" must validate at least one schema (anyOf)')],
  },
  {
    name: 'anyOf passes',
    schema: at('s', { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] }),
    value: { spec: { s: 'b' } },
    causes: [],
  },
  {
    name: 'oneOf two match',
    schema: at('s', { type: 'string', oneOf: [{ pattern: '^a' }, { minLength: 1 }] }),
    value: { spec: { s: 'a' } },
    causes: [inv('spec.s', 'Invalid value: "a": "spec.s" must validate one and only one schema (oneOf)')],
  },
  {
    name: 'not',
    schema: at('s', { type: 'string', not: { enum: ['x'] } }),
    value: { spec: { s: 'x' } },
    causes: [inv('spec.s', 'Invalid value: "x": "spec.s" must not validate the schema (not)')],
  },
  {
    name: 'embedded resource needs apiVersion and kind',
    schema: at('t', {
      type: 'object',
      'x-kubernetes-embedded-resource': true,
      'x-kubernetes-preserve-unknown-fields': true,
    }),
    value: { spec: { t: { kind: '' } } },
    causes: [
      { reason: 'FieldValueRequired', field: 'spec.t.apiVersion', message: 'Required value: must not be empty' },
      inv('spec.t.kind', 'Invalid value: "": must not be empty'),
    ],
  },
  {
    name: 'CEL rules are not evaluated',
    schema: at('s', { type: 'string', 'x-kubernetes-validations': [{ rule: 'false' }] }),
    value: { spec: { s: 'x' } },
    causes: [],
  },
];

test('validation rules with Kubernetes messages', () => {
  for (const { name, schema, value, causes } of cases) assert.deepEqual(validateValue(value, schema), causes, name);
});

const formatCases: Array<[string, unknown[], unknown[]]> = [
  ['int32', [0, 2147483647, -2147483648], [2147483648]],
  ['int64', [9007199254740991], [1.5]],
  ['float', [1.5], []],
  ['double', [1e300], []],
  ['byte', ['aGVsbG8=', ''], ['aGVsbG8', 'a b=']],
  ['date', ['2024-02-29'], ['2023-02-29', '2024-13-01', '2024-1-1']],
  [
    'date-time',
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.123456+02:00'],
    ['2024-05-01', '2024-05-01T25:00:00Z', 'yesterday'],
  ],
  ['duration', ['1h30m', '5s', '100ms', '1.5h', '3 days'], ['one hour', '5']],
  ['uuid', ['123e4567-e89b-12d3-a456-426614174000'], ['123e4567', 'zzze4567-e89b-12d3-a456-426614174000']],
  ['email', ['a@b.com'], ['a.b.com', 'a b@c']],
  ['hostname', ['example.com', 'a-b.c', 'localhost'], ['-a.com', 'a_b.com', 'a..b']],
  ['ipv4', ['10.0.0.1'], ['10.0.0.256', '::1']],
  ['ipv6', ['::1', 'fe80::1'], ['10.0.0.1', ':::']],
  ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0', '10.0.0.0/33']],
  ['mac', ['00:1a:2b:3c:4d:5e', '00-1a-2b-3c-4d-5e', '001a.2b3c.4d5e'], ['00:1a:2b:3c:4d', 'zz:1a:2b:3c:4d:5e']],
  ['uri', ['https://example.com/a?b=c', 'urn:x'], ['has space', 'bad%zz']],
  ['something-unknown', ['anything'], []],
];

test('formats: valid values pass, invalid ones give a type error naming the format', () => {
  for (const [format, valid, invalidValues] of formatCases) {
    for (const value of valid) {
      const type = typeof value === 'number' ? 'number' : 'string';
      assert.deepEqual(
        validateValue({ spec: { f: value } }, at('f', { type, format })),
        [],
        `${format} ${String(value)}`,
      );
    }
    for (const value of invalidValues) {
      const type = typeof value === 'number' ? 'number' : 'string';
      const causes = validateValue({ spec: { f: value } }, at('f', { type, format }));
      assert.equal(causes.length, 1, `${format} ${String(value)}`);
      assert.equal(causes[0]?.reason, 'FieldValueTypeInvalid');
      assert.match(causes[0]?.message ?? '', new RegExp(`spec\\.f in body must be of type ${format}`));
    }
  }
});

test('fieldPrefix is prepended to paths', () => {
  assert.deepEqual(validateValue('x', { type: 'integer' }, 'spec.replicas'), [
    typ('spec.replicas', 'Invalid value: "x": spec.replicas in body must be of type integer: "string"'),
  ]);
});
