/**
 * The ARM side of the emulator: subscriptions, resource groups, and a generic provider for any resource type at any
 * depth (tracked, proxy, child, extension, subscription- and tenant-level), with long-running operations as ARM runs
 * them, ETags, PATCH as merge, paging, POST actions and model-driven validation. Pure request → response logic over
 * the state store; the HTTP server, authentication and throttling are in `server.ts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { KindModel, SchemaNode } from '../../model/index.js';
import { isLifecycleAction, runAction } from './actions.js';
import type { TypeCatalog } from './catalog.js';
import { fillComputed, implicitChildren } from './computed.js';
import {
  interfaceSubnetId,
  needsNetworkInterface,
  networkInterfaceFor,
  nextPrivateAddress,
  subnetIdOf,
} from './private-endpoints.js';
import { ArmError, invalidRequestContent, resourceGroupNotFound, resourceNotFound } from './errors.js';
import { isObject } from './http.js';
import { isLocationAddress, parseArmPath, type ArmPath, type ResourceRef, type Scope } from './paths.js';
import {
  checkPurge,
  checkVaultCreate,
  deletedVaultNotFound,
  isDeletedVault,
  isDeletedVaultType,
  isDeletedVaultsCollection,
  softDeletedVaults,
  type DeletedVault,
} from './soft-delete.js';
import type { OperationKind, OperationRecord, StateStore, StoredResource } from './state.js';
import { stripReadOnly, stripWriteOnly, throwIfInvalid, validateBody } from './validate.js';
import {
  checkGroupLocation,
  checkResourceLocation,
  globalTypeOf,
  invalidNameAvailability,
  isGloballyNamed,
  nameProblem,
  nameTaken,
  normalizeLocation,
  putShapeOf,
  regions,
  takenNameAvailability,
  typicalDurationMs,
} from './rules.js';

/** How a body is checked (see `ArmEngine.modelFor`). */
type Checked = { strict?: KindModel; lenient?: KindModel };

/** Who is calling, from the access token. */
export interface Principal {
  tenantId: string;
  objectId: string;
  clientId: string;
}

/** A fault-injected outcome for the long-running operation this request starts. */
export interface LroOutcome {
  provisioningState: 'Failed' | 'Canceled';
  status: number;
  code: string;
  message: string;
}

/** One ARM request, already authenticated and with its JSON body parsed. */
export interface ArmRequest {
  method: string;
  segments: string[];
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** `https://host:port` as the client addressed the emulator. */
  origin: string;
  principal: Principal;
  /**
   * The `x-ms-correlation-request-id` of this request (the client's, or generated): kept on the operations it starts.
   */
  correlationId?: string;
  lroOutcome?: LroOutcome;
}

/** A response: status, optional JSON body, headers. */
export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Tunables of the ARM engine (changeable at run time through the admin API). */
export interface EngineOptions {
  /** Duration of long-running operations in ms; 0 → PUT/PATCH/DELETE complete synchronously. */
  latencyMs: number;
  /** Fixed `Retry-After` seconds for polls; undefined → the remaining time rounded up, at least 1. */
  retryAfterSeconds?: number;
  /** Default and maximum page size of lists. */
  pageSize: number;
  /**
   * true: a known type (modelled or in the catalog) at an unpublished api-version → 400 `NoRegisteredProviderFound`;
   * false: accepted without validation.
   */
  strictApiVersions: boolean;
  /**
   * Set (`--latency realistic`): each operation lasts the type's typical Azure provisioning time times this factor,
   * instead of `latencyMs`.
   */
  latencyFactor?: number;
  now: () => number;
}

const apiVersionPattern = /^\d{4}-\d{2}-\d{2}(-(preview|alpha|beta|rc|privatepreview))?$/i;
/** api-versions of ARM's own endpoints (Microsoft.Resources) when there is no catalog. */
const fallbackNativeApiVersions = [
  '2014-04-01',
  '2014-04-01-preview',
  '2015-01-01',
  '2015-11-01',
  '2016-02-01',
  '2016-06-01',
  '2016-07-01',
  '2016-09-01',
  '2017-05-10',
  '2017-08-01',
  '2018-02-01',
  '2018-05-01',
  '2018-06-01',
  '2019-03-01',
  '2019-05-01',
  '2019-05-10',
  '2019-06-01',
  '2019-07-01',
  '2019-08-01',
  '2019-10-01',
  '2019-11-01',
  '2020-01-01',
  '2020-06-01',
  '2020-08-01',
  '2020-10-01',
  '2021-01-01',
  '2021-04-01',
  '2022-01-01',
  '2022-09-01',
  '2022-12-01',
  '2023-07-01',
  '2024-03-01',
  '2024-07-01',
  '2024-11-01',
  '2025-01-01',
  '2025-03-01',
  '2025-04-01',
];
const resourceGroupType = 'Microsoft.Resources/resourceGroups';
const operationRetentionMs = 15 * 60_000;

/**
 * Operations that real ARM completes synchronously even when others of the provider are long-running (their SDK
 * methods are not `begin…`, so a 202 would break them). Keys: lower-case type prefix → methods.
 * TODO: take this from the resource model once it records long-running operations per kind.
 */
