/**
 * Pipeline policy: one debug line per ARM request (method, path, api-version, status, duration, request ids).
 * Never logs headers or bodies, so tokens and secret values cannot leak.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Logger } from 'pino';

/** Creates the logging policy on `logger` (pino, level debug for requests, warn for 5xx/429). */
export function loggingPolicy(logger: Logger): PipelinePolicy {
  return {
    name: 'azoArmLogging',
    async sendRequest(request, next) {
      const started = performance.now();
      const url = new URL(request.url);
      const fields = {
        method: request.method,
        path: url.pathname,
        apiVersion: url.searchParams.get('api-version') ?? undefined,
        clientRequestId: request.headers.get('x-ms-client-request-id'),
      };
      try {
        const response = await next(request);
        const line = {
          ...fields,
          status: response.status,
          durationMs: Math.round(performance.now() - started),
          requestId: response.headers.get('x-ms-request-id'),
        };
        if (response.status === 429 || response.status >= 500) logger.warn(line, 'ARM request');
        else logger.debug(line, 'ARM request');
        return response;
      } catch (error) {
        logger.debug(
          { ...fields, durationMs: Math.round(performance.now() - started), error: (error as Error).message },
          'ARM request failed',
        );
        throw error;
      }
    },
  };
}
