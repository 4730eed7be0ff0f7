/**
 * Server-side apply with field ownership (managedFields, FieldsV1).
 *
 * The model (simplified but consistent with Kubernetes for what kubectl and operators do):
 * - The applied configuration's field set is every leaf it sets (scalars, atomic lists, empty maps, atomic maps)
 *   plus every item of `x-kubernetes-list-type: set|map` lists (with the item's own fields for map lists).
 *   apiVersion, kind and server-owned metadata (name, namespace, uid, resourceVersion, generation, timestamps,
 *   managedFields) are never owned. `metadata` follows ObjectMeta: finalizers is a set, ownerReferences a map by uid.
 * - Merge: maps are granular (unless `x-kubernetes-map-type: atomic`), lists atomic unless list-type set (union)
 *   or map (items merged by their keys); `null` in the applied configuration deletes the field and owns nothing.
 * - Fields this manager applied before (its previous Apply entry for the same subresource) and omits now are
 *   removed from the object unless another manager owns them (or something under them).
 * - Conflict: a field of the applied set, owned by another manager (any operation), whose value would change.
 *   Without force the object is returned unchanged with the conflicts; with force ownership moves to the applier.
 *   Fields set to the value they already have become shared (both managers own them).
 * Limits: no per-version field conversion (sets are kept as they are when apiVersion changes); conflicts only on
 * exact paths (not on a parent an atomic owner holds while the applier sets a child); list-map items are matched
 * by their keys only; `i:` (index) elements are read but never produced; the applier's own Update entry is
 * neither a conflict source nor merged into its Apply entry.
 */
import type { JSONSchemaProps } from '../schema/index.js';
import {
  fieldSchema,
  fieldSetOf,
  formatPath,
  isUnder,
  itemElement,
  removeAt,
  splitPath,
  valueAt,
} from './field-set.js';
import { cloneJson, isObject, jsonEqual, setOwn } from './json.js';
import {
  entryFor,
  pruneToObject,
  readManagedFields,
  writeManagedFields,
  type FieldManagerConflict,
} from './managed-fields.js';

/** Server-side apply: merges `applied` into `live` (undefined → create) per schema list types (atomic unless
 *  list-type map/set), removes fields this manager applied before and omits now (unless another manager owns them),
 *  detects conflicts with other managers unless force. Returns the new object with metadata.managedFields updated.
 *  With conflicts (and no force) `object` is a copy of `live` (or of `applied` for a create) and must not be stored. */
export function serverSideApply(options: {
  live: Record<string, unknown> | undefined;
  applied: Record<string, unknown>;
  manager: string;
  force: boolean;
  apiVersion: string;
  schema?: JSONSchemaProps;
  now: string;
  subresource?: string;
}): { object: Record<string, unknown>; conflicts: FieldManagerConflict[] } {
  const { manager, schema } = options;
  const applied = withoutManagedFields(options.applied);
  const live = options.live === undefined ? undefined : cloneJson(options.live);
  const appliedSet = fieldSetOf(stripNulls(applied), schema);
  const owned = readManagedFields(live);
  const own = entryFor(owned, {
    manager,
    operation: 'Apply',
    apiVersion: options.apiVersion,
    now: options.now,
    subresource: options.subresource,
  });
  const others = owned.filter((item) => item !== own && item.entry.manager !== manager);

  const merged = mergeApplied(live === undefined ? {} : cloneJson(live), applied, schema, true) as Record<
    string,
    unknown
  >;

  // Fields this manager applied before and omits now go, unless someone else owns them (or something under them).
  const dropped = [...own.set].filter((member) => !appliedSet.has(member));
  dropped.sort((a, b) => splitPath(a).length - splitPath(b).length); // parents first: a removed item takes its fields
  for (const member of dropped) {
    const ownedElsewhere = owned.some(
      (item) => item !== own && [...item.set].some((held) => held === member || isUnder(held, member)),
    );
    if (!ownedElsewhere) removeAt(merged, splitPath(member));
  }

  const conflicts: FieldManagerConflict[] = [];
  const conflicting = new Map<(typeof others)[number], string[]>();
  if (live !== undefined) {
    for (const member of appliedSet) {
      const elements = splitPath(member);
      const before = valueAt(live, elements);
      const after = valueAt(merged, elements);
      if (before.found && after.found && (isItemElement(elements) || jsonEqual(before.value, after.value))) continue;
      for (const other of others) {
        if (!other.set.has(member)) continue;
        conflicts.push({
          manager: other.entry.manager,
          field: formatPath(elements),
          apiVersion: other.entry.apiVersion,
        });
        conflicting.set(other, [...(conflicting.get(other) ?? []), member]);
      }
    }
  }
  if (conflicts.length > 0 && !options.force) {
    return { object: live ?? cloneJson(options.applied), conflicts };
  }
  for (const [other, members] of conflicting) {
    for (const member of members) {
      for (const held of [...other.set]) if (held === member || isUnder(held, member)) other.set.delete(held);
    }
    other.touched = true;
  }

  own.set = appliedSet;
  own.entry = { ...own.entry, apiVersion: options.apiVersion, time: options.now };
  own.touched = true;
  pruneToObject(owned, merged);
  return { object: writeManagedFields(merged, owned), conflicts: options.force ? conflicts : [] };
}

function isItemElement(elements: string[]): boolean {
  const last = elements[elements.length - 1] ?? '';
  return last.startsWith('k:') || last.startsWith('v:');
}

function withoutManagedFields(applied: Record<string, unknown>): Record<string, unknown> {
  const copy = cloneJson(applied);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/** A copy without null-valued map fields (nulls delete and own nothing). */
function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) setOwn(result, key, stripNulls(child));
  return result;
}

/** Merges an applied configuration into `target` (owned by the caller) following the schema's map/list types. */
function mergeApplied(target: unknown, applied: unknown, schema: JSONSchemaProps | undefined, isRoot = false): unknown {
  if (isObject(applied)) {
    if (!isObject(target) || schema?.['x-kubernetes-map-type'] === 'atomic') return stripNulls(applied);
    for (const [key, value] of Object.entries(applied)) {
      if (value === null) delete target[key];
      else setOwn(target, key, mergeApplied(target[key], value, fieldSchema(schema, key, isRoot)));
    }
    return target;
  }
  if (Array.isArray(applied)) {
    const listType = schema?.['x-kubernetes-list-type'];
    if (!Array.isArray(target) || (listType !== 'set' && listType !== 'map')) return stripNulls(applied);
    const result = [...target];
    for (const item of applied) {
      const element = itemElement(item, schema);
      const index =
        element === undefined ? -1 : result.findIndex((existing) => itemElement(existing, schema) === element);
      if (index < 0) result.push(stripNulls(item));
      else if (listType === 'map') result[index] = mergeApplied(result[index], item, schema?.items);
    }
    return result;
  }
  return applied;
}
