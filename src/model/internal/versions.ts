/**
 * Conversion of an object between the served versions of a kind. Each version's spec and status shapes come from
 * its own model, so conversion is structural: every field the target version knows (by name, with a value its type
 * and enum accept; an enum value in the target's spelling when they differ only in case) is kept; every other field is
 * kept in the annotation {@link conversionAnnotation} (as Kubernetes'
 * conversion convention does), from which a later conversion to a version that knows the field restores it. So
 * A → hub → A and A → hub → B → hub → A give the object back unchanged.
 */
import type { KindModel } from '../types.js';
import { specSchemaOf, statusSchemaOf } from './kube-schema.js';

/** The annotation holding the fields the object's current version cannot represent: JSON `[[path, value], …]`. */
export const conversionAnnotation = 'azo.dev/fields-from-other-versions';

/** What conversion reads of a schema: a model `SchemaNode` or a CRD's JSONSchemaProps both fit. */
export interface ShapeSchema {
  type?: string;
  properties?: Record<string, ShapeSchema>;
  additionalProperties?: ShapeSchema | boolean;
  items?: ShapeSchema;
  enum?: unknown[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** A Kubernetes object, as far as conversion reads it. */
export type ConvertibleObject = Record<string, unknown> & { apiVersion?: unknown; metadata?: unknown };

type Path = Array<string | number>;
type Stash = Array<[Path, unknown]>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const acceptsAnything = (schema: ShapeSchema) =>
  schema.type === 'any' || (schema.type === undefined && schema['x-kubernetes-preserve-unknown-fields'] === true);

/** The schema of a property of an object schema, if it has one. */
function propertySchema(schema: ShapeSchema, key: string): ShapeSchema | undefined {
  const own = schema.properties?.[key];
  if (own) return own;
  if (isRecord(schema.additionalProperties)) return schema.additionalProperties as ShapeSchema;
  if (
    schema.additionalProperties === true ||
    (schema.properties === undefined && schema['x-kubernetes-preserve-unknown-fields'])
  )
    return { type: 'any' };
  return undefined;
}

/** true when a scalar value has the schema's type and is one of its enum values (if any). */
function scalarFits(value: unknown, schema: ShapeSchema): boolean {
  if (schema.enum && !schema.enum.includes(value)) return false;
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return false;
  }
}

/**
 * `value` cut to what `schema` knows; the cut-off fields are pushed on `dropped` with their path. Returns
 * `undefined` when the value as a whole does not fit. An array either fits whole or is dropped whole (restoring
 * single items by index would be ambiguous).
 */
function fit(value: unknown, schema: ShapeSchema | undefined, path: Path, dropped: Stash): unknown {
  if (!schema) return undefined;
  if (acceptsAnything(schema)) return value;
  if (schema.type === 'object') {
    if (!isRecord(value)) return undefined;
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const fitted = fit(child, propertySchema(schema, key), [...path, key], dropped);
      if (fitted === undefined) dropped.push([[...path, key], child]);
      else result[key] = fitted;
    }
    return result;
  }
  if (schema.type === 'array') {
    if (!Array.isArray(value)) return undefined;
    const inner: Stash = [];
    const items = value.map((item, index) => fit(item, schema.items ?? { type: 'any' }, [...path, index], inner));
    return inner.length > 0 || items.includes(undefined) ? undefined : items;
  }
  if (scalarFits(value, schema)) return value;
  const spelling = enumSpelling(value, schema);
  return spelling !== undefined && scalarFits(spelling, schema) ? spelling : undefined;
}

/**
 * The target enum's spelling of a string that matches one of its values only case-insensitively (PostgreSQL's
 * `standalone` at 2024-08-01 is `Standalone` at 2025-08-01): ARM compares enums that way, and so does ASO's
 * conversion between versions. Undefined when there is no such value, or more than one.
 */
