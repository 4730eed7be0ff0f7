/** Small pure helpers on JSON values: deep equality, random names, spec-part comparison for generation bumps. */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from './types.js';
import { isObject } from './types.js';

/** Structural equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, index) => deepEqual(value, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const aKeys = Object.keys(a).filter((key) => a[key] !== undefined);
    const bKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    if (aKeys.length !== bKeys.length) return false;
    return aKeys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters for generateName (Kubernetes avoids vowels and confusable digits). */
export function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let suffix = '';
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length] ?? 'x';
  return suffix;
}

/** The desired-state part of an object: everything except metadata (and status when it is a subresource). */
export function desiredState(object: KubeObject, statusIsSubresource: boolean): Record<string, unknown> {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return statusIsSubresource ? rest : { ...rest, status: _status };
}

/** Whether a JSON schema mentions `default` anywhere (then defaults are applied on reads too). */
export function schemaHasDefaults(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(schemaHasDefaults);
  if (!isObject(schema)) return false;
  if ('default' in schema) return true;
  return Object.values(schema).some(schemaHasDefaults);
}
