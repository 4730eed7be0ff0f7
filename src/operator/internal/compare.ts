/**
 * The one comparison that decides whether to write to Azure: does Azure's resource differ from the desired ARM body?
 * Only fields the user sets are compared (Azure's defaults and extra fields are ignored); read-only fields are
 * ignored; write-only fields (passwords) are never returned by Azure, so they are listed separately and sent only
 * when the spec changed; enums, ARM IDs and locations compare without case (locations also without spaces); a map
 * (`tags`) must have exactly the desired keys; missing and empty objects/arrays are the same.
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

function compareValue(desired: unknown, actual: unknown, schema: SchemaNode | undefined, path: string, result: Comparison): void {
  if (desired === undefined || desired === null) return;
  if (schema?.readOnly === true) return;
  if (schema?.writeOnly === true) {
    result.writeOnly.push(path);
    return;
  }
  if (Array.isArray(desired)) {
    const actualArray = Array.isArray(actual) ? actual : actual === undefined || actual === null ? [] : undefined;
    if (actualArray === undefined || actualArray.length !== desired.length) {
      result.differences.push(path);
      return;
    }
    desired.forEach((item, index) => compareValue(item, actualArray[index], schema?.items, `${path}[${index}]`, result));
    return;
  }
  if (isRecord(desired)) {
    const actualRecord = isRecord(actual) ? actual : actual === undefined || actual === null ? {} : undefined;
    if (actualRecord === undefined) {
      result.differences.push(path);
      return;
    }
    const isMap = schema !== undefined
      ? schema.additionalProperties !== undefined && schema.properties === undefined
      : path === 'tags';
    for (const [key, value] of Object.entries(desired)) {
      const child = schema?.properties?.[key] ?? schema?.additionalProperties ?? discriminatedProperty(schema, desired, key);
      compareValue(value, actualRecord[key], child, join(path, key), result);
    }
    if (isMap) {
      for (const key of Object.keys(actualRecord)) if (!(key in desired)) result.differences.push(join(path, key));
    }
    return;
  }
  if (!scalarsEqual(desired, actual, schema, path)) result.differences.push(path);
}

function scalarsEqual(desired: unknown, actual: unknown, schema: SchemaNode | undefined, path: string): boolean {
  if (desired === actual) return true;
  if (actual === undefined || actual === null) return false;
  if (typeof desired === 'string' && typeof actual === 'string') {
    if (path === 'location' || path.endsWith('.location')) return normalizeLocation(desired) === normalizeLocation(actual);
    if (path === 'name') return desired.toLowerCase() === actual.toLowerCase();
    if (schema?.enum !== undefined || schema?.reference === true || looksLikeArmId(desired)) return desired.toLowerCase() === actual.toLowerCase();
    return false;
  }
  if (typeof desired === 'number' || typeof actual === 'number') return Number(desired) === Number(actual);
  if (typeof desired === 'boolean' && typeof actual === 'string') return String(desired) === actual.toLowerCase();
  return false;
}

function discriminatedProperty(schema: SchemaNode | undefined, desired: Record<string, unknown>, key: string): SchemaNode | undefined {
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
