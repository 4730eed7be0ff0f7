/**
 * The emulator's own ARM path parser (deliberately independent of `src/arm` and `src/model`'s ID helpers: one bug
 * must not make client and server agree). Keyword segments match case-insensitively; names keep the caller's casing;
 * `id`s use canonical keyword casing (`subscriptions`, `resourceGroups`, `providers`).
 */
import { ArmError } from './errors.js';

/** Where a resource lives: the tenant root, a subscription, a resource group, or another resource (extensions). */
export interface Scope {
  /** Canonical ID ('' for the tenant root). */
  id: string;
  subscriptionId?: string;
  resourceGroup?: string;
  /** Set when the scope is a resource (extension resources and children hang off it). */
  resource?: ResourceRef;
}

/** A resource addressed by its ID. */
export interface ResourceRef {
  /** Canonical ID with the caller's casing. */
  id: string;
  /** Lower-cased ID: the store key. */
  key: string;
  /** The scope the top-level ancestor lives in (for an extension: the resource it extends). */
  scope: Scope;
  namespace: string;
  /** Type segments: `['storageAccounts', 'blobServices']`. */
  types: string[];
  /** Name segments, one per type. */
  names: string[];
  /** `Microsoft.Storage/storageAccounts/blobServices`. */
  fullType: string;
  name: string;
  /** ID of the parent resource for children; undefined for top-level resources. */
  parentId?: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

/** What an ARM request path addresses. */
export type ArmPath =
  | { kind: 'subscriptions' }
  | { kind: 'subscription'; subscriptionId: string }
  | { kind: 'tenants' }
  | { kind: 'resourceGroups'; subscriptionId: string }
  | { kind: 'resourceGroup'; subscriptionId: string; resourceGroup: string; id: string }
  | { kind: 'genericList'; subscriptionId: string; resourceGroup?: string }
  | { kind: 'locations'; subscriptionId: string }
  | { kind: 'groupOperationResult'; subscriptionId: string; operationId: string }
  | { kind: 'providers'; subscriptionId?: string }
  | { kind: 'provider'; subscriptionId?: string; namespace: string }
  | { kind: 'providerAction'; scope: Scope; namespace: string; action: string }
  | { kind: 'operation'; subscriptionId?: string; operationId: string; result: boolean }
  | { kind: 'resource'; resource: ResourceRef }
  | { kind: 'collection'; scope: Scope; parent?: ResourceRef; namespace: string; types: string[]; fullType: string }
  | { kind: 'action'; resource: ResourceRef; action: string };

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const namespacePattern = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+$/;
const typePattern = /^[A-Za-z0-9]+$/;
// eslint-disable-next-line no-control-regex
const badNameCharacters = /[<>%&:\\?/#\u0000-\u001f\u007f]/;

/** Parses the decoded path segments of an ARM request (without the leading empty segment). */
export function parseArmPath(method: string, segments: string[]): ArmPath {
  const lower = segments.map((segment) => segment.toLowerCase());
  const [first] = lower;
  if (first === 'tenants' && segments.length === 1) return { kind: 'tenants' };
  if (first === 'subscriptions') {
    if (segments.length === 1) return { kind: 'subscriptions' };
    const subscriptionId = checkSubscriptionId(segments[1] ?? '');
    if (segments.length === 2) return { kind: 'subscription', subscriptionId };
    const third = lower[2];
    if (third === 'resourcegroups') {
      if (segments.length === 3) return { kind: 'resourceGroups', subscriptionId };
      const resourceGroup = checkResourceGroupName(segments[3] ?? '');
      const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
      if (segments.length === 4) return { kind: 'resourceGroup', subscriptionId, resourceGroup, id };
      if (segments.length === 5 && lower[4] === 'resources')
        return { kind: 'genericList', subscriptionId, resourceGroup };
      if (lower[4] !== 'providers') throw notFoundPath(segments);
    } else if (third === 'resources' && segments.length === 3) {
      return { kind: 'genericList', subscriptionId };
    } else if (third === 'locations' && segments.length === 3) {
      return { kind: 'locations', subscriptionId };
    } else if (third === 'operationresults' && segments.length === 4) {
      return { kind: 'groupOperationResult', subscriptionId, operationId: segments[3] ?? '' };
    } else if (third !== 'providers') {
      throw notFoundPath(segments);
    }
  } else if (first !== 'providers') {
    throw new ArmError(
      400,
      'MissingSubscription',
      'The request did not have a subscription or a valid tenant level resource provider.',
    );
  }
  return parseProviderPath(method, segments, lower);
}

function parseProviderPath(method: string, segments: string[], lower: string[]): ArmPath {
  const providersAt = lower.lastIndexOf('providers');
  const scope = parseScope(segments.slice(0, providersAt));
  const after = segments.slice(providersAt + 1);
  const [namespace, ...rest] = after;
  if (namespace === undefined) {
    if (scope.resource !== undefined || scope.resourceGroup !== undefined) throw notFoundPath(segments);
    return { kind: 'providers', ...(scope.subscriptionId ? { subscriptionId: scope.subscriptionId } : {}) };
  }
  if (!namespacePattern.test(namespace))
    throw new ArmError(400, 'InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
  const restLower = rest.map((segment) => segment.toLowerCase());
  if (
    method === 'GET' &&
    rest.length === 4 &&
    restLower[0] === 'locations' &&
    (restLower[2] === 'operationstatuses' || restLower[2] === 'operationresults') &&
    scope.resource === undefined &&
    scope.resourceGroup === undefined
  ) {
    return {
      kind: 'operation',
      ...(scope.subscriptionId ? { subscriptionId: scope.subscriptionId } : {}),
      operationId: rest[3] ?? '',
      result: restLower[2] === 'operationresults',
    };
  }
  if (rest.length === 0) {
    if (scope.resource !== undefined || scope.resourceGroup !== undefined) throw notFoundPath(segments);
    return { kind: 'provider', ...(scope.subscriptionId ? { subscriptionId: scope.subscriptionId } : {}), namespace };
  }
  if (rest.length % 2 === 1) {
    const action = rest[rest.length - 1] ?? '';
    if (method === 'POST') {
      if (rest.length === 1) return { kind: 'providerAction', scope, namespace, action };
      return { kind: 'action', resource: buildResource(scope, namespace, rest.slice(0, -1)), action };
    }
    const types = rest.filter((_, index) => index % 2 === 0);
    for (const type of types) checkTypeName(type);
    const parent = rest.length > 1 ? buildResource(scope, namespace, rest.slice(0, -1)) : undefined;
    return {
      kind: 'collection',
      scope,
      ...(parent ? { parent } : {}),
      namespace,
      types,
      fullType: [namespace, ...types].join('/'),
    };
  }
  return { kind: 'resource', resource: buildResource(scope, namespace, rest) };
}

/** Parses the part before `/providers/`: tenant root, subscription, resource group, management group or resource. */
function parseScope(segments: string[]): Scope {
  const lower = segments.map((segment) => segment.toLowerCase());
  if (segments.length === 0) return { id: '' };
  if (lower[0] === 'subscriptions' && segments.length === 2) {
    const subscriptionId = checkSubscriptionId(segments[1] ?? '');
    return { id: `/subscriptions/${subscriptionId}`, subscriptionId };
  }
  if (lower[0] === 'subscriptions' && lower[2] === 'resourcegroups' && segments.length === 4) {
    const subscriptionId = checkSubscriptionId(segments[1] ?? '');
    const resourceGroup = checkResourceGroupName(segments[3] ?? '');
    return { id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`, subscriptionId, resourceGroup };
  }
  const providersAt = lower.lastIndexOf('providers');
  if (providersAt < 0)
    throw new ArmError(400, 'InvalidScope', `The scope '/${segments.join('/')}' is not a valid ARM scope.`);
  const rest = segments.slice(providersAt + 1);
  const [namespace, ...typesAndNames] = rest;
  if (namespace === undefined || typesAndNames.length === 0 || typesAndNames.length % 2 !== 0) {
    throw new ArmError(400, 'InvalidScope', `The scope '/${segments.join('/')}' is not a valid ARM scope.`);
  }
  const resource = buildResource(parseScope(segments.slice(0, providersAt)), namespace, typesAndNames);
  return {
    id: resource.id,
    ...(resource.subscriptionId ? { subscriptionId: resource.subscriptionId } : {}),
    ...(resource.resourceGroup ? { resourceGroup: resource.resourceGroup } : {}),
    resource,
  };
}

function buildResource(scope: Scope, namespace: string, typesAndNames: string[]): ResourceRef {
  if (!namespacePattern.test(namespace))
    throw new ArmError(400, 'InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
  const types: string[] = [];
  const names: string[] = [];
  for (let index = 0; index < typesAndNames.length; index += 2) {
    types.push(checkTypeName(typesAndNames[index] ?? ''));
    names.push(checkResourceName(typesAndNames[index + 1] ?? ''));
  }
  const pairs = types.map((type, index) => `${type}/${names[index] ?? ''}`);
  const id = `${scope.id}/providers/${namespace}/${pairs.join('/')}`;
  const parentId = types.length > 1 ? `${scope.id}/providers/${namespace}/${pairs.slice(0, -1).join('/')}` : undefined;
  return {
    id,
    key: id.toLowerCase(),
    scope,
    namespace,
    types,
    names,
    fullType: [namespace, ...types].join('/'),
    name: names[names.length - 1] ?? '',
    ...(parentId !== undefined ? { parentId } : {}),
    ...(scope.subscriptionId ? { subscriptionId: scope.subscriptionId } : {}),
    ...(scope.resourceGroup ? { resourceGroup: scope.resourceGroup } : {}),
  };
}

function checkSubscriptionId(value: string): string {
  if (!guidPattern.test(value))
    throw new ArmError(
      400,
      'InvalidSubscriptionId',
      `The provided subscription identifier '${value}' is malformed or invalid.`,
    );
  return value;
}

/** Resource group names: 1–90 letters, digits, `-_().`, not ending in `.`. */
export function checkResourceGroupName(value: string): string {
  if (!/^[-\p{L}\p{N}_().]{1,90}$/u.test(value) || value.endsWith('.')) {
    throw new ArmError(
      400,
      'InvalidResourceGroup',
      `The provided resource group name '${value}' has these invalid characters or length. Resource group ` +
        `names may contain up to 90 letters, digits, underscores, hyphens, periods and parentheses, and may ` +
        `not end in a period.`,
      { target: 'resourceGroupName' },
    );
  }
  return value;
}

function checkResourceName(value: string): string {
  if (
    value.length === 0 ||
    value.length > 260 ||
    badNameCharacters.test(value) ||
    value.endsWith('.') ||
    value.endsWith(' ')
  ) {
    throw new ArmError(
      400,
      'InvalidResourceName',
      `The resource name '${value}' is invalid. It must be 1-260 characters, must not contain '<>%&:\\?/#' ` +
        `or control characters and must not end with a period or space.`,
      { target: 'name' },
    );
  }
  return value;
}

function checkTypeName(value: string): string {
  if (!typePattern.test(value))
    throw new ArmError(400, 'InvalidResourceType', `The resource type '${value}' is invalid.`);
  return value;
}

function notFoundPath(segments: string[]): ArmError {
  return new ArmError(
    404,
    'NotFound',
    `No HTTP resource was found that matches the request URI '/${segments.join('/')}'.`,
  );
}

/** `<Provider>/locations/<region>`: an address under which some types live, not a resource of its own. */
export function isLocationAddress(ref: Pick<ResourceRef, 'types'>): boolean {
  return ref.types.length === 1 && ref.types[0]?.toLowerCase() === 'locations';
}
