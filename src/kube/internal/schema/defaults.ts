/**
 * Defaulting, as Kubernetes' structural defaulting does: first `null`s of non-nullable fields without a default are
 * dropped (PruneNonNullableNullsWithoutDefaults), then every absent field (or non-nullable `null`) whose schema has a
 * `default` gets a copy of it, recursively, including inside defaulted values, array items and additionalProperties.
 */
import type { JSONSchemaProps } from './types.js';
import { cloneJson, isObject } from './util.js';

/** Applies `default`s recursively (returns a copy); nulls on non-nullable fields are dropped first. */
export function applyDefaults(object: unknown, schema: JSONSchemaProps): unknown {
  const value = cloneJson(object);
  dropNonNullableNulls(value, schema);
  applyDefaultsInPlace(value, schema);
  return value;
}

function childSchemaOf(schema: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  const properties = schema.properties;
  if (properties !== undefined && Object.prototype.hasOwnProperty.call(properties, key)) return properties[key];
  return isObject(schema.additionalProperties) ? (schema.additionalProperties as JSONSchemaProps) : undefined;
}

function hasDefault(schema: JSONSchemaProps | undefined): boolean {
  return schema !== undefined && schema.default !== undefined && schema.default !== null;
}

/** Deletes `null` values of non-nullable object fields that have no default. */
function dropNonNullableNulls(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (schema === undefined) return;
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const childSchema = childSchemaOf(schema, key);
      if (childSchema === undefined) continue;
      const child = value[key];
      if (child === null && childSchema.nullable !== true && !hasDefault(childSchema)) delete value[key];
      else dropNonNullableNulls(child, childSchema);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) dropNonNullableNulls(item, schema.items);
  }
}

function isNonNullableNullWithDefault(value: unknown, schema: JSONSchemaProps | undefined): schema is JSONSchemaProps {
  return value === null && schema !== undefined && hasDefault(schema) && schema.nullable !== true;
}

function applyDefaultsInPlace(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (schema === undefined) return;
  if (isObject(value)) {
    for (const [key, propertySchema] of Object.entries(schema.properties ?? {})) {
      if (!hasDefault(propertySchema)) continue;
      const present = Object.prototype.hasOwnProperty.call(value, key);
      if (!present || isNonNullableNullWithDefault(value[key], propertySchema))
        value[key] = cloneJson(propertySchema.default);
    }
    for (const key of Object.keys(value)) {
      const childSchema = childSchemaOf(schema, key);
      if (childSchema === undefined) continue;
      if (isNonNullableNullWithDefault(value[key], childSchema)) value[key] = cloneJson(childSchema.default);
      applyDefaultsInPlace(value[key], childSchema);
    }
  } else if (Array.isArray(value)) {
    const items = schema.items;
    for (let index = 0; index < value.length; index++) {
      if (isNonNullableNullWithDefault(value[index], items)) value[index] = cloneJson(items.default);
      applyDefaultsInPlace(value[index], items);
    }
  }
}