const synchronousOperations: Array<{ type: RegExp; methods: string[] }> = [
  { type: /^microsoft\.storage\/storageaccounts$/, methods: ['PATCH', 'DELETE'] },
  { type: /^microsoft\.storage\/storageaccounts\//, methods: ['PUT', 'PATCH', 'DELETE'] },
  { type: /^microsoft\.authorization\//, methods: ['PUT', 'PATCH', 'DELETE'] },
  { type: /^microsoft\.managedidentity\//, methods: ['PUT', 'PATCH', 'DELETE'] },
  { type: /^microsoft\.keyvault\/vaults\/(secrets|accesspolicies)$/, methods: ['PUT', 'PATCH', 'DELETE'] },
  { type: /^microsoft\.cache\/redis\/(firewallrules|patchschedules)$/, methods: ['PUT', 'DELETE'] },
  { type: /^microsoft\.(servicebus|eventhub)\/namespaces\/.+/, methods: ['PUT', 'PATCH', 'DELETE'] },
];

/** true when ARM runs `method` on `fullType` synchronously whatever the configured latency. */
function isSynchronous(fullType: string, method: string): boolean {
  const type = fullType.toLowerCase();
  return synchronousOperations.some((entry) => entry.type.test(type) && entry.methods.includes(method));
}

/** The ARM engine: routes a request to its handler and keeps the state store consistent. */
export class ArmEngine {
  private readonly modelsByType = new Map<string, KindModel[]>();
  private readonly nativeApiVersions: string[];

  constructor(
    private readonly store: StateStore,
    readonly options: EngineOptions,
    models: KindModel[],
    private readonly catalog: TypeCatalog,
  ) {
    for (const model of models) {
      const key = model.armType.toLowerCase();
      this.modelsByType.set(key, [...(this.modelsByType.get(key) ?? []), model]);
    }
    this.nativeApiVersions = catalog.versionsOf(resourceGroupType) ?? fallbackNativeApiVersions;
  }

  private get resources(): Map<string, StoredResource> {
    return this.store.state.resources;
  }

  /**
   * Handles one request; its changes are saved before it returns. Handlers check everything before they change
   * anything, so an ArmError (any 4xx, or a failed operation's result) leaves the resources as they were; only the
   * registration of a subscription on first use is kept. Any other error (a bug, a failed save) restores memory from
   * the last save when there is a data dir.
   */
  handle(request: ArmRequest): ArmResponse {
    this.advanceOperations();
    try {
      const response = this.route(request);
      this.store.commitIfChanged(request.method !== 'GET' && request.method !== 'HEAD');
      return response;
    } catch (error) {
      if (!(error instanceof ArmError)) {
        this.store.rollback();
        throw error;
      }
      this.store.commitIfChanged(false);
      throw error;
    }
  }

  /** Completes due operations (and applies their midpoint states); called on every request. */
  advanceOperations(): void {
    const now = this.options.now();
    let changed = false;
    for (const operation of this.store.state.operations.values()) {
      if (operation.status !== 'InProgress') {
        if (operation.endTime !== undefined && now - operation.endTime > operationRetentionMs) {
          this.store.state.operations.delete(operation.id);
          changed = true;
        }
        continue;
      }
      if (now >= operation.completesAt) {
        this.completeOperation(operation, now);
        changed = true;
      } else if (
        !operation.midpointApplied &&
        now >= operation.startTime + (operation.completesAt - operation.startTime) / 2
      ) {
        operation.midpointApplied = true;
        const resource = this.resources.get(operation.resourceKey);
        if (resource && resource.pendingOperationId === operation.id && operation.kind !== 'groupDelete') {
          setProvisioningState(
            resource,
            operation.kind === 'delete' ? 'Deleting' : operation.created === true ? 'Creating' : 'Updating',
          );
        }
        changed = true;
      }
    }
    if (changed) this.store.commit();
  }

  private route(request: ArmRequest): ArmResponse {
    const path = parseArmPath(request.method, request.segments);
    const apiVersion = request.query.get('api-version');
    if (apiVersion === null || apiVersion === '') {
      throw new ArmError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    if (!apiVersionPattern.test(apiVersion)) throw invalidApiVersion(apiVersion, this.nativeApiVersions);
    const method = request.method;
    switch (path.kind) {
      case 'subscriptions':
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        return this.page(
          request,
          [...this.store.state.subscriptions.values()]
            .filter((item) => item.tenantId === request.principal.tenantId)
            .map((item) => subscriptionBody(item)),
        );
      case 'subscription': {
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        return { status: 200, body: subscriptionBody(this.ensureSubscription(path.subscriptionId, request.principal)) };
      }
      case 'tenants':
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        return {
          status: 200,
          body: {
            value: [
              {
                id: `/tenants/${request.principal.tenantId}`,
                tenantId: request.principal.tenantId,
                tenantCategory: 'Home',
                displayName: 'azo emulator tenant',
                defaultDomain: 'emulator.onmicrosoft.com',
              },
            ],
          },
        };
      case 'locations':
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        this.ensureSubscription(path.subscriptionId, request.principal);
        return {
          status: 200,
          body: {
            value: Object.entries(regions).map(([name, displayName]) => ({
              id: `/subscriptions/${path.subscriptionId}/locations/${name}`,
              name,
              type: 'Region',
              displayName,
              regionalDisplayName: displayName,
              metadata: { regionType: 'Physical', regionCategory: 'Recommended' },
            })),
          },
        };
      case 'resourceGroups':
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        this.ensureSubscription(path.subscriptionId, request.principal);
        {
          const tagMatches = tagFilter(request.query.get('$filter') ?? '');
          return this.page(
            request,
            this.sorted(
              (resource) =>
                resource.fullType === resourceGroupType &&
                resource.subscriptionId?.toLowerCase() === path.subscriptionId.toLowerCase() &&
                tagMatches(resource),
            ).map((resource) => this.output(resource)),
          );
        }
      case 'resourceGroup':
        this.checkNativeVersion(apiVersion);
        return this.resourceGroup(request, path, apiVersion);
      case 'genericList':
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        return this.genericList(request, path.subscriptionId, path.resourceGroup);
      case 'groupOperationResult':
        allow(method, ['GET']);
        return this.operationResult(request, path.operationId, path.subscriptionId);
      case 'providers':
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        if (path.subscriptionId) this.ensureSubscription(path.subscriptionId, request.principal);
        return this.page(
          request,
          this.namespaces().map((namespace) => this.providerBody(namespace, path.subscriptionId)),
        );
      case 'provider':
        this.checkNativeVersion(apiVersion);
        allow(method, ['GET']);
        if (path.subscriptionId) this.ensureSubscription(path.subscriptionId, request.principal);
        return { status: 200, body: this.providerBody(path.namespace, path.subscriptionId) };
      case 'providerAction':
        return this.providerAction(request, path);
      case 'operation':
        return path.result
          ? this.operationResult(request, path.operationId, path.subscriptionId)
          : this.operationStatus(request, path.operationId, path.subscriptionId);
      case 'resource':
        return this.resource(request, path.resource, apiVersion);
      case 'collection':
        allow(method, ['GET']);
        return this.collection(request, path, apiVersion);
      case 'action':
        return this.action(request, path.resource, path.action, apiVersion);
    }
  }

  // ---- subscriptions and scopes -------------------------------------------------------------------------------

  private ensureSubscription(subscriptionId: string, principal: Principal) {
    const key = subscriptionId.toLowerCase();
    const existing = this.store.state.subscriptions.get(key);
    if (existing) {
      if (existing.tenantId !== principal.tenantId) {
        throw new ArmError(
          401,
          'InvalidAuthenticationTokenTenant',
          `The access token is from the wrong issuer. It must match the tenant '${existing.tenantId}' ` +
            `associated with this subscription. Please use the authority (URL) for tenant '${existing.tenantId}' ` +
            `to get the token.`,
        );
      }
      return existing;
    }
    const created = {
      subscriptionId,
      tenantId: principal.tenantId,
      displayName: `azo emulator subscription ${subscriptionId.slice(0, 8)}`,
    };
    this.store.state.subscriptions.set(key, created);
    this.store.markChanged();
    return created;
  }

  private requireScope(scope: Scope, principal: Principal, write: boolean): void {
    if (scope.subscriptionId) this.ensureSubscription(scope.subscriptionId, principal);
    if (scope.subscriptionId && scope.resourceGroup) {
      const group = this.resources.get(groupKey(scope.subscriptionId, scope.resourceGroup));
      if (!group) throw resourceGroupNotFound(scope.resourceGroup);
      if (write && getProvisioningState(group) === 'Deleting') throw groupBeingDeleted(scope.resourceGroup);
    }
    if (scope.resource && !this.resources.has(scope.resource.key)) {
      throw resourceNotFound(scope.resource.fullType, scope.resource.name, scope.resourceGroup);
    }
  }

  private requireParent(ref: ResourceRef): void {
    if (ref.parentId === undefined) return;
    // `<Provider>/locations/<region>` is an address, not a resource (instance failover groups, for one, live there).
    if (isLocationAddress({ types: ref.types.slice(0, -1) })) {
      checkResourceLocation(ref.fullType, ref.names[0] ?? '');
      return;
    }
    if (!this.resources.has(ref.parentId.toLowerCase())) {
      throw new ArmError(
        404,
        'ParentResourceNotFound',
        `Can not perform requested operation on nested resource. Parent resource '` +
          `${ref.names.slice(0, -1).join('/')}' not found.`,
      );
    }
  }

  // ---- api-versions and models ----------------------------------------------------------------------------------

  private checkNativeVersion(apiVersion: string): void {
    if (!this.nativeApiVersions.includes(apiVersion.toLowerCase()))
      throw invalidApiVersion(apiVersion, this.nativeApiVersions);
  }

  /**
   * How a body of `fullType` at `apiVersion` is checked: `strict` (a model has that version), `lenient` (a published
   * version no model has: read-only properties of the modelled version dropped, everything else kept), or neither
   * (a type nothing knows: accepted as-is). 400 `NoRegisteredProviderFound` for an unpublished version of a known type.
   */
  private modelFor(
    fullType: string,
    apiVersion: string,
    location?: string,
  ): { strict?: KindModel; lenient?: KindModel } {
    const models = this.modelsByType.get(fullType.toLowerCase()) ?? [];
    const wanted = apiVersion.toLowerCase();
    const strict = models.find((candidate) => candidate.apiVersion.toLowerCase() === wanted);
    if (strict) return { strict };
    const published = this.catalog.versionsOf(fullType);
    const lenient = models[0];
    if (published?.some((version) => version.toLowerCase() === wanted) || !this.options.strictApiVersions)
      return lenient ? { lenient } : {};
    if (published === undefined && lenient === undefined) return {};
    const typeName = fullType.slice(fullType.indexOf('/') + 1);
    const supported = (published ?? models.map((candidate) => candidate.apiVersion)).join(', ');
    throw new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${location ?? 'global'}' and API version '` +
        `${apiVersion}' for type '${typeName}'. The supported api-versions are '${supported}'. The supported ` +
        `locations are '${Object.values(regions).join(', ')}'.`,
    );
  }

  /** The arrays under `properties` of `fullType` that hold its child resources (a virtual network's `subnets`). */
  private inlineChildrenOf(fullType: string): string[] {
    return this.modelsByType.get(fullType.toLowerCase())?.find((model) => model.inlineChildren)?.inlineChildren ?? [];
  }

  private schemaOf(fullType: string): SchemaNode | undefined {
    return this.modelsByType.get(fullType.toLowerCase())?.[0]?.body;
  }

  // ---- resource groups -----------------------------------------------------------------------------------------

  private resourceGroup(
    request: ArmRequest,
    path: Extract<ArmPath, { kind: 'resourceGroup' }>,
    apiVersion: string,
  ): ArmResponse {
    const { subscriptionId, resourceGroup: name, id } = path;
    this.ensureSubscription(subscriptionId, request.principal);
    const key = id.toLowerCase();
    const existing = this.resources.get(key);
    switch (request.method) {
      case 'HEAD':
        return { status: existing ? 204 : 404 };
      case 'GET':
        if (!existing) throw resourceGroupNotFound(name);
        return { status: 200, body: this.output(existing) };
      case 'PUT': {
        const body = requireObject(request.body);
        const location = body.location;
        if (typeof location !== 'string' || location === '')
          throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.', {
            target: 'location',
          });
        checkGroupLocation(location);
        if (existing && getProvisioningState(existing) === 'Deleting') throw groupBeingDeleted(name);
        if (existing && normalizeLocation(String(existing.body.location)) !== normalizeLocation(location)) {
          throw new ArmError(
            409,
            'InvalidResourceGroupLocation',
            `Invalid resource group location '${location}'. The Resource group already exists in location '` +
              `${String(existing.body.location)}'.`,
          );
        }
        checkTags(body.tags);
        const group: StoredResource = {
          id,
          key,
          fullType: resourceGroupType,
          name,
          subscriptionId,
          resourceGroup: name,
          body: {
            id,
            name,
            type: resourceGroupType,
            location: normalizeLocation(location),
            ...(typeof body.managedBy === 'string' ? { managedBy: body.managedBy } : {}),
            ...(isObject(body.tags) ? { tags: body.tags } : {}),
            properties: { provisioningState: 'Succeeded' },
          },
        };
        this.resources.set(key, group);
        return { status: existing ? 200 : 201, body: this.output(group) };
      }
      case 'PATCH': {
        const body = requireObject(request.body);
        if (!existing) throw resourceGroupNotFound(name);
        if (getProvisioningState(existing) === 'Deleting') throw groupBeingDeleted(name);
        checkTags(body.tags);
        if (isObject(body.tags)) existing.body.tags = body.tags;
        if (typeof body.managedBy === 'string') existing.body.managedBy = body.managedBy;
        return { status: 200, body: this.output(existing) };
      }
      case 'DELETE': {
        if (!existing) throw resourceGroupNotFound(name);
        const pending =
          existing.pendingOperationId === undefined
            ? undefined
            : this.store.state.operations.get(existing.pendingOperationId);
        const operation =
          pending ?? this.startOperation('groupDelete', existing, 'Microsoft.Resources', apiVersion, request);
        if (!pending) {
          existing.pendingOperationId = operation.id;
          setProvisioningState(existing, 'Deleting');
        }
        return {
          status: 202,
          headers: {
            location:
              `${request.origin}/subscriptions/${subscriptionId}/operationresults/${operation.id}?api-version=` +
              `${apiVersion}`,
            'retry-after': this.retryAfter(operation),
          },
        };
      }
      default:
        throw methodNotAllowed(request.method);
    }
  }

  // ---- generic resources ---------------------------------------------------------------------------------------

  private resource(request: ArmRequest, ref: ResourceRef, apiVersion: string): ArmResponse {
    if (isDeletedVaultType(ref.fullType)) return this.deletedVault(request, ref);
    const body = isObject(request.body) ? request.body : undefined;
    const model = this.modelFor(
      ref.fullType,
      apiVersion,
      typeof body?.location === 'string' ? body.location : undefined,
    );
    switch (request.method) {
      case 'GET':
      case 'HEAD': {
        this.requireScope(ref.scope, request.principal, false);
        this.requireParent(ref);
        const existing = this.resources.get(ref.key);
        if (!existing) {
          if (request.method === 'HEAD') return { status: 404 };
          throw resourceNotFound(ref.fullType, ref.name, ref.resourceGroup);
        }
        if (request.method === 'HEAD') return { status: 204 };
        return this.withEtag(200, existing);
      }
      case 'PUT':
        return this.putResource(request, ref, apiVersion, model);
      case 'PATCH':
        return this.patchResource(request, ref, apiVersion, model);
      case 'DELETE':
        return this.deleteResource(request, ref, apiVersion);
      default:
        throw methodNotAllowed(request.method);
    }
  }

  private putResource(request: ArmRequest, ref: ResourceRef, apiVersion: string, checked: Checked): ArmResponse {
    this.requireScope(ref.scope, request.principal, true);
    this.requireParent(ref);
    const body = requireObject(request.body);
    const existing = this.resources.get(ref.key);
    checkPreconditions(request.headers, existing, 'PUT');
    if (existing?.pendingOperationId !== undefined) throw anotherOperationInProgress(existing);
    const model = checked.strict ?? checked.lenient;
    this.checkName(ref.fullType, ref.name, model);
    if (typeof body.location === 'string' && ref.scope.resource === undefined)
      checkResourceLocation(ref.fullType, body.location);
    const inlineChildren = this.inlineChildrenIn(ref, body);
    if (checked.strict) throwIfInvalid(validateBody(body, checked.strict.body));
    checkTags(body.tags);
    const requestedState = isObject(body.properties) ? body.properties.provisioningState : undefined;
    if (
      requestedState !== undefined &&
      existing &&
      String(requestedState).toLowerCase() !== (getProvisioningState(existing) ?? '').toLowerCase()
    ) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `The provisioningState '${String(requestedState)}' in the request does not match the resource's current state.`,
        { target: 'properties.provisioningState' },
      );
    }
    if (
      typeof body.location === 'string' &&
      existing &&
      typeof existing.body.location === 'string' &&
      normalizeLocation(existing.body.location) !== normalizeLocation(body.location)
    ) {
      throw new ArmError(
        409,
        'InvalidResourceLocation',
        `The resource '${ref.name}' already exists in location '${existing.body.location}' in resource group ` +
          `'${ref.resourceGroup ?? ''}'. A resource with the same name cannot be created in location '` +
          `${body.location}'. Please select a new resource name.`,
      );
    }
    const recovered = checkVaultCreate(this.resources.values(), {
      subscriptionId: ref.subscriptionId,
      name: ref.name,
      fullType: ref.fullType,
      exists: existing !== undefined,
      body,
    });
    if (!existing) this.checkGlobalName(ref);
    const cleaned = (model ? stripReadOnly(body, model.body) : structuredClone(body)) as Record<string, unknown>;
    for (const arrayName of inlineChildren?.keys() ?? [])
      if (isObject(cleaned.properties)) delete cleaned.properties[arrayName];
    for (const name of ['id', 'name', 'type', 'etag', 'systemData']) delete cleaned[name];
    if (typeof cleaned.location === 'string') cleaned.location = normalizeLocation(cleaned.location);
    const properties = isObject(cleaned.properties) ? cleaned.properties : {};
    delete properties.provisioningState;
    delete cleaned.properties;
    const fullType = model?.armType ?? ref.fullType;
    const now = new Date(this.options.now()).toISOString();
    const previousSystemData = isObject(existing?.body.systemData) ? existing.body.systemData : undefined;
    const stored: StoredResource = {
      id: ref.id,
      key: ref.key,
      fullType,
      name: ref.name,
      ...(ref.subscriptionId ? { subscriptionId: ref.subscriptionId } : {}),
      ...(ref.resourceGroup ? { resourceGroup: ref.resourceGroup } : {}),
      ...(ref.parentId !== undefined ? { parentKey: ref.parentId.toLowerCase() } : {}),
      ...(ref.scope.resource ? { extension: true } : {}),
      ...(existing?.secrets ? { secrets: existing.secrets } : {}),
      body: {
        id: ref.id,
        name: ref.name,
        type: fullType,
        ...cleaned,
        properties: { ...properties, provisioningState: 'Succeeded' },
        etag: newEtag(),
        systemData: {
          createdBy: previousSystemData?.createdBy ?? request.principal.clientId,
          createdByType: previousSystemData?.createdByType ?? 'Application',
          createdAt: previousSystemData?.createdAt ?? now,
          lastModifiedBy: request.principal.clientId,
          lastModifiedByType: 'Application',
          lastModifiedAt: now,
        },
      },
    };
    fillComputed(stored, request.principal.tenantId);
    this.resources.set(ref.key, stored);
    if (recovered) this.recoverVault(recovered, stored);
    if (!existing) this.createImplicitChildren(stored);
    if (needsNetworkInterface(stored)) this.attachNetworkInterface(stored);
    if (inlineChildren) this.storeInlineChildren(stored, inlineChildren);
    const shape = putShapeOf(fullType);
    if ((!this.asyncOperations || isSynchronous(fullType, 'PUT')) && request.lroOutcome === undefined)
      return this.withEtag(existing ? 200 : shape.created, stored);
    setProvisioningState(stored, 'Accepted');
    const operation = this.startOperation('put', stored, ref.namespace, apiVersion, request);
    if (!existing) operation.created = true;
    stored.pendingOperationId = operation.id;
    const retryAfter = this.retryAfter(operation);
    if (shape.accepted === 202) {
      // Storage (Location only) and PostgreSQL (both): 202 without a body, polled to the final resource.
      const headers =
        shape.polling === 'location'
          ? { location: this.operationUrl(request.origin, operation, true), 'retry-after': retryAfter }
          : this.pollHeaders(request.origin, operation);
      return { status: 202, headers };
    }
    const status = shape.accepted === 'createdOrOk' ? (existing ? 200 : 201) : shape.accepted;
    return this.withEtag(status, stored, {
      'azure-asyncoperation': this.operationUrl(request.origin, operation, false),
      'retry-after': retryAfter,
    });
  }

  /** The provider's name rule, the singleton's fixed name or the type definition's pattern (400 with Azure's code). */
  private checkName(fullType: string, name: string, model: KindModel | undefined): void {
    const fixedName = this.catalog.fixedNameOf(fullType) ?? model?.fixedName;
    const problem = nameProblem(fullType, name, {
      ...(fixedName !== undefined ? { fixedName } : {}),
      ...(model?.body.properties?.name ? { nameSchema: model.body.properties.name } : {}),
    });
    if (problem) throw problem;
  }

  /**
   * A name that is global in Azure (storage accounts, vaults, …) and taken in any subscription (or by a deleted vault).
   */
  private checkGlobalName(ref: ResourceRef): void {
    if (!isGloballyNamed(ref.fullType)) return;
    const taken = this.findGloballyNamed(ref.fullType, ref.name, ref.key);
    if (taken === undefined) return;
    const sameSubscription = taken.subscriptionId?.toLowerCase() === ref.subscriptionId?.toLowerCase();
    if (
      sameSubscription &&
      !isDeletedVault(taken) &&
      ref.fullType.toLowerCase() === 'microsoft.storage/storageaccounts'
    ) {
      throw new ArmError(
        409,
        'StorageAccountInAnotherResourceGroup',
        `The account ${ref.name} is already in another resource group in this subscription.`,
      );
    }
    // A vault deleted in this subscription is checkVaultCreate's (recover or purge).
    if (sameSubscription && isDeletedVault(taken)) return;
    throw nameTaken(ref.fullType, ref.name);
  }

  /**
   * The resource of `fullType` named `name` anywhere in the emulator (any subscription; deleted vaults too), except
   * `exceptKey`.
   */
  private findGloballyNamed(fullType: string, name: string, exceptKey?: string): StoredResource | undefined {
    const type = fullType.toLowerCase();
    const wanted = name.toLowerCase();
    const vaults = type === 'microsoft.keyvault/vaults';
    for (const resource of this.resources.values()) {
      if (resource.key === exceptKey || resource.name.toLowerCase() !== wanted) continue;
      if (resource.fullType.toLowerCase() === type || (vaults && isDeletedVault(resource))) return resource;
    }
    return undefined;
  }

  /**
   * The inline child resources of a PUT body (a virtual network's `properties.subnets`), by array name; undefined
   * when the body has none of them (the children stay as they are). Each item needs a valid name.
   */
  private inlineChildrenIn(
    ref: ResourceRef,
    body: Record<string, unknown>,
  ): Map<string, Array<Record<string, unknown>>> | undefined {
    const names = this.inlineChildrenOf(ref.fullType);
    const properties = isObject(body.properties) ? body.properties : undefined;
    if (names.length === 0 || properties === undefined) return undefined;
    const result = new Map<string, Array<Record<string, unknown>>>();
    for (const arrayName of names) {
      const items = properties[arrayName];
      if (items === undefined || items === null) continue;
      if (!Array.isArray(items))
        throw new ArmError(400, 'InvalidRequestContent', `'properties.${arrayName}' must be an array.`, {
          target: `properties.${arrayName}`,
        });
      const childType = `${ref.fullType}/${arrayName}`;
      const childModel = this.modelsByType.get(childType.toLowerCase())?.[0];
      result.set(
        arrayName,
        items.map((item, index) => {
          const target = `properties.${arrayName}[${index}].name`;
          if (!isObject(item) || typeof item.name !== 'string' || item.name === '')
            throw new ArmError(400, 'InvalidRequestContent', `'${target}' is required.`, { target });
          this.checkName(childType, item.name, childModel);
          return item;
        }),
      );
    }
    return result;
  }

  /** Stores each inline child as a child resource; children of those types not listed are deleted. */
  private storeInlineChildren(parent: StoredResource, lists: Map<string, Array<Record<string, unknown>>>): void {
    for (const [arrayName, items] of lists) {
      const fullType = `${parent.fullType}/${arrayName}`;
      const childModel = this.modelsByType.get(fullType.toLowerCase())?.[0];
      const kept = new Set<string>();
      for (const item of items) {
        const name = String(item.name);
        const id = `${parent.id}/${arrayName}/${name}`;
        const key = id.toLowerCase();
        kept.add(key);
        const cleaned = (childModel ? stripReadOnly(item, childModel.body) : structuredClone(item)) as Record<
          string,
          unknown
        >;
        for (const field of ['id', 'name', 'type', 'etag']) delete cleaned[field];
        const properties = isObject(cleaned.properties) ? cleaned.properties : {};
        delete properties.provisioningState;
        this.resources.set(key, {
          id,
          key,
          fullType,
          name,
          parentKey: parent.key,
          ...(parent.subscriptionId ? { subscriptionId: parent.subscriptionId } : {}),
          ...(parent.resourceGroup ? { resourceGroup: parent.resourceGroup } : {}),
          body: {
            id,
            name,
            type: fullType,
            ...cleaned,
            properties: { ...properties, provisioningState: 'Succeeded' },
            etag: newEtag(),
          },
        });
      }
      const type = fullType.toLowerCase();
      const gone = this.sorted(
        (resource) =>
          resource.parentKey === parent.key && resource.fullType.toLowerCase() === type && !kept.has(resource.key),
      );
      for (const resource of gone) this.removeTree(resource.key);
    }
  }

  /** true when PUT/PATCH/DELETE of resources run as long-running operations (a latency, or `--latency realistic`). */
  private get asyncOperations(): boolean {
    return this.options.latencyFactor !== undefined || this.options.latencyMs > 0;
  }

  /** How long an operation on `fullType` lasts: its typical Azure time × the factor, or the fixed latency. */
  private durationOf(fullType: string): number {
    if (this.options.latencyFactor !== undefined)
      return Math.round(typicalDurationMs(fullType) * this.options.latencyFactor);
    return Math.max(0, this.options.latencyMs);
  }

  private patchResource(request: ArmRequest, ref: ResourceRef, apiVersion: string, checked: Checked): ArmResponse {
    const model = checked.strict;
    this.requireScope(ref.scope, request.principal, true);
    this.requireParent(ref);
    const body = requireObject(request.body);
    const existing = this.resources.get(ref.key);
    if (!existing) throw resourceNotFound(ref.fullType, ref.name, ref.resourceGroup);
    checkPreconditions(request.headers, existing, 'PATCH');
    if (existing.pendingOperationId !== undefined) throw anotherOperationInProgress(existing);
    if (model) throwIfInvalid(validateBody(body, model.body, { partial: true }));
    checkTags(body.tags);
    if (
      typeof body.location === 'string' &&
      typeof existing.body.location === 'string' &&
      normalizeLocation(body.location) !== normalizeLocation(existing.body.location)
    ) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `The location of resource '${ref.name}' cannot be changed from '${existing.body.location}' to '` +
          `${body.location}'.`,
        { target: 'location' },
      );
    }
    const schema = (checked.strict ?? checked.lenient)?.body;
    const patch = (schema ? stripReadOnly(body, schema) : structuredClone(body)) as Record<string, unknown>;
    for (const name of ['id', 'name', 'type', 'etag', 'systemData', 'location']) delete patch[name];
    if (isObject(patch.properties)) delete patch.properties.provisioningState;
    const state = getProvisioningState(existing);
    for (const [name, value] of Object.entries(patch)) {
      if (name === 'tags') existing.body.tags = value;
      else existing.body[name] = mergePatch(existing.body[name], value);
    }
    if (state !== undefined) setProvisioningState(existing, state);
    fillComputed(existing, request.principal.tenantId);
    existing.id = ref.id;
    existing.body.id = ref.id;
    existing.body.name = ref.name;
    existing.body.etag = newEtag();
    const now = new Date(this.options.now()).toISOString();
    existing.body.systemData = {
      ...(isObject(existing.body.systemData) ? existing.body.systemData : {}),
      lastModifiedBy: request.principal.clientId,
      lastModifiedByType: 'Application',
      lastModifiedAt: now,
    };
    if ((!this.asyncOperations || isSynchronous(existing.fullType, 'PATCH')) && request.lroOutcome === undefined) {
      setProvisioningState(existing, 'Succeeded');
      return this.withEtag(200, existing);
    }
    setProvisioningState(existing, 'Accepted');
    const operation = this.startOperation('patch', existing, ref.namespace, apiVersion, request);
    existing.pendingOperationId = operation.id;
    return { status: 202, headers: this.pollHeaders(request.origin, operation) };
  }

  private deleteResource(request: ArmRequest, ref: ResourceRef, apiVersion: string): ArmResponse {
    this.requireScope(ref.scope, request.principal, false);
    const existing = this.resources.get(ref.key);
    if (!existing) return { status: 204 };
    checkPreconditions(request.headers, existing, 'DELETE');
    if (existing.pendingOperationId !== undefined) {
      const pending = this.store.state.operations.get(existing.pendingOperationId);
      if (pending?.kind === 'delete') {
        return { status: 202, headers: this.pollHeaders(request.origin, pending) };
      }
      throw anotherOperationInProgress(existing);
    }
    if ((!this.asyncOperations || isSynchronous(existing.fullType, 'DELETE')) && request.lroOutcome === undefined) {
      this.removeTree(ref.key);
      return { status: 200 };
    }
    setProvisioningState(existing, 'Deleting');
    const operation = this.startOperation('delete', existing, ref.namespace, apiVersion, request);
    existing.pendingOperationId = operation.id;
    return { status: 202, headers: this.pollHeaders(request.origin, operation) };
  }

  private collection(
    request: ArmRequest,
    path: Extract<ArmPath, { kind: 'collection' }>,
    apiVersion: string,
  ): ArmResponse {
    if (
      isDeletedVaultsCollection(path.fullType) &&
      path.scope.subscriptionId !== undefined &&
      path.scope.resourceGroup === undefined &&
      path.parent === undefined
    ) {
      this.requireScope(path.scope, request.principal, false);
      const subscription = path.scope.subscriptionId.toLowerCase();
      return this.page(
        request,
        this.sorted(
          (resource) => isDeletedVault(resource) && resource.subscriptionId?.toLowerCase() === subscription,
        ).map((resource) => this.output(resource)),
      );
    }
    this.modelFor(path.fullType, apiVersion);
    this.requireScope(path.scope, request.principal, false);
    if (path.parent) {
      this.requireParent(path.parent);
      if (!this.resources.has(path.parent.key) && !isLocationAddress(path.parent)) {
        throw new ArmError(
          404,
          'ParentResourceNotFound',
          `Can not perform requested operation on nested resource. Parent resource '` +
            `${path.parent.names.join('/')}' not found.`,
        );
      }
    }
    const type = path.fullType.toLowerCase();
    const parentKey = path.parent?.key;
    const prefix = `${path.scope.id.toLowerCase()}/`;
    const items = this.sorted(
      (resource) =>
        resource.fullType.toLowerCase() === type &&
        (parentKey !== undefined
          ? resource.parentKey === parentKey
          : resource.parentKey === undefined && resource.key.startsWith(prefix)),
    );
    return this.page(
      request,
      items.map((resource) => this.output(resource)),
    );
  }

  private genericList(request: ArmRequest, subscriptionId: string, resourceGroup: string | undefined): ArmResponse {
    this.ensureSubscription(subscriptionId, request.principal);
    let prefix = `/subscriptions/${subscriptionId}/`.toLowerCase();
    if (resourceGroup !== undefined) {
      const key = groupKey(subscriptionId, resourceGroup);
      if (!this.resources.has(key)) throw resourceGroupNotFound(resourceGroup);
      prefix = `${key}/`;
    }
    const filter = request.query.get('$filter') ?? '';
    const typeFilter = /resourceType\s+eq\s+'([^']+)'/i.exec(filter)?.[1]?.toLowerCase();
    const nameFilter = /(?:^|\s|\()name\s+eq\s+'([^']+)'/i.exec(filter)?.[1]?.toLowerCase();
    const tagMatches = tagFilter(filter);
    const items = this.sorted(
      (resource) =>
        resource.key.startsWith(prefix) &&
        resource.fullType !== resourceGroupType &&
        resource.parentKey === undefined &&
        !resource.extension &&
        (typeFilter === undefined || resource.fullType.toLowerCase() === typeFilter) &&
        (nameFilter === undefined || resource.name.toLowerCase() === nameFilter) &&
        tagMatches(resource),
    );
    return this.page(
      request,
      items.map((resource) => {
        const { id, name, type, location, tags, kind, sku, identity, managedBy } = resource.body;
        return Object.fromEntries(
          Object.entries({ id, name, type, location, tags, kind, sku, identity, managedBy }).filter(
            ([, value]) => value !== undefined,
          ),
        );
      }),
    );
  }

  private action(request: ArmRequest, ref: ResourceRef, action: string, apiVersion: string): ArmResponse {
    if (isDeletedVaultType(ref.fullType) && action.toLowerCase() === 'purge')
      return this.purgeDeletedVault(request, ref, apiVersion);
    this.modelFor(ref.fullType, apiVersion);
    this.requireScope(ref.scope, request.principal, false);
    this.requireParent(ref);
    const existing = this.resources.get(ref.key);
    if (!existing) throw resourceNotFound(ref.fullType, ref.name, ref.resourceGroup);
    if (existing.pendingOperationId !== undefined && isLifecycleAction(action))
      throw anotherOperationInProgress(existing);
    const result = runAction(existing, action, request.body);
    const synchronous = { status: result.status, ...(result.body !== undefined ? { body: result.body } : {}) };
    if ((!result.longRunning || !this.asyncOperations) && request.lroOutcome === undefined) return synchronous;
    // ARM's async POST: 202 + Location (its final response is the action's result) + Azure-AsyncOperation.
    const operation = this.startOperation('action', existing, ref.namespace, apiVersion, request);
    operation.result = synchronous;
    return { status: 202, headers: this.pollHeaders(request.origin, operation) };
  }

  private providerAction(request: ArmRequest, path: Extract<ArmPath, { kind: 'providerAction' }>): ArmResponse {
    allow(request.method, ['POST']);
    this.requireScope(path.scope, request.principal, false);
    const action = path.action.toLowerCase();
    if (action === 'register')
      return { status: 200, body: this.providerBody(path.namespace, path.scope.subscriptionId) };
    if (action === 'unregister')
      return { status: 200, body: this.providerBody(path.namespace, path.scope.subscriptionId) };
    if (action === 'checknameavailability') {
      const body = requireObject(request.body);
      if (typeof body.name !== 'string')
        throw new ArmError(400, 'InvalidParameter', "The property 'name' is required.", { target: 'name' });
      const typeName = typeof body.type === 'string' ? body.type : '';
      const fullType =
        typeName === ''
          ? globalTypeOf(path.namespace)
          : typeName.includes('/') && typeName.toLowerCase().startsWith(`${path.namespace.toLowerCase()}/`)
            ? typeName
            : `${path.namespace}/${typeName}`;
      const model = this.modelsByType.get(fullType.toLowerCase())?.[0];
      const nameSchema = model?.body.properties?.name;
      const invalid = invalidNameAvailability(fullType, body.name, nameSchema ? { nameSchema } : {});
      if (invalid) return { status: 200, body: invalid };
      const taken = this.findGloballyNamed(fullType, body.name) !== undefined;
      return { status: 200, body: taken ? takenNameAvailability(fullType, body.name) : { nameAvailable: true } };
    }
    throw new ArmError(
      400,
      'InvalidAction',
      `The action '${path.action}' is not supported on provider '${path.namespace}' by the emulator.`,
    );
  }

  /**
   * Creates the children Azure creates with a resource: the catalog's singletons (a storage account's
   * `blobServices/default`, …, and theirs) and a messaging namespace's RootManageSharedAccessKey.
   */
  private createImplicitChildren(parent: StoredResource): void {
    const singletons = this.catalog
      .implicitChildrenOf(parent.fullType)
      .map(({ type, name }) => ({ types: [type], names: [name], body: {} as Record<string, unknown> }));
    for (const child of [...singletons, ...implicitChildren(parent)]) {
      const suffix = child.types.map((type, index) => `${type}/${child.names[index] ?? ''}`).join('/');
      const id = `${parent.id}/${suffix}`;
      const key = id.toLowerCase();
      if (this.resources.has(key)) continue;
      const fullType = [parent.fullType, ...child.types].join('/');
      const name = child.names[child.names.length - 1] ?? '';
      const properties = isObject(child.body.properties) ? child.body.properties : {};
      this.resources.set(key, {
        id,
        key,
        fullType,
        name,
        ...(parent.subscriptionId ? { subscriptionId: parent.subscriptionId } : {}),
        ...(parent.resourceGroup ? { resourceGroup: parent.resourceGroup } : {}),
        parentKey: parent.key,
        body: {
          id,
          name,
          type: fullType,
          ...child.body,
          properties: { ...properties, provisioningState: 'Succeeded' },
          etag: newEtag(),
          systemData: parent.body.systemData,
        },
      });
      const created = this.resources.get(key);
      if (created && child.types.length === 1) this.createImplicitChildren(created);
    }
  }

  /** Creates a private endpoint's network interface once (see private-endpoints.ts) and lists it on the endpoint. */
  private attachNetworkInterface(endpoint: StoredResource): void {
    let nic = [...this.resources.values()].find((resource) => resource.managedByKey === endpoint.key);
    if (nic === undefined) {
      const subnetKey = subnetIdOf(endpoint)?.toLowerCase();
      const subnet = subnetKey === undefined ? undefined : this.resources.get(subnetKey);
      const subnetProperties = isObject(subnet?.body.properties) ? subnet.body.properties : {};
      const prefix = typeof subnetProperties.addressPrefix === 'string' ? subnetProperties.addressPrefix : undefined;
      const taken = [...this.resources.values()].filter(
        (resource) => resource.managedByKey !== undefined && interfaceSubnetId(resource)?.toLowerCase() === subnetKey,
      ).length;
      const made = networkInterfaceFor(endpoint, nextPrivateAddress(prefix, taken));
      nic = {
        id: made.id,
        key: made.id.toLowerCase(),
        fullType: 'Microsoft.Network/networkInterfaces',
        name: made.name,
        ...(endpoint.subscriptionId ? { subscriptionId: endpoint.subscriptionId } : {}),
        ...(endpoint.resourceGroup ? { resourceGroup: endpoint.resourceGroup } : {}),
        managedByKey: endpoint.key,
        body: { ...made.body, etag: newEtag(), systemData: endpoint.body.systemData },
      };
      this.resources.set(nic.key, nic);
    }
    const properties = isObject(endpoint.body.properties) ? endpoint.body.properties : {};
    properties.networkInterfaces = [{ id: nic.id }];
    endpoint.body.properties = properties;
  }

  // ---- long-running operations ---------------------------------------------------------------------------------

  private startOperation(
    kind: OperationKind,
    resource: StoredResource,
    namespace: string,
    apiVersion: string,
    request: ArmRequest,
  ): OperationRecord {
    const now = this.options.now();
    const outcome = request.lroOutcome;
    const operation: OperationRecord = {
      id: randomUUID(),
      kind,
      ...(resource.subscriptionId ? { subscriptionId: resource.subscriptionId } : {}),
      namespace,
      location: typeof resource.body.location === 'string' ? normalizeLocation(resource.body.location) : 'global',
      resourceKey: resource.key,
      resourceId: resource.id,
      apiVersion,
      startTime: now,
      completesAt: now + this.durationOf(resource.fullType),
      ...(request.correlationId !== undefined ? { correlationId: request.correlationId } : {}),
      outcome: outcome?.provisioningState ?? 'Succeeded',
      ...(outcome ? { outcomeError: { code: outcome.code, message: outcome.message, status: outcome.status } } : {}),
      status: 'InProgress',
    };
    this.store.state.operations.set(operation.id, operation);
    return operation;
  }

  private completeOperation(operation: OperationRecord, now: number): void {
    operation.status = operation.outcome;
    operation.endTime = now;
    const resource = this.resources.get(operation.resourceKey);
    if (!resource || resource.pendingOperationId !== operation.id) return;
    delete resource.pendingOperationId;
    if (operation.outcome === 'Succeeded' && (operation.kind === 'delete' || operation.kind === 'groupDelete')) {
      this.removeTree(resource.key);
      return;
    }
    if (operation.kind === 'groupDelete') {
      setProvisioningState(resource, 'Succeeded');
      return;
    }
    setProvisioningState(resource, operation.outcome);
  }

  private operationUrl(origin: string, operation: OperationRecord, result: boolean): string {
    const scope = operation.subscriptionId ? `/subscriptions/${operation.subscriptionId}` : '';
    return (
      `${origin}${scope}/providers/${operation.namespace}/locations/${operation.location}/` +
      `${result ? 'operationResults' : 'operationStatuses'}/${operation.id}?api-version=` +
      `${operation.apiVersion}`
    );
  }

  /** `Location` (result), `Azure-AsyncOperation` (status) and `Retry-After` of a 202. */
  private pollHeaders(origin: string, operation: OperationRecord): Record<string, string> {
    return {
      location: this.operationUrl(origin, operation, true),
      'azure-asyncoperation': this.operationUrl(origin, operation, false),
      'retry-after': this.retryAfter(operation),
    };
  }

  /** Polls of an operation carry the correlation ID of the request that started it, unless the client sends its own. */
  private correlationHeader(request: ArmRequest, operation: OperationRecord): Record<string, string> {
    if (operation.correlationId === undefined || request.headers['x-ms-correlation-request-id'] !== undefined)
      return {};
    return { 'x-ms-correlation-request-id': operation.correlationId };
  }

  private retryAfter(operation: OperationRecord): string {
    if (this.options.retryAfterSeconds !== undefined) return String(this.options.retryAfterSeconds);
    const remaining = operation.completesAt - this.options.now();
    return String(Math.max(1, Math.ceil(remaining / 1000)));
  }

  private findOperation(operationId: string, subscriptionId: string | undefined): OperationRecord {
    const operation =
      this.store.state.operations.get(operationId.toLowerCase()) ?? this.store.state.operations.get(operationId);
    if (
      !operation ||
      (subscriptionId !== undefined && operation.subscriptionId?.toLowerCase() !== subscriptionId.toLowerCase())
    ) {
      throw new ArmError(404, 'OperationNotFound', `The operation '${operationId}' was not found.`);
    }
    return operation;
  }

  private operationStatus(request: ArmRequest, operationId: string, subscriptionId: string | undefined): ArmResponse {
    const operation = this.findOperation(operationId, subscriptionId);
    const scope = operation.subscriptionId ? `/subscriptions/${operation.subscriptionId}` : '';
    const done = operation.status !== 'InProgress';
    const span = Math.max(1, operation.completesAt - operation.startTime);
    const percent = done ? 100 : Math.min(99, Math.floor(((this.options.now() - operation.startTime) / span) * 100));
    const body: Record<string, unknown> = {
      id: `${scope}/providers/${operation.namespace}/locations/${operation.location}/operationStatuses/${operation.id}`,
      name: operation.id,
      resourceId: operation.resourceId,
      status: operation.status,
      startTime: new Date(operation.startTime).toISOString(),
      ...(operation.endTime !== undefined ? { endTime: new Date(operation.endTime).toISOString() } : {}),
      percentComplete: percent,
    };
    if (operation.status === 'Succeeded') body.properties = {};
    const retry: Record<string, string> = done ? {} : { 'retry-after': this.retryAfter(operation) };
    if (operation.status === 'Failed' || operation.status === 'Canceled') {
      body.error = {
        code:
          operation.outcomeError?.code ??
          (operation.status === 'Canceled' ? 'OperationCanceled' : 'InternalServerError'),
        message: operation.outcomeError?.message ?? `The operation was ${operation.status.toLowerCase()}.`,
        details: [],
      };
    }
    return { status: 200, body, headers: { ...retry, ...this.correlationHeader(request, operation) } };
  }

  private operationResult(request: ArmRequest, operationId: string, subscriptionId: string | undefined): ArmResponse {
    const operation = this.findOperation(operationId, subscriptionId);
    const correlation = this.correlationHeader(request, operation);
    if (operation.status === 'InProgress') {
      const location = `${request.origin}${request.pathname}?${request.query.toString()}`;
      return { status: 202, headers: { location, 'retry-after': this.retryAfter(operation), ...correlation } };
    }
    if (operation.status !== 'Succeeded') {
      const error = operation.outcomeError ?? {
        status: 500,
        code: operation.status === 'Canceled' ? 'OperationCanceled' : 'InternalServerError',
        message: `The operation was ${operation.status.toLowerCase()}.`,
      };
      throw new ArmError(error.status, error.code, error.message, { headers: correlation });
    }
    if (operation.kind === 'delete' || operation.kind === 'groupDelete')
      return { status: operation.kind === 'groupDelete' ? 200 : 204, headers: correlation };
    if (operation.kind === 'action') {
      const result = operation.result ?? { status: 204 };
      return {
        status: result.status,
        ...(result.body !== undefined ? { body: result.body } : {}),
        headers: correlation,
      };
    }
    const resource = this.resources.get(operation.resourceKey);
    if (!resource) return { status: 204, headers: correlation };
    return this.withEtag(200, resource, correlation);
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  /**
   * Deletes a resource and everything under it; a soft-delete-enabled Key Vault among them is kept as a deleted vault.
   */
  private removeTree(key: string): void {
    const prefix = `${key}/`;
    const removed: StoredResource[] = [];
    for (const [candidate, resource] of [...this.resources.entries()]) {
      if (candidate !== key && !candidate.startsWith(prefix)) continue;
      this.resources.delete(candidate);
      removed.push(resource);
    }
    const removedKeys = new Set(removed.map((resource) => resource.key));
    for (const [candidate, resource] of [...this.resources.entries()]) {
      if (resource.managedByKey !== undefined && removedKeys.has(resource.managedByKey))
        this.resources.delete(candidate);
    }
    for (const deleted of softDeletedVaults(removed, this.options.now())) this.resources.set(deleted.key, deleted);
  }

  // ---- Key Vault soft-delete (see soft-delete.ts) ----------------------------------------------------------------

  private deletedVault(request: ArmRequest, ref: ResourceRef): ArmResponse {
    allow(request.method, ['GET', 'HEAD']);
    this.requireScope(ref.scope, request.principal, false);
    const deleted = this.resources.get(ref.key);
    if (!isDeletedVault(deleted)) {
      if (request.method === 'HEAD') return { status: 404 };
      throw deletedVaultNotFound(ref.name, ref.names[0] ?? '');
    }
    return request.method === 'HEAD' ? { status: 204 } : { status: 200, body: this.output(deleted) };
  }

  /** POST purge: frees the name (over `--latency`, as ARM's async purge; the name stays reserved until it ends). */
  private purgeDeletedVault(request: ArmRequest, ref: ResourceRef, apiVersion: string): ArmResponse {
    this.requireScope(ref.scope, request.principal, true);
    const deleted = this.resources.get(ref.key);
    if (!isDeletedVault(deleted)) throw deletedVaultNotFound(ref.name, ref.names[0] ?? '');
    if (deleted.pendingOperationId !== undefined) {
      const pending = this.store.state.operations.get(deleted.pendingOperationId);
      if (pending !== undefined) return { status: 202, headers: this.pollHeaders(request.origin, pending) };
    }
    checkPurge(deleted);
    if (!this.asyncOperations && request.lroOutcome === undefined) {
      this.resources.delete(deleted.key);
      return { status: 200 };
    }
    const operation = this.startOperation('delete', deleted, ref.namespace, apiVersion, request);
    deleted.pendingOperationId = operation.id;
    return { status: 202, headers: this.pollHeaders(request.origin, operation) };
  }

  /** `createMode: recover`: the vault's secrets, access policies and other children come back with it. */
  private recoverVault(deleted: DeletedVault, vault: StoredResource): void {
    for (const resource of deleted.softDeleted) {
      if (resource.key === vault.key) continue;
      const { pendingOperationId: _pending, ...restored } = resource;
      this.resources.set(resource.key, restored);
    }
    this.resources.delete(deleted.key);
  }

  private sorted(predicate: (resource: StoredResource) => boolean): StoredResource[] {
    return [...this.resources.values()].filter(predicate).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The body GET returns: the stored body without write-only properties, with its inline children (subnets). */
  private output(resource: StoredResource): Record<string, unknown> {
    const body = stripWriteOnly(resource.body, this.schemaOf(resource.fullType)) as Record<string, unknown>;
    for (const arrayName of this.inlineChildrenOf(resource.fullType)) {
      const type = `${resource.fullType}/${arrayName}`.toLowerCase();
      const children = this.sorted(
        (child) => child.parentKey === resource.key && child.fullType.toLowerCase() === type,
      );
      body.properties = {
        ...(isObject(body.properties) ? body.properties : {}),
        [arrayName]: children.map((child) => this.output(child)),
      };
    }
    return body;
  }

  private withEtag(status: number, resource: StoredResource, headers: Record<string, string> = {}): ArmResponse {
    const etag = resource.body.etag;
    return {
      status,
      body: this.output(resource),
      headers: { ...(typeof etag === 'string' ? { etag } : {}), ...headers },
    };
  }

  /**
   * `{value, nextLink}` with `$top` and an opaque `$skipToken` (the offset); nextLink is absolute on the caller's host.
   */
  private page(request: ArmRequest, items: unknown[]): ArmResponse {
    const topText = request.query.get('$top');
    const top = topText === null ? undefined : Number(topText);
    if (top !== undefined && (!Number.isInteger(top) || top < 1))
      throw new ArmError(
        400,
        'InvalidParameter',
        `The value '${topText ?? ''}' of '$top' is invalid: it must be a positive integer.`,
        { target: '$top' },
      );
    const size = Math.min(top ?? this.options.pageSize, this.options.pageSize);
    const token = request.query.get('$skipToken');
    const offset = token === null ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0)
      throw new ArmError(400, 'InvalidParameter', 'The $skipToken is invalid.', { target: '$skipToken' });
    const value = items.slice(offset, offset + size);
    const body: Record<string, unknown> = { value };
    if (offset + size < items.length) {
      const query = new URLSearchParams(request.query);
      query.delete('$skipToken');
      const rest = query.toString().replace(/%24/g, '$');
      body.nextLink =
        `${request.origin}${request.pathname}?${rest}${rest === '' ? '' : '&'}$skipToken=` +
        `${Buffer.from(String(offset + size)).toString('base64url')}`;
    }
    return { status: 200, body };
  }

  private namespaces(): string[] {
    const names = new Map<string, string>();
    for (const name of [
      'Microsoft.Resources',
      'Microsoft.Authorization',
      'Microsoft.Storage',
      'Microsoft.ManagedIdentity',
    ])
      names.set(name.toLowerCase(), name);
    for (const models of this.modelsByType.values())
      for (const model of models)
        names.set(model.armType.split('/')[0]?.toLowerCase() ?? '', model.armType.split('/')[0] ?? '');
    for (const resource of this.resources.values())
      names.set(resource.fullType.split('/')[0]?.toLowerCase() ?? '', resource.fullType.split('/')[0] ?? '');
    return [...names.values()].filter((name) => name !== '').sort();
  }

  private providerBody(namespace: string, subscriptionId: string | undefined): Record<string, unknown> {
    const lower = namespace.toLowerCase();
    const resourceTypes = [...this.modelsByType.entries()]
      .filter(([type]) => type.startsWith(`${lower}/`))
      .map(([, models]) => ({
        resourceType: models[0]?.armType.slice(namespace.length + 1) ?? '',
        locations: Object.values(regions),
        apiVersions: this.catalog.versionsOf(models[0]?.armType ?? '') ?? [
          ...new Set(models.map((model) => model.apiVersion)),
        ],
      }));
    return {
      id: `${subscriptionId ? `/subscriptions/${subscriptionId}` : ''}/providers/${namespace}`,
      namespace,
      registrationState: 'Registered',
      registrationPolicy: 'RegistrationRequired',
      resourceTypes,
    };
  }
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = mergePatch(result[name], value);
  }
  return result;
}

