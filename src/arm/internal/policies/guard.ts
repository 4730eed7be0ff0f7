/**
 * Pipeline policy: calls a guard synchronously right before each request goes out; if the guard throws, the request is
 * never sent and the call fails with that error. The operator's leader election fences ARM with it: an instance that
 * is no longer sure to hold the Lease sends nothing more to Azure.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Creates the guard policy. */
export function guardPolicy(guard: () => void): PipelinePolicy {
  return {
    name: 'azoArmGuard',
    sendRequest(request, next) {
      guard();
      return next(request);
    },
  };
}
