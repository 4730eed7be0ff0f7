/**
 * Strategic merge patch for the built-in kinds this server serves (ConfigMap, Secret, Namespace, Lease, Events,
 * ServiceAccount, CRD). For them it reduces to merge-patch semantics except for the lists that carry a patch
 * strategy in Kubernetes' Go types (see `defaultListStrategies`):
 *   metadata.finalizers        merged as a set (union; `$deleteFromPrimitiveList/finalizers` removes values)
 *   metadata.ownerReferences   merged by `uid`
 *   status.conditions          merged by `type` (Namespace, CRD)
 *   secrets                    merged by `name` (ServiceAccount)
 * Any other list is replaced. Directives: `$patch: replace|delete|merge` on maps and in merge lists, `$retainKeys`
 * (keys not listed are cleared), `$setElementOrder/<list>` (accepted; items are put in that order when possible),
 * `$deleteFromPrimitiveList/<list>`. Any other `$`-key is an unknown directive → PatchError 400.
 */
import { PatchError } from './errors.js';
import { cloneJson, hasOwn, isObject, jsonEqual, setOwn } from './json.js';

/** How a list merges: a set of primitives, or a list of objects merged by a key. Lists not listed are replaced. */
export type ListStrategy = { kind: 'set' } | { kind: 'merge'; key: string };

/** Patch strategies of the built-in kinds' lists, by dotted path (no indices). */
export const defaultListStrategies: Readonly<Record<string, ListStrategy>> = {
  'metadata.finalizers': { kind: 'set' },
  'metadata.ownerReferences': { kind: 'merge', key: 'uid' },
  'status.conditions': { kind: 'merge', key: 'type' },
  secrets: { kind: 'merge', key: 'name' },
};

const strategiesBySchema = new WeakMap<object, Record<string, ListStrategy>>();

/**
 * The list strategies of a kind: the defaults, plus every list its schema marks `x-kubernetes-patch-strategy: merge`
 * (by `x-kubernetes-patch-merge-key`, or as a set of primitives). Cached per schema object.
 */
export function listStrategiesOf(schema: object | undefined): Record<string, ListStrategy> {
  if (schema === undefined) return { ...defaultListStrategies };
  const cached = strategiesBySchema.get(schema);
  if (cached !== undefined) return cached;
  const strategies: Record<string, ListStrategy> = { ...defaultListStrategies };
  const visit = (node: unknown, path: string, depth: number) => {
    if (!isObject(node) || depth > 32) return;
    const strategy = node['x-kubernetes-patch-strategy'];
    const key = node['x-kubernetes-patch-merge-key'];
    if (node['type'] === 'array' && typeof strategy === 'string' && strategy.split(',').includes('merge')) {
      strategies[path] = typeof key === 'string' && key !== '' ? { kind: 'merge', key } : { kind: 'set' };
    }
    if (isObject(node['properties']))
      for (const [name, child] of Object.entries(node['properties']))
        visit(child, path === '' ? name : `${path}.${name}`, depth + 1);
    if (isObject(node['items'])) visit(node['items'], path, depth + 1);
  };
  visit(schema, '', 0);
  strategiesBySchema.set(schema, strategies);
  return strategies;
}

const deleteFromPrimitiveList = '$deleteFromPrimitiveList/';
const setElementOrder = '$setElementOrder/';

/** Strategic merge for built-in kinds: merge patch plus finalizers as a set ($deleteFromPrimitiveList/finalizers),
 *  ownerReferences merged by uid, $patch: replace|delete|merge, $retainKeys, $setElementOrder/* accepted;
 *  unknown $-directives → PatchError 400. `options.listStrategies` overrides the default table. */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  options: { listStrategies?: Record<string, ListStrategy> } = {},
): unknown {
  if (!isObject(patch)) throw new PatchError('strategic merge patch must be a JSON object', 400);
  const strategies = options.listStrategies ?? defaultListStrategies;
  const result = mergeMap(isObject(target) ? cloneJson(target) : {}, patch, '', strategies);
  return result === deleted ? {} : result;
}

