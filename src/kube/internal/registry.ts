/** The registry of served resource types (built-ins plus established CRDs), looked up by group/version/resource. */
import type { ResourceType, VersionSpec } from './types.js';

/** A served group and its versions (preferred first). */
export interface ServedGroup {
  name: string;
  versions: string[];
}

export class Registry {
  private types: ResourceType[] = [];
  private generationCounter = 0;

  /** Increases on every change (used in OpenAPI hashes and caches). */
  get generation(): number {
    return this.generationCounter;
  }

  all(): ResourceType[] {
    return this.types;
  }

  add(type: ResourceType): void {
    this.types.push(type);
    this.generationCounter += 1;
  }

  /** Replaces (or adds, or with `undefined` removes) the type defined by CRD `crdName`. */
  setCrdType(crdName: string, type: ResourceType | undefined): void {
    this.types = this.types.filter((candidate) => candidate.crdName !== crdName);
    if (type) this.types.push(type);
    this.generationCounter += 1;
  }

  findCrdType(crdName: string): ResourceType | undefined {
    return this.types.find((candidate) => candidate.crdName === crdName);
  }

  /** The type serving `resource` in group/version (served versions only). */
  find(group: string, version: string, resource: string): { type: ResourceType; version: VersionSpec } | undefined {
    for (const type of this.types) {
      if (type.group !== group || type.plural !== resource) continue;
      const spec = type.versions.find((candidate) => candidate.name === version && candidate.served);
      if (spec) return { type, version: spec };
    }
    return undefined;
  }

  /** Types in a group/version (served). */
  inGroupVersion(group: string, version: string): Array<{ type: ResourceType; version: VersionSpec }> {
    const found: Array<{ type: ResourceType; version: VersionSpec }> = [];
    for (const type of this.types) {
      if (type.group !== group) continue;
      const spec = type.versions.find((candidate) => candidate.name === version && candidate.served);
      if (spec) found.push({ type, version: spec });
    }
    return found;
  }

  /** Types stored in `bucket` (several for events). */
  byBucket(bucket: string): ResourceType[] {
    return this.types.filter((type) => type.bucket === bucket);
  }

  /** Named groups (not core) with their served versions, preferred version first. */
  groups(): ServedGroup[] {
    const groups = new Map<string, Set<string>>();
    for (const type of this.types) {
      if (type.group === '') continue;
      let versions = groups.get(type.group);
      if (!versions) {
        versions = new Set();
        groups.set(type.group, versions);
      }
      for (const version of type.versions) if (version.served) versions.add(version.name);
    }
    return [...groups.entries()]
      .filter(([, versions]) => versions.size > 0)
      .map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) }));
  }
}

/** Kubernetes version priority: GA > beta > alpha > other, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const rank = (version: string): [number, number, number, string] => {
    const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
    if (!match) return [3, 0, 0, version];
    const major = Number(match[1]);
    const stage = match[2] === undefined ? 0 : match[2] === 'beta' ? 1 : 2;
    return [stage, -major, -Number(match[3] ?? 0), version];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let index = 0; index < 3; index += 1) {
    const difference = (ra[index] as number) - (rb[index] as number);
    if (difference !== 0) return difference;
  }
  return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
}
