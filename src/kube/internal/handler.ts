/**
 * The HTTP front of the API server: authentication, routing of Kubernetes URL paths to discovery, OpenAPI and the
 * REST verbs, content negotiation (JSON, Table), request body decoding, and watch streams.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  reviewGroupList,
  reviewResourceList,
} from './discovery.js';
import { ApiError, badRequest, expired, methodNotAllowed, notFoundPath, unsupportedMediaType } from './errors.js';
import type { ResponseShape } from './http-util.js';
import { negotiate, parseMediaTypes, readBody, sendError, sendJson } from './http-util.js';
import type { OpenApiCache } from './openapi.js';
import { openApiV2ContentType } from './openapi.js';
import type { DeleteOptions, Operations, ParsedBody, PatchType, Target, WriteContext } from './operations.js';
import type { Registry } from './registry.js';
import { decodeKubernetesProtobuf } from './protobuf.js';
import { parseJsonDetectingDuplicates } from './schema-api.js';
import type { ObjectPredicate } from './selectors.js';
import { combine, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Store } from './store.js';
import { buildTable, type IncludeObject } from './tables.js';
import type { KubeObject } from './types.js';
import { apiVersionOf, isObject, metadataOf, storageVersion, stringField } from './types.js';
import type { ServiceResolver } from './conversion-webhook.js';
import { WebhookConversionOps } from './webhook-conversion-ops.js';
import type { ChangeEvent } from './watch-hub.js';

/** The version the server reports (the middle of the kubectl range it is tested with). */
export const serverVersion = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-04-17T00:00:00Z',
  goVersion: 'go1.22.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Dependencies of {@link RequestHandler}. */
export interface HandlerOptions {
  operations: Operations;
  registry: Registry;
  store: Store;
  openapi: OpenApiCache;
  logger: Logger;
  token: string;
  /** "host:port" for /api's serverAddressByClientCIDRs. */
  serverAddress: () => string;
  /** Seconds between BOOKMARK events on watches that allow them (default 60). */
  bookmarkIntervalSeconds?: number;
  /** Where conversion webhooks named by a Service are reached (default: nowhere; use clientConfig.url). */
  resolveService?: ServiceResolver;
}

const namespaceSubresources = new Set(['status', 'finalize']);
const defaultWatchTimeoutSeconds = 1800;

export class RequestHandler {
  private readonly watches = new Set<() => void>();
  private closing = false;
  private readonly webhookOps: WebhookConversionOps;

  constructor(private readonly options: HandlerOptions) {
    this.webhookOps = new WebhookConversionOps(options.operations, options.resolveService);
  }

