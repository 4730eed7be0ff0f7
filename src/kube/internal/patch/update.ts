/**
 * Records an Update operation (create, update, patch) in managedFields: the writer gains every field whose value
 * it changed (on create: every field), all other managers lose those fields and any field the write removed.
 * If the request itself rewrote metadata.managedFields (e.g. kubectl's client-side → server-side apply migration)
 * that list is the starting point; an explicit empty list clears ownership entirely (Kubernetes' reset).
 */
import type { JSONSchemaProps } from '../schema/index.js';
import { fieldSetOf, splitPath, valueAt } from './field-set.js';
import { cloneJson, isObject, jsonEqual } from './json.js';
import { entryFor, parseManagedFields, pruneToObject, writeManagedFields } from './managed-fields.js';

/** Records an Update operation by `manager` (create/update/patch writers) in managedFields: the manager gains the
 *  fields it changed, and other managers lose them. `schema` (optional) gives list/map granularity (default: lists
 *  atomic, maps granular, metadata as ObjectMeta). */
export function recordUpdate(options: {
  previous: Record<string, unknown> | undefined;
  next: Record<string, unknown>;
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
  schema?: JSONSchemaProps;
}): Record<string, unknown> {
  const { previous, next, schema } = options;
  const previousList = isObject(previous?.metadata) ? previous.metadata.managedFields : undefined;
  const requestList = isObject(next.metadata) ? next.metadata.managedFields : undefined;
  const rewritten = previous !== undefined && requestList !== undefined && !jsonEqual(requestList, previousList);
  if (rewritten && Array.isArray(requestList) && requestList.length === 0)
    return writeManagedFields(cloneJson(next), []);
  const owned = parseManagedFields(rewritten ? requestList : previous === undefined ? undefined : previousList);

  const before = previous === undefined ? new Set<string>() : fieldSetOf(previous, schema);
  const after = fieldSetOf(next, schema);
  const changed: string[] = [];
  for (const member of after) {
    if (!before.has(member)) {
      changed.push(member);
      continue;
    }
    const elements = splitPath(member);
    const last = elements[elements.length - 1] ?? '';
    if (last.startsWith('k:') || last.startsWith('v:')) continue;
    if (!jsonEqual(valueAt(previous, elements).value, valueAt(next, elements).value)) changed.push(member);
  }
  const removed = [...before].filter((member) => !after.has(member));

  if (changed.length > 0) {
    const own = entryFor(owned, {
      manager: options.manager,
      operation: 'Update',
      apiVersion: options.apiVersion,
      now: options.now,
      subresource: options.subresource,
    });
    for (const item of owned) {
      if (item === own) continue;
      for (const member of [...changed, ...removed]) if (item.set.delete(member)) item.touched = true;
    }
    for (const member of changed) own.set.add(member);
    own.entry = { ...own.entry, apiVersion: options.apiVersion, time: options.now };
  }
  for (const item of owned) for (const member of removed) item.set.delete(member);
  pruneToObject(owned, next);
  return writeManagedFields(cloneJson(next), owned);
}
