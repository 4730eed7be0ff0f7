/** The kinds the operator serves (model + CRD version/plural + extensions) and the dependency index between objects. */
import type { KindModel } from '../../model/index.js';
import type { ResourceHooks } from './hooks.js';

/** A kind the operator reconciles. */
export interface ServedKind {
  model: KindModel;
  /** The CRD version used for API calls (the storage version). */
  version: string;
  plural: string;
  hooks: ResourceHooks[];
}

/** A queue key: `group/Kind/namespace/name`. */
export function objectKey(group: string, kind: string, namespace: string, name: string): string {
  return `${group}/${kind}/${namespace}/${name}`;
}

/** Splits a queue key. */
export function parseObjectKey(
  key: string,
): { group: string; kind: string; namespace: string; name: string } | undefined {
  const [group, kind, namespace, name, ...rest] = key.split('/');
  if (group === undefined || kind === undefined || namespace === undefined || name === undefined || rest.length > 0)
    return undefined;
  return { group, kind, namespace, name };
}

/** Served kinds by `group/Kind` (case-insensitive). */
export class KindRegistry {
  private readonly kinds = new Map<string, ServedKind>();

  add(kind: ServedKind): void {
    this.kinds.set(`${kind.model.group}/${kind.model.kind}`.toLowerCase(), kind);
  }

  get(group: string, kind: string): ServedKind | undefined {
    return this.kinds.get(`${group}/${kind}`.toLowerCase());
  }

  has(group: string, kind: string): boolean {
    return this.kinds.has(`${group}/${kind}`.toLowerCase());
  }

  list(): ServedKind[] {
    return [...this.kinds.values()];
  }
}

/**
 * Which objects depend on which (owner, referenced object, Secret, ConfigMap), rebuilt at each reconcile, so a change
 * to a dependency requeues its dependents at once. Dependency keys: `group/Kind/ns/name` for custom objects,
 * `/Secret/ns/name` and `/ConfigMap/ns/name` for core objects.
 */
export class DependencyIndex {
  private readonly dependents = new Map<string, Set<string>>();
  private readonly dependencies = new Map<string, Set<string>>();

  /** Replaces what `object` depends on. */
  set(object: string, dependencies: Iterable<string>): void {
    this.remove(object);
    const set = new Set(dependencies);
    if (set.size === 0) return;
    this.dependencies.set(object, set);
    for (const dependency of set) {
      let dependents = this.dependents.get(dependency);
      if (dependents === undefined) this.dependents.set(dependency, (dependents = new Set()));
      dependents.add(object);
    }
  }

  /** Adds one dependency of `object` (during a reconcile, so a change seen before it ends still wakes it). */
  add(object: string, dependency: string): void {
    let dependencies = this.dependencies.get(object);
    if (dependencies === undefined) this.dependencies.set(object, (dependencies = new Set()));
    dependencies.add(dependency);
    let dependents = this.dependents.get(dependency);
    if (dependents === undefined) this.dependents.set(dependency, (dependents = new Set()));
    dependents.add(object);
  }

  /** Forgets `object`. */
  remove(object: string): void {
    for (const dependency of this.dependencies.get(object) ?? []) {
      const dependents = this.dependents.get(dependency);
      dependents?.delete(object);
      if (dependents?.size === 0) this.dependents.delete(dependency);
    }
    this.dependencies.delete(object);
  }

  /** The objects depending on `dependency`. */
  dependentsOf(dependency: string): string[] {
    return [...(this.dependents.get(dependency) ?? [])];
  }
}
