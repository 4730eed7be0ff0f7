/** managedFields entries (metadata.managedFields) read into flat field sets and written back. */
import { fromFieldsV1, toFieldsV1, valueAt, splitPath, type FieldSet } from './field-set.js';
import { isObject } from './json.js';

/** One field manager's set of owned fields, as stored in metadata.managedFields. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** A field owned by another manager that an apply would change: 409 unless force. */
export interface FieldManagerConflict {
  manager: string;
  field: string /* ".spec.replicas" */;
  /** The apiVersion of the other manager's entry (for "conflict with \"m\" using example.com/v1"). */
  apiVersion?: string;
}

/** Kubernetes' 409 message for apply conflicts: `Apply failed with 1 conflict: conflict with "m" using v1: .spec.x`. */
export function formatConflictMessage(conflicts: readonly FieldManagerConflict[]): string {
  const describe = (conflict: FieldManagerConflict): string =>
    `conflict with ${JSON.stringify(conflict.manager)}${conflict.apiVersion ? ` using ${conflict.apiVersion}` : ''}`;
  if (conflicts.length === 1 && conflicts[0] !== undefined)
    return `Apply failed with 1 conflict: ${describe(conflicts[0])}: ${conflicts[0].field}`;
  const lines = conflicts.map((conflict) => `- ${describe(conflict)}: ${conflict.field}`);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The Status cause of one conflict: `{reason: "FieldManagerConflict", message, field}`. */
export function conflictCause(conflict: FieldManagerConflict): {
  reason: 'FieldManagerConflict';
  message: string;
  field: string;
} {
  return {
    reason: 'FieldManagerConflict',
    message:
      `conflict with ${JSON.stringify(conflict.manager)}` +
      (conflict.apiVersion ? ` using ${conflict.apiVersion}` : ''),
    field: conflict.field,
  };
}

/** An entry with its fields as a flat set, plus whether it changed. */
export interface OwnedFields {
  entry: Omit<ManagedFieldsEntry, 'fieldsV1'>;
  set: FieldSet;
  touched: boolean;
}

/** Reads metadata.managedFields of an object (entries that are not FieldsV1 objects are dropped). */
export function readManagedFields(object: unknown): OwnedFields[] {
  if (!isObject(object) || !isObject(object.metadata)) return [];
  return parseManagedFields(object.metadata.managedFields);
}

/** Parses a managedFields list. */
export function parseManagedFields(list: unknown): OwnedFields[] {
  if (!Array.isArray(list)) return [];
  const owned: OwnedFields[] = [];
  for (const raw of list) {
    if (!isObject(raw) || typeof raw.manager !== 'string') continue;
    const operation = raw.operation === 'Apply' ? 'Apply' : 'Update';
    const entry: Omit<ManagedFieldsEntry, 'fieldsV1'> = {
      manager: raw.manager,
      operation,
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      time: typeof raw.time === 'string' ? raw.time : '',
      fieldsType: 'FieldsV1',
    };
    if (typeof raw.subresource === 'string' && raw.subresource !== '') entry.subresource = raw.subresource;
    owned.push({ entry, set: fromFieldsV1(raw.fieldsV1), touched: false });
  }
  return owned;
}

/** Finds (or appends) the entry of a manager/operation/subresource. */
export function entryFor(
  owned: OwnedFields[],
  options: { manager: string; operation: 'Apply' | 'Update'; apiVersion: string; now: string; subresource?: string },
): OwnedFields {
  const subresource = options.subresource ?? '';
  const found = owned.find(
    (item) =>
      item.entry.manager === options.manager &&
      item.entry.operation === options.operation &&
      (item.entry.subresource ?? '') === subresource,
  );
  if (found) return found;
  const entry: Omit<ManagedFieldsEntry, 'fieldsV1'> = {
    manager: options.manager,
    operation: options.operation,
    apiVersion: options.apiVersion,
    time: options.now,
    fieldsType: 'FieldsV1',
  };
  if (subresource !== '') entry.subresource = subresource;
  const created: OwnedFields = { entry, set: new Set(), touched: true };
  owned.push(created);
  return created;
}

/** Drops members that no longer exist in `object`. */
export function pruneToObject(owned: OwnedFields[], object: unknown): void {
  for (const item of owned) {
    for (const member of [...item.set]) {
      if (!valueAt(object, splitPath(member)).found) {
        item.set.delete(member);
        item.touched = true;
      }
    }
  }
}

/** Writes entries back (empty ones are dropped) onto a copy's metadata; no entries → no managedFields key. */
export function writeManagedFields(object: Record<string, unknown>, owned: OwnedFields[]): Record<string, unknown> {
  const entries: ManagedFieldsEntry[] = owned
    .filter((item) => item.set.size > 0)
    .map((item) => ({ ...item.entry, fieldsV1: toFieldsV1(item.set) }));
  const metadata = isObject(object.metadata) ? { ...object.metadata } : {};
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...object, metadata };
}
