/**
 * Field sets for server-side apply, in Kubernetes' FieldsV1 vocabulary. A field path is a list of elements:
 *   "f:<name>"       a map field            (`.spec.replicas`)
 *   "k:<json>"       a list-map item by its keys, JSON with sorted keys (`k:{"name":"http"}` → `[name="http"]`)
 *   "v:<json>"       a set item by value     (`v:"x"` → `[="x"]`)
 * A set is held flat (one string per member path) and converted to/from the nested FieldsV1 form, where a leaf is
 * `{}` and a node that is itself a member and has children carries `".": {}`.
 * Which parts are granular comes from the schema: maps are granular unless `x-kubernetes-map-type: atomic`; lists
 * are atomic unless `x-kubernetes-list-type: set|map`; `metadata` always follows the ObjectMeta schema.
 */
import type { JSONSchemaProps } from '../schema/index.js';
import { objectMetaSchema } from '../schema/index.js';
import { hasOwn, isObject, jsonEqual } from './json.js';

/** A flat field set: member paths, each the path's elements joined by SEPARATOR. */
export type FieldSet = Set<string>;

const separator = '\u0000';

/** Joins path elements into a set member. */
export function joinPath(elements: readonly string[]): string {
  return elements.join(separator);
}

/** Splits a set member into its path elements. */
export function splitPath(member: string): string[] {
  return member === '' ? [] : member.split(separator);
}

/** Metadata fields the server owns; never tracked in managedFields (as Kubernetes strips them). */
const untrackedMetadata = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

function sortedKeyJson(item: Record<string, unknown>, keys: readonly string[]): string {
  const picked: Record<string, unknown> = {};
  for (const key of [...keys].sort()) if (item[key] !== undefined) picked[key] = item[key];
  return JSON.stringify(picked);
}

/** The schema of a map field (properties, then additionalProperties; the root's metadata is ObjectMeta). */
export function fieldSchema(
  schema: JSONSchemaProps | undefined,
  key: string,
  isRoot: boolean,
): JSONSchemaProps | undefined {
  if (isRoot && key === 'metadata') return objectMetaSchema;
  if (schema === undefined) return undefined;
  if (schema.properties !== undefined && hasOwn(schema.properties, key)) return schema.properties[key];
  if (isObject(schema.additionalProperties)) return schema.additionalProperties as JSONSchemaProps;
  return undefined;
}

/** The element naming `item` in a list with `schema`'s list type (undefined for atomic lists). */
export function itemElement(item: unknown, schema: JSONSchemaProps | undefined): string | undefined {
  const listType = schema?.['x-kubernetes-list-type'];
  if (listType === 'set') return `v:${JSON.stringify(item)}`;
  if (listType === 'map' && isObject(item))
    return `k:${sortedKeyJson(item, schema?.['x-kubernetes-list-map-keys'] ?? [])}`;
  return undefined;
}

/** The fields a value sets (every leaf and every set/map list item), as a flat set. */
export function fieldSetOf(value: unknown, schema: JSONSchemaProps | undefined): FieldSet {
  const set: FieldSet = new Set();
  collect(value, schema, [], set, true);
  return set;
}

function collect(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  path: string[],
  set: FieldSet,
  isRoot = false,
): void {
  if (isObject(value) && schema?.['x-kubernetes-map-type'] !== 'atomic') {
    const keys = Object.keys(value);
    if (keys.length === 0 && !isRoot) {
      set.add(joinPath(path));
      return;
    }
    const isMetadata = path.length === 1 && path[0] === 'f:metadata';
    for (const key of keys) {
      if (isRoot && (key === 'apiVersion' || key === 'kind')) continue;
      if (isMetadata && untrackedMetadata.has(key)) continue;
      const child = value[key];
      if (child === undefined) continue;
      collect(child, fieldSchema(schema, key, isRoot), [...path, `f:${key}`], set);
    }
    return;
  }
  if (Array.isArray(value)) {
    const listType = schema?.['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      for (const item of value) {
        const element = itemElement(item, schema);
        if (element === undefined) continue;
        const itemPath = [...path, element];
        set.add(joinPath(itemPath));
        if (listType === 'map' && isObject(item)) {
          for (const [key, child] of Object.entries(item))
            collect(child, fieldSchema(schema?.items, key, false), [...itemPath, `f:${key}`], set);
        }
      }
      if (value.length === 0) set.add(joinPath(path));
      return;
    }
  }
  set.add(joinPath(path));
}

