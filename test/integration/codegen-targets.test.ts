/**
 * The committed CRDs against the list of target kinds and ASO's conventions: every target kind is generated
 * at its API version and served under both spellings with one schema; every CRD carries `azureName`, the owner form
 * of its scope, `…Reference`/secret/`…FromConfig` inputs where the model flags them, `operatorSpec`, a status with
 * conditions and ASO's printer columns. Also: adding a kind is one line of codegen.config.yaml.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdNameOf, generate } from '../../src/codegen/index.js';
import {
  listKindKeys,
  loadKindModel,
  loadKindModelForApiVersion,
  objectEntries,
  variantKey,
  type KindModel,
  type SchemaNode,
} from '../../src/model/index.js';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  description?: string;
};
interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: Schema };
  subresources?: unknown;
  additionalPrinterColumns?: Array<{ name: string; jsonPath: string }>;
}
interface Crd {
  metadata: { name: string };
  spec: { group: string; scope: string; names: { kind: string }; versions: CrdVersion[] };
}

const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
const targets = (
  JSON.parse(readFileSync(new URL('./fixtures/codegen-targets.json', import.meta.url), 'utf8')) as { targets: string[] }
).targets.map((entry) => {
  const [key = '', version = ''] = entry.split(' ');
  const [group = '', kind = ''] = key.split('/');
  return { group: `${group}.azure.com`, kind, version, compact: version.replace(/^v(1api)?/, '') };
});

function readCrd(model: KindModel): Crd {
  return parse(readFileSync(join(repoRoot, 'generated/crds', `${crdNameOf(model)}.yaml`), 'utf8')) as Crd;
}

async function targetModels(): Promise<Array<{ model: KindModel; crd: Crd }>> {
  return Promise.all(
    targets.map(async (target) => {
      const model = await loadKindModel(target.group, target.kind);
      assert.ok(model, `${target.group}/${target.kind} is not generated`);
      return { model, crd: readCrd(model) };
    }),
  );
}

test('every target kind is generated at its API version and served under both spellings with one schema', async () => {
  assert.equal(targets.length, 50);
  for (const target of targets) {
    const model = await loadKindModelForApiVersion(`${target.group}/v${target.compact}`, target.kind);
    assert.ok(model, `${target.group}/${target.kind} is not generated at ${target.version}`);
    const label = `${target.group}/${target.kind}`;
    assert.equal(model.apiVersion.replace(/-/g, ''), target.compact, `${label}: API version`);
    assert.deepEqual(model.versions, [`v${target.compact}`, `v1api${target.compact}`], label);
    const hub = await loadKindModel(target.group, target.kind);
    assert.ok(hub);
    const crd = readCrd(hub);
    assert.equal(crd.spec.group, target.group);
    assert.equal(crd.spec.names.kind, target.kind);
    assert.equal(crd.spec.scope, 'Namespaced');
    const served = (name: string) => crd.spec.versions.find((version) => version.name === name);
    assert.equal(served(`v${target.compact}`)?.served, true, label);
    assert.equal(served(`v1api${target.compact}`)?.served, true, label);
    assert.equal(crd.spec.versions[0]?.name, hub.versions[0], `${label}: the hub's version is preferred`);
    assert.deepEqual(
      crd.spec.versions.filter((version) => version.storage).map((version) => version.name),
      [hub.versions[0]],
      `${label}: one storage version, the hub's`,
    );
    assert.deepEqual(
      served(`v${target.compact}`)?.schema,
      served(`v1api${target.compact}`)?.schema,
      `${label}: identical schemas`,
    );
    for (const version of crd.spec.versions) {
      assert.deepEqual(version.subresources, { status: {} }, label);
      assert.deepEqual(
        version.additionalPrinterColumns?.map((column) => [column.name, column.jsonPath]),
        [
          ['Ready', ".status.conditions[?(@.type=='Ready')].status"],
          ['Severity', ".status.conditions[?(@.type=='Ready')].severity"],
          ['Reason', ".status.conditions[?(@.type=='Ready')].reason"],
          ['Message', ".status.conditions[?(@.type=='Ready')].message"],
        ],
        label,
      );
    }
  }
  const generated = new Set(listKindKeys());
  for (const target of targets) assert.ok(generated.has(`${target.group}/${target.kind}`));
});

/** ASO's spec name of a reference: `subnetId` → `subnetReference`, `fooIds` → `fooReferences`, `id` → `reference`. */
function asoReferenceName(armName: string, isArray: boolean): string {
  const lower = (value: string) => value.charAt(0).toLowerCase() + value.slice(1);
  if (isArray) return lower(/ids$/i.test(armName) ? `${armName.slice(0, -3)}References` : `${armName}References`);
  return lower(/id$/i.test(armName) ? `${armName.slice(0, -2)}Reference` : `${armName}Reference`);
}

