/**
 * The operator: informers, the work queue, and one generic ARM reconciler driven by the resource model, with ASO's
 * semantics (reconcile policies, finalizer, GET-before-PUT, resumable long-running operations, Ready conditions,
 * exports, credentials per object/namespace/global). `startOperator` runs it against any Kubernetes API server.
 */
export { startOperator, installCrd, type OperatorOptions, type RunningOperator } from './internal/controller.js';
export { readOperatorConfig, parseDuration, type OperatorConfig } from './internal/config.js';
export { hasEnvironmentCredential } from './internal/credentials.js';
export {
  planAction,
  foreignFinalizers,
  type Action,
  type PlanInput,
  type Resolution,
  type AzureObservation,
} from './internal/plan.js';
export { compareDesired, type Comparison } from './internal/compare.js';
export { desiredArmBody } from './internal/desired-body.js';
export { wellKnownArmId } from './internal/well-known.js';
export { classifyArmError, type ErrorClassification } from './internal/classify.js';
export {
  resolveReconcilePolicy,
  isReconcilePolicy,
  type ReconcilePolicy,
  type PolicyDecision,
} from './internal/policy.js';
export { Reasons, buildReadyCondition, type Condition, type ReadyState, type Severity } from './internal/conditions.js';
export {
  WorkQueue,
  RateLimiter,
  runWorkers,
  TerminalError,
  isTerminalError,
  systemClock,
  type Clock,
  type ReconcileResult,
} from './internal/queue.js';
export { ConditionError, isConditionError } from './internal/errors.js';
export * from './internal/names.js';
export {
  electLeader,
  fencedKubeConfig,
  defaultLeaseName,
  defaultElectionTiming,
  checkElectionTiming,
  NotLeaderError,
  type LeaderElectionOptions,
  type Leadership,
  type ElectionTiming,
} from './internal/leader.js';
export { reuseConnections } from './internal/client-node-pool.js';
export { operatorNodeFlags } from './internal/node-flags.js';
export { KubeError, type ClusterAccess } from './internal/kube-http.js';
export { KubeClientConfig, loadKubeconfigFiles, inClusterConfig, serviceAccountDir } from './internal/kubeconfig.js';
export type { CustomResourceDefinition, ObjectList, KubeResource } from './internal/kube-types.js';
export {
  OperatorMetrics,
  controllerNameOf,
  type OperatorMetricsOptions,
  type ReconcileObserver,
  type ReconcileOutcome,
} from './internal/metrics.js';
export {
  startConversionWebhook,
  hostNamesFor,
  conversionPath,
  type ConversionWebhookOptions,
  type RunningConversionWebhook,
} from './internal/webhook/server.js';
export {
  reviewConversion,
  conversionReviewApiVersion,
  type ConversionReviewResponse,
} from './internal/webhook/conversion-review.js';
export { WEBHOOK_TLS_SECRET } from './internal/webhook/secret-name.js';
export {
  conversionFor,
  deployWebhookEndpoint,
  withWebhookConversion,
  type WebhookEndpoint,
} from './internal/webhook/crd-conversion.js';
export { environmentArmClient } from './internal/credential-provider.js';
export { resolveDesiredState, type DesiredStateLookups } from './internal/resolve.js';
export { hooksFor } from './extensions/index.js';
export type { ResourceHooks } from './internal/hooks.js';
export {
  previewObjects,
  valueAt,
  type PreviewObject,
  type PreviewCluster,
  type PreviewOptions,
  type ObjectPreview,
  type FieldChange,
} from './internal/preview.js';
export type { KubeObject } from './internal/kube.js';
