/** Pipeline policy: gives every request a fresh `x-ms-client-request-id` (kept if the caller set one). */
import { randomUUID } from 'node:crypto';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Creates the request-id policy. */
export function requestIdPolicy(): PipelinePolicy {
  return {
    name: 'azoArmRequestId',
    sendRequest(request, next) {
      if (!request.headers.has('x-ms-client-request-id')) request.headers.set('x-ms-client-request-id', randomUUID());
      return next(request);
    },
  };
}
