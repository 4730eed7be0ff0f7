/**
 * The operator's only way to Kubernetes: a few typed calls over `kube-http.ts` (custom objects, their status
 * subresource, Namespaces, Secrets, ConfigMaps, Events, CRDs), as plain JSON. Reads that find nothing return
 * `undefined`; other failures throw `KubeError` with the HTTP status (409 conflicts are retried by the queue).
 */
import { type ClusterAccess, KubeHttp, type Query } from './kube-http.js';
import type { ConfigMap, CustomResourceDefinition, KubeResource, Namespace, ObjectList, Secret } from './kube-types.js';
import { slimForCache } from './watch.js';

export { KubeError } from './kube-http.js';

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
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }>;
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

/** How many objects one LIST page asks for (as client-go's informers do). */
export const listPageSize = 500;
const mergePatch = 'application/merge-patch+json';
/** How many recent Events `createEvent` remembers for aggregation (client-go's cache holds 4096). */
const maxRecentEvents = 4096;
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
/** CRDs are listed a few at a time: each carries its schemas (tens of KB) until it is slimmed. */
export const crdListQuery = { limit: 16 } as const;

/**
 * Informer caches consulted before a GET of a Namespace, Secret or ConfigMap: the object, `null` when the cache
 * watches that namespace and knows the object does not exist, or `undefined` when it cannot tell (then the API is
 * asked).
 */
export interface ReadCache {
  namespace(name: string): Namespace | null | undefined;
  secret(namespace: string, name: string): Secret | null | undefined;
  configMap(namespace: string, name: string): ConfigMap | null | undefined;
}

/** Typed access to the API server. */
export class KubeAccess {
  /** Set by the controller once its informers have synced. */
  readCache: ReadCache | undefined;
  /** Events recorded lately, by what makes them the same Event, oldest first (see `createEvent`). */
  private readonly recentEvents = new Map<string, { name: string; count: number }>();
  readonly http: KubeHttp;
  private readonly pageSize: number;

  /** `requestTimeoutMs`: each request's deadline (default 30 s); `listPageSize`: see `listPages` (default 500). */
  constructor(
    readonly kubeConfig: ClusterAccess,
    options: { requestTimeoutMs?: number; listPageSize?: number } = {},
  ) {
    this.http = new KubeHttp(kubeConfig, { timeoutMs: options.requestTimeoutMs ?? 30_000 });
    this.pageSize = options.listPageSize ?? listPageSize;
  }

  /** GETs a custom object; undefined on 404. */
  async getObject(ref: ObjectRef): Promise<KubeObject | undefined> {
    return orUndefined(this.http.request({ method: 'GET', path: objectPath(ref) }));
  }

  /** JSON merge patch of a custom object (metadata/spec); include `metadata.resourceVersion` for concurrency. */
  async patchObject(ref: ObjectRef, patch: unknown): Promise<KubeObject> {
    return this.http.request({ method: 'PATCH', path: objectPath(ref), body: patch, contentType: mergePatch });
  }

  /** JSON merge patch of a custom object's status subresource. */
  async patchStatus(ref: ObjectRef, patch: unknown): Promise<KubeObject> {
    return this.http.request({
      method: 'PATCH',
      path: `${objectPath(ref)}/status`,
      body: patch,
      contentType: mergePatch,
    });
  }

  /** Every object at a collection `path`, read in pages of `listPageSize` (see `listPages`). */
  async list<T extends KubeResource>(path: string, query: Query = {}): Promise<ObjectList<T>> {
    const items: T[] = [];
    const metadata = await this.listPages<T>(path, query, (page) => {
      for (const item of page) items.push(item);
    });
    return { items, metadata };
  }

