/**
 * Pipeline policy: takes a turn from the `RequestScheduler` before sending (waiting for a token and a slot in flight:
 * a client-side limit is a wait, never an error), feeds ARM's rate-limit headers back into it, and answers ARM's own
 * 429 by waiting its `Retry-After` and sending again (ARM did not process a throttled request), a few times at most.
 */
import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { parseRetryAfter } from '../lro.js';
import { type RequestPriority, type RequestScheduler, requestClassOf, scopeOf } from '../scheduler.js';
import type { ArmObserver } from './metrics.js';

/** Who sends a request and why: set by the client for each request it sends. */
export interface RequestTurn {
  principal: string;
  tenantId: string;
  priority: RequestPriority;
  /** The resource a request is about when its URL does not say (a long-running operation's poll). */
  resourceId?: string;
}

/** The turn of each request in the pipeline (keyed by the request object, so retries keep it). */
export const requestTurns = new WeakMap<PipelineRequest, RequestTurn>();

/** A throttled request is sent again at most this often before the 429 is returned. */
const maxThrottledResends = 3;
/** Retry-After when ARM's 429 carries none. */
const defaultRetryAfterMs = 10_000;

/**
 * Creates the throttling policy over a shared scheduler. `now` is used only to parse HTTP-date `Retry-After`;
 * `observer` hears how long each request waited for its turn (default: nobody).
 */
export function throttlingPolicy(
  scheduler: RequestScheduler,
  now: () => number = Date.now,
  observer?: ArmObserver,
): PipelinePolicy {
  return {
    name: 'azoArmThrottling',
    async sendRequest(request, next) {
      const turn = requestTurns.get(request) ?? {
        principal: 'default',
        tenantId: 'default',
        priority: 'user' as const,
      };
      const scope = scopeOf(new URL(request.url).pathname, turn.tenantId);
      const requestClass = requestClassOf(request.method);
      const scopeName = scope.startsWith('tenant:') ? 'tenant' : 'subscription';
      for (let attempt = 0; ; attempt++) {
        const grant = await scheduler.acquire({
          scope,
          principal: turn.principal,
          requestClass,
          priority: turn.priority,
          signal: request.abortSignal,
        });
        observer?.waited?.({ requestClass, priority: turn.priority, waitedMs: grant.waitedMs });
        let response;
        try {
          response = await next(request);
        } finally {
          grant.release();
        }
        const remaining = response.headers.get(`x-ms-ratelimit-remaining-${scopeName}-${requestClass}`);
        if (remaining !== undefined) scheduler.observeRemaining(scope, turn.principal, requestClass, Number(remaining));
        if (response.status !== 429) return response;
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now()) ?? defaultRetryAfterMs;
        scheduler.observeThrottled(scope, turn.principal, requestClass, retryAfterMs);
        if (attempt >= maxThrottledResends) return response;
      }
    },
  };
}
