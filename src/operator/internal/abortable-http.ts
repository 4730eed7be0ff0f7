/**
 * An HTTP library for @kubernetes/client-node whose requests end when an AbortSignal fires: the request (and its
 * connection, hung or not) is destroyed and the call rejects with the signal's reason. client-node's own library
 * takes no signal, and a call's options cannot replace it, so a client is built per signal (`abortableApi`).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  ResponseContext,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
} from '@kubernetes/client-node';

/** A client-node API client (e.g. `CoordinationV1Api`) whose calls end when `signal` aborts. */
export function abortableApi<T>(
  kubeConfig: KubeConfig,
  apiType: new (configuration: ReturnType<typeof createConfiguration>) => T,
  signal: AbortSignal,
): T {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('the kubeconfig names no current cluster');
  const httpApi = abortableHttpLibrary(signal);
  return new apiType(
    createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: kubeConfig },
      httpApi,
    }),
  );
}

/** The HTTP library itself (node:http/https with the agent client-node chose: TLS settings, kept-alive sockets). */
export function abortableHttpLibrary(signal: AbortSignal): HttpLibrary {
  return wrapHttpLibrary({ send: (context) => send(context, signal) });
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
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
