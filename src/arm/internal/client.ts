/**
 * The ARM client: addresses resources by ARM ID over a core-rest-pipeline of one-file policies (request id,
 * throttling, bearer token, logging, optional retries, TLS). Long-running operations come back as a `PollState` the
 * caller keeps and passes to `poll` later: the client itself never waits.
 */
import {
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
  defaultRetryPolicy,
  tlsPolicy,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import pino, { type Logger } from 'pino';
import { ArmError, armErrorFromResponse, isArmError } from './errors.js';
import { type LroMethod, type PollState, inferPollingMode, interpretPollResponse, parseRetryAfter } from './lro.js';
import { deadlinePolicy } from './policies/deadline.js';
import { guardPolicy } from './policies/guard.js';
import { loggingPolicy } from './policies/logging.js';
import { type ArmObserver, metricsPolicy } from './policies/metrics.js';
import { requestIdPolicy } from './policies/request-id.js';
import { requestTurns, throttlingPolicy } from './policies/throttling.js';
import { type RequestPriority, RequestScheduler } from './scheduler.js';

/** Options of `ArmClient`. */
export interface ArmClientOptions {
  /** ARM's base URL; default `https://management.azure.com`. */
  endpoint?: string;
  credential: TokenCredential;
  /** Token audience; default `https://management.azure.com/` (scope `<audience>/.default`). */
  audience?: string;
  /** Extra CA certificates to trust (PEM), e.g. the emulator's. Default: the system's. */
  caCertPem?: string;
  /** Shared throttling state; default a private scheduler with ARM's limits. */
  scheduler?: RequestScheduler;
  /** The identity's tenant and client id, as ARM counts requests per principal (default `default`). */
  principal?: { tenantId: string; clientId: string };
  /** Every request is abandoned after this long (default 60 s, ARM's own gateway timeout). */
  requestTimeoutMs?: number;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Retries inside the client; default 0 (the operator's queue owns retries). */
  maxRetries?: number;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** Override the HTTP client (tests). */
  httpClient?: HttpClient;
  /** Extra policies appended after the built-in ones. */
  additionalPolicies?: PipelinePolicy[];
  /** Called right before each request is sent (after throttling and signing); a throw refuses it. Default: none. */
  guard?: () => void;
  /** Hears of every request's answer and of its wait for a turn (metrics). Default: none. */
  observer?: ArmObserver;
}

/** A finished or still-running operation. `retryAfterMs`: when to poll next (ARM's `Retry-After`, default 5 s). */
export type OperationResult = { done: true; body: unknown } | { done: false; poll: PollState; retryAfterMs: number };

/** Default poll interval when ARM gives no `Retry-After`. */
export const defaultPollIntervalMs = 5_000;

/** Per-call options: why the call is made (the scheduler's priority) and when to give up. */
export interface ArmRequestOptions {
  /** Default `user`. */
  priority?: RequestPriority;
  abortSignal?: AbortSignal;
}

/** The calls of an `ArmClient`, with the per-call options bound (see `ArmClient.withOptions`). */
export interface ArmOperations {
  get(id: string, apiVersion: string): Promise<unknown>;
  tryGet(id: string, apiVersion: string): Promise<unknown>;
  beginCreateOrUpdate(id: string, apiVersion: string, body: unknown): Promise<OperationResult>;
  beginDelete(id: string, apiVersion: string): Promise<OperationResult>;
  post(id: string, action: string, apiVersion: string, body?: unknown): Promise<OperationResult>;
  poll(state: PollState): Promise<OperationResult>;
}

/** ARM client addressing resources by ID. See `ArmClientOptions` for defaults. */
export class ArmClient {
  private readonly endpoint: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly now: () => number;
  private readonly principal: { tenantId: string; clientId: string };
  private readonly requestTimeoutMs: number;

  constructor(options: ArmClientOptions) {
    this.endpoint = (options.endpoint ?? 'https://management.azure.com').replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
    this.principal = options.principal ?? { tenantId: 'default', clientId: 'default' };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    const audience = (options.audience ?? 'https://management.azure.com/').replace(/\/+$/, '');
    const logger = options.logger ?? pino({ level: 'silent' });
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(requestIdPolicy());
    if ((options.maxRetries ?? 0) > 0)
      pipeline.addPolicy(defaultRetryPolicy({ maxRetries: options.maxRetries ?? 0 }), { phase: 'Retry' });
    pipeline.addPolicy(throttlingPolicy(options.scheduler ?? new RequestScheduler(), this.now, options.observer));
    pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: [`${audience}/.default`] }),
      { phase: 'Sign' },
    );
    pipeline.addPolicy(loggingPolicy(logger), { afterPhase: 'Sign' });
    if (options.observer !== undefined) pipeline.addPolicy(metricsPolicy(options.observer), { afterPhase: 'Sign' });
    if (options.caCertPem !== undefined) pipeline.addPolicy(tlsPolicy({ ca: options.caCertPem }));
    for (const policy of options.additionalPolicies ?? []) pipeline.addPolicy(policy);
    if (options.guard !== undefined) pipeline.addPolicy(guardPolicy(options.guard), { afterPhase: 'Sign' });
    pipeline.addPolicy(deadlinePolicy(this.requestTimeoutMs), { afterPhase: 'Sign' });
    this.pipeline = pipeline;
  }

  /** This client with `options` applied to every call (a reconcile's priority and deadline). */
  withOptions(options: ArmRequestOptions): ArmOperations {
    return {
      get: (id, apiVersion) => this.get(id, apiVersion, options),
      tryGet: (id, apiVersion) => this.tryGet(id, apiVersion, options),
      beginCreateOrUpdate: (id, apiVersion, body) => this.beginCreateOrUpdate(id, apiVersion, body, options),
      beginDelete: (id, apiVersion) => this.beginDelete(id, apiVersion, options),
      post: (id, action, apiVersion, body) => this.post(id, action, apiVersion, body, options),
      poll: (state) => this.poll(state, options),
    };
  }

  /** GETs a resource; throws `ArmError` (404 included). */
  async get(id: string, apiVersion: string, options: ArmRequestOptions = {}): Promise<unknown> {
    const response = await this.send('GET', this.urlOf(id, apiVersion), undefined, options);
    if (response.status !== 200) throw this.errorOf(response);
    return parseBody(response);
  }

  /** GETs a resource; `undefined` when ARM says 404 (the resource or what it sits in does not exist). */
  async tryGet(id: string, apiVersion: string, options: ArmRequestOptions = {}): Promise<unknown> {
    const response = await this.send('GET', this.urlOf(id, apiVersion), undefined, options);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw this.errorOf(response);
    return parseBody(response);
  }

  /** GETs every page of a collection (`{parentId}/{childType}`): the items of `value`, following `nextLink`. */
  async list(collectionId: string, apiVersion: string, options: ArmRequestOptions = {}): Promise<unknown[]> {
    const items: unknown[] = [];
    let url: string | undefined = this.urlOf(collectionId, apiVersion);
    while (url !== undefined) {
      const response = await this.send('GET', url, undefined, options);
      if (response.status !== 200) throw this.errorOf(response);
      const page = (parseBody(response) ?? {}) as { value?: unknown[]; nextLink?: string | null };
      items.push(...(page.value ?? []));
      url = typeof page.nextLink === 'string' && page.nextLink !== '' ? page.nextLink : undefined;
    }
    return items;
  }

  /** PUTs `body`; done at once or a `PollState` to follow. */
  async beginCreateOrUpdate(
    id: string,
    apiVersion: string,
    body: unknown,
    options: ArmRequestOptions = {},
  ): Promise<OperationResult> {
    return this.begin('PUT', id, apiVersion, body, options);
  }

  /** DELETEs a resource; a 404 counts as done. */
  async beginDelete(id: string, apiVersion: string, options: ArmRequestOptions = {}): Promise<OperationResult> {
    return this.begin('DELETE', id, apiVersion, undefined, options);
  }

  /**
   * POSTs an action (`listKeys`, …) on a resource and returns its result (following a long-running one is up to the
   * caller).
   */
  async post(
    id: string,
    action: string,
    apiVersion: string,
    body?: unknown,
    options: ArmRequestOptions = {},
  ): Promise<OperationResult> {
    return this.begin('POST', `${id.replace(/\/+$/, '')}/${action}`, apiVersion, body, options);
  }

  /** Polls an operation once. Throws `ArmError` when it failed. */
  async poll(state: PollState, options: ArmRequestOptions = {}): Promise<OperationResult> {
    const response = await this.send('GET', state.pollingUrl, undefined, options, state.resourceId);
    const retryAfterMs = this.retryAfterOf(response);
    // A failure of the poll request itself (throttled, server trouble, credentials) says nothing about the operation.
    if (isTransientPollStatus(response.status)) throw this.errorOf(response);
    const outcome = interpretPollResponse(state, response.status, parseBody(response));
    switch (outcome.kind) {
      case 'running':
        return { done: false, poll: state, retryAfterMs };
      case 'succeeded':
        return { done: true, body: outcome.body };
      case 'failed':
        throw operationEnded(outcome.error);
      case 'fetchFinal': {
        const url = outcome.url ?? this.urlOf(state.resourceId, state.apiVersion);
        const final = await this.send('GET', url, undefined, options, state.resourceId);
        if (isTransientPollStatus(final.status)) throw this.errorOf(final);
        if (final.status >= 400) throw operationEnded(this.errorOf(final));
        return { done: true, body: parseBody(final) };
      }
    }
  }

  private async begin(
    method: LroMethod,
    id: string,
    apiVersion: string,
    body: unknown,
    options: ArmRequestOptions,
  ): Promise<OperationResult> {
    const url = this.urlOf(id, apiVersion);
    const response = await this.send(method, url, body, options);
    if (method === 'DELETE' && response.status === 404) return { done: true, body: undefined };
    if (response.status >= 400) throw this.errorOf(response);
    const parsed = parseBody(response);
    const decision = inferPollingMode(
      { method, status: response.status, headers: response.headers.toJSON(), body: parsed },
      url,
    );
    if (decision.kind === 'done') return { done: true, body: parsed };
    const poll: PollState = {
      mode: decision.mode,
      pollingUrl: decision.pollingUrl,
      resourceId: id,
      apiVersion,
      method,
      startedAt: new Date(this.now()).toISOString(),
      ...(decision.finalUrl !== undefined ? { finalUrl: decision.finalUrl } : {}),
    };
    return { done: false, poll, retryAfterMs: this.retryAfterOf(response) };
  }

  private urlOf(id: string, apiVersion: string): string {
    const path = id.startsWith('/') ? id : `/${id}`;
    return `${this.endpoint}${path}?api-version=${encodeURIComponent(apiVersion)}`;
  }

  private async send(
    method: string,
    url: string,
    body: unknown,
    options: ArmRequestOptions,
    resourceId?: string,
  ): Promise<PipelineResponse> {
    const request = createPipelineRequest({
      url,
      method: method as 'GET',
      ...(options.abortSignal !== undefined ? { abortSignal: options.abortSignal } : {}),
    });
    requestTurns.set(request, {
      ...this.principal,
      principal: `${this.principal.tenantId}/${this.principal.clientId}`,
      priority: options.priority ?? 'user',
      ...(resourceId !== undefined ? { resourceId } : {}),
    });
    request.headers.set('accept', 'application/json');
    if (body !== undefined) {
      request.headers.set('content-type', 'application/json');
      request.body = JSON.stringify(body);
    }
    try {
      return await this.pipeline.sendRequest(this.httpClient, request);
    } catch (error) {
      if (isArmError(error)) throw error;
      throw toArmError(error);
    }
  }

  private retryAfterOf(response: PipelineResponse): number {
    return parseRetryAfter(response.headers.get('retry-after'), this.now()) ?? defaultPollIntervalMs;
  }

  private errorOf(response: PipelineResponse): ArmError {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
    const requestId = response.headers.get('x-ms-request-id') ?? response.headers.get('x-ms-client-request-id');
    return armErrorFromResponse({
      statusCode: response.status,
      body: parseBody(response),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }
}

function isTransientPollStatus(status: number): boolean {
  return status === 401 || status === 403 || status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/** The same error, marked as the end of its long-running operation (the poll state is spent). */
function operationEnded(error: ArmError): ArmError {
  return new ArmError({
    code: error.code,
    statusCode: error.statusCode,
    message: error.message,
    details: error.details,
    operationEnded: true,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
  });
}

function parseBody(response: PipelineResponse): unknown {
  const text = response.bodyAsText;
  if (text === undefined || text === null || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Turns a network or credential failure into an `ArmError` (statusCode 0). Messages come from the failing library. */
function toArmError(error: unknown): ArmError {
  const err = error instanceof Error ? error : new Error(String(error));
  const name = err.name;
  if (/Credential|Authentication/.test(name) || /AADSTS|token|unauthorized_client|invalid_client/i.test(err.message)) {
    const detail = firstLine(err.message.replace(/^\[object Object\]:?\s*/, ''));
    return new ArmError({
      code: 'AuthenticationFailed',
      statusCode: 0,
      message: `could not get a token for ARM (${name})${detail !== '' ? `: ${detail}` : ''}`,
    });
  }
  const code = (err as { code?: unknown }).code;
  return new ArmError({
    code: 'NetworkError',
    statusCode: 0,
    message: `could not reach ARM: ${typeof code === 'string' ? `${code} ` : ''}${firstLine(err.message)}`,
  });
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