/** The `tagName eq 'k' [and tagValue eq 'v']` part of an ARM `$filter`, as a predicate (always true without one). */
function tagFilter(filter: string): (resource: StoredResource) => boolean {
  const tagName = /tagName\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
  const tagValue = /tagValue\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
  return (resource) => {
    if (tagName === undefined) return true;
    const tags = isObject(resource.body.tags) ? resource.body.tags : {};
    const entry = Object.entries(tags).find(([name]) => name.toLowerCase() === tagName.toLowerCase());
    return entry !== undefined && (tagValue === undefined || entry[1] === tagValue);
  };
}

function groupKey(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`.toLowerCase();
}

function getProvisioningState(resource: StoredResource): string | undefined {
  const properties = resource.body.properties;
  return isObject(properties) && typeof properties.provisioningState === 'string'
    ? properties.provisioningState
    : undefined;
}

function setProvisioningState(resource: StoredResource, state: string): void {
  const properties = isObject(resource.body.properties) ? resource.body.properties : {};
  properties.provisioningState = state;
  resource.body.properties = properties;
}

function newEtag(): string {
  return `W/"${randomBytes(8).toString('hex')}"`;
}

function requireObject(body: unknown): Record<string, unknown> {
  if (body === undefined) throw invalidRequestContent('The request body is missing.');
  if (!isObject(body)) throw invalidRequestContent('The request body must be a JSON object.');
  return body;
}

function checkTags(tags: unknown): void {
  if (tags === undefined || tags === null) return;
  if (!isObject(tags))
    throw new ArmError(400, 'InvalidRequestContent', "The property 'tags' must be an object of strings.", {
      target: 'tags',
    });
  const entries = Object.entries(tags);
  if (entries.length > 50)
    throw new ArmError(400, 'InvalidTag', `The number of tags (${entries.length}) exceeds the maximum of 50.`, {
      target: 'tags',
    });
  for (const [name, value] of entries) {
    if (typeof value !== 'string')
      throw new ArmError(400, 'InvalidRequestContent', `The value of tag '${name}' must be a string.`, {
        target: `tags.${name}`,
      });
    if (name.length > 512 || value.length > 256)
      throw new ArmError(
        400,
        'InvalidTagNameCharacters',
        `The tag '${name}' exceeds the maximum length (name 512, value 256).`,
        { target: `tags.${name}` },
      );
  }
}

function checkPreconditions(
  headers: IncomingHttpHeaders,
  existing: StoredResource | undefined,
  method: 'PUT' | 'PATCH' | 'DELETE',
): void {
  const ifMatch = headers['if-match'];
  const ifNoneMatch = headers['if-none-match'];
  const etag = existing && typeof existing.body.etag === 'string' ? existing.body.etag : undefined;
  const matches = (header: string) =>
    header
      .split(',')
      .map((item) => item.trim())
      .some((item) => item === '*' || (etag !== undefined && (item === etag || stripWeak(item) === stripWeak(etag))));
  if (ifMatch !== undefined) {
    if (!existing) {
      if (method === 'PUT')
        throw preconditionFailed('The resource does not exist, but the If-Match condition requires it.');
    } else if (!matches(ifMatch)) {
      throw preconditionFailed(
        `The If-Match condition '${ifMatch}' does not match the resource's ETag '${etag ?? ''}'.`,
      );
    }
  }
  if (ifNoneMatch !== undefined && method === 'PUT' && existing && matches(ifNoneMatch)) {
    throw preconditionFailed(`The If-None-Match condition '${ifNoneMatch}' failed: the resource exists.`);
  }
}

