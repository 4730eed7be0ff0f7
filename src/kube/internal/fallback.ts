/**
 * Minimal stand-ins for kube-schema's functions (same signatures as agreed in the interface note), used only until
 * `internal/schema` and `internal/patch` exist. They do no schema work: no pruning, defaulting or validation.
 */
export type JSONSchemaProps = {
  type?: string;
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  required?: string[];
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [key: string]: unknown;
};
export interface FieldCause {
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid';
  field: string;
  message: string;
}
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}
export interface FieldManagerConflict {
  manager: string;
  field: string;
}

export function checkStructuralSchema(_schema: JSONSchemaProps, _fieldPrefix: string): FieldCause[] {
  return [];
}
export function pruneUnknownFields(object: unknown, _schema: JSONSchemaProps): { value: unknown; pruned: string[] } {
  return { value: object, pruned: [] };
}
export function applyDefaults(object: unknown, _schema: JSONSchemaProps): unknown {
  return object;
}
export function validateValue(_object: unknown, _schema: JSONSchemaProps, _fieldPrefix?: string): FieldCause[] {
  return [];
}
export function parseJsonDetectingDuplicates(text: string): { value: unknown; duplicateFields: string[] } {
  return { value: JSON.parse(text) as unknown, duplicateFields: [] };
}
export const builtinSchemas: Record<string, JSONSchemaProps> = {};
export const objectMetaSchema: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

export class PatchError extends Error {
  constructor(
    message: string,
    readonly httpStatus: 400 | 409 | 422,
  ) {
    super(message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('json patch must be an array of operations', 400);
  let document = structuredClone(target);
  const resolve = (path: string): { parent: unknown; key: string } => {
    const tokens = path.split('/').slice(1).map(unescape);
    const key = tokens.pop();
    if (key === undefined) throw new PatchError(`invalid path ${path}`, 422);
    let parent: unknown = document;
    for (const token of tokens) {
      if (Array.isArray(parent)) parent = parent[Number(token)];
      else if (isObject(parent)) parent = parent[token];
      else throw new PatchError(`path ${path} not found`, 422);
      if (parent === undefined) throw new PatchError(`path ${path} not found`, 422);
    }
    return { parent, key };
  };
  const get = (path: string): unknown => {
    if (path === '') return document;
    const { parent, key } = resolve(path);
    if (Array.isArray(parent)) return parent[Number(key)];
    if (isObject(parent)) return parent[key];
    return undefined;
  };
  const remove = (path: string): unknown => {
    const { parent, key } = resolve(path);
    if (Array.isArray(parent)) {
      const index = Number(key);
      if (!(index >= 0 && index < parent.length)) throw new PatchError(`path ${path} not found`, 422);
      return parent.splice(index, 1)[0];
    }
    if (isObject(parent) && key in parent) {
      const value = parent[key];
      delete parent[key];
      return value;
    }
    throw new PatchError(`unable to remove nonexistent key: ${key}`, 422);
  };
  const add = (path: string, value: unknown, replace: boolean): void => {
    if (path === '') {
      document = value;
      return;
    }
    const { parent, key } = resolve(path);
    if (Array.isArray(parent)) {
      if (key === '-') parent.push(value);
      else {
        const index = Number(key);
        if (!(index >= 0 && index <= parent.length)) throw new PatchError(`path ${path} out of range`, 422);
        if (replace) parent[index] = value;
        else parent.splice(index, 0, value);
      }
    } else if (isObject(parent)) {
      if (replace && !(key in parent)) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}`, 422);
      parent[key] = value;
    } else throw new PatchError(`path ${path} not found`, 422);
  };
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw new PatchError('invalid json patch operation', 400);
    }
    const path = operation.path;
    switch (operation.op) {
      case 'add':
        add(path, structuredClone(operation.value), false);
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        add(path, structuredClone(operation.value), true);
        break;
      case 'move': {
        const value = remove(String(operation.from));
        add(path, value, false);
        break;
      }
      case 'copy':
        add(path, structuredClone(get(String(operation.from))), false);
        break;
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(operation.value)) throw new PatchError(`testing value ${path} failed`, 422);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${operation.op}`, 400);
    }
  }
  return document;
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return applyMergePatch(target, patch);
}

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
  const merged = applyMergePatch(options.live ?? {}, options.applied);
  return { object: merged as Record<string, unknown>, conflicts: [] };
}

export function recordUpdate(options: {
  previous: Record<string, unknown> | undefined;
  next: Record<string, unknown>;
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
}): Record<string, unknown> {
  return options.next;
}

/** False while these stand-ins are used (tests of schema behaviour skip themselves). */
export const schemaSupport = false;
