/**
 * The operator's HTTP transport to the Kubernetes API: JSON requests over node:http(s) with kept-alive connections
 * (one agent per TLS setting), with limits: a request ends when its own deadline passes (`timeoutMs`: headers and
 * the whole body) or when the caller's AbortSignal fires — the request, and its connection, hung or not, are
 * destroyed and the call rejects. One hung connection to the API server cannot hold a worker or the leader election
 * forever. Watches (`stream`) have no deadline: they are long by design (see `watch.ts`).
 *
 * The cluster and credentials come from a `ClusterAccess` (`client/kubeconfig.ts`; a client-node KubeConfig fits too),
 * asked before every request: that is where tokens are refreshed, and where a leader's fence refuses a request.
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions, request as httpsRequest } from 'node:https';

/** The cluster to talk to, and what each request needs to be let in (TLS settings, headers). */
export interface ClusterAccess {
  getCurrentCluster(): { readonly server: string } | null | undefined;
  /** Sets TLS options (`ca`, `cert`, `key`, `rejectUnauthorized`, `servername`), `headers` and `auth` on `options`. */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
  /** Called on a 401: credentials kept for later requests (an exec plugin's token) should be fetched again. */
  onUnauthorized?(): void;
}

/** What ends a request early. */
export interface RequestLimits {
  /** Each request's deadline. */
  timeoutMs?: number;
  /** Ends every request of the client (a leader election's call, say). */
  signal?: AbortSignal;
}

/** A failed Kubernetes call (status 0: no response). */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The API path (`/api/v1/namespaces/x`), without the server's own path prefix. */
  path: string;
  query?: Query;
  body?: unknown;
  /** Default `application/json`. */
  contentType?: string;
  /** Ends this request (besides the client's limits). */
  signal?: AbortSignal;
}

const tlsKeys = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** JSON calls to one cluster, within `limits`. */
export class KubeHttp {
  private readonly agents = new Map<string, HttpAgent>();

  constructor(
    readonly access: ClusterAccess,
    private readonly limits: RequestLimits = {},
  ) {}

  /** The answer's JSON (undefined when empty); a status other than 2xx throws `KubeError` with the server's message. */
  async request<T>(request: KubeRequest): Promise<T> {
    const deadline = new AbortController();
    const { timeoutMs } = this.limits;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            deadline.abort(new Error(`no answer from the Kubernetes API within ${timeoutMs} ms: ${request.path}`));
          }, timeoutMs);
    const signal = AbortSignal.any(
      [deadline.signal, this.limits.signal, request.signal].filter((s): s is AbortSignal => s !== undefined),
    );
    try {
      const response = await this.send(request, signal);
      const text = await readBody(response, signal);
      const status = response.statusCode ?? 0;
      if (status === 401) this.access.onUnauthorized?.();
      if (status < 200 || status > 299) throw errorOf(status, text);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch (error) {
      throw asKubeError(error);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /**
   * An open streaming GET (a watch): resolves with the response once its headers arrive with status 2xx; only
   * `signal` (and the client's) ends it. Another status throws `KubeError`.
   */
  async stream(request: Omit<KubeRequest, 'method' | 'body'>, signal: AbortSignal): Promise<IncomingMessage> {
    const all = this.limits.signal === undefined ? signal : AbortSignal.any([this.limits.signal, signal]);
    try {
      const response = await this.send({ ...request, method: 'GET' }, all);
      const status = response.statusCode ?? 0;
      if (status === 401) this.access.onUnauthorized?.();
      if (status < 200 || status > 299) throw errorOf(status, await readBody(response, all));
      return response;
    } catch (error) {
      throw asKubeError(error);
    }
  }

  private async send(request: KubeRequest, signal: AbortSignal): Promise<IncomingMessage> {
    signal.throwIfAborted();
    const server = this.access.getCurrentCluster()?.server;
    if (server === undefined || server === '') throw new Error('the kubeconfig names no current cluster');
    const options: RequestOptions = { headers: {} };
    await this.access.applyToHTTPSOptions(options);
    signal.throwIfAborted();
    const url = new URL(`${server.replace(/\/+$/, '')}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body);
    const headers: Record<string, string | number> = {
      ...(options.headers as Record<string, string>),
      accept: 'application/json',
      ...(body !== undefined
        ? { 'content-type': request.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) }
        : {}),
    };
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      // The request's own error on abort is a bare AbortError: the reason (the deadline, say) says more.
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const outgoing = send(
        url,
        {
          method: request.method,
          headers,
          agent: this.agentFor(https, options),
          signal,
          ...(options.auth !== undefined && options.auth !== null ? { auth: options.auth } : {}),
        },
        (response) => {
          signal.removeEventListener('abort', onAbort);
          resolve(response);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** One keep-alive agent per TLS setting (credentials in headers vary per request; connections need not). */
  private agentFor(https: boolean, options: RequestOptions): HttpAgent {
    const tls: Record<string, unknown> = {};
    for (const name of tlsKeys) if (options[name] !== undefined) tls[name] = options[name];
    const part = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value);
    const key = JSON.stringify([https, ...tlsKeys.map((name) => part(tls[name]))]);
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = https ? new HttpsAgent({ ...tls, keepAlive: true }) : new HttpAgent({ keepAlive: true });
      this.agents.set(key, agent);
    }
    return agent;
  }
}

function readBody(response: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const onAbort = () => {
      response.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    // Decoded as it arrives: a large LIST is never held twice (chunks, then their concatenation) besides its text.
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.on('error', reject);
    response.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(text);
    });
  });
}

/** The error of a status other than 2xx, with the server's message (a Status object's) when it sent one. */
function errorOf(status: number, text: string): KubeError {
  let detail = text.slice(0, 300);
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') detail = parsed.message;
  } catch {
    // not JSON: the text itself
  }
  return new KubeError(`Kubernetes API HTTP ${status}: ${detail}`, status);
}

function asKubeError(error: unknown): KubeError {
  if (error instanceof KubeError) return error;
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return new KubeError(`Kubernetes API request failed: ${message}`, 0);
}
