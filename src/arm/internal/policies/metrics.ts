/**
 * Pipeline policy: reports each ARM request to an observer once it has its answer (or none): the resource type it
 * addresses, the method, the status code and the round-trip time. The throttling policy runs before it, so the time
 * is ARM's, not the wait for a turn (reported separately). Observers never see URLs, headers or bodies.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { RequestClass, RequestPriority } from '../scheduler.js';
import { requestTurns } from './throttling.js';

/** What the ARM client reports about its requests (ASO's metrics are built from it). Every method is optional. */
export interface ArmObserver {
  /** ARM answered (any status code, 429 and 5xx included). */
  responded?(event: { resourceType: string; method: string; statusCode: number; seconds: number }): void;
  /** No answer: a network error, a timeout or an abort. */
  failed?(event: { resourceType: string; method: string; seconds: number }): void;
  /** A request got its turn from the scheduler after `waitedMs` (0 when a token was there). */
  waited?(event: { requestClass: RequestClass; priority: RequestPriority; waitedMs: number }): void;
}

/** Creates the metrics policy. */
export function metricsPolicy(observer: ArmObserver): PipelinePolicy {
  return {
    name: 'azoArmMetrics',
    async sendRequest(request, next) {
      const started = performance.now();
      const resourceType = resourceTypeOf(requestTurns.get(request)?.resourceId ?? new URL(request.url).pathname);
      const method = request.method;
      try {
        const response = await next(request);
        const seconds = (performance.now() - started) / 1000;
        observer.responded?.({ resourceType, method, statusCode: response.status, seconds });
        return response;
      } catch (error) {
        observer.failed?.({ resourceType, method, seconds: (performance.now() - started) / 1000 });
        throw error;
      }
    },
  };
}

/**
 * The ARM resource type an ID or path addresses, as ASO labels its metrics: `Microsoft.Resources/resourceGroups`,
 * `Microsoft.Storage/storageAccounts/blobServices`; `Microsoft.Resources/subscriptions` for a subscription itself,
 * and the path's provider segments for anything else (an operation status URL).
 */
export function resourceTypeOf(idOrPath: string): string {
  const segments =
    idOrPath
      .split('?')[0]
      ?.split('/')
      .filter((segment) => segment !== '') ?? [];
  const provider = segments.lastIndexOf('providers');
  const lower = segments.map((segment) => segment.toLowerCase());
  if (provider >= 0 && segments[provider + 1] !== undefined) {
    const types = segments.slice(provider + 2).filter((_, index) => index % 2 === 0);
    return [segments[provider + 1], ...types].join('/');
  }
  if (lower[2] === 'resourcegroups') return 'Microsoft.Resources/resourceGroups';
  if (lower[0] === 'subscriptions') return 'Microsoft.Resources/subscriptions';
  return 'unknown';
}
