/**
 * The drift comparison: does Azure's resource differ from the desired ARM body on the fields the user sets? Azure's
 * defaults and extra fields are ignored, and so are read-only fields; write-only fields (passwords) are never
 * returned by Azure, so they are listed apart (the desired-state digest decides when they are sent). Azure's
 * normalizations are not drift: enums, ARM IDs (values and map keys, e.g. `userAssignedIdentities`) and `name`
 * compare without case, locations without case or spaces; arrays whose items all carry a `name` (or `id`) compare as
 * sets keyed by it, in any order; a map (`tags`) must have exactly the desired keys; missing and empty
 * objects/arrays are the same.
 */
import type { SchemaNode } from '../../model/index.js';

/** The result of `compareDesired`. */
export interface Comparison {
  /** Dotted paths where Azure differs from desired (`properties.minimumTlsVersion`, `tags.env`). Empty: up to date. */
  differences: string[];
  /** Desired write-only paths whose Azure value cannot be seen. */
  writeOnly: string[];
}

/** Compares `desired` (the ARM body the operator would PUT) with `actual` (Azure's GET body) under `schema`. */
export function compareDesired(desired: unknown, actual: unknown, schema: SchemaNode | undefined): Comparison {
  const result: Comparison = { differences: [], writeOnly: [] };
  compareValue(desired, actual, schema, '', result);
  return result;
}

function compareValue(
  desired: unknown,
  actual: unknown,
  schema: SchemaNode | undefined,
  path: string,
  result: Comparison,
): void {
  if (desired === undefined || desired === null) return;
  if (schema?.readOnly === true) return;
  if (schema?.writeOnly === true) {
    result.writeOnly.push(path);
    return;
  }
  if (Array.isArray(desired)) {
    compareArray(desired, actual, schema, path, result);
    return;
  }
  if (isRecord(desired)) {
    compareRecord(desired, actual, schema, path, result);
    return;
  }
  if (!scalarsEqual(desired, actual, schema, path)) result.differences.push(path);
}

function compareArray(
  desired: unknown[],
  actual: unknown,
  schema: SchemaNode | undefined,
  path: string,
  result: Comparison,
): void {
  const actualArray = Array.isArray(actual) ? actual : actual === undefined || actual === null ? [] : undefined;
  if (actualArray === undefined || actualArray.length !== desired.length) {
    result.differences.push(path);
    return;
  }
  const identity = identityProperty(desired);
  if (identity === undefined) {
    desired.forEach((item, index) =>
      compareValue(item, actualArray[index], schema?.items, `${path}[${index}]`, result),
    );
    return;
  }
  const byKey = new Map<string, unknown>();
  for (const item of actualArray) {
    const key = isRecord(item) ? item[identity] : undefined;
    if (typeof key === 'string') byKey.set(key.toLowerCase(), item);
  }
  for (const item of desired as Array<Record<string, unknown>>) {
    const key = String(item[identity]);
    const match = byKey.get(key.toLowerCase());
    if (match === undefined) {
      result.differences.push(`${path}[${identity}=${key}]`);
      continue;
    }
    // The key itself matched without case (ARM names and IDs are case-insensitive): compare the rest.
    const { [identity]: _key, ...rest } = item;
    compareValue(rest, match, schema?.items, `${path}[${identity}=${key}]`, result);
  }
}

/** `name` (else `id`) when every item is an object with a distinct string value for it: the array is a keyed set. */
function identityProperty(items: unknown[]): string | undefined {
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  for (const property of ['name', 'id']) {
    const keys = (items as Array<Record<string, unknown>>).map((item) => item[property]);
    if (!keys.every((key) => typeof key === 'string' && key !== '')) continue;
    if (new Set(keys.map((key) => (key as string).toLowerCase())).size === keys.length) return property;
  }
  return undefined;
}

function compareRecord(
  desired: Record<string, unknown>,
  actual: unknown,
  schema: SchemaNode | undefined,
  path: string,
  result: Comparison,
): void {
  const actualRecord = isRecord(actual) ? actual : actual === undefined || actual === null ? {} : undefined;
  if (actualRecord === undefined) {
    result.differences.push(path);
    return;
  }
  const isMap =
    schema !== undefined
      ? schema.additionalProperties !== undefined && schema.properties === undefined
      : path === 'tags';
  const lookup = (key: string): unknown => {
    if (key in actualRecord || !isMap || !looksLikeArmId(key)) return actualRecord[key];
    const found = Object.keys(actualRecord).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : actualRecord[found];
  };
  for (const [key, value] of Object.entries(desired)) {
    const child =
      schema?.properties?.[key] ?? schema?.additionalProperties ?? discriminatedProperty(schema, desired, key);
    compareValue(value, isMap ? lookup(key) : actualRecord[key], child, join(path, key), result);
  }
  if (!isMap) return;
  const desiredKeys = new Set(Object.keys(desired).map((key) => (looksLikeArmId(key) ? key.toLowerCase() : key)));
  for (const key of Object.keys(actualRecord)) {
    if (!desiredKeys.has(looksLikeArmId(key) ? key.toLowerCase() : key)) result.differences.push(join(path, key));
  }
}

function scalarsEqual(desired: unknown, actual: unknown, schema: SchemaNode | undefined, path: string): boolean {
  if (desired === actual) return true;
  if (actual === undefined || actual === null) return false;
  if (typeof desired === 'string' && typeof actual === 'string') {
    if (path === 'location' || path.endsWith('.location'))
      return normalizeLocation(desired) === normalizeLocation(actual);
    if (path === 'name') return desired.toLowerCase() === actual.toLowerCase();
    if (schema?.enum !== undefined || schema?.reference === true || looksLikeArmId(desired))
      return desired.toLowerCase() === actual.toLowerCase();
    return false;
  }
  if (typeof desired === 'number' || typeof actual === 'number') return Number(desired) === Number(actual);
  if (typeof desired === 'boolean' && typeof actual === 'string') return String(desired) === actual.toLowerCase();
  return false;
}

function discriminatedProperty(
  schema: SchemaNode | undefined,
  desired: Record<string, unknown>,
  key: string,
): SchemaNode | undefined {
  const discriminator = schema?.discriminator;
  if (discriminator === undefined) return undefined;
  const value = desired[discriminator.property];
  return typeof value === 'string' ? discriminator.variants[value]?.properties?.[key] : undefined;
}

function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

function looksLikeArmId(value: string): boolean {
  return /^\/subscriptions\/[^/]+\//i.test(value) || /^\/providers\//i.test(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
