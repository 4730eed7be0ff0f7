/**
 * The HTTP library under @kubernetes/client-node's API clients, with limits: a request ends when its own deadline
 * passes (`timeoutMs`: headers and the whole body) or when the caller's AbortSignal fires — the request, and its
 * connection, hung or not, are destroyed and the call rejects with the reason. client-node's own library has neither
 * (and a call's options cannot replace it), so one hung connection to the API server could hold a worker or the
 * leader election forever. Watches do not use this: they are long by design (see `watch.ts`).
 */
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  type Configuration,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  ResponseContext,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
} from '@kubernetes/client-node';

/** What ends a request early. */
export interface RequestLimits {
  /** Each request's deadline. */
  timeoutMs?: number;
  /** Ends every request of the client (a leader election's call, say). */
  signal?: AbortSignal;
}

/** A client-node API client for `kubeConfig`'s current cluster whose requests keep to `limits`. */
export function makeLimitedApiClient<T>(
  kubeConfig: KubeConfig,
  apiType: new (configuration: Configuration) => T,
  limits: RequestLimits,
): T {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('the kubeconfig names no current cluster');
  return new apiType(
    createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: kubeConfig },
      httpApi: limitedHttpLibrary(limits),
    }),
  );
}

/** The HTTP library itself (node:http/https with the agent client-node chose: TLS settings, kept-alive sockets). */
export function limitedHttpLibrary(limits: RequestLimits): HttpLibrary {
  return wrapHttpLibrary({
    send: async (context) => {
      const deadline = new AbortController();
      const path = new URL(context.getUrl()).pathname;
      const timer =
        limits.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              deadline.abort(new Error(`no answer from the Kubernetes API within ${limits.timeoutMs} ms: ${path}`));
            }, limits.timeoutMs);
      const signal = limits.signal === undefined ? deadline.signal : AbortSignal.any([limits.signal, deadline.signal]);
      try {
        return await send(context, signal);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
  });
}

function send(context: RequestContext, signal: AbortSignal): Promise<ResponseContext> {
  const url = new URL(context.getUrl());
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<ResponseContext>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const options = {
      method: context.getHttpMethod(),
      headers: context.getHeaders(),
      agent: context.getAgent(),
      signal,
    };
    const outgoing = request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        signal.removeEventListener('abort', onAbort);
        const body = Buffer.concat(chunks);
        const responseBody = { text: async () => body.toString('utf8'), binary: async () => body };
        resolve(new ResponseContext(response.statusCode ?? 0, flatten(response.headers), responseBody));
      });
    });
    outgoing.on('error', reject);
    const body = context.getBody();
    outgoing.end(body === undefined ? undefined : String(body));
  });
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