  /**
   * Reads the collection at `path` in pages of `listPageSize` objects (or `query.limit`; `limit`/`continue`), handing
   * each page to `onPage`
   * as it arrives, so the whole list is never held as one JSON text. When a continue token has expired (410), the
   * list starts over in one piece; `onPage` then sees some objects again. Returns the list's metadata.
   */
  async listPages<T extends KubeResource>(
    path: string,
    query: Query,
    onPage: (items: T[]) => void,
  ): Promise<{ resourceVersion?: string }> {
    let token: string | undefined;
    let resourceVersion: string | undefined;
    for (;;) {
      let page: ObjectList<T>;
      try {
        page = await this.http.request<ObjectList<T>>({
          method: 'GET',
          path,
          query: { limit: this.pageSize, ...query, continue: token },
        });
      } catch (error) {
        if (token === undefined || statusOf(error) !== 410) throw error;
        const whole = await this.http.request<ObjectList<T>>({ method: 'GET', path, query });
        onPage(whole.items ?? []);
        return {
          ...(whole.metadata?.resourceVersion !== undefined ? { resourceVersion: whole.metadata.resourceVersion } : {}),
        };
      }
      resourceVersion ??= page.metadata?.resourceVersion;
      onPage(page.items ?? []);
      token = page.metadata?.continue;
      if (token === undefined || token === '') return resourceVersion === undefined ? {} : { resourceVersion };
    }
  }

  /** A Namespace, from the informer cache when it has one. `fresh`: always ask the API server. */
  async getNamespace(name: string, options: { fresh?: boolean } = {}): Promise<Namespace | undefined> {
    const cached = options.fresh === true ? undefined : this.readCache?.namespace(name);
    return fromCacheOr(cached, () => this.http.request({ method: 'GET', path: `/api/v1/namespaces/${seg(name)}` }));
  }

  /** A Secret, from the informer cache when it watches the namespace. `fresh`: always ask the API server. */
  async getSecret(namespace: string, name: string, options: { fresh?: boolean } = {}): Promise<Secret | undefined> {
    const cached = options.fresh === true ? undefined : this.readCache?.secret(namespace, name);
    return fromCacheOr(cached, () => this.http.request({ method: 'GET', path: corePath(namespace, 'secrets', name) }));
  }

  /** A ConfigMap, from the informer cache when it watches the namespace. `fresh`: always ask the API server. */
  async getConfigMap(
    namespace: string,
    name: string,
    options: { fresh?: boolean } = {},
  ): Promise<ConfigMap | undefined> {
    const cached = options.fresh === true ? undefined : this.readCache?.configMap(namespace, name);
    return fromCacheOr(cached, () =>
      this.http.request({ method: 'GET', path: corePath(namespace, 'configmaps', name) }),
    );
  }

  async createNamespace(name: string, labels: Record<string, string> = {}): Promise<Namespace> {
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
    return this.http.request({ method: 'POST', path: '/api/v1/namespaces', body });
  }

  async createSecret(namespace: string, body: Secret): Promise<Secret> {
    return this.http.request({ method: 'POST', path: corePath(namespace, 'secrets'), body: typed(body, 'Secret') });
  }

  async replaceSecret(namespace: string, name: string, body: Secret): Promise<Secret> {
    return this.http.request({
      method: 'PUT',
      path: corePath(namespace, 'secrets', name),
      body: typed(body, 'Secret'),
    });
  }

  async createConfigMap(namespace: string, body: ConfigMap): Promise<ConfigMap> {
    return this.http.request({
      method: 'POST',
      path: corePath(namespace, 'configmaps'),
      body: typed(body, 'ConfigMap'),
    });
  }

  async replaceConfigMap(namespace: string, name: string, body: ConfigMap): Promise<ConfigMap> {
    const path = corePath(namespace, 'configmaps', name);
    return this.http.request({ method: 'PUT', path, body: typed(body, 'ConfigMap') });
  }