/** false when nothing under the node can be written (an object of read-only fields has no spec counterpart). */
function hasWritable(node: SchemaNode): boolean {
  if (node.readOnly) return false;
  if (node.type === 'array') return node.items === undefined || hasWritable(node.items);
  if (
    node.type !== 'object' ||
    node.discriminator ||
    node.properties === undefined ||
    Object.keys(node.properties).length === 0
  )
    return true;
  return (
    Object.values(node.properties).some(hasWritable) ||
    (node.additionalProperties !== undefined && hasWritable(node.additionalProperties))
  );
}

const keysOf = (schema: Schema | undefined) => Object.keys(schema?.properties ?? {}).sort();

/** Checks one ARM object node's writable properties against the CRD spec schema of the same object. */
function checkSpecObject(
  node: SchemaNode,
  spec: Schema,
  path: string,
  problems: string[],
  depth = 0,
  flatten = true,
): void {
  if (depth > 12) return;
  for (const entry of objectEntries(node, flatten)) {
    const armName = entry.armName;
    const child = entry.node;
    const target = child.type === 'array' && child.items ? child.items : child;
    const at = `${path}.${armName}`;
    if (child.readOnly) continue;
    if (child.kubeName !== undefined) continue;
    if (target.reference) {
      const name = asoReferenceName(armName, child.type === 'array');
      const reference = child.type === 'array' ? spec.properties?.[name]?.items : spec.properties?.[name];
      const wanted = ['armId', 'group', 'kind', 'name', ...(target.wellKnownReference ? ['wellKnownName'] : [])].sort();
      if (JSON.stringify(keysOf(reference)) !== JSON.stringify(wanted))
        problems.push(`${at}: reference ${name} is ${JSON.stringify(keysOf(reference))}`);
      continue;
    }
    const specChild = spec.properties?.[armName];
    if (target.secret) {
      const secret = child.type === 'array' ? specChild?.items : specChild;
      if (
        JSON.stringify(keysOf(secret)) !== '["key","name"]' ||
        JSON.stringify([...(secret?.required ?? [])].sort()) !== '["key","name"]'
      )
        problems.push(`${at}: secret is not {name, key}`);
      continue;
    }
    if (target.configMapInput) {
      const fromConfig = spec.properties?.[`${armName}FromConfig`];
      if (JSON.stringify(keysOf(fromConfig)) !== '["key","name"]')
        problems.push(`${at}: no ${armName}FromConfig {name, key}`);
    }
    if (
      armName === 'userAssignedIdentities' &&
      child.type === 'object' &&
      child.additionalProperties?.type === 'object'
    ) {
      if (specChild?.type !== 'array' || JSON.stringify(keysOf(specChild.items)) !== '["reference"]')
        problems.push(`${at}: not [{reference}]`);
      continue;
    }
    if (!specChild) continue;
    if (child.discriminator) {
      for (const [value, variant] of Object.entries(child.discriminator.variants)) {
        const variantSpec = specChild.properties?.[variantKey(value)];
        const merged: SchemaNode = {
          ...variant,
          properties: { ...(child.properties ?? {}), ...(variant.properties ?? {}) },
        };
        if (variantSpec) checkSpecObject(merged, variantSpec, `${at}<${value}>`, problems, depth + 1);
      }
      continue;
    }
    if (child.type === 'object' && child.properties) checkSpecObject(child, specChild, at, problems, depth + 1);
    if (child.type === 'array' && child.items?.type === 'object' && child.items.properties && specChild.items)
      checkSpecObject(child.items, specChild.items, `${at}[]`, problems, depth + 1);
  }
}

