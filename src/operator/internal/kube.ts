/**
 * The operator's only way to Kubernetes: a few typed calls over `@kubernetes/client-node` (custom objects, their
 * status subresource, Namespaces, Secrets, ConfigMaps, Events, CRDs). Reads that find nothing return `undefined`;
 * other failures throw `KubeError` with the HTTP status (409 conflicts are retried by the queue).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, type RequestContext, setHeaderOptions,
  type V1ConfigMap, type V1CustomResourceDefinition, type V1Namespace, type V1Secret,
} from '@kubernetes/client-node';
import { makeLimitedApiClient } from './kube-http.js';
import { slimForCache } from './watch.js';

/** A custom object as the operator handles it (metadata + spec + status, loosely typed). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string | Date;
    finalizers?: string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** Where a custom object lives. */
export interface ObjectRef {
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
}

/** A failed Kubernetes call (status 0: no response). */
export class KubeError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
    this.name = 'KubeError';
  }
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** How many recent Events `createEvent` remembers for aggregation (client-go's cache holds 4096). */
const maxRecentEvents = 4096;
const crdResource = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;

/**
 * Informer caches consulted before a GET of a Namespace, Secret or ConfigMap: the object, `null` when the cache
 * watches that namespace and knows the object does not exist, or `undefined` when it cannot tell (then the API is
 * asked).
 */
export interface ReadCache {
  namespace(name: string): V1Namespace | null | undefined;
  secret(namespace: string, name: string): V1Secret | null | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | null | undefined;
}

/** Typed access to the API server. */
export class KubeAccess {
  /** Set by the controller once its informers have synced. */
  readCache: ReadCache | undefined;
  /** Events recorded lately, by what makes them the same Event, oldest first (see `createEvent`). */
  private readonly recentEvents = new Map<string, { name: string; count: number }>();
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly apiextensions: ApiextensionsV1Api;

  /** `requestTimeoutMs`: each request's deadline (default 30 s). */
  constructor(
    readonly kubeConfig: KubeConfig,
    options: { requestTimeoutMs?: number } = {},
  ) {
    const pooled = reuseConnections(kubeConfig);
    const timeout = options.requestTimeoutMs ?? 30_000;
    this.custom = makeLimitedApiClient(pooled, CustomObjectsApi, { timeoutMs: timeout });
    this.core = makeLimitedApiClient(pooled, CoreV1Api, { timeoutMs: timeout });
    this.apiextensions = makeLimitedApiClient(pooled, ApiextensionsV1Api, { timeoutMs: timeout });
  }

  /** GETs a custom object; undefined on 404. */
  async getObject(ref: ObjectRef): Promise<KubeObject | undefined> {
    return orUndefined(() => this.custom.getNamespacedCustomObject(ref) as Promise<KubeObject>);
  }

  /** JSON merge patch of a custom object (metadata/spec). Include `metadata.resourceVersion` for optimistic concurrency. */
  async patchObject(ref: ObjectRef, patch: unknown): Promise<KubeObject> {
    return wrap(() => this.custom.patchNamespacedCustomObject({ ...ref, body: patch }, mergePatch) as Promise<KubeObject>);
  }

  /** JSON merge patch of a custom object's status subresource. */
  async patchStatus(ref: ObjectRef, patch: unknown): Promise<KubeObject> {
    return wrap(() => this.custom.patchNamespacedCustomObjectStatus({ ...ref, body: patch }, mergePatch) as Promise<KubeObject>);
  }

  /** Lists custom objects of a kind (all namespaces, or one). */
  async listObjects(options: { group: string; version: string; plural: string; namespace?: string }): Promise<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }> {
    const { namespace, ...rest } = options;
    return wrap(() => (namespace === undefined
      ? this.custom.listClusterCustomObject(rest)
      : this.custom.listNamespacedCustomObject({ ...rest, namespace })) as Promise<{ items: KubeObject[] }>);
  }

  /** A Namespace, from the informer cache when it has one. `fresh`: always ask the API server. */
  async getNamespace(name: string, options: { fresh?: boolean } = {}): Promise<V1Namespace | undefined> {
    const cached = options.fresh === true ? undefined : this.readCache?.namespace(name);
    return fromCacheOr(cached, () => this.core.readNamespace({ name }));
  }

  /** A Secret, from the informer cache when it watches the namespace. `fresh`: always ask the API server. */
  async getSecret(namespace: string, name: string, options: { fresh?: boolean } = {}): Promise<V1Secret | undefined> {
    const cached = options.fresh === true ? undefined : this.readCache?.secret(namespace, name);
    return fromCacheOr(cached, () => this.core.readNamespacedSecret({ namespace, name }));
  }

  /** A ConfigMap, from the informer cache when it watches the namespace. `fresh`: always ask the API server. */
  async getConfigMap(namespace: string, name: string, options: { fresh?: boolean } = {}): Promise<V1ConfigMap | undefined> {
    const cached = options.fresh === true ? undefined : this.readCache?.configMap(namespace, name);
    return fromCacheOr(cached, () => this.core.readNamespacedConfigMap({ namespace, name }));
  }

  async createNamespace(name: string, labels: Record<string, string> = {}): Promise<V1Namespace> {
    return wrap(() => this.core.createNamespace({ body: { metadata: { name, labels } } }));
  }

  async createSecret(namespace: string, body: V1Secret): Promise<V1Secret> {
    return wrap(() => this.core.createNamespacedSecret({ namespace, body }));
  }

  async replaceSecret(namespace: string, name: string, body: V1Secret): Promise<V1Secret> {
    return wrap(() => this.core.replaceNamespacedSecret({ namespace, name, body }));
  }

  async createConfigMap(namespace: string, body: V1ConfigMap): Promise<V1ConfigMap> {
    return wrap(() => this.core.createNamespacedConfigMap({ namespace, body }));
  }

  async replaceConfigMap(namespace: string, name: string, body: V1ConfigMap): Promise<V1ConfigMap> {
    return wrap(() => this.core.replaceNamespacedConfigMap({ namespace, name, body }));
  }

  /** Records a core/v1 Event about `object` (best effort: failures are returned, not thrown). */
  /**
   * Records an Event on `object`. The same Event again (same object, type, reason, message and component) is
   * aggregated as client-go's recorder does: the existing Event's `count` and `lastTimestamp` are updated (kubectl
   * shows "x3 over 5m"), so a retried error does not flood the namespace. Returns the error instead of throwing.
   */
  async createEvent(options: { object: KubeObject; type: 'Normal' | 'Warning'; reason: string; message: string; component: string }): Promise<Error | undefined> {
    const { object } = options;
    const namespace = object.metadata.namespace ?? 'default';
    const now = new Date();
    const message = options.message.slice(0, 1024);
    const { kind, metadata } = object;
    const key = JSON.stringify([options.component, namespace, kind, metadata.name, metadata.uid, options.type, options.reason, message]);
    const seen = this.recentEvents.get(key);
    if (seen !== undefined) {
      this.recentEvents.delete(key); // most recently used last
      seen.count += 1;
      try {
        const body = { count: seen.count, lastTimestamp: now.toISOString() };
        await this.core.patchNamespacedEvent({ name: seen.name, namespace, body }, mergePatch);
        this.recentEvents.set(key, seen);
        return undefined;
      } catch (error) {
        if (statusOf(error) !== 404) return error instanceof Error ? error : new Error(String(error));
        // The Event expired (its TTL): record a new one.
      }
    }
    try {
      const created = await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${object.metadata.name ?? 'object'}.`, namespace },
          involvedObject: {
            apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace,
            uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion,
          },
          type: options.type, reason: options.reason, message,
          source: { component: options.component }, reportingComponent: options.component, reportingInstance: options.component,
          firstTimestamp: now, lastTimestamp: now, count: 1,
        },
      });
      const name = created.metadata?.name;
      if (name !== undefined) {
        this.recentEvents.set(key, { name, count: 1 });
        for (const oldest of this.recentEvents.keys()) {
          if (this.recentEvents.size <= maxRecentEvents) break;
          this.recentEvents.delete(oldest);
        }
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Every CRD, without its versions' schemas (the operator reads names, versions and conversion only). Read as plain
   * JSON: the typed client would first copy each schema tree into model classes — with 256 kinds, about 11 MB of
   * JSON held twice more at start.
   */
  async listCrds(): Promise<{ items: V1CustomResourceDefinition[]; metadata?: { resourceVersion?: string } }> {
    return wrap(async () => {
      const list = (await this.custom.listClusterCustomObject(crdResource)) as {
        items: V1CustomResourceDefinition[];
        metadata?: { resourceVersion?: string };
      };
      for (const crd of list.items) slimForCache(crd, { crd: true });
      return list;
    });
  }

  async getCrd(name: string): Promise<V1CustomResourceDefinition | undefined> {
    return orUndefined(() => this.apiextensions.readCustomResourceDefinition({ name }));
  }

  /**
   * CRDs are written as plain JSON through the custom-objects client: the typed apiextensions client serializes its
   * model, whose JSON-schema properties are named `_enum`, `xKubernetesPreserveUnknownFields`, … so a plain CRD
   * (from `renderCrd`) would lose every `enum`, `default` and `x-kubernetes-*` keyword on the way.
   */
  async createCrd(body: V1CustomResourceDefinition): Promise<V1CustomResourceDefinition> {
    return wrap(async () => (await this.custom.createClusterCustomObject({ ...crdResource, body })) as V1CustomResourceDefinition);
  }

  async replaceCrd(name: string, body: V1CustomResourceDefinition): Promise<V1CustomResourceDefinition> {
    return wrap(async () => (await this.custom.replaceClusterCustomObject({ ...crdResource, name, body })) as V1CustomResourceDefinition);
  }

  /** JSON merge patch of a CRD (include `metadata.resourceVersion` for optimistic concurrency). */
  async patchCrd(name: string, patch: unknown): Promise<void> {
    await wrap(() => this.custom.patchClusterCustomObject({ ...crdResource, name, body: patch }, mergePatch));
  }
}

/**
 * A view of `kubeConfig` whose API clients reuse connections. client-node gives every request a new `https.Agent`,
 * so each one opens a new TLS connection (a handshake on both sides: most of the operator's CPU under load). This
 * keeps one keep-alive agent per TLS setting instead; headers (the token) are still applied per request. Proxy
 * agents are left as they are. The caller's KubeConfig is not modified.
 */
export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  const agents = new Map<string, HttpAgent>();
  const view = Object.create(kubeConfig) as KubeConfig;
  view.applySecurityAuthentication = async (context: RequestContext): Promise<void> => {
    await kubeConfig.applySecurityAuthentication(context);
    const created = context.getAgent();
    const plain = created?.constructor === HttpsAgent || created?.constructor === HttpAgent;
    if (created === undefined || !plain) return;
    const options = (created as HttpAgent & { options?: Record<string, unknown> }).options ?? {};
    const part = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value);
    const key = JSON.stringify([created.constructor === HttpsAgent, ...['ca', 'cert', 'key', 'pfx', 'rejectUnauthorized', 'servername'].map((name) => part(options[name]))]);
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = created.constructor === HttpsAgent ? new HttpsAgent({ ...options, keepAlive: true }) : new HttpAgent({ ...options, keepAlive: true });
      agents.set(key, agent);
    }
    context.setAgent(agent);
  };
  return view;
}

/** The HTTP status of a client-node error (0 when none). */
export function statusOf(error: unknown): number {
  const code = (error as { code?: unknown; statusCode?: unknown } | null)?.code ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : 0;
}

async function fromCacheOr<T>(cached: T | null | undefined, read: () => Promise<T>): Promise<T | undefined> {
  if (cached === null) return undefined;
  return cached ?? orUndefined(read);
}

async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw toKubeError(error);
  }
}

async function wrap<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toKubeError(error);
  }
}

function toKubeError(error: unknown): KubeError {
  if (error instanceof KubeError) return error;
  const status = statusOf(error);
  const body = (error as { body?: unknown } | null)?.body;
  let detail = '';
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      detail = typeof parsed.message === 'string' ? parsed.message : body.slice(0, 300);
    } catch {
      detail = body.slice(0, 300);
    }
  } else if (body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    detail = (body as { message: string }).message;
  }
  const message = detail !== '' ? detail : error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  return new KubeError(`Kubernetes API ${status !== 0 ? `HTTP ${status}` : 'request failed'}: ${message}`, status);
}
