/**
 * A round trip per generated kind: manifest (the ASO sample when there is one, else one synthesized from the CRD
 * schema's required fields) → ARM PUT body → simulated GET (Azure adds id/type/read-only fields, drops write-only
 * ones) → status. The body must have Azure's shape: `name`, `location`/`tags` at the top, the `properties`
 * envelope, nothing read-only or unknown to the type; the status must fit the CRD's status schema.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { objectSchemaOf } from '../../src/codegen/index.js';
import {
  armBodyToStatus, buildArmId, listKindModels, listSpecInputs, specSchemaOf, specToArmBody, type KindModel, type SchemaNode,
} from '../../src/model/index.js';
import { checkAgainstSchema, type Schema } from './codegen-schema-check.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const samplesDir = resolve(process.env.AZO_ASO_SAMPLES ?? '../shared/aso-samples');
const rg = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg';

function samplesByKind(): Map<string, Json> {
  const found = new Map<string, Json>();
  if (!existsSync(samplesDir)) return found;
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.yaml') ? [path] : [];
  });
  for (const path of walk(samplesDir).sort()) {
    for (const document of parseAllDocuments(readFileSync(path, 'utf8'))) {
      const object = document.toJS() as Json;
      const [group, version] = String(object.apiVersion).split('/');
      found.set(`${group}/${String(object.kind)}/${version}`, object);
    }
  }
  return found;
}

/** A value satisfying a spec schema node's required fields. */
function example(node: SchemaNode, name: string): unknown {
  switch (node.type) {
    case 'string':
      if (node.enum?.[0] !== undefined) return node.enum[0];
      if (name === 'armId') return `${rg}/providers/Microsoft.Test/things/t1`;
      return 'a'.repeat(Math.max(node.minLength ?? 1, 3)).slice(0, node.maxLength ?? 100);
    case 'integer':
    case 'number':
      return node.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return node.items ? Array.from({ length: Math.max(node.minItems ?? 1, 1) }, () => example(node.items as SchemaNode, name)) : [];
    case 'object': {
      const out: Json = {};
      if (node.properties?.armId && node.properties.group) return { armId: `${rg}/providers/Microsoft.Test/things/t1` };
      const variants = Object.keys(node.properties ?? {});
      const isUnion = variants.length > 0 && variants.every((key) => node.properties?.[key]?.properties?.[Object.keys(node.properties?.[key]?.properties ?? {})[0] ?? '']?.enum?.length === 1);
      for (const key of node.required ?? []) {
        const child = node.properties?.[key];
        if (child) out[key] = example(child, key);
      }
      if (isUnion && Object.keys(out).length === 0 && variants[0]) out[variants[0]] = example(node.properties?.[variants[0]] as SchemaNode, variants[0]);
      return out;
    }
    default:
      return 'x';
  }
}

function synthesize(model: KindModel): Json {
  const spec = example(specSchemaOf(model), 'spec') as Json;
  if (model.body.properties?.location && !model.body.properties.location.readOnly && spec.location === undefined) spec.location = 'westus';
  if (model.body.properties?.tags && !model.body.properties.tags.readOnly) spec.tags = { env: 'test' };
  return spec;
}

/** Paths in an ARM body that the model does not allow in a PUT (read-only or unknown). */
function badPaths(node: SchemaNode, value: unknown, path: string): string[] {
  if (node.type === 'any' || value === undefined) return [];
  if (Array.isArray(value)) return node.items ? value.flatMap((item, i) => badPaths(node.items as SchemaNode, item, `${path}[${i}]`)) : [];
  if (!isObject(value) || node.type !== 'object') return [];
  const known: Record<string, SchemaNode> = { ...(node.properties ?? {}) };
  if (node.discriminator) {
    const variant = node.discriminator.variants[String(value[node.discriminator.property])];
    if (!variant) return [`${path}.${node.discriminator.property}: unknown variant`];
    Object.assign(known, variant.properties ?? {});
  }
  return Object.entries(value).flatMap(([key, child]) => {
    const schema = known[key] ?? node.additionalProperties;
    if (!schema) return node.properties ? [`${path}.${key}: unknown`] : [];
    if (schema.readOnly) return [`${path}.${key}: read-only`];
    return badPaths(schema, child, `${path}.${key}`);
  });
}

