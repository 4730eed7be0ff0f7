/**
 * Renders TypeScript declarations of each kind's spec and status, for users who write manifests in code. One file
 * per group (`generated/types/storage.ts`) with `<Kind>Spec`, `<Kind>Status` and `<Kind>` (the whole object), and the
 * object shapes its kinds repeat declared once (see shared-shapes.ts); shapes several groups repeat are in
 * `types/shared.ts`, which the group files import.
 */
import type { KindModel, SchemaNode } from '../../../model/index.js';
import {
  conditionSchema,
  destinationExpressionSchema,
  keyReferenceSchema,
  resourceReferenceSchema,
  specSchemaOf,
  statusSchemaOf,
} from '../../../model/index.js';
import { type SharedShape, planSharedShapes } from './shared-shapes.js';

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The name a node is declared under, if any (then it is referred to by name); default: none, all inline. */
export type ShapeNames = (node: SchemaNode) => string | undefined;

const inline: ShapeNames = () => undefined;

/** The TypeScript type of a schema node, indented for nesting; a node `names` names is referred to by its name. */
export function typeOf(node: SchemaNode, indent = '', names: ShapeNames = inline): string {
  const name = names(node);
  return name ?? bodyOf(node, indent, names);
}

/** The type of a node spelt out (its children may be named). */
function bodyOf(node: SchemaNode, indent: string, names: ShapeNames): string {
  switch (node.type) {
    case 'string':
      // Literal unions even for extensible enums: the CRD lists the enum, so the API server accepts only these.
      return node.enum ? node.enum.map((value) => JSON.stringify(value)).join(' | ') : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'any':
      return 'unknown';
    case 'array':
      return `Array<${node.items ? typeOf(node.items, indent, names) : 'unknown'}>`;
    case 'object': {
      const lines: string[] = [];
      const required = new Set(node.required ?? []);
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        const key = identifier.test(name) ? name : JSON.stringify(name);
        if (child.description)
          lines.push(`${indent}  /** ${child.description.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ')} */`);
        lines.push(`${indent}  ${key}${required.has(name) ? '' : '?'}: ${typeOf(child, `${indent}  `, names)};`);
      }
      if (node.additionalProperties) {
        const values = typeOf(node.additionalProperties, `${indent}  `, names);
        if (lines.length === 0) return `Record<string, ${values}>`;
        lines.push(`${indent}  [key: string]: ${values} | undefined;`);
      }
      if (lines.length === 0) return 'Record<string, unknown>';
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
  }
}

/**
 * The declarations of one kind, every shape inline (or, with `names`, the named ones by name; with `sameAs`, a spec
 * or status identical to an interface declared before extends it).
 */
export function renderKindTypes(
  model: KindModel,
  names: ShapeNames = inline,
  sameAs: { spec?: string | undefined; status?: string | undefined } = {},
): string {
  const versions = model.versions.map((version) => JSON.stringify(`${model.group}/${version}`)).join(' | ');
  const body = (node: SchemaNode, same: string | undefined) =>
    same === undefined ? bodyOf(node, '', names) : `extends ${same} {}`;
  return [
    `/** ${model.kind} (${model.armType}@${model.apiVersion}): spec. */`,
    `export interface ${model.kind}Spec ${body(specSchemaOf(model), sameAs.spec)}`,
    '',
    `/** ${model.kind}: status, as the operator reports it. */`,
    `export interface ${model.kind}Status ${body(statusSchemaOf(model), sameAs.status)}`,
    '',
    `/** A ${model.kind} object. */`,
    `export interface ${model.kind} {`,
    `  apiVersion: ${versions};`,
    `  kind: ${JSON.stringify(model.kind)};`,
    '  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: ' +
      'Record<string, string> };',
    `  spec: ${model.kind}Spec;`,
    `  status?: ${model.kind}Status;`,
    '}',
    '',
  ].join('\n');
}

/** The operator's own shapes, by the names ASO gives them. */
const wellKnownShapes: Array<[SchemaNode, string]> = [
  [keyReferenceSchema('Secret'), 'SecretReference'],
  [keyReferenceSchema('ConfigMap'), 'ConfigMapReference'],
  [resourceReferenceSchema(false), 'ResourceReference'],
  [resourceReferenceSchema(true), 'WellKnownResourceReference'],
  [conditionSchema(), 'Condition'],
  [destinationExpressionSchema(), 'DestinationExpression'],
];

/** The file of shapes shared by several groups. */
export const sharedTypesFile = 'shared';

/**
 * The declarations of `models` (hub versions), by file name without `.ts`: one per group (keyed by `groupOf`), plus
 * `shared` when several groups repeat a shape. Each group file imports the shared shapes it uses.
 */
export function renderTypeFiles(
  models: readonly KindModel[],
  groupOf: (model: KindModel) => string,
): Map<string, string> {
  const roots = models.flatMap((model) => [
    { group: groupOf(model), node: specSchemaOf(model) },
    { group: groupOf(model), node: statusSchemaOf(model) },
  ]);
  const reserved = new Set(models.flatMap((model) => [model.kind, `${model.kind}Spec`, `${model.kind}Status`]));
  const plan = planSharedShapes({ roots, reserved, inlineText: (node) => typeOf(node), preferred: wellKnownShapes });
  const used = new Set<string>();
  const names: ShapeNames = (node) => {
    const name = plan.nameOf(node);
    if (name !== undefined) used.add(name);
    return name;
  };
  const declare = (shape: SharedShape) => `export interface ${shape.name} ${bodyOf(shape.node, '', names)}\n`;
  const inShared = new Set(plan.shapes.filter((shape) => shape.home === 'shared').map((shape) => shape.name));
  const files = new Map<string, string>();
  for (const group of [...new Set(models.map(groupOf))]) {
    if (group === sharedTypesFile)
      throw new Error(`a group named ${sharedTypesFile} would overwrite the shared types file`);
    used.clear();
    // A kind whose spec (or status) is another's of its group, to the letter, extends that one's interface.
    const declared = new Map<string, string>();
    const sameAs = (node: SchemaNode, name: string): string | undefined => {
      const text = typeOf(node);
      const earlier = declared.get(text);
      if (earlier === undefined) declared.set(text, name);
      return earlier;
    };
    const kinds = models
      .filter((model) => groupOf(model) === group)
      .map((model) =>
        renderKindTypes(model, names, {
          spec: sameAs(specSchemaOf(model), `${model.kind}Spec`),
          status: sameAs(statusSchemaOf(model), `${model.kind}Status`),
        }),
      );
    const local = plan.shapes.filter((shape) => shape.home !== 'shared' && shape.home.group === group).map(declare);
    const imports = [...used].filter((name) => inShared.has(name)).sort();
    files.set(
      group,
      [
        ...(imports.length > 0 ? [`import type { ${imports.join(', ')} } from './${sharedTypesFile}.js';\n`] : []),
        ...kinds,
        ...(local.length > 0 ? ['// Shapes several of these kinds use.\n', ...local] : []),
      ].join('\n'),
    );
  }
  used.clear();
  const shared = plan.shapes.filter((shape) => shape.home === 'shared').map(declare);
  const stray = [...used].filter((name) => !inShared.has(name));
  if (stray.length > 0) throw new Error(`shared shapes refer to group shapes: ${stray.join(', ')}`);
  if (shared.length > 0) files.set(sharedTypesFile, ['// Shapes several groups use.\n', ...shared].join('\n'));
  return files;
}