const deleted = Symbol('deleted');

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Merges a patch map into `target` (owned by the caller). Returns `deleted` for `$patch: delete`. */
function mergeMap(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  path: string,
  strategies: Record<string, ListStrategy>,
): Record<string, unknown> | typeof deleted {
  const directive = patch.$patch;
  if (directive !== undefined) {
    if (directive === 'delete') return deleted;
    if (directive === 'replace') return stripDirectives(patch, path);
    if (directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)}`, 400);
  }
  let retainKeys: string[] | undefined;
  if (hasOwn(patch, '$retainKeys')) {
    const keys = patch.$retainKeys;
    if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string'))
      throw new PatchError('$retainKeys must be a list of strings', 400);
    retainKeys = keys;
  }
  const orders: Record<string, unknown[]> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(setElementOrder)) {
      if (!Array.isArray(value)) throw new PatchError(`${key} must be a list`, 400);
      orders[key.slice(setElementOrder.length)] = value;
      continue;
    }
    if (key.startsWith(deleteFromPrimitiveList)) {
      const field = key.slice(deleteFromPrimitiveList.length);
      if (!Array.isArray(value)) throw new PatchError(`${key} must be a list`, 400);
      const current = target[field];
      if (Array.isArray(current))
        target[field] = current.filter((item) => !value.some((removed) => jsonEqual(removed, item)));
      continue;
    }
    if (key.startsWith('$'))
      throw new PatchError(`unknown patch directive ${JSON.stringify(key)} at ${childPath(path, key)}`, 400);
    const fieldPath = childPath(path, key);
    if (value === null) {
      delete target[key];
      continue;
    }
    const current = target[key];
    if (isObject(value)) {
      const merged = mergeMap(isObject(current) ? current : {}, value, fieldPath, strategies);
      if (merged === deleted) delete target[key];
      else setOwn(target, key, merged);
    } else if (Array.isArray(value)) {
      setOwn(target, key, mergeList(current, value, fieldPath, strategies));
    } else {
      setOwn(target, key, value);
    }
  }
  for (const [field, order] of Object.entries(orders)) {
    const current = target[field];
    if (Array.isArray(current)) target[field] = applyOrder(current, order, strategies[childPath(path, field)]);
  }
  if (retainKeys !== undefined) {
    for (const key of Object.keys(target)) if (!retainKeys.includes(key)) delete target[key];
  }
  return target;
}

function mergeList(
  current: unknown,
  patch: unknown[],
  path: string,
  strategies: Record<string, ListStrategy>,
): unknown[] {
  const strategy = strategies[path];
  const replaceMarker = patch.findIndex(
    (item) => isObject(item) && item.$patch === 'replace' && Object.keys(item).length === 1,
  );
  if (replaceMarker >= 0)
    return patch
      .filter((_, index) => index !== replaceMarker)
      .map((item) => (isObject(item) ? stripDirectives(item, path) : cloneJson(item)));
  const base = Array.isArray(current) ? current : [];
  if (strategy === undefined)
    return patch.map((item) => (isObject(item) ? stripDirectives(item, path) : cloneJson(item)));
  if (strategy.kind === 'set') {
    const result = [...base];
    for (const item of patch) if (!result.some((existing) => jsonEqual(existing, item))) result.push(cloneJson(item));
    return result;
  }
  const key = strategy.key;
  const result = [...base];
  for (const item of patch) {
    if (!isObject(item))
      throw new PatchError(`${path}: list items must be objects with the merge key ${JSON.stringify(key)}`, 400);
    if (!hasOwn(item, key))
      throw new PatchError(`${path}: map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`, 400);
    const index = result.findIndex((existing) => isObject(existing) && jsonEqual(existing[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const existing = index >= 0 ? result[index] : undefined;
    const merged = mergeMap(isObject(existing) ? existing : {}, item, path, strategies);
    if (merged === deleted) {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = merged;
    else result.push(merged);
  }
  return result;
}

/** Orders `list` by `order` (items named in `order` first, in that order; the rest keep their relative order). */
function applyOrder(list: unknown[], order: unknown[], strategy: ListStrategy | undefined): unknown[] {
  const matches = (item: unknown, wanted: unknown): boolean =>
    strategy?.kind === 'merge' && isObject(item) && isObject(wanted)
      ? jsonEqual(item[strategy.key], wanted[strategy.key])
      : jsonEqual(item, wanted);
  const ordered: unknown[] = [];
  const rest = [...list];
  for (const wanted of order) {
    const index = rest.findIndex((item) => matches(item, wanted));
    if (index >= 0) ordered.push(...rest.splice(index, 1));
  }
  return [...ordered, ...rest];
}

/** A replacement value: directives must not leak into stored objects. */
function stripDirectives(value: Record<string, unknown>, path: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (
      key === '$patch' ||
      key === '$retainKeys' ||
      key.startsWith(setElementOrder) ||
      key.startsWith(deleteFromPrimitiveList)
    )
      continue;
    if (key.startsWith('$'))
      throw new PatchError(`unknown patch directive ${JSON.stringify(key)} at ${childPath(path, key)}`, 400);
    if (child === null) continue;
    setOwn(result, key, isObject(child) ? stripDirectives(child, childPath(path, key)) : cloneJson(child));
  }
  return result;
}
