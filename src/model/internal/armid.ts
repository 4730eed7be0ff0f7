/**
 * ARM resource IDs: build and parse for every scope (tenant, subscription, resource group, provider resources,
 * children of children, extension resources under any ID). Parsing is case-insensitive for the fixed keywords
 * (`subscriptions`, `resourceGroups`, `providers`) and keeps the caller's casing for every value.
 */

/** What an ARM ID names. */
export type ArmIdKind = 'tenant' | 'subscription' | 'resourceGroup' | 'resource' | 'child' | 'extension';

/** A parsed ARM ID. Values keep the casing of the input. */
export interface ArmId {
  /** The ID as given, without a trailing slash. `''`... never: the tenant root is `/`. */
  id: string;
  kind: ArmIdKind;
  subscriptionId?: string;
  resourceGroupName?: string;
  /** Provider namespace of the named resource, e.g. `Microsoft.Storage` (absent for tenant/subscription/RG). */
  provider?: string;
  /**
   * Full resource type, e.g. `Microsoft.Storage/storageAccounts/blobServices`; `Microsoft.Resources/subscriptions`
   * and `Microsoft.Resources/resourceGroups` for those scopes; `` for the tenant root.
   */
  resourceType: string;
  /** The last name segment (`''` for the tenant root). */
  name: string;
  /**
   * The ID of what this sits under: the parent resource for a child, the extended resource for an extension, the
   * resource group / subscription / tenant (`/`) for a top-level resource. Absent for the tenant root.
   */
  parentId?: string;
}

/** Thrown for a string that is not a well-formed ARM ID. */
export class ArmIdError extends Error {
  constructor(id: string, reason: string) {
    super(`invalid ARM ID ${JSON.stringify(id)}: ${reason}`);
    this.name = 'ArmIdError';
  }
}

const eq = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Parses an ARM ID (case-insensitive keywords, casing of values kept). Throws `ArmIdError` when malformed:
 * no leading `/`, empty segments, a type without a name, or a `providers` segment without a namespace.
 */
export function parseArmId(id: string): ArmId {
  if (id === '/' || id === '') return { id: '/', kind: 'tenant', resourceType: '', name: '' };
  if (!id.startsWith('/')) throw new ArmIdError(id, 'must start with "/"');
  const trimmed = id.endsWith('/') ? id.slice(0, -1) : id;
  const segments = trimmed.slice(1).split('/');
  if (segments.some((segment) => segment === '')) throw new ArmIdError(id, 'empty segment');

  let i = 0;
  let current: ArmId = { id: '/', kind: 'tenant', resourceType: '', name: '' };
  let subscriptionId: string | undefined;
  let resourceGroupName: string | undefined;
  const path = (end: number) => '/' + segments.slice(0, end).join('/');

  if (eq(segments[0], 'subscriptions')) {
    subscriptionId = segments[1];
    if (subscriptionId === undefined) throw new ArmIdError(id, 'subscriptions without an ID');
    i = 2;
    current = {
      id: path(2),
      kind: 'subscription',
      subscriptionId,
      resourceType: 'Microsoft.Resources/subscriptions',
      name: subscriptionId,
      parentId: '/',
    };
    if (eq(segments[2], 'resourceGroups')) {
      resourceGroupName = segments[3];
      if (resourceGroupName === undefined) throw new ArmIdError(id, 'resourceGroups without a name');
      i = 4;
      current = {
        id: path(4),
        kind: 'resourceGroup',
        subscriptionId,
        resourceGroupName,
        resourceType: 'Microsoft.Resources/resourceGroups',
        name: resourceGroupName,
        parentId: current.id,
      };
    }
  }
  const scopeFields = {
    ...(subscriptionId !== undefined ? { subscriptionId } : {}),
    ...(resourceGroupName !== undefined ? { resourceGroupName } : {}),
  };

  while (i < segments.length) {
    if (!eq(segments[i], 'providers'))
      throw new ArmIdError(id, `expected "providers" at segment ${i + 1}, found ${JSON.stringify(segments[i])}`);
    const provider = segments[i + 1];
    const type = segments[i + 2];
    const name = segments[i + 3];
    if (provider === undefined || type === undefined)
      throw new ArmIdError(id, '"providers" needs a namespace and a type');
    if (name === undefined) throw new ArmIdError(id, `type ${type} has no name`);
    const isResourceScope = current.kind === 'resource' || current.kind === 'child' || current.kind === 'extension';
    const top: ArmId = {
      id: path(i + 4),
      kind: isResourceScope ? 'extension' : 'resource',
      ...scopeFields,
      provider,
      resourceType: `${provider}/${type}`,
      name,
      parentId: current.id,
    };
    current = top;
    i += 4;
    while (i < segments.length && !eq(segments[i], 'providers')) {
      const childType = segments[i];
      const childName = segments[i + 1];
      if (childType === undefined || childName === undefined)
        throw new ArmIdError(id, `type ${String(childType)} has no name`);
      current = {
        id: path(i + 2),
        kind: 'child',
        ...scopeFields,
        provider,
        resourceType: `${current.resourceType}/${childType}`,
        name: childName,
        parentId: current.id,
      };
      i += 2;
    }
  }
  return current;
}

