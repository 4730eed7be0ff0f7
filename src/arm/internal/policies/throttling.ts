/**
 * Pipeline policy: takes a token from the `RequestScheduler` before sending (waiting for one when none is left: a
 * client-side limit is a wait, never an error), and feeds ARM's rate-limit headers and 429 `Retry-After` back into it.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { parseRetryAfter } from '../lro.js';
import { type RequestScheduler, requestClassOf, subscriptionOf } from '../scheduler.js';

/** Creates the throttling policy over a shared scheduler. `now` is used only to parse HTTP-date `Retry-After`. */
export function throttlingPolicy(scheduler: RequestScheduler, now: () => number = Date.now): PipelinePolicy {
  return {
    name: 'azoArmThrottling',
    async sendRequest(request, next) {
      const subscription = subscriptionOf(new URL(request.url).pathname);
      const requestClass = requestClassOf(request.method);
      await scheduler.acquire(subscription, requestClass, request.abortSignal);
      const response = await next(request);
      const remaining = response.headers.get(`x-ms-ratelimit-remaining-subscription-${requestClass}`);
      if (remaining !== undefined) scheduler.observeRemaining(subscription, requestClass, Number(remaining));
      if (response.status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now()) ?? 10_000;
        scheduler.observeThrottled(subscription, requestClass, retryAfterMs);
      }
      return response;
    },
  };
}
