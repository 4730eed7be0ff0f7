import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { KindModel, SchemaNode } from '../types.js';
import { armBodyToSpec, armBodyToStatus, listSpecInputs, specToArmBody } from './convert.js';
import { specSchemaOf, statusSchemaOf } from './kube-schema.js';

const variant = (discriminator: string, value: string, own: Record<string, SchemaNode>): SchemaNode => ({
  type: 'object',
  required: [discriminator],
  properties: { [discriminator]: { type: 'string', enum: [value] }, ...own },
});

/**
 * Variants of both fixtures: `Periodic` (with a reference) and `Continuous` (with a read-only field); `enveloped`
 * puts their fields in a `properties` envelope of their own, as a resource body's variants have them.
 */
function variants(discriminator: string, enveloped: boolean): Record<string, SchemaNode> {
  const own = (properties: Record<string, SchemaNode>) =>
    enveloped ? { properties: { type: 'object' as const, properties } } : properties;
  return {
    Periodic: variant(
      discriminator,
      'Periodic',
      own({ interval: { type: 'integer' }, vaultId: { type: 'string', reference: true } }),
    ),
    Continuous: variant(
      discriminator,
      'Continuous',
      own({ tier: { type: 'string' }, state: { type: 'string', readOnly: true } }),
    ),
  };
}

const base = (body: SchemaNode): KindModel => ({
  group: 'test.azure.com',
  kind: 'Policy',
  versions: ['v20240101'],
  armType: 'Microsoft.Test/policies',
  apiVersion: '2024-01-01',
  scope: 'resourceGroup',
  owners: [{ group: 'resources.azure.com', kind: 'ResourceGroup' }],
  exports: [],
  hooks: [],
  body,
});

/** The `properties` envelope is the union (Data Protection's backup policies, on `objectType`). */
const envelopeUnion = base({
  type: 'object',
  properties: {
    id: { type: 'string', readOnly: true },
    name: { type: 'string' },
    properties: {
      type: 'object',
      properties: { datasourceTypes: { type: 'array', items: { type: 'string' } } },
      discriminator: { property: 'objectType', variants: variants('objectType', false) },
    },
  },
});

/** The body itself is the union (Kusto's databases, on `kind`), with a base `location`. */
const rootUnion = base({
  type: 'object',
  properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' }, location: { type: 'string' } },
  discriminator: { property: 'kind', variants: variants('kind', true) },
});

/** A spec variant (`periodic`/`continuous`) with some of its writable fields, and the base fields. */
const variantSpec = fc.oneof(
  fc
    .record(
      {
        interval: fc.integer({ min: 0, max: 100 }),
        vaultReference: fc.constantFrom({ armId: '/v/1' }, { armId: '/v/2' }),
        common: fc.constantFrom(['Disk'], ['Blob', 'Disk']),
      },
      { requiredKeys: [] },
    )
    .map((fields) => ['periodic', fields] as const),
  fc
    .record({ tier: fc.string({ maxLength: 4 }), common: fc.constantFrom(['Disk']) }, { requiredKeys: [] })
    .map((fields) => ['continuous', fields] as const),
);

const resolved = { azureName: 'p1', armIdOf: (_path: string, ref: { armId?: string }) => ref.armId };

test('a union envelope stays spec.properties with one key per variant, as ASO keeps it', () => {
  const spec = specSchemaOf(envelopeUnion).properties ?? {};
  assert.deepEqual(Object.keys(spec.properties?.properties ?? {}), ['periodic', 'continuous']);
  assert.equal(spec.datasourceTypes, undefined, 'the base properties live in each variant');
  assert.ok(spec.properties?.properties?.periodic?.properties?.datasourceTypes);
  assert.ok(statusSchemaOf(envelopeUnion).properties?.properties?.properties?.continuous?.properties?.state);
});

test('a union envelope: spec → ARM body → spec and status keep the chosen variant and its values', () => {
  fc.assert(
    fc.property(variantSpec, ([key, fields]) => {
      const { common, vaultReference, ...plain } = fields as Record<string, unknown>;
      const chosen = {
        ...plain,
        ...(common ? { datasourceTypes: common } : {}),
        ...(vaultReference ? { vaultReference } : {}),
      };
      const spec = { owner: { name: 'rg' }, properties: { [key]: chosen } };
      assert.equal(listSpecInputs(envelopeUnion, spec).references.length, vaultReference ? 1 : 0);
      const body = specToArmBody(envelopeUnion, spec, resolved);
      const objectType = key === 'periodic' ? 'Periodic' : 'Continuous';
      assert.equal((body.properties as Record<string, unknown>).objectType, objectType);
      assert.deepEqual(armBodyToSpec(envelopeUnion, body).spec, { properties: { [key]: chosen } });
      const got = { ...(body.properties as object), ...(key === 'continuous' ? { state: 'On' } : {}) };
      const status = armBodyToStatus(envelopeUnion, { ...body, id: '/p1', properties: got });
      assert.deepEqual(status, { id: '/p1', name: 'p1', properties: { [key]: got } });
    }),
    { numRuns: 50, seed: 3 },
  );
});

test('a union at the root: spec has one property per variant, holding the base properties (ASO OneOf)', () => {
  const spec = specSchemaOf(rootUnion).properties ?? {};
  assert.deepEqual(Object.keys(spec), ['azureName', 'owner', 'periodic', 'continuous', 'operatorSpec']);
  assert.ok(spec.periodic?.properties?.location && spec.periodic.properties.vaultReference);
  assert.deepEqual(spec.continuous?.properties?.kind?.enum, ['Continuous']);
  const status = statusSchemaOf(rootUnion).properties ?? {};
  assert.ok(status.conditions && status.id && status.continuous?.properties?.state && !status.location);
});

