import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SchemaNode } from '../../model/index.js';
import { BicepConverter, refIndex } from './bicep.js';
import type { RawType } from './state.js';

const ref = (index: number) => ({ $ref: `#/${index}` });

test('recursive types are cut at the first repetition; nodes are never shared', () => {
  const types: RawType[] = [
    {
      $type: 'ObjectType',
      name: 'ErrorDetail',
      properties: { message: { type: ref(1), flags: 2 }, details: { type: ref(2), flags: 2 } },
    },
    { $type: 'StringType' },
    { $type: 'ArrayType', itemType: ref(0) },
    {
      $type: 'ObjectType',
      name: 'Holder',
      properties: { a: { type: ref(0), flags: 0 }, b: { type: ref(0), flags: 0 } },
    },
  ];
  const names = new Map<SchemaNode, string>();
  const holder = new BicepConverter(types, names).convert(3);
  assert.equal(holder.properties?.a?.properties?.details?.items?.description, '(recursive type, cut)');
  assert.notEqual(holder.properties?.a, holder.properties?.b);
  assert.equal(names.get(holder), 'Holder');
});

test('unions: literals → enum; literal+string → extensible enum; same primitives → that type; mixed → any; null ignored', () => {
  const types: RawType[] = [
    { $type: 'StringLiteralType', value: 'x' },
    { $type: 'StringType' },
    { $type: 'IntegerType' },
    { $type: 'NullType' },
    { $type: 'ObjectType', name: 'O', properties: {} },
    { $type: 'UnionType', elements: [ref(0), ref(3)] },
    { $type: 'UnionType', elements: [ref(0), ref(1)] },
    { $type: 'UnionType', elements: [ref(2), ref(2)] },
    { $type: 'UnionType', elements: [ref(2), ref(4)] },
    { $type: 'BuiltInType', kind: 4 },
  ];
  const converter = new BicepConverter(types, new Map());
  assert.deepEqual(converter.convert(5), { type: 'string', enum: ['x'] });
  assert.deepEqual(converter.convert(6), { type: 'string', enum: ['x'], extensibleEnum: true });
  assert.deepEqual(converter.convert(7), { type: 'integer' });
  assert.deepEqual(converter.convert(8), { type: 'any' });
  assert.deepEqual(converter.convert(9), { type: 'integer' });
  assert.throws(() => refIndex({ $ref: 'other.json#/1' }), /unsupported type reference/);
});