function stripWeak(etag: string): string {
  return etag.replace(/^W\//, '');
}

function preconditionFailed(message: string): ArmError {
  return new ArmError(412, 'PreconditionFailed', message);
}

function anotherOperationInProgress(resource: StoredResource): ArmError {
  return new ArmError(
    409,
    'AnotherOperationInProgress',
    `Another operation is in progress on the resource '${resource.id}'. Please retry after it completes.`,
  );
}

function groupBeingDeleted(name: string): ArmError {
  return new ArmError(
    409,
    'ResourceGroupBeingDeleted',
    `The resource group '${name}' is in deprovisioning state and cannot perform this operation.`,
  );
}

function invalidApiVersion(apiVersion: string, supported: string[]): ArmError {
  return new ArmError(
    400,
    'InvalidApiVersionParameter',
    `The api-version '${apiVersion}' is invalid. The supported versions are '${supported.join(',')}'.`,
  );
}

function methodNotAllowed(method: string): ArmError {
  return new ArmError(405, 'MethodNotAllowed', `The HTTP method '${method}' is not supported for this resource.`);
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw methodNotAllowed(method);
}

function subscriptionBody(subscription: {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
}): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscription.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: subscription.subscriptionId,
    tenantId: subscription.tenantId,
    displayName: subscription.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}
