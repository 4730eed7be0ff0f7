import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listKindModels, listKindVersionModels } from '../index.js';
import type { KindModel } from '../types.js';
import { armBodyToStatus, specToArmBody } from './convert.js';
import { conditionSchema, specSchemaOf, statusSchemaOf } from './kube-schema.js';
import { rootUnionOf, specNameOf, statusNameOf, topLevelProperties, variantKey } from './naming.js';
import { widgetModel } from './testing.js';
import { conversionAnnotation, convertWithSchema, objectShapeOf } from './versions.js';

/** Names the operator owns at the top of spec and status (ASO renames an Azure property that would take one). */
const reserved = { spec: ['azureName', 'owner', 'operatorSpec'], status: ['conditions', 'observedGeneration'] };

function topLevelNames(model: KindModel): { spec: string[]; status: string[] } {
  const properties = topLevelProperties(model);
  const variants = Object.keys(rootUnionOf(model)?.discriminator?.variants ?? {}).map(variantKey);
  return {
    spec: [...properties.map((property) => specNameOf(property.armName, property.node)), ...variants],
    status: [...properties.map(statusNameOf), ...variants],
  };
}

/** The widget with an Azure property named `conditions` renamed `widgetConditions` (ASO `$renameTo`). */
function widgetWithConditions(): KindModel {
  const model = widgetModel();
  const envelope = model.body.properties?.properties?.properties ?? {};
  envelope.conditions = { type: 'array', items: { type: 'string' }, kubeName: 'widgetConditions' };
  return model;
}

test("a renamed property has its Kubernetes name in spec and status, Azure's name in the body", () => {
  const model = widgetWithConditions();
  assert.ok(specSchemaOf(model).properties?.widgetConditions);
  assert.deepEqual(statusSchemaOf(model).properties?.conditions?.items, conditionSchema());
  assert.equal(statusSchemaOf(model).properties?.widgetConditions?.type, 'array');
  const body = specToArmBody(model, { size: 1, widgetConditions: ['a'], conditions: ['ignored'] }, { azureName: 'w' });
  assert.deepEqual(body.properties, { size: 1, conditions: ['a'] });
  const status = armBodyToStatus(model, { ...body, id: '/w' });
  assert.deepEqual(status.widgetConditions, ['a']);
  assert.equal(status.conditions, undefined, 'the Ready conditions are the reconciler’s');
});

test('no kind-version gives an Azure property a name the operator owns at the top of spec or status', async () => {
  const models = await listKindVersionModels();
  assert.ok(models.length > 250);
  const clashes = models.flatMap((model) => {
    const names = topLevelNames(model);
    return (['spec', 'status'] as const).flatMap((side) =>
      names[side]
        .filter((name) => reserved[side].includes(name))
        .map((name) => `${model.group}/${model.kind}@${model.apiVersion} ${side}.${name}`),
    );
  });
  assert.deepEqual(clashes, []);
});

test('the Ready conditions survive conversion between the spellings of every version and to the hub', async () => {
  const ready = [{ type: 'Ready', status: 'True', reason: 'Succeeded', lastTransitionTime: '2024-01-01T00:00:00Z' }];
  const hubs = new Map((await listKindModels()).map((hub) => [`${hub.group}/${hub.kind}`, hub]));
  for (const model of await listKindVersionModels()) {
    const hub = hubs.get(`${model.group}/${model.kind}`) ?? model;
    const object = {
      apiVersion: `${model.group}/${model.versions[0]}`,
      kind: model.kind,
      metadata: { name: 'x' },
      spec: {},
      status: { conditions: ready, observedGeneration: 2 },
    };
    for (const [target, version] of [
      [model, model.versions.at(-1)],
      [hub, hub.versions[0]],
    ] as const) {
      const converted = convertWithSchema(object, `${target.group}/${version}`, objectShapeOf(target));
      const where = `${model.kind} ${model.versions[0]} → ${version}`;
      assert.deepEqual(converted.status, object.status, where);
      assert.deepEqual(converted.metadata, object.metadata, `${where}: nothing in ${conversionAnnotation}`);
    }
  }
});