/** What Azure returns: the body plus id/type and read-only fields, without write-only ones. */
function simulateGet(model: KindModel, body: Json, id: string): Json {
  const strip = (node: SchemaNode, value: unknown): unknown => {
    if (Array.isArray(value)) return node.items ? value.map((item) => strip(node.items as SchemaNode, item)) : value;
    if (!isObject(value) || node.type !== 'object') return value;
    const out: Json = {};
    for (const [key, child] of Object.entries(value)) {
      const schema = node.properties?.[key] ?? node.additionalProperties ?? Object.values(node.discriminator?.variants ?? {}).find((variant) => variant.properties?.[key])?.properties?.[key];
      if (schema?.writeOnly || schema?.secret) continue;
      out[key] = schema ? strip(schema, child) : child;
    }
    return out;
  };
  const get = strip(model.body, body) as Json;
  get.id = id;
  get.type = model.armType;
  if (model.body.properties?.properties?.properties?.provisioningState && isObject(get.properties)) get.properties.provisioningState = 'Succeeded';
  return get;
}

const models = await listKindModels();
const samples = samplesByKind();

for (const model of models) {
  test(`round trip ${model.group}/${model.kind}`, () => {
    const sample = model.versions.map((version) => samples.get(`${model.group}/${model.kind}/${version}`)).find((found) => found !== undefined);
    const spec = isObject(sample?.spec) ? structuredClone(sample.spec) : synthesize(model);
    const crdSchema = objectSchemaOf(model) as Schema;
    const manifestProblems = checkAgainstSchema({ apiVersion: `${model.group}/${model.versions[0]}`, kind: model.kind, metadata: {}, spec }, crdSchema)
      .filter((problem) => !problem.startsWith('spec.location: unknown'));
    if (!sample) assert.deepEqual(manifestProblems, [], 'synthesized manifest fits the CRD');
    if (!model.body.properties?.location) delete spec.location;

    const inputs = listSpecInputs(model, spec);
    const body = specToArmBody(model, spec, {
      azureName: 'name1',
      armIdOf: (path, ref) => ref.armId ?? `${rg}/providers/Microsoft.Test/${ref.kind ?? 'wellKnown'}/${ref.name ?? ref.wellKnownName ?? 'x'}`,
      secretValueOf: () => 'secret-value',
      configMapValueOf: () => 'configmap-value',
    });
    assert.equal(body.name, model.fixedName ?? (typeof spec.azureName === 'string' ? spec.azureName : 'name1'));
    if (spec.location !== undefined) assert.equal(body.location, spec.location);
    if (spec.tags !== undefined) assert.deepEqual(body.tags, spec.tags);
    assert.deepEqual(badPaths(model.body, body, 'body'), []);
    for (const required of model.body.required ?? []) {
      if (required !== 'properties' || Object.keys(spec).some((key) => model.body.properties?.properties?.properties?.[key])) assert.ok(body[required] !== undefined, `body.${required}`);
    }
    const flattened = Object.keys(spec).filter((key) => model.flatten !== false && model.body.properties?.properties?.properties?.[key] && !model.body.properties?.[key]);
    if (flattened.length > 0) assert.ok(isObject(body.properties), 'properties envelope restored');
    for (const key of flattened) assert.equal(body[key], undefined, `${key} must sit inside properties`);
    assert.equal(inputs.secrets.length + inputs.configMaps.length + inputs.references.length >= 0, true);

    const parentId = model.scope === 'subscription' ? '/subscriptions/00000000-0000-0000-0000-000000000001' : rg;
    const id = model.armType.split('/').length > 2
      ? `${rg}/providers/${model.armType.split('/').slice(0, 2).join('/')}/p/${model.armType.split('/').slice(2).map((segment) => `${segment}/name1`).join('/')}`
      : buildArmId({ parentId, armType: model.armType, name: String(body.name) });
    const status = armBodyToStatus(model, simulateGet(model, body, id));
    assert.equal(status.id, id);
    assert.equal(status.name, body.name);
    if (spec.location !== undefined) assert.equal(status.location, spec.location);
    const statusSchema = (crdSchema.properties as Record<string, Schema>).status as Schema;
    assert.deepEqual(checkAgainstSchema(status, statusSchema, 'status'), []);
    for (const key of flattened) {
      if (typeof spec[key] !== 'object' && !key.endsWith('FromConfig')) assert.deepEqual(status[key], spec[key], `status.${key}`);
    }
  });
}
