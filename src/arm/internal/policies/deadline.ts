/**
 * Pipeline policy: each request gets `timeoutMs` from the moment it goes out (after its turn within ARM's limits and
 * its token, which do not count) until its whole answer has arrived; then it is aborted with a `NetworkError` that
 * says so. An AbortSignal rather than the pipeline request's own `timeout`: the HTTP client clears that timer only
 * when the answer's headers arrive, so every refused or reset connection left a referenced timer behind, which held
 * a stopping operator for up to a minute (found by the soak).
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ArmError } from '../errors.js';

/** Creates the deadline policy. */
export function deadlinePolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'azoArmRequestDeadline',
    async sendRequest(request, next) {
      const timeout = AbortSignal.timeout(timeoutMs); // its timer is unref'd: it never keeps the process alive
      const caller = request.abortSignal;
      request.abortSignal = caller instanceof AbortSignal ? AbortSignal.any([caller, timeout]) : timeout;
      try {
        return await next(request);
      } catch (error) {
        if (!timeout.aborted || caller?.aborted === true) throw error;
        const what = `${request.method} ${new URL(request.url).pathname}`;
        const message = `could not reach ARM: no answer within ${timeoutMs} ms (${what})`;
        throw new ArmError({ code: 'NetworkError', statusCode: 0, message });
      } finally {
        request.abortSignal = caller;
      }
    },
  };
}