/** Validation keywords anywhere under a status schema (status reports what Azure returns; it never rejects it). */
function validationIn(schema: Schema, path: string): string[] {
  const own = (['enum', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength'] as const)
    .filter((key) => schema[key] !== undefined)
    .map((key) => `${path}: ${key}`);
  const children = [
    ...Object.entries(schema.properties ?? {}).map(([name, child]) => validationIn(child, `${path}.${name}`)),
    ...(schema.items ? [validationIn(schema.items, `${path}[]`)] : []),
    ...(schema.additionalProperties ? [validationIn(schema.additionalProperties, `${path}.*`)] : []),
  ];
  return [...own, ...children.flat()];
}

test("every CRD follows ASO's conventions: azureName, owner, references, secrets, FromConfig, operatorSpec, status", async () => {
  for (const { model, crd } of await targetModels()) {
    const label = `${model.group}/${model.kind}`;
    const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
    const spec = root?.properties?.spec;
    const status = root?.properties?.status;
    assert.ok(spec && status, label);

    if (model.fixedName === undefined) {
      assert.equal(spec.properties?.azureName?.type, 'string', `${label}: spec.azureName`);
      if (model.defaultAzureName !== false)
        assert.match(spec.properties?.azureName?.description ?? '', /Defaults to metadata\.name/, label);
    } else {
      assert.equal(spec.properties?.azureName, undefined, `${label}: fixed name ${model.fixedName} has no azureName`);
    }

    const owner = spec.properties?.owner;
    if (model.kind === 'ResourceGroup') assert.equal(owner, undefined, label);
    else if (model.scope === 'extension')
      assert.deepEqual(keysOf(owner), ['armId', 'group', 'kind', 'name'], `${label}: extension owner`);
    else assert.deepEqual(keysOf(owner), ['armId', 'name'], `${label}: owner`);
    if (owner) assert.ok(spec.required?.includes('owner'), `${label}: owner required`);

    const operatorSpec = spec.properties?.operatorSpec;
    for (const name of ['secretExpressions', 'configMapExpressions']) {
      const expression = operatorSpec?.properties?.[name];
      assert.equal(expression?.type, 'array', `${label}: operatorSpec.${name}`);
      assert.deepEqual(keysOf(expression?.items), ['key', 'name', 'value'], `${label}: operatorSpec.${name}`);
    }
    for (const [field, secret] of [
      ['secrets', true],
      ['configMaps', false],
    ] as const) {
      const names = model.exports
        .filter((source) => source.secret === secret)
        .map((source) => source.name)
        .sort();
      assert.deepEqual(keysOf(operatorSpec?.properties?.[field]), names, `${label}: operatorSpec.${field}`);
      for (const name of names)
        assert.deepEqual(
          keysOf(operatorSpec?.properties?.[field]?.properties?.[name]),
          ['key', 'name'],
          `${label}: operatorSpec.${field}.${name}`,
        );
    }

    if (model.flatten === false) {
      assert.ok(spec.properties?.properties, `${label}: keeps spec.properties`);
    } else {
      assert.equal(spec.properties?.properties, undefined, `${label}: properties are flattened`);
      for (const [name, node] of Object.entries(model.body.properties?.properties?.properties ?? {})) {
        if (hasWritable(node) && !node.reference && !node.items?.reference && node.kubeName === undefined)
          assert.ok(spec.properties?.[name], `${label}: spec.${name} (flattened)`);
      }
    }
    const problems: string[] = [];
    const topLevel = {
      ...model.body,
      properties: Object.fromEntries(
        Object.entries(model.body.properties ?? {}).filter(([name]) => !['id', 'name', 'type'].includes(name)),
      ),
    };
    checkSpecObject(topLevel, spec, 'spec', problems, 0, model.flatten !== false);
    assert.deepEqual(problems, [], label);

    assert.deepEqual(
      keysOf(status.properties?.conditions?.items),
      ['lastTransitionTime', 'message', 'observedGeneration', 'reason', 'severity', 'status', 'type'],
      `${label}: conditions`,
    );
    for (const name of ['id', 'name']) assert.ok(status.properties?.[name], `${label}: status.${name}`);
    assert.equal(status.required, undefined, `${label}: status requires nothing`);
    const { conditions: _conditions, ...reported } = status.properties ?? {};
    assert.deepEqual(validationIn({ properties: reported }, 'status'), [], `${label}: status has no validation`);
    assert.ok(Object.keys(reported).length > 2, `${label}: status holds what Azure returns`);
  }
});

test(
  'adding a version ASO lacks is one line of codegen.config.yaml',
  {
    skip: existsSync(resolve(repoRoot, '../shared/azure-types'))
      ? false
      : 'no ../shared/azure-types: cannot run the generator',
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'azo-addversion-'));
    try {
      const config = readFileSync(join(repoRoot, 'codegen.config.yaml'), 'utf8');
      const line = '        NatGateway: Microsoft.Network/natGateways\n';
      const anchor = '        RouteTablesRoute: Microsoft.Network/routeTables/routes\n';
      assert.ok(config.includes(anchor));
      const configPath = join(dir, 'codegen.config.yaml');
      writeFileSync(configPath, config.replace(anchor, anchor + line));
      const base = await generate({ repoRoot, configPath: 'codegen.config.yaml', outDir: 'generated', dryRun: true });
      const state = await generate({ repoRoot, configPath, outDir: 'generated', dryRun: true });
      const added = Object.keys(state.files).filter((path) => !(path in base.files));
      assert.deepEqual(added.sort(), ['model/network/NatGateway.v20201101.ts']);
      assert.match(
        state.files['model/SUMMARY.txt'] ?? '',
        /network\.azure\.com\/NatGateway v20201101,v1api20201101 Microsoft\.Network\/natGateways@2020-11-01 scope=resourceGroup owners=resources\.azure\.com\/ResourceGroup/,
      );
      const crd = parse(state.files['crds/natgateways.network.azure.com.yaml'] ?? '') as Crd;
      const names = crd.spec.versions.map((version) => version.name);
      assert.ok(names.includes('v20201101') && names.includes('v1api20201101'), names.join(' '));
      assert.deepEqual(
        crd.spec.versions.filter((version) => version.storage).map((version) => version.name),
        ['v20250301'],
        'the hub stays the newest GA version',
      );
      const changed = [
        'crds/natgateways.network.azure.com.yaml',
        'model/network/NatGateway.ts',
        'model/index.ts',
        'model/SUMMARY.txt',
        'SIZES.md',
      ];
      for (const path of Object.keys(base.files)) {
        if (!changed.includes(path)) assert.equal(state.files[path], base.files[path], `${path} unchanged`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
