/**
 * Pipeline policy: asks the `RequestScheduler` for a token before sending (refusing with `ClientThrottled` and the
 * time to wait when none is left), and feeds ARM's rate-limit headers and 429 `Retry-After` back into it.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ArmError } from '../errors.js';
import { parseRetryAfter } from '../lro.js';
import { type RequestScheduler, requestClassOf, subscriptionOf } from '../scheduler.js';

/** Creates the throttling policy over a shared scheduler. `now` is used only to parse HTTP-date `Retry-After`. */
export function throttlingPolicy(scheduler: RequestScheduler, now: () => number = Date.now): PipelinePolicy {
  return {
    name: 'azoArmThrottling',
    async sendRequest(request, next) {
      const subscription = subscriptionOf(new URL(request.url).pathname);
      const requestClass = requestClassOf(request.method);
      const waitMs = scheduler.tryAcquire(subscription, requestClass);
      if (waitMs > 0) {
        throw new ArmError({
          code: 'ClientThrottled', statusCode: 429, retryAfterMs: waitMs,
          message: `client-side ARM ${requestClass} limit for subscription ${subscription || '(tenant)'} reached; retry in ${waitMs} ms`,
        });
      }
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
