/** Legacy (unaggregated) discovery documents: /api, /api/v1, /apis, /apis/{g}, /apis/{g}/{v}. */
import type { Registry } from './registry.js';
import type { ResourceType, VersionSpec } from './types.js';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDocument(registry: Registry, name: string, versions: string[]): Record<string, unknown> {
  void registry;
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function apiGroupList(registry: Registry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().map((group) => groupDocument(registry, group.name, group.versions)),
  };
}

/** One APIGroup, or undefined when the group is not served. */
export function apiGroup(registry: Registry, name: string): Record<string, unknown> | undefined {
  const group = registry.groups().find((candidate) => candidate.name === name);
  if (!group) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(registry, group.name, group.versions) };
}

function resourceEntries(type: ResourceType, version: VersionSpec): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: allVerbs,
  };
  if (type.shortNames.length > 0) main.shortNames = type.shortNames;
  if (type.categories.length > 0) main.categories = type.categories;
  const entries = [main];
  if (version.statusSubresource)
    entries.push({
      name: `${type.plural}/status`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    });
  for (const subresource of type.builtin?.extraSubresources ?? []) {
    entries.push({
      name: `${type.plural}/${subresource}`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['update'],
    });
  }
  return entries;
}

/** The APIResourceList of a group/version, or undefined when nothing is served there. */
export function apiResourceList(
  registry: Registry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = registry.inGroupVersion(group, version);
  if (served.length === 0 && !(group === '' && version === 'v1')) return undefined;
  const resources = served.flatMap(({ type, version: spec }) => resourceEntries(type, spec));
  if (group === 'authorization.k8s.io' || group === 'authentication.k8s.io') return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources,
  };
}

/**
 * Extra create-only review resources (SelfSubjectAccessReview, SelfSubjectReview), preferred version first.
 * SelfSubjectReview is also served at v1beta1 and v1alpha1: `kubectl auth whoami` before 1.28 asks for those.
 */
export const reviewGroups = [
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
  },
  { group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview' },
  { group: 'authentication.k8s.io', version: 'v1beta1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview' },
  { group: 'authentication.k8s.io', version: 'v1alpha1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview' },
];

export function reviewGroupList(): Record<string, unknown>[] {
  const groups = [...new Set(reviewGroups.map((review) => review.group))];
  return groups.map((group) => {
    const versions = reviewGroups
      .filter((review) => review.group === group)
      .map((review) => ({ groupVersion: `${group}/${review.version}`, version: review.version }));
    return { name: group, versions, preferredVersion: versions[0] };
  });
}

export function reviewResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const review = reviewGroups.find((candidate) => candidate.group === group && candidate.version === version);
  if (!review) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: [{ name: review.resource, singularName: '', namespaced: false, kind: review.kind, verbs: ['create'] }],
  };
}