/** Converts a flat set into the nested FieldsV1 form. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const members = [...set].map(splitPath);
  const memberNodes = new Set<Record<string, unknown>>();
  for (const elements of members) {
    let node = root;
    for (const element of elements) {
      const existing = node[element];
      const child: Record<string, unknown> = isObject(existing) ? existing : {};
      node[element] = child;
      node = child;
    }
    memberNodes.add(node);
  }
  const markSelf = (node: Record<string, unknown>): void => {
    for (const [key, child] of Object.entries(node)) {
      if (key === '.' || !isObject(child)) continue;
      if (memberNodes.has(child) && Object.keys(child).some((childKey) => childKey !== '.')) child['.'] = {};
      markSelf(child);
    }
  };
  markSelf(root);
  return sortFields(root);
}

function sortFields(node: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const keys = Object.keys(node).sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const child = node[key];
    result[key] = isObject(child) ? sortFields(child) : {};
  }
  return result;
}

/** Converts the nested FieldsV1 form into a flat set (malformed parts are ignored). */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set: FieldSet = new Set();
  const walk = (node: unknown, path: string[]): void => {
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    if (path.length > 0 && (keys.length === 0 || hasOwn(node, '.'))) set.add(joinPath(path));
    for (const key of keys) if (key !== '.') walk(node[key], [...path, key]);
  };
  walk(fields, []);
  return set;
}

/** Finds the value a path names in an object. */
export function valueAt(object: unknown, elements: readonly string[]): { found: boolean; value: unknown } {
  let current: unknown = object;
  for (const element of elements) {
    const step = stepInto(current, element);
    if (step === undefined) return { found: false, value: undefined };
    current = step.value;
  }
  return { found: true, value: current };
}

function stepInto(current: unknown, element: string): { value: unknown; index?: number } | undefined {
  const kind = element.slice(0, 2);
  const body = element.slice(2);
  if (kind === 'f:') return isObject(current) && hasOwn(current, body) ? { value: current[body] } : undefined;
  if (!Array.isArray(current)) return undefined;
  let wanted: unknown;
  try {
    wanted = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (kind === 'v:') {
    const index = current.findIndex((item) => jsonEqual(item, wanted));
    return index >= 0 ? { value: current[index], index } : undefined;
  }
  if (kind === 'k:' && isObject(wanted)) {
    const keys = Object.entries(wanted);
    const index = current.findIndex(
      (item) => isObject(item) && keys.every(([key, keyValue]) => jsonEqual(item[key], keyValue)),
    );
    return index >= 0 ? { value: current[index], index } : undefined;
  }
  if (kind === 'i:') {
    const index = Number(body);
    return Number.isInteger(index) && index >= 0 && index < current.length
      ? { value: current[index], index }
      : undefined;
  }
  return undefined;
}

/** Removes the field a path names from `object` (mutates it). Returns true when something was removed. */
export function removeAt(object: unknown, elements: readonly string[]): boolean {
  if (elements.length === 0) return false;
  const parent = valueAt(object, elements.slice(0, -1));
  if (!parent.found) return false;
  const last = elements[elements.length - 1] ?? '';
  const step = stepInto(parent.value, last);
  if (step === undefined) return false;
  if (last.startsWith('f:') && isObject(parent.value)) delete parent.value[last.slice(2)];
  else if (Array.isArray(parent.value) && step.index !== undefined) parent.value.splice(step.index, 1);
  else return false;
  return true;
}

/**
 * Formats a path as Kubernetes prints it in conflicts: `.spec.ports[name="http"].port`, `.metadata.finalizers[="x"]`.
 */
export function formatPath(elements: readonly string[]): string {
  return elements
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return `.${body}`;
      if (element.startsWith('v:')) return `[=${body}]`;
      if (element.startsWith('i:')) return `[${body}]`;
      if (element.startsWith('k:')) {
        try {
          const keys = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(keys)
            .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
            .join(',')}]`;
        } catch {
          return `[${body}]`;
        }
      }
      return element;
    })
    .join('');
}

/** True when `member` lies strictly under `ancestor`. */
export function isUnder(member: string, ancestor: string): boolean {
  return member.startsWith(ancestor + separator);
}