test('a union at the root: spec → ARM body → spec and status keep the chosen variant and its values', () => {
  fc.assert(
    fc.property(
      variantSpec,
      fc.option(fc.constantFrom('westus', 'eastus'), { nil: undefined }),
      ([key, fields], location) => {
        const { common: _common, vaultReference, ...plain } = fields as Record<string, unknown>;
        const chosen = { ...plain, ...(location ? { location } : {}), ...(vaultReference ? { vaultReference } : {}) };
        const spec = { owner: { name: 'rg' }, azureName: 'db1', [key]: chosen };
        assert.deepEqual(
          listSpecInputs(rootUnion, spec).references.map((entry) => entry.path),
          vaultReference ? [`spec.${key}.vaultReference`] : [],
        );
        const body = specToArmBody(rootUnion, spec, resolved);
        const kind = key === 'periodic' ? 'Periodic' : 'Continuous';
        assert.equal(body.name, 'db1');
        assert.equal(body.kind, kind);
        assert.equal(body.location, location);
        assert.deepEqual(armBodyToSpec(rootUnion, body).spec, { [key]: chosen });
        const status = armBodyToStatus(rootUnion, {
          ...body,
          id: '/db1',
          properties: { ...(body.properties as object), state: 'On' },
        });
        assert.equal(status.id, '/db1');
        assert.deepEqual(Object.keys(status).sort(), ['id', key, 'name'].sort());
        assert.equal((status[key] as Record<string, unknown>).kind, kind);
        if (key === 'continuous') assert.equal((status[key] as Record<string, unknown>).state, 'On');
      },
    ),
    { numRuns: 50, seed: 5 },
  );
});

/**
 * The `properties` envelope is a union whose variants have an envelope of their own that Swagger does not mark
 * x-ms-client-flatten (an ML compute's `properties.properties`): the model says `flatten: false` on it.
 */
const keptVariantEnvelopes = (): KindModel => {
  const kept = variants('computeType', true);
  for (const node of Object.values(kept)) {
    const envelope = node.properties?.properties;
    if (envelope) envelope.flatten = false;
  }
  return base({
    type: 'object',
    properties: {
      id: { type: 'string', readOnly: true },
      name: { type: 'string' },
      properties: {
        type: 'object',
        properties: { description: { type: 'string' } },
        discriminator: { property: 'computeType', variants: kept },
      },
    },
  });
};

test('a variant envelope marked flatten: false stays spec.properties.<variant>.properties, as ASO keeps it', () => {
  const model = keptVariantEnvelopes();
  const periodic = specSchemaOf(model).properties?.properties?.properties?.periodic?.properties ?? {};
  assert.deepEqual(Object.keys(periodic), ['description', 'computeType', 'properties']);
  assert.deepEqual(Object.keys(periodic.properties?.properties ?? {}), ['interval', 'vaultReference']);
  assert.equal(periodic.properties?.flatten, undefined, 'the model flag is not part of the CRD schema');
  const status = statusSchemaOf(model).properties?.properties?.properties?.continuous?.properties ?? {};
  assert.deepEqual(Object.keys(status.properties?.properties ?? {}), ['tier', 'state']);
  const flattened = variants('computeType', true);
  const flat = specSchemaOf(
    base({
      ...model.body,
      properties: { properties: { type: 'object', discriminator: { property: 'computeType', variants: flattened } } },
    }),
  );
  assert.ok(
    flat.properties?.properties?.properties?.periodic?.properties?.interval,
    'unmarked envelopes are flattened',
  );
});

test('a kept variant envelope: spec → ARM body → spec and status keep the nesting and the values', () => {
  const model = keptVariantEnvelopes();
  fc.assert(
    fc.property(
      variantSpec,
      fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
      ([key, fields], description) => {
        const { common: _common, vaultReference, ...plain } = fields as Record<string, unknown>;
        const own = { ...plain, ...(vaultReference ? { vaultReference } : {}) };
        const chosen = {
          ...(description !== undefined ? { description } : {}),
          ...(Object.keys(own).length > 0 ? { properties: own } : {}),
        };
        const spec = { owner: { name: 'rg' }, properties: { [key]: chosen } };
        assert.deepEqual(
          listSpecInputs(model, spec).references.map((entry) => entry.path),
          vaultReference ? [`spec.properties.${key}.properties.vaultReference`] : [],
        );
        const body = specToArmBody(model, spec, resolved);
        const envelope = body.properties as Record<string, unknown>;
        assert.equal(envelope.computeType, key === 'periodic' ? 'Periodic' : 'Continuous');
        const armOwn = {
          ...plain,
          ...(vaultReference ? { vaultId: (vaultReference as { armId: string }).armId } : {}),
        };
        assert.deepEqual(envelope.properties, Object.keys(armOwn).length > 0 ? armOwn : undefined);
        assert.deepEqual(armBodyToSpec(model, body).spec, { properties: { [key]: chosen } });
        const status = armBodyToStatus(model, { ...body, id: '/c1' });
        assert.deepEqual(status, { id: '/c1', name: 'p1', properties: { [key]: envelope } });
      },
    ),
    { numRuns: 50, seed: 7 },
  );
});