  /**
   * Records an Event on `object`. The same Event again (same object, type, reason, message and component) is
   * aggregated as client-go's recorder does: the existing Event's `count` and `lastTimestamp` are updated (kubectl
   * shows "x3 over 5m"), so a retried error does not flood the namespace. Returns the error instead of throwing.
   */
  async createEvent(options: {
    object: KubeObject;
    type: 'Normal' | 'Warning';
    reason: string;
    message: string;
    component: string;
  }): Promise<Error | undefined> {
    const { object } = options;
    const namespace = object.metadata.namespace ?? 'default';
    const now = new Date().toISOString();
    const message = options.message.slice(0, 1024);
    const { kind, metadata } = object;
    const key = JSON.stringify([
      options.component,
      namespace,
      kind,
      metadata.name,
      metadata.uid,
      options.type,
      options.reason,
      message,
    ]);
    const seen = this.recentEvents.get(key);
    if (seen !== undefined) {
      this.recentEvents.delete(key); // most recently used last
      seen.count += 1;
      try {
        const body = { count: seen.count, lastTimestamp: now };
        await this.http.request({
          method: 'PATCH',
          path: corePath(namespace, 'events', seen.name),
          body,
          contentType: mergePatch,
        });
        this.recentEvents.set(key, seen);
        return undefined;
      } catch (error) {
        if (statusOf(error) !== 404) return error instanceof Error ? error : new Error(String(error));
        // The Event expired (its TTL): record a new one.
      }
    }
    try {
      const created = await this.http.request<KubeResource>({
        method: 'POST',
        path: corePath(namespace, 'events'),
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: `${object.metadata.name ?? 'object'}.`, namespace },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.metadata.name,
            namespace,
            uid: object.metadata.uid,
            resourceVersion: object.metadata.resourceVersion,
          },
          type: options.type,
          reason: options.reason,
          message,
          source: { component: options.component },
          reportingComponent: options.component,
          reportingInstance: options.component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
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
   * Every CRD, without its versions' schemas (the operator reads names, versions and conversion only), read in small
   * pages (`crdListQuery`) and slimmed page by page: 256 azo CRDs are about 11 MB of JSON, nearly all schemas.
   */
  async listCrds(): Promise<ObjectList<CustomResourceDefinition>> {
    const items: CustomResourceDefinition[] = [];
    const metadata = await this.listPages<CustomResourceDefinition>(crdPath, crdListQuery, (page) => {
      for (const crd of page) {
        slimForCache(crd, { crd: true });
        items.push(crd);
      }
    });
    return { items, metadata };
  }

  async getCrd(name: string): Promise<CustomResourceDefinition | undefined> {
    return orUndefined(this.http.request({ method: 'GET', path: `${crdPath}/${seg(name)}` }));
  }

  async createCrd(body: CustomResourceDefinition): Promise<CustomResourceDefinition> {
    return this.http.request({ method: 'POST', path: crdPath, body: typedCrd(body) });
  }

  async replaceCrd(name: string, body: CustomResourceDefinition): Promise<CustomResourceDefinition> {
    return this.http.request({ method: 'PUT', path: `${crdPath}/${seg(name)}`, body: typedCrd(body) });
  }

  /** JSON merge patch of a CRD (include `metadata.resourceVersion` for optimistic concurrency). */
  async patchCrd(name: string, patch: unknown): Promise<void> {
    await this.http.request({ method: 'PATCH', path: `${crdPath}/${seg(name)}`, body: patch, contentType: mergePatch });
  }
}

/** The HTTP status of a failed call (0 when none). */
export function statusOf(error: unknown): number {
  const code =
    (error as { code?: unknown; statusCode?: unknown } | null)?.code ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : 0;
}

/** A path segment, escaped. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

function namespacePart(namespace: string | undefined): string {
  return namespace === undefined ? '' : `/namespaces/${seg(namespace)}`;
}

function objectPath(ref: ObjectRef): string {
  return `/apis/${ref.group}/${ref.version}${namespacePart(ref.namespace)}/${ref.plural}/${seg(ref.name)}`;
}

function corePath(namespace: string, plural: string, name?: string): string {
  return `/api/v1/namespaces/${seg(namespace)}/${plural}${name === undefined ? '' : `/${seg(name)}`}`;
}

function typed<T extends KubeResource>(body: T, kind: string): T {
  return { apiVersion: 'v1', kind, ...body };
}

function typedCrd(body: CustomResourceDefinition): CustomResourceDefinition {
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...body };
}

async function fromCacheOr<T>(cached: T | null | undefined, read: () => Promise<T>): Promise<T | undefined> {
  if (cached === null) return undefined;
  return cached ?? orUndefined(read());
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}
