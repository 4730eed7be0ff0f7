// The import's conversion round-trips through the operator's comparison, for every kind of the model: the spec made
// from an ARM body (armBodyToSpec) turns back (specToArmBody) into a body on which compareDesired finds no
// difference from Azure's and sends no write-only value — so applying an import writes nothing. Bodies are drawn by
// fast-check from each kind's schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type SchemaNode, armBodyToSpec, listKindModels, specToArmBody } from '../../model/index.js';
import { compareDesired } from '../../operator/index.js';

const armId =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet';

/** An arbitrary ARM body (as Azure returns it: no write-only or secret values) of a schema node. */
function bodyOf(node: SchemaNode, depth: number): fc.Arbitrary<unknown> {
  if (node.reference === true) return fc.constant(armId);
  if (node.enum !== undefined && node.enum.length > 0) return fc.constantFrom(...node.enum);
  switch (node.type) {
    case 'string':
      return fc.string({ minLength: 1, maxLength: 8 });
    case 'integer':
      return fc.integer({ min: 0, max: 1000 });
    case 'number':
      return fc.double({ min: 0, max: 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 4 || node.items === undefined
        ? fc.constant([])
        : fc.array(bodyOf(node.items, depth + 1), { maxLength: 2 });
    case 'any':
      return fc.constant({ any: 'value' });
    case 'object': {
      if (depth > 4) return fc.constant({});
      if (node.discriminator !== undefined) {
        const { property, variants } = node.discriminator;
        const choices = Object.entries(variants).map(([value, variant]) =>
          bodyOf(
            { ...variant, type: 'object', properties: { ...node.properties, ...variant.properties } },
            depth + 1,
          ).map((body) => ({
            ...(body as Record<string, unknown>),
            [property]: value,
          })),
        );
        return choices.length === 0 ? fc.constant({}) : fc.oneof(...choices);
      }
      if (node.properties === undefined) {
        return node.additionalProperties === undefined
          ? fc.constant({ free: 'form' })
          : fc.dictionary(fc.constantFrom('a', 'b', 'c'), bodyOf(node.additionalProperties, depth + 1), { maxKeys: 2 });
      }
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, child] of Object.entries(node.properties)) {
        if (child.writeOnly === true || child.secret === true) continue;
        record[name] = bodyOf(child, depth + 1);
      }
      return fc.record(record, { requiredKeys: [] });
    }
  }
}

test('every kind: an imported spec turns back into a body the operator finds up to date', async () => {
  for (const model of await listKindModels()) {
    fc.assert(
      fc.property(bodyOf(model.body, 0), (drawn) => {
        const body = { ...(drawn as Record<string, unknown>), name: model.fixedName ?? 'imported' };
        const { spec } = armBodyToSpec(model, body);
        const desired = specToArmBody(model, spec, { azureName: 'imported' });
        const comparison = compareDesired(desired, body, model.body);
        assert.deepEqual(
          comparison,
          { differences: [], writeOnly: [] },
          `${model.group}/${model.kind}: ${JSON.stringify(spec)}`,
        );
      }),
      { numRuns: 30 },
    );
  }
});