  /** Ends every open watch stream cleanly (server shutdown). */
  closeWatches(): void {
    this.closing = true;
    for (const end of [...this.watches]) end();
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const warnings: string[] = [];
    this.route(request, response, warnings).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof ApiError) {
        sendError(response, error, warnings);
        return;
      }
      this.options.logger.error({ err: error, method: request.method, url: request.url }, 'internal error');
      sendError(
        response,
        new ApiError(
          500,
          'InternalError',
          `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`,
          {},
        ),
        warnings,
      );
    });
  }

  private authenticated(request: IncomingMessage): boolean {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    return match?.[1]?.trim() === this.options.token;
  }

  private async route(request: IncomingMessage, response: ServerResponse, warnings: string[]): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = request.method ?? 'GET';
    this.options.logger.debug({ method, url: request.url }, 'request');
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('ok');
      return;
    }
    if (path === '/version') {
      sendJson(response, 200, serverVersion);
      return;
    }
    if (!this.authenticated(request)) {
      request.resume();
      throw new ApiError(401, 'Unauthorized', 'Unauthorized', {});
    }
    const segments = path
      .split('/')
      .slice(1)
      .map((segment) => decodeURIComponent(segment));
    const [root, ...rest] = segments;
    if (root === 'openapi') return this.serveOpenApi(rest, url, response);
    if (root === 'api') {
      if (rest.length === 0) return sendJson(response, 200, apiVersions(this.options.serverAddress()));
      const [version, ...resourcePath] = rest;
      if (version !== 'v1') throw notFoundPath();
      if (resourcePath.length === 0) return sendJson(response, 200, apiResourceList(this.options.registry, '', 'v1'));
      return this.serveResource(request, response, url, '', version, resourcePath, warnings);
    }
    if (root === 'apis') {
      if (rest.length === 0) {
        const list = apiGroupList(this.options.registry);
        return sendJson(response, 200, { ...list, groups: [...(list.groups as unknown[]), ...reviewGroupList()] });
      }
      const [group = '', version, ...resourcePath] = rest;
      if (version === undefined) {
        const document =
          apiGroup(this.options.registry, group) ?? reviewGroupList().find((candidate) => candidate.name === group);
        if (!document) throw notFoundPath();
        return sendJson(response, 200, { kind: 'APIGroup', apiVersion: 'v1', ...document });
      }
      const review = reviewResourceList(group, version);
      if (review && resourcePath.length === 0) return sendJson(response, 200, review);
      if (review) return this.serveReview(request, response, group, version, resourcePath);
      if (resourcePath.length === 0) {
        const list = apiResourceList(this.options.registry, group, version);
        if (!list) throw notFoundPath();
        return sendJson(response, 200, list);
      }
      return this.serveResource(request, response, url, group, version, resourcePath, warnings);
    }
    throw notFoundPath();
  }

  private serveOpenApi(rest: string[], url: URL, response: ServerResponse): void {
    if (rest[0] === 'v2' && rest.length === 1) {
      // An empty protobuf message is a valid, empty OpenAPI v2 document.
      response.writeHead(200, { 'Content-Type': openApiV2ContentType, 'Content-Length': '0' });
      response.end();
      return;
    }
    if (rest[0] === 'v3') {
      if (rest.length === 1) return sendJson(response, 200, this.options.openapi.root());
      const document = this.options.openapi.document(rest.slice(1).join('/'));
      if (!document) throw notFoundPath();
      const immutable = url.searchParams.get('hash') === document.hash;
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(document.body)),
        'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private',
        ETag: `"${document.hash}"`,
      });
      response.end(document.body);
      return;
    }
    throw notFoundPath();
  }

  private async serveReview(
    request: IncomingMessage,
    response: ServerResponse,
    group: string,
    version: string,
    resourcePath: string[],
  ): Promise<void> {
    if (request.method !== 'POST' || resourcePath.length !== 1) throw methodNotAllowed();
    const body = await this.parseBody(request);
    const object = isObject(body.value) ? body.value : {};
    if (group === 'authorization.k8s.io') {
      sendJson(response, 201, {
        ...object,
        metadata: { ...metadataOf(object), creationTimestamp: null },
        status: { allowed: true, reason: 'azo apiserver allows every authenticated request' },
      });
    } else {
      sendJson(response, 201, {
        apiVersion: `authentication.k8s.io/${version}`,
        kind: 'SelfSubjectReview',
        metadata: { creationTimestamp: null },
        status: { userInfo: { username: 'azo-admin', groups: ['system:masters', 'system:authenticated'] } },
      });
    }
  }

  private async serveResource(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    group: string,
    version: string,
    path: string[],
    warnings: string[],
  ): Promise<void> {
    let parts = path;
    let namespace = '';
    if (parts[0] === 'namespaces' && parts.length > 2 && !namespaceSubresources.has(parts[2] ?? '')) {
      namespace = parts[1] ?? '';
      parts = parts.slice(2);
    }
    if (parts.length > 3) throw notFoundPath();
    const [resource = '', name, subresource] = parts;
    const found = this.options.registry.find(group, version, resource);
    if (!found) {
      request.resume();
      throw notFoundPath();
    }
    const { type } = found;
    if (!type.namespaced && namespace) throw notFoundPath();
    const target: Target = { type, version: found.version, namespace };
    if (type.warning) warnings.push(type.warning);
    if (found.version.deprecated)
      warnings.push(found.version.deprecationWarning ?? `${apiVersionOf(group, version)} ${type.kind} is deprecated`);
    const method = request.method ?? 'GET';
    const query = url.searchParams;
    const shape = negotiate(request.headers.accept);
    // A version other than the storage one of a CRD converted by a webhook: every object passes through it.
    const converted =
      type.conversionWebhook !== undefined && found.version.name !== storageVersion(type).name
        ? this.webhookOps
        : undefined;
    if (name === undefined) {
      if (method === 'GET') {
        if (isTrue(query.get('watch'))) return this.watch(request, response, target, query, shape, converted);
        return this.list(response, target, query, shape, warnings, converted);
      }
      if (type.namespaced && !namespace && method !== 'GET') {
        request.resume();
        throw methodNotAllowed();
      }
      if (method === 'POST') {
        const body = await this.parseBody(request);
        const context = this.writeContext(request, query, warnings);
        const created = converted
          ? await converted.create(target, body, context)
          : await this.options.operations.create(target, body, context);
        return this.respondObject(response, target, created, shape, query, warnings, 201);
      }
      if (method === 'DELETE') return this.deleteCollection(request, response, target, query, warnings, converted);
      request.resume();
      throw methodNotAllowed();
    }
    if (type.namespaced && !namespace) throw notFoundPath();
    if (subresource !== undefined) {
      const allowed =
        (subresource === 'status' && found.version.statusSubresource) ||
        (type.builtin?.extraSubresources ?? []).includes(subresource);
      if (!allowed) {
        request.resume();
        throw notFoundPath();
      }
      if (subresource === 'finalize') {
        if (method !== 'PUT') throw methodNotAllowed();
        return this.finalizeNamespace(request, response, target, name, warnings);
      }
    }
    switch (method) {
      case 'GET': {
        const object = converted ? await converted.get(target, name) : this.options.operations.get(target, name);
        return this.respondObject(response, target, object, shape, query, warnings, 200);
      }
      case 'PUT': {
        const body = await this.parseBody(request);
        const context = this.writeContext(request, query, warnings);
        const updated = converted
          ? await converted.update(target, name, body, context, subresource)
          : await this.options.operations.update(target, name, body, context, subresource);
        return this.respondObject(response, target, updated, shape, query, warnings, 200);
      }
      case 'PATCH': {
        const patchType = patchTypeOf(request.headers['content-type']);
        const body = await this.parseBody(request, patchType === 'apply');
        const force = isTrue(query.get('force'));
        if (query.has('force') && patchType !== 'apply') throw badRequest('force is only allowed for apply patches');
        const patchOptions = { ...(subresource ? { subresource } : {}), force };
        const context = this.writeContext(request, query, warnings);
        const result = converted
          ? await converted.patch(target, name, patchType, body, context, patchOptions)
          : await this.options.operations.patch(target, name, patchType, body, context, patchOptions);
        return this.respondObject(response, target, result.object, shape, query, warnings, result.created ? 201 : 200);
      }
      case 'DELETE': {
        if (subresource) throw methodNotAllowed();
        const options = await this.deleteOptions(request, query);
        const context = this.writeContext(request, query, warnings);
        const deleted = converted
          ? await converted.delete(target, name, options, context)
          : await this.options.operations.delete(target, name, options, context);
        return this.respondObject(response, target, deleted, 'object', query, warnings, 200);
      }
      default:
        request.resume();
        throw methodNotAllowed();
    }
  }

  private writeContext(request: IncomingMessage, query: URLSearchParams, warnings: string[]): WriteContext {
    const dryRun = query.getAll('dryRun');
    for (const value of dryRun) if (value !== 'All') throw invalidQuery('dryRun', value, 'supported values: "All"');
    const validation = query.get('fieldValidation') ?? 'Warn';
    if (validation !== 'Strict' && validation !== 'Warn' && validation !== 'Ignore') {
      throw badRequest(
        `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
      );
    }
    const fieldManager = query.get('fieldManager') ?? undefined;
    if (fieldManager !== undefined && fieldManager.length > 128)
      throw badRequest('fieldManager: Too long: may not be longer than 128');
    const userAgent = request.headers['user-agent'] ?? '';
    return {
      dryRun: dryRun.length > 0,
      ...(fieldManager ? { fieldManager } : {}),
      defaultManager: userAgent.split('/')[0] || 'unknown',
      fieldValidation: validation,
      warnings,
    };
  }

  private async parseBody(request: IncomingMessage, yamlAllowed = false): Promise<ParsedBody> {
    const contentType = parseMediaTypes(request.headers['content-type'])[0]?.type ?? 'application/json';
    const raw = await readBody(request);
    if (contentType === 'application/vnd.kubernetes.protobuf')
      return { value: decodeProtobufBody(raw), duplicateFields: [] };
    const text = raw.toString('utf8');
    if (text.trim() === '') throw badRequest('the request body is empty');
    const isYaml = contentType === 'application/yaml' || contentType === 'application/apply-patch+yaml';
    try {
      return parseJsonDetectingDuplicates(text);
    } catch (error) {
      if (isYaml || yamlAllowed) {
        try {
          return { value: parseYaml(text, { uniqueKeys: true }) as unknown, duplicateFields: [] };
        } catch (yamlError) {
          throw badRequest(
            `error converting YAML to JSON: ` +
              `${yamlError instanceof Error ? (yamlError.message.split('\n')[0] ?? '') : String(yamlError)}`,
          );
        }
      }
      throw badRequest(`json parse error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async deleteOptions(request: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
    let body: Record<string, unknown> = {};
    const length = Number(request.headers['content-length'] ?? '0');
    if (length > 0 || request.headers['transfer-encoding']) {
      const bytes = await readBody(request);
      const raw = bytes.toString('utf8');
      if (parseMediaTypes(request.headers['content-type'])[0]?.type === 'application/vnd.kubernetes.protobuf')
        body = decodeProtobufBody(bytes);
      else if (raw.trim() !== '') {
        try {
          const parsed = JSON.parse(raw) as unknown;
          if (isObject(parsed)) body = parsed;
        } catch (error) {
          throw badRequest(`json parse error: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    } else request.resume();
    let policy =
      (typeof body.propagationPolicy === 'string' ? body.propagationPolicy : undefined) ??
      query.get('propagationPolicy') ??
      undefined;
    if (policy === undefined && typeof body.orphanDependents === 'boolean')
      policy = body.orphanDependents ? 'Orphan' : 'Background';
    if (policy !== undefined && policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw badRequest(
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": ` +
          `supported values: "Foreground", "Background", "Orphan", "nil"`,
      );
    }
    const preconditions = isObject(body.preconditions) ? body.preconditions : {};
    const dryRun = Array.isArray(body.dryRun) ? body.dryRun : [];
    if (dryRun.length > 0) for (const value of dryRun) query.append('dryRun', String(value));
    return {
      ...(policy ? { propagationPolicy: policy } : {}),
      preconditions: {
        ...(typeof preconditions.uid === 'string' ? { uid: preconditions.uid } : {}),
        ...(typeof preconditions.resourceVersion === 'string'
          ? { resourceVersion: preconditions.resourceVersion }
          : {}),
      },
    };
  }

  private predicate(target: Target, query: URLSearchParams): ObjectPredicate | undefined {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), target.type.builtin?.fieldLabels, target.type.plural);
    return combine(labels, fields);
  }

  private async list(
    response: ServerResponse,
    target: Target,
    query: URLSearchParams,
    shape: ResponseShape,
    warnings: string[],
    converted?: WebhookConversionOps,
  ): Promise<void> {
    const limitText = query.get('limit');
    const limit = limitText ? Number(limitText) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
      throw badRequest(`limit: Invalid value: ${JSON.stringify(limitText)}`);
    const continueToken = query.get('continue') ?? undefined;
    this.checkListResourceVersion(query, continueToken);
    const predicate = this.predicate(target, query);
    const options = {
      ...(predicate ? { predicate } : {}),
      ...(limit ? { limit } : {}),
      ...(continueToken ? { continueToken } : {}),
    };
    const page = converted
      ? this.options.operations.list(converted.storageTarget(target), options)
      : this.options.operations.list(target, options);
    if (converted) page.items = await converted.presentAll(target, page.items);
    const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
    if (page.continueToken) metadata.continue = page.continueToken;
    if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
    if (shape === 'table') {
      sendJson(
        response,
        200,
        buildTable({
          type: target.type,
          version: target.version,
          objects: page.items,
          includeObject: includeObjectOf(query),
          resourceVersion: page.resourceVersion,
          ...(page.continueToken ? { continueToken: page.continueToken } : {}),
          ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
        }),
        warnings,
      );
      return;
    }
    if (shape === 'partial') {
      sendJson(
        response,
        200,
        {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata,
          items: page.items.map(partialMetadata),
        },
        warnings,
      );
      return;
    }
    sendJson(
      response,
      200,
      {
        kind: target.type.listKind,
        apiVersion: apiVersionOf(target.type.group, target.version.name),
        metadata,
        items: page.items,
      },
      warnings,
    );
  }

  /**
   * The list's `resourceVersion`/`resourceVersionMatch`: the server always serves its latest state, which satisfies
   * every request except an exact older version (410 Expired, as after etcd compaction) or a version it has not
   * reached (504, as the real server answers after waiting).
   */
  private checkListResourceVersion(query: URLSearchParams, continueToken: string | undefined): void {
    const match = query.get('resourceVersionMatch');
    const text = query.get('resourceVersion') ?? '';
    if (text !== '' && !/^\d+$/.test(text))
      throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(text)}: must be a non-negative integer`);
    if (match !== null) {
      if (match !== 'Exact' && match !== 'NotOlderThan')
        throw badRequest(
          `resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", ` +
            `"NotOlderThan"`,
        );
      if (text === '')
        throw badRequest(
          'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
        );
      if (continueToken)
        throw badRequest(
          'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided',
        );
      if (match === 'Exact' && text === '0')
        throw badRequest(
          'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        );
    }
    if (text === '' || text === '0' || continueToken) return;
    const requested = Number(text);
    const current = this.options.store.currentRv();
    if (requested > current)
      throw new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    if (match === 'Exact' && requested < current)
      throw expired(
        `The resourceVersion for the provided list is too old: ${requested} (current ${current}); this ` +
          `server keeps only its latest state`,
      );
  }

  private respondObject(
    response: ServerResponse,
    target: Target,
    object: KubeObject,
    shape: ResponseShape,
    query: URLSearchParams,
    warnings: string[],
    code: number,
  ): void {
    if (shape === 'table') {
      sendJson(
        response,
        code,
        buildTable({
          type: target.type,
          version: target.version,
          objects: [object],
          includeObject: includeObjectOf(query),
          resourceVersion: stringField(metadataOf(object), 'resourceVersion') ?? '',
        }),
        warnings,
      );
    } else if (shape === 'partial') sendJson(response, code, partialMetadata(object), warnings);
    else sendJson(response, code, object, warnings);
  }

  private async deleteCollection(
    request: IncomingMessage,
    response: ServerResponse,
    target: Target,
    query: URLSearchParams,
    warnings: string[],
    converted?: WebhookConversionOps,
  ): Promise<void> {
    const options = await this.deleteOptions(request, query);
    const context = this.writeContext(request, query, warnings);
    const predicate = this.predicate(target, query);
    const source = converted ? converted.storageTarget(target) : target;
    const page = this.options.operations.list(source, predicate ? { predicate } : {});
    const items: KubeObject[] = [];
    for (const object of page.items) {
      const name = stringField(metadataOf(object), 'name') ?? '';
      const namespace = stringField(metadataOf(object), 'namespace') ?? '';
      try {
        items.push(await this.options.operations.delete({ ...source, namespace }, name, options, context));
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
    const shown = converted ? await converted.presentAll(target, items) : items;
    sendJson(
      response,
      200,
      {
        kind: target.type.listKind,
        apiVersion: apiVersionOf(target.type.group, target.version.name),
        metadata: { resourceVersion: String(this.options.store.currentRv()) },
        items: shown,
      },
      warnings,
    );
  }

  private async finalizeNamespace(
    request: IncomingMessage,
    response: ServerResponse,
    target: Target,
    name: string,
    warnings: string[],
  ): Promise<void> {
    const body = await this.parseBody(request);
    const stored = this.options.operations.getStored(target, name);
    const incoming = isObject(body.value) ? body.value : {};
    const spec = isObject(incoming.spec) ? incoming.spec : {};
    const finalizers = Array.isArray(spec.finalizers)
      ? spec.finalizers.filter((value): value is string => typeof value === 'string')
      : [];
    const next = { ...stored, spec: { ...(isObject(stored.spec) ? stored.spec : {}), finalizers } };
    await this.options.operations.writeStored(target.type, next);
    const after = this.options.store.get(target.type.bucket, '', name) ?? next;
    sendJson(response, 200, after, warnings);
  }

  private watch(
    request: IncomingMessage,
    response: ServerResponse,
    target: Target,
    query: URLSearchParams,
    shape: ResponseShape,
    converted?: WebhookConversionOps,
  ): void {
    if (query.has('sendInitialEvents')) {
      throw new ApiError(
        422,
        'Invalid',
        'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for ' +
          'watch unless the WatchList feature gate is enabled',
        {
          kind: 'ListOptions',
          group: 'meta.k8s.io',
          causes: [
            {
              reason: 'FieldValueForbidden',
              message:
                'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
              field: 'sendInitialEvents',
            },
          ],
        },
      );
    }
    const predicate = this.predicate(target, query);
    const rvText = query.get('resourceVersion') ?? '';
    if (rvText !== '' && !/^\d+$/.test(rvText))
      throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rvText)}: must be a non-negative integer`);
    const timeoutText = query.get('timeoutSeconds');
    const timeoutSeconds =
      timeoutText !== null && /^\d+$/.test(timeoutText) ? Number(timeoutText) : defaultWatchTimeoutSeconds;
    const bookmarks = isTrue(query.get('allowWatchBookmarks'));
    const { type, version } = target;
    const { store, operations } = this.options;
    const includeObject = includeObjectOf(query);
    const inScope = (object: KubeObject) =>
      !type.namespaced || !target.namespace || stringField(metadataOf(object), 'namespace') === target.namespace;
    const matches = (object: KubeObject | undefined) =>
      object !== undefined && inScope(object) && (!predicate || predicate(object));

    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    response.flushHeaders();
    let lastRv = store.currentRv();
    const write = (eventType: string, object: KubeObject) => {
      const served =
        shape === 'table'
          ? buildTable({ type, version, objects: [object], includeObject })
          : shape === 'partial'
            ? partialMetadata(object)
            : object;
      response.write(`${JSON.stringify({ type: eventType, object: served })}\n`);
    };
    // Through a conversion webhook, events are converted one after another and sent in their order; a failed
    // conversion ends the watch with an ERROR event (the client lists and watches again).
    let queue = Promise.resolve();
    const send = (eventType: string, object: KubeObject) => {
      if (!converted) return write(eventType, object);
      queue = queue.then(async () => {
        if (ended) return;
        try {
          write(eventType, await converted.present(target, object));
        } catch (error) {
          if (ended) return;
          const message = error instanceof Error ? error.message : String(error);
          response.write(`${JSON.stringify(watchError(message, 'InternalError', 500))}\n`);
          end();
        }
      });
    };
    const served = (object: KubeObject) => (converted ? object : operations.toServed(type, version, object));
    const onEvent = (event: ChangeEvent) => {
      lastRv = event.rv;
      const now = matches(event.object);
      const before = event.type === 'MODIFIED' ? matches(event.previous) : event.type === 'DELETED' ? now : false;
      let eventType: string | undefined;
      if (event.type === 'ADDED') eventType = now ? 'ADDED' : undefined;
      else if (event.type === 'DELETED') eventType = before ? 'DELETED' : undefined;
      else if (now && before) eventType = 'MODIFIED';
      else if (now) eventType = 'ADDED';
      else if (before) eventType = 'DELETED';
      if (eventType) send(eventType, served(event.object));
    };

    let subscription: { close(): void } | 'expired';
    if (rvText === '' || rvText === '0') {
      const current = store.currentRv();
      for (const object of store.list(
        type.bucket,
        type.namespaced && target.namespace ? target.namespace : undefined,
      )) {
        if (!predicate || predicate(object)) send('ADDED', served(object));
      }
      lastRv = current;
      subscription = store.hub.subscribe(type.bucket, current, current, onEvent);
    } else {
      subscription = store.hub.subscribe(type.bucket, Number(rvText), store.currentRv(), onEvent);
    }
    if (subscription === 'expired') {
      const oldest = store.hub.oldestRv;
      const message = `too old resource version: ${rvText} (${oldest})`;
      response.write(`${JSON.stringify(watchError(message, 'Expired', 410))}\n`);
      response.end();
      return;
    }
    const active = subscription;
    const bookmark = () => {
      if (!bookmarks) return;
      const object = {
        kind: type.kind,
        apiVersion: apiVersionOf(type.group, version.name),
        metadata: { resourceVersion: String(Math.max(lastRv, store.hub.latestPublishedRv)) },
      };
      response.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
    };
    const bookmarkTimer = setInterval(bookmark, (this.options.bookmarkIntervalSeconds ?? 60) * 1000);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(bookmarkTimer);
      clearTimeout(timeoutTimer);
      active.close();
      this.watches.delete(end);
      if (!response.writableEnded) response.end();
    };
    const timeoutTimer = setTimeout(() => {
      bookmark();
      end();
    }, timeoutSeconds * 1000);
    this.watches.add(end);
    request.on('close', end);
    response.on('close', end);
    if (this.closing) end();
  }
}

/** A protobuf body of a kind this server decodes, else 415 (undecodable: 400). */
function decodeProtobufBody(raw: Buffer): Record<string, unknown> {
  let decoded: Record<string, unknown> | undefined;
  try {
    decoded = decodeKubernetesProtobuf(raw);
  } catch (error) {
    throw badRequest(`unable to decode the protobuf body: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!decoded)
    throw unsupportedMediaType(
      'the body of the request was in an unknown format - accepted media types include: application/json, ' +
        'application/yaml',
    );
  return decoded;
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  if (value === 'None' || value === 'Object') return value;
  return 'Metadata';
}

function partialMetadata(object: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(object) };
}

function patchTypeOf(header: string | undefined): PatchType {
  const type = parseMediaTypes(header)[0]?.type;
  switch (type) {
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/json-patch+json':
      return 'json';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      if (type === 'application/apply-patch+cbor') break;
      return 'apply';
  }
  throw unsupportedMediaType(
    `the body of the request was in an unknown format - accepted media types include: ` +
      `application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, ` +
      `application/strategic-merge-patch+json`,
  );
}

function invalidQuery(field: string, value: string, detail: string): ApiError {
  return badRequest(`${field}: Unsupported value: ${JSON.stringify(value)}: ${detail}`);
}

/** A watch stream's ERROR event: a failure Status, as the watch ends. */
function watchError(message: string, reason: string, code: number) {
  return {
    type: 'ERROR',
    object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
  };
}
