import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { listKindModels, loadKindVersions } from '../index.js';
import type { KindModel } from '../types.js';
import { conversionAnnotation, convertWithSchema, objectShapeOf, type ShapeSchema } from './versions.js';

/** Values that fit `schema` (a random subset of each object's properties, short arrays, enum values). */
function valueOf(schema: ShapeSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return fc.string({ maxLength: 6 });
    case 'integer':
      return fc.integer({ min: -5, max: 1000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      if (depth <= 0) return fc.constant([]);
      return fc.array(valueOf(schema.items ?? { type: 'string' }, depth - 1), { maxLength: 2 });
    case 'object': {
      if (depth <= 0) return fc.constant({});
      if (schema.properties) {
        const shapes = Object.fromEntries(
          Object.entries(schema.properties).map(([key, child]) => [key, valueOf(child, depth - 1)]),
        );
        return fc.record(shapes, { requiredKeys: [], noNullPrototype: true });
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return fc.dictionary(fc.constantFrom('a', 'b'), valueOf(schema.additionalProperties, depth - 1), {
          maxKeys: 2,
          noNullPrototype: true,
        });
      }
      return fc.constant({});
    }
    default:
      return fc.constant('any');
  }
}

const objectAt = (model: KindModel, depth: number) =>
  fc
    .record({
      spec: valueOf(objectShapeOf(model).properties?.spec ?? {}, depth),
      status: valueOf(objectShapeOf(model).properties?.status ?? {}, depth),
    })
    .map(({ spec, status }) => ({
      apiVersion: `${model.group}/${model.versions[0]}`,
      kind: model.kind,
      metadata: { name: 'x', namespace: 'default', annotations: { keep: 'me' } },
      spec,
      status,
    }));

const hubs = (await listKindModels()).filter((model) => (model.servedApiVersions?.length ?? 0) > 1);

test('fields a version lacks go to the annotation and come back', () => {
  const from: ShapeSchema = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { a: { type: 'string' }, gone: { type: 'integer' } } } },
  };
  const to: ShapeSchema = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { a: { type: 'string' }, added: { type: 'boolean' } } } },
  };
  const object = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'x' }, spec: { a: 'kept', gone: 7 } };
  const there = convertWithSchema(object, 'g/v2', to);
  assert.deepEqual(there, {
    apiVersion: 'g/v2',
    kind: 'K',
    metadata: { name: 'x', annotations: { [conversionAnnotation]: '[[["spec","gone"],7]]' } },
    spec: { a: 'kept' },
  });
  assert.deepEqual(convertWithSchema(there, 'g/v1', from), object);
});

test('an enum value the target spells in another case takes the target spelling, and back (as ARM and ASO compare)', () => {
  const shape = (values: string[]): ShapeSchema => ({
    type: 'object',
    properties: { spec: { type: 'object', properties: { mode: { type: 'string', enum: values } } } },
  });
  const older = shape(['standalone', 'switchover']);
  const newer = shape(['Standalone', 'Switchover']);
  const object = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'x' }, spec: { mode: 'standalone' } };
  const there = convertWithSchema(object, 'g/v2', newer);
  assert.deepEqual(there.spec, { mode: 'Standalone' });
  assert.deepEqual((there.metadata as { annotations?: unknown }).annotations, undefined);
  assert.deepEqual(convertWithSchema(there, 'g/v1', older), object);
  const ambiguous = convertWithSchema(object, 'g/v3', shape(['Standalone', 'STANDALONE']));
  assert.deepEqual(ambiguous.spec, {}, 'two case-insensitive matches: the value goes to the annotation');
});

test(
  `every multi-version kind (${hubs.length}): A → hub → A and A → hub → B → hub → A give the object ` + `back`,
  async () => {
    assert.ok(hubs.length > 100, `${hubs.length} multi-version kinds`);
    for (const hub of hubs) {
      const versions = await loadKindVersions(hub.group, hub.kind);
      const others = versions.filter((model) => model !== hub);
      const hubShape = objectShapeOf(hub);
      const hubVersion = `${hub.group}/${hub.versions[0]}`;
      for (const [index, a] of others.entries()) {
        const b = others[(index + 1) % others.length] ?? hub;
        const aShape = objectShapeOf(a);
        const bShape = objectShapeOf(b);
        fc.assert(
          fc.property(objectAt(a, 4), (object) => {
            const atHub = convertWithSchema(object, hubVersion, hubShape);
            assert.deepEqual(
              convertWithSchema(atHub, object.apiVersion, aShape),
              object,
              `${hub.kind} ${a.apiVersion} → hub → back`,
            );
            const atB = convertWithSchema(atHub, `${b.group}/${b.versions[1]}`, bShape);
            const backAtHub = convertWithSchema(atB, hubVersion, hubShape);
            assert.deepEqual(
              convertWithSchema(backAtHub, object.apiVersion, aShape),
              object,
              `${hub.kind} ${a.apiVersion} → hub → ${b.apiVersion} → hub → back`,
            );
          }),
          { numRuns: 8, seed: 12 },
        );
      }
    }
  },
);
