/**
 * The kinds and versions ASO serves, read from its generator configuration (azure-arm.yaml): under
 * `objectModelConfiguration`, every type with `$supportedFrom` in a group/api-version is a CRD version, named by
 * `$exportAs` (else the type name). ASO's Go type names (`DatabaseAccounts_SqlDatabases_Container`) spell the ARM
 * type path in singular; they are matched to the type index's ARM types of the group's provider namespace.
 */
import type { KindOverride, KindRequest } from './state.js';
import { schemaVersionFor, type TypeIndex } from './type-index.js';

export { nearestVersion } from './type-index.js';

/** One kind-version ASO serves, before it is matched to an ARM type. */
export interface AsoKindVersion {
  group: string;
  kind: string;
  /** ASO's Go type name, e.g. `StorageAccounts_BlobService`. */
  typeName: string;
  apiVersion: string;
}

/** A kind-version that azo cannot generate, and why. */
export interface UnservedKind {
  group: string;
  kind: string;
  apiVersion: string;
  reason: string;
}

const apiVersionPattern = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** Every kind-version of `objectModelConfiguration` with `$supportedFrom`, in file order. */
export function asoKindVersions(asoConfig: Record<string, unknown>): Array<AsoKindVersion | UnservedKind> {
  const result: Array<AsoKindVersion | UnservedKind> = [];
  const model = (asoConfig.objectModelConfiguration ?? {}) as Record<string, Record<string, unknown>>;
  for (const [group, versions] of Object.entries(model)) {
    for (const [apiVersion, types] of Object.entries(versions ?? {})) {
      if (!types || typeof types !== 'object') continue;
      for (const [typeName, settings] of Object.entries(types as Record<string, Record<string, unknown> | null>)) {
        if (!settings || settings.$supportedFrom === undefined) continue;
        const kind = typeof settings.$exportAs === 'string' ? settings.$exportAs : typeName;
        if (!apiVersionPattern.test(apiVersion)) {
          // azo serves the hand-written ones (handcrafted.ts).
          const api = group === 'entra' ? 'Microsoft Graph' : 'the database server';
          const reason = `not an ARM resource: ASO serves it at ${apiVersion} and talks to ${api} itself`;
          result.push({ group, kind, apiVersion, reason });
        } else {
          result.push({ group, kind, typeName, apiVersion });
        }
      }
    }
  }
  return result;
}

/** The provider namespace of an ASO group (lower case): `documentdb` → `microsoft.documentdb`. */
export function namespaceOfGroup(group: string): string {
  return `microsoft.${group.split('.')[0] ?? group}`.toLowerCase();
}

/** true when the ARM type segment `armSegment` is the plural (or same) of ASO's singular `goSegment`. */
function segmentMatches(goSegment: string, armSegment: string): boolean {
  const go = goSegment.toLowerCase();
  const arm = armSegment.toLowerCase();
  return arm === go || arm === `${go}s` || arm === `${go}es` || (go.endsWith('y') && arm === `${go.slice(0, -1)}ies`);
}

/** The ARM type of an ASO Go type name among `armTypes` (the index's keys), or undefined. */
export function armTypeOf(group: string, typeName: string, armTypes: readonly string[]): string | undefined {
  const namespace = namespaceOfGroup(group);
  const goSegments = typeName.split('_');
  return armTypes.find((armType) => {
    const [armNamespace = '', ...segments] = armType.split('/');
    if (armNamespace.toLowerCase() !== namespace || segments.length !== goSegments.length) return false;
    return segments.every((segment, index) => segmentMatches(goSegments[index] ?? '', segment));
  });
}

/**
 * The kind requests for every kind-version ASO serves, merged with `explicit` (codegen.config.yaml's `groups`,
 * which pin ARM types and add versions ASO's snapshot lacks). `index` is the type index (ARM type → version → file).
 */
export function expandAsoKinds(
  asoConfig: Record<string, unknown>,
  index: TypeIndex,
  explicit: readonly KindRequest[],
  overrides: Record<string, KindOverride> = {},
): { kinds: KindRequest[]; unserved: UnservedKind[] } {
  const armTypes = Object.keys(index).sort();
  // A version `groups` adds that the index lacks is served with the nearest schema, as ASO's own are.
  const kinds: KindRequest[] = explicit.map((request) => {
    if (request.schemaApiVersion !== undefined) return request;
    const schemaApiVersion = schemaVersionFor(index, request.armType, request.apiVersion);
    return schemaApiVersion === undefined ? request : { ...request, schemaApiVersion };
  });
  const unserved: UnservedKind[] = [];
  const has = (group: string, kind: string, apiVersion: string) =>
    kinds.some((entry) => entry.group === group && entry.kind === kind && entry.apiVersion === apiVersion);
  for (const entry of asoKindVersions(asoConfig)) {
    if ('reason' in entry) {
      if (!unserved.some((other) => other.group === entry.group && other.kind === entry.kind)) unserved.push(entry);
      continue;
    }
    const group = entry.group;
    if (has(group, entry.kind, entry.apiVersion)) continue;
    const pinned = explicit.find((other) => other.group === group && other.kind === entry.kind);
    const armType = pinned?.armType ?? armTypeOf(entry.group, entry.typeName, armTypes);
    if (armType === undefined) {
      unserved.push({
        group,
        kind: entry.kind,
        apiVersion: entry.apiVersion,
        reason: `no ARM type in the type index matches ASO's ${entry.typeName}`,
      });
      continue;
    }
    const schemaApiVersion = schemaVersionFor(index, armType, entry.apiVersion);
    kinds.push({
      group,
      kind: entry.kind,
      armType,
      apiVersion: entry.apiVersion,
      ...(schemaApiVersion !== undefined ? { schemaApiVersion } : {}),
      ...(overrides[`${group}/${entry.kind}`] ? { override: overrides[`${group}/${entry.kind}`] } : {}),
    });
  }
  return { kinds, unserved };
}

/** The hub (storage) api-version of a kind: the newest GA version it serves, else its newest preview. */
export function hubVersionOf(apiVersions: readonly string[]): string {
  const sorted = [...apiVersions].sort();
  const ga = sorted.filter((version) => !version.endsWith('-preview'));
  const hub = (ga.length > 0 ? ga : sorted).at(-1);
  if (hub === undefined) throw new Error('a kind without versions');
  return hub;
}
