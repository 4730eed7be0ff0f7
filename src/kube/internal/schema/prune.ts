/**
 * Pruning of unknown fields, as Kubernetes' structural pruning does (apiextensions-apiserver schema/pruning):
 * - the root is treated as an embedded resource: `apiVersion` and `kind` (strings) are kept, and `metadata` is
 *   pruned against the ObjectMeta schema (unknown metadata fields are dropped and reported, e.g. "metadata.foo");
 * - an object drops keys that are neither in `properties` nor covered by an `additionalProperties` schema;
 * - under `x-kubernetes-preserve-unknown-fields: true` unknown keys are kept as they are, while known properties
 *   are still pruned by their own schemas;
 * - `x-kubernetes-embedded-resource: true` nodes keep `apiVersion`/`kind` and prune their `metadata` like ObjectMeta;
 * - arrays prune every item against `items`; values of the wrong type are left alone (validation reports them).
 */
import { objectMetaSchema } from './object-meta.js';
import type { JSONSchemaProps } from './types.js';
import { childPath, cloneJson, indexPath, isObject } from './util.js';

/** Removes fields the schema does not know (keeps apiVersion/kind/metadata at the root, honours
 *  preserve-unknown-fields and embedded resources). Returns a pruned copy and the paths pruned ("spec.foo"). */
export function pruneUnknownFields(object: unknown, schema: JSONSchemaProps): { value: unknown; pruned: string[] } {
  const value = cloneJson(object);
  const pruned: string[] = [];
  const root: JSONSchemaProps =
    schema['x-kubernetes-embedded-resource'] === true ? schema : { ...schema, 'x-kubernetes-embedded-resource': true };
  prune(value, root, '', pruned, true);
  return { value, pruned };
}

/** Prunes a value that is not a whole object (no root apiVersion/kind/metadata rule), e.g. a schema default. */
export function pruneValue(object: unknown, schema: JSONSchemaProps): { value: unknown; pruned: string[] } {
  const value = cloneJson(object);
  const pruned: string[] = [];
  prune(value, schema, '', pruned);
  return { value, pruned };
}

/** Prunes `value` in place against `schema` (undefined: nothing is known, so every object key goes). */
function prune(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
  pruned: string[],
  isRoot = false,
): void {
  if (schema !== undefined && preservesUnknown(schema)) {
    skipPrune(value, schema, path, pruned);
    return;
  }
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const child = value[key];
      const keyPath = childPath(path, key);
      if (schema !== undefined && handleEmbedded(value, key, schema, keyPath, pruned)) continue;
      const childSchema = schemaForKey(schema, key);
      if (childSchema !== undefined) prune(child, childSchema, keyPath, pruned);
      else if (isRoot && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      else {
        pruned.push(keyPath);
        delete value[key];
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => prune(item, schema?.items, indexPath(path, index), pruned));
  }
}

/** Under preserve-unknown-fields: unknown keys stay untouched; known ones are pruned by their schemas. */
function skipPrune(value: unknown, schema: JSONSchemaProps | undefined, path: string, pruned: string[]): void {
  if (schema === undefined) return;
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const keyPath = childPath(path, key);
      if (handleEmbedded(value, key, schema, keyPath, pruned)) continue;
      const childSchema = schemaForKey(schema, key);
      if (childSchema !== undefined) prune(value[key], childSchema, keyPath, pruned);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => skipPrune(item, schema.items, indexPath(path, index), pruned));
  }
}

/** Embedded resources keep string apiVersion/kind and prune metadata like ObjectMeta. True when `key` was handled. */
function handleEmbedded(
  object: Record<string, unknown>,
  key: string,
  schema: JSONSchemaProps,
  keyPath: string,
  pruned: string[],
): boolean {
  if (schema['x-kubernetes-embedded-resource'] !== true) return false;
  if (key === 'apiVersion' || key === 'kind') return typeof object[key] === 'string';
  if (key === 'metadata') {
    prune(object[key], objectMetaSchema, keyPath, pruned);
    return true;
  }
  return false;
}

function schemaForKey(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (schema === undefined) return undefined;
  const properties = schema.properties;
  if (properties !== undefined && Object.prototype.hasOwnProperty.call(properties, key)) return properties[key];
  const additional = schema.additionalProperties;
  if (isObject(additional)) return additional as JSONSchemaProps;
  if (additional === true) return { 'x-kubernetes-preserve-unknown-fields': true };
  return undefined;
}

function preservesUnknown(schema: JSONSchemaProps): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true;
}