/** true when `id` parses as an ARM ID. */
export function isArmId(id: string): boolean {
  try {
    parseArmId(id);
    return true;
  } catch {
    return false;
  }
}

/** Options of `buildArmId`. */
export interface BuildArmIdOptions {
  /**
   * What the new resource sits under: `/` (tenant), a subscription, a resource group, the parent resource of a
   * child type, or (for an extension type) any resource ID.
   */
  parentId: string;
  /** The full ARM type, e.g. `Microsoft.Storage/storageAccounts/blobServices`. */
  armType: string;
  name: string;
}

/**
 * Builds the ARM ID of a resource named `name` of type `armType` under `parentId`:
 * - `Microsoft.Resources/subscriptions` → `/subscriptions/{name}`;
 * - `Microsoft.Resources/resourceGroups` → `{subscription}/resourceGroups/{name}`;
 * - a child type whose parent type is `parentId`'s type → `{parentId}/{lastTypeSegment}/{name}`;
 * - anything else (top-level or extension) → `{parentId}/providers/{armType}/{name}` (`/providers/...` at tenant).
 */
export function buildArmId(options: BuildArmIdOptions): string {
  const { armType, name } = options;
  if (name === '' || name.includes('/'))
    throw new ArmIdError(name, 'a resource name must be non-empty and contain no "/"');
  const parent = parseArmId(options.parentId);
  if (eq(armType, 'Microsoft.Resources/subscriptions')) return `/subscriptions/${name}`;
  if (eq(armType, 'Microsoft.Resources/resourceGroups')) {
    if (parent.subscriptionId === undefined)
      throw new ArmIdError(options.parentId, 'a resource group needs a subscription');
    return `/subscriptions/${parent.subscriptionId}/resourceGroups/${name}`;
  }
  const typeSegments = armType.split('/');
  const parentType = typeSegments.slice(0, -1).join('/');
  const lastSegment = typeSegments[typeSegments.length - 1] ?? '';
  const base = parent.id === '/' ? '' : parent.id;
  if (typeSegments.length > 2 && parent.provider !== undefined && eq(parent.resourceType, parentType)) {
    return `${base}/${lastSegment}/${name}`;
  }
  if (typeSegments.length > 2) {
    throw new ArmIdError(
      options.parentId,
      `a ${armType} must sit under a ${parentType}, not a ${parent.resourceType || 'tenant'}`,
    );
  }
  return `${base}/providers/${armType}/${name}`;
}

/** ARM IDs compare case-insensitively. */
export function armIdsEqual(a: string, b: string): boolean {
  return a.replace(/\/$/, '').toLowerCase() === b.replace(/\/$/, '').toLowerCase();
}
