/**
 * The operator's ARM client: credentials, request scheduling within ARM's limits, and long-running operations,
 * addressing resources by ID. Long-running operations are data (`PollState`) the caller keeps; the client waits only
 * for its turn within ARM's limits (and ARM's own 429s), and otherwise never retries: the operator's queue owns time.
 */
export {
  ArmClient,
  defaultPollIntervalMs,
  type ArmClientOptions,
  type ArmOperations,
  type ArmRequestOptions,
  type OperationResult,
} from './internal/client.js';
export {
  ArmError,
  isArmError,
  isNotFound,
  armErrorFromResponse,
  type ArmErrorDetail,
  type ArmErrorInit,
} from './internal/errors.js';
export {
  inferPollingMode,
  interpretPollResponse,
  encodePollState,
  decodePollState,
  parseRetryAfter,
  provisioningStateOf,
  isTerminalState,
  type PollState,
  type PollingMode,
  type LroMethod,
  type LroResponse,
  type PollingDecision,
  type PollOutcome,
} from './internal/lro.js';
export {
  RequestScheduler,
  defaultArmLimits,
  requestClassOf,
  scopeOf,
  subscriptionOf,
  type RequestClass,
  type RequestPriority,
  type BucketLimits,
  type BucketState,
  type Grant,
  type AcquireRequest,
  type RequestSchedulerOptions,
  type SchedulerClock,
} from './internal/scheduler.js';
export { type ArmObserver, resourceTypeOf } from './internal/policies/metrics.js';
export { createArmCredential, type ArmCredentialOptions, type ArmCredentialProof } from './internal/credential.js';
