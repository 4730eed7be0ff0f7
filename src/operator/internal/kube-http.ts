/**
 * The HTTP library under @kubernetes/client-node's API clients, with a deadline: every request (headers and the whole
 * body) must finish within `timeoutMs`, or it is abandoned with an error, so that one hung connection to the API
 * server can never hold a worker. client-node's own library has no timeout at all. Watches do not use this (they
 * are long by design; see `watch.ts`).
 */
import { request as httpRequest } from 'node:http';
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

/** Sends client-node requests over node:http(s) with the request's agent (TLS, keep-alive), within `timeoutMs`. */
export function deadlineHttpLibrary(timeoutMs: number): HttpLibrary {
  return wrapHttpLibrary({
    send: (context: RequestContext) =>
      new Promise<ResponseContext>((resolve, reject) => {
        const url = new URL(context.getUrl());
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const body = context.getBody() as string | Buffer | undefined;
        const request = send(
          url,
          { method: context.getHttpMethod().toString(), headers: context.getHeaders(), agent: context.getAgent() },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', fail);
            response.on('end', () => {
              clearTimeout(timer);
              const data = Buffer.concat(chunks);
              const headers: Record<string, string> = {};
              for (const [name, value] of Object.entries(response.headers)) {
                if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
              }
              resolve(
                new ResponseContext(response.statusCode ?? 0, headers, {
                  text: () => Promise.resolve(data.toString('utf8')),
                  binary: () => Promise.resolve(data),
                }),
              );
            });
          },
        );
        const timer = setTimeout(() => {
          const error = Object.assign(
            new Error(`no answer from the Kubernetes API within ${timeoutMs} ms: ${url.pathname}`),
            {
              code: 'ETIMEDOUT',
            },
          );
          request.destroy(error);
        }, timeoutMs);
        function fail(error: Error): void {
          clearTimeout(timer);
          reject(error);
        }
        request.on('error', fail);
        request.end(body);
      }),
  });
}

/** Makes a client-node API client for `kubeConfig`'s current cluster whose requests all have a deadline. */
export function makeApiClientWithDeadline<T>(
  kubeConfig: KubeConfig,
  apiClientType: new (config: Configuration) => T,
  timeoutMs: number,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig names no current cluster');
  return new apiClientType(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      httpApi: deadlineHttpLibrary(timeoutMs),
    }),
  );
}