function enumSpelling(value: unknown, schema: ShapeSchema): unknown {
  if (typeof value !== 'string' || !schema.enum) return undefined;
  const matches = schema.enum.filter(
    (allowed) => typeof allowed === 'string' && allowed.toLowerCase() === value.toLowerCase(),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

/** The schema at `path` under `schema`, if the path is representable. */
function schemaAt(schema: ShapeSchema, path: Path): ShapeSchema | undefined {
  let current: ShapeSchema | undefined = schema;
  for (const step of path) {
    if (!current) return undefined;
    if (acceptsAnything(current)) return current;
    current =
      typeof step === 'number'
        ? current.type === 'array'
          ? (current.items ?? { type: 'any' })
          : undefined
        : current.type === 'object'
          ? propertySchema(current, step)
          : undefined;
  }
  return current;
}

/**
 * Puts `value` at `path` in `root`, creating missing objects on the way; false (and nothing changed) when not possible.
 */
function restore(root: Record<string, unknown>, path: Path, value: unknown): boolean {
  const walk = (create: boolean): boolean => {
    let current: unknown = root;
    for (const [index, step] of path.entries()) {
      const last = index === path.length - 1;
      if (typeof step === 'number') {
        if (last || !Array.isArray(current) || step >= current.length) return false;
        current = current[step];
      } else if (current === undefined && !create) {
        // A missing object on the way: created on the second pass.
        if (last) return true;
      } else if (!isRecord(current)) {
        return false;
      } else if (last) {
        if (step in current) return false;
        if (create) current[step] = value;
        return true;
      } else {
        if (create && current[step] === undefined) current[step] = {};
        current = current[step];
      }
    }
    return false;
  };
  return walk(false) && walk(true);
}

function readStash(metadata: Record<string, unknown>): Stash {
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const text = annotations[conversionAnnotation];
  if (typeof text !== 'string') return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed)
      ? (parsed.filter((entry) => Array.isArray(entry) && Array.isArray(entry[0])) as Stash)
      : [];
  } catch {
    return [];
  }
}

/**
 * `object` converted to `toApiVersion`, whose whole-object schema (with `spec` and `status` properties, as a CRD
 * version's openAPIV3Schema or {@link objectShapeOf}) is `toSchema`. Pure: `object` is not changed.
 */
export function convertWithSchema(
  object: ConvertibleObject,
  toApiVersion: string,
  toSchema: ShapeSchema,
): ConvertibleObject {
  const metadata = isRecord(object.metadata) ? structuredClone(object.metadata) : {};
  const stash = readStash(metadata);
  const dropped: Stash = [];
  const result: ConvertibleObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'metadata' || key === 'apiVersion' || key === 'kind') continue;
    const fitted = fit(value, toSchema.properties?.[key], [key], dropped);
    if (fitted === undefined) dropped.push([[key], value]);
    else result[key] = structuredClone(fitted);
  }
  const kept: Stash = [];
  for (const [path, value] of stash) {
    const schema = schemaAt(toSchema, path);
    const fitted = schema ? fit(value, schema, path, []) : undefined;
    const restorable = fitted !== undefined && JSON.stringify(fitted) === JSON.stringify(value);
    if (!restorable || !restore(result, path, structuredClone(value))) kept.push([path, value]);
  }
  const annotations = isRecord(metadata.annotations) ? { ...metadata.annotations } : {};
  delete annotations[conversionAnnotation];
  const remaining = [...kept, ...dropped];
  if (remaining.length > 0) annotations[conversionAnnotation] = JSON.stringify(remaining);
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { apiVersion: toApiVersion, ...(object.kind !== undefined ? { kind: object.kind } : {}), metadata, ...result };
}

/** The whole-object shape of a kind-version (spec and status from its model), for {@link convertWithSchema}. */
export function objectShapeOf(model: KindModel): ShapeSchema {
  return {
    type: 'object',
    properties: { spec: specSchemaOf(model) as ShapeSchema, status: statusSchemaOf(model) as ShapeSchema },
  };
}

/**
 * {@link convertWithSchema} with the target schema as a plain object (a CRD version's openAPIV3Schema): the
 * signature the embedded API server's in-process conversion takes.
 */
export function convertBySchema<T extends object>(object: T, toApiVersion: string, toSchema: object): T {
  return convertWithSchema(object as ConvertibleObject, toApiVersion, toSchema as ShapeSchema) as unknown as T;
}
