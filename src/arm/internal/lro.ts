/**
 * Long-running operations as data: the resumable poll state kept on the Kubernetes object, and the pure functions
 * that decide how to poll (from the first response) and what a poll response means. No I/O here.
 */
import { ArmError, armErrorFromResponse, isRecord } from './errors.js';

/** How an operation is followed (as core-lro names them). */
export type PollingMode = 'azure-async-operation' | 'location' | 'body';

/** The HTTP verb that started the operation. */
export type LroMethod = 'PUT' | 'PATCH' | 'DELETE' | 'POST';

/**
 * Everything needed to resume polling after a restart: small and JSON-serializable (stored in an annotation).
 * Never contains credentials (polling URLs carry no secrets in ARM).
 */
export interface PollState {
  mode: PollingMode;
  /** The URL to GET while the operation runs. */
  pollingUrl: string;
  /** The ARM ID the operation acts on. */
  resourceId: string;
  apiVersion: string;
  method: LroMethod;
  /** ISO time the operation started. */
  startedAt: string;
  /** For POST with Azure-AsyncOperation: where the final result is (the `Location` header). */
  finalUrl?: string;
}

/** The first response of an operation, as the inference needs it. Header names are lower case. */
export interface LroResponse {
  method: LroMethod;
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** What the first response says: finished already, or poll in `mode` at `pollingUrl`. */
export type PollingDecision =
  { kind: 'done' } | { kind: 'poll'; mode: PollingMode; pollingUrl: string; finalUrl?: string };

const terminalStates = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

/** The `properties.provisioningState` of an ARM body (or top-level `provisioningState`), if any. */
export function provisioningStateOf(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const properties = body['properties'];
  if (isRecord(properties) && typeof properties['provisioningState'] === 'string')
    return properties['provisioningState'];
  return typeof body['provisioningState'] === 'string' ? body['provisioningState'] : undefined;
}

/** true for Succeeded, Failed, Canceled (any case). */
export function isTerminalState(state: string): boolean {
  return terminalStates.has(state.toLowerCase());
}

/**
 * Decides how to follow an operation from its first response (core-lro's rules): `Azure-AsyncOperation` wins, then
 * `Location`, then (PUT/PATCH only, 200/201) a non-terminal `provisioningState` in the body means polling the
 * resource itself. A 200/201/204 without any of these is done. `resourceUrl` is the URL the request went to.
 */
export function inferPollingMode(response: LroResponse, resourceUrl: string): PollingDecision {
  const asyncOperation = response.headers['azure-asyncoperation'];
  const location = response.headers['location'];
  const isWrite = response.method === 'PUT' || response.method === 'PATCH';
  if (asyncOperation !== undefined && asyncOperation !== '') {
    return {
      kind: 'poll',
      mode: 'azure-async-operation',
      pollingUrl: asyncOperation,
      ...(response.method === 'POST' && location !== undefined && location !== '' ? { finalUrl: location } : {}),
    };
  }
  if (location !== undefined && location !== '' && (response.status === 202 || response.status === 201 || !isWrite)) {
    return { kind: 'poll', mode: 'location', pollingUrl: location };
  }
  if (isWrite && (response.status === 200 || response.status === 201)) {
    const state = provisioningStateOf(response.body);
    if (state !== undefined && !isTerminalState(state)) return { kind: 'poll', mode: 'body', pollingUrl: resourceUrl };
  }
  if (response.status === 202 && isWrite) {
    // Accepted without a way to poll: watch the resource itself.
    return { kind: 'poll', mode: 'body', pollingUrl: resourceUrl };
  }
  return { kind: 'done' };
}

/**
 * What one poll response means. `fetchFinal`: the operation succeeded; GET the resource (or `finalUrl`) for the result.
 */
export type PollOutcome =
  | { kind: 'running' }
  | { kind: 'succeeded'; body?: unknown }
  | { kind: 'fetchFinal'; url?: string }
  | { kind: 'failed'; error: ArmError };

/** Interprets one poll response for `state` (pure). */
export function interpretPollResponse(state: PollState, status: number, body: unknown): PollOutcome {
  const isDelete = state.method === 'DELETE';
  if (status === 404 && isDelete) return { kind: 'succeeded' };
  // Location mode: the operation's own failure is the Location URL's error response (a Storage create that failed);
  // it is classified by its code, as a failed operation status is in the other modes (the poll itself worked).
  if (status >= 400)
    return {
      kind: 'failed',
      error: armErrorFromResponse({ statusCode: state.mode === 'location' ? 200 : status, body }),
    };
  switch (state.mode) {
    case 'azure-async-operation': {
      const operationStatus = isRecord(body) && typeof body['status'] === 'string' ? body['status'] : 'InProgress';
      const lower = operationStatus.toLowerCase();
      if (lower === 'succeeded') {
        if (isDelete) return { kind: 'succeeded' };
        if (state.method === 'POST')
          return state.finalUrl !== undefined
            ? { kind: 'fetchFinal', url: state.finalUrl }
            : { kind: 'succeeded', body: isRecord(body) ? body['properties'] : undefined };
        return { kind: 'fetchFinal' };
      }
      if (lower === 'failed' || lower === 'canceled' || lower === 'cancelled') {
        const errorBody =
          isRecord(body) && isRecord(body['error'])
            ? body
            : { error: { code: `Operation${operationStatus}`, message: `the operation ${lower}` } };
        return { kind: 'failed', error: armErrorFromResponse({ statusCode: 200, body: errorBody }) };
      }
      return { kind: 'running' };
    }
    case 'location': {
      if (status === 202) return { kind: 'running' };
      if (isDelete) return { kind: 'succeeded' };
      if (state.method === 'POST') return { kind: 'succeeded', body };
      return status === 204 || body === undefined || body === '' ? { kind: 'fetchFinal' } : { kind: 'succeeded', body };
    }
    case 'body': {
      if (status === 202) return { kind: 'running' };
      if (isDelete) return { kind: 'running' };
      const provisioningState = provisioningStateOf(body);
      if (provisioningState === undefined || provisioningState.toLowerCase() === 'succeeded')
        return { kind: 'succeeded', body };
      if (isTerminalState(provisioningState)) {
        return {
          kind: 'failed',
          error: new ArmError({
            code: `Provisioning${provisioningState}`,
            statusCode: 200,
            message: `provisioningState is ${provisioningState}`,
          }),
        };
      }
      return { kind: 'running' };
    }
  }
}

/** Serializes a poll state for an annotation. */
export function encodePollState(state: PollState): string {
  return JSON.stringify(state);
}

/** Parses an annotation back into a poll state; undefined when it is not one (a stale or hand-edited value). */
export function decodePollState(text: string | undefined): PollState | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value)) return undefined;
    const { mode, pollingUrl, resourceId, apiVersion, method, startedAt, finalUrl } = value;
    if (mode !== 'azure-async-operation' && mode !== 'location' && mode !== 'body') return undefined;
    if (method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE' && method !== 'POST') return undefined;
    if (
      typeof pollingUrl !== 'string' ||
      typeof resourceId !== 'string' ||
      typeof apiVersion !== 'string' ||
      typeof startedAt !== 'string'
    )
      return undefined;
    return {
      mode,
      pollingUrl,
      resourceId,
      apiVersion,
      method,
      startedAt,
      ...(typeof finalUrl === 'string' ? { finalUrl } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
