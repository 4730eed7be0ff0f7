/**
 * The Ready condition as ASO writes it (type, status, severity, reason, message, observedGeneration,
 * lastTransitionTime), and ASO's reasons. Only the generic reconciler writes it.
 */

/** ASO's severities; `''` (none) for a True condition. */
export type Severity = 'Info' | 'Warning' | 'Error' | '';

/** ASO's Ready reasons (an ARM error code is also used as a reason). */
export const Reasons = {
  Reconciling: 'Reconciling',
  Succeeded: 'Succeeded',
  Deleting: 'Deleting',
  WaitingForOwner: 'WaitingForOwner',
  ReferenceNotFound: 'ReferenceNotFound',
  SecretNotFound: 'SecretNotFound',
  ConfigMapNotFound: 'ConfigMapNotFound',
  SubscriptionMismatch: 'SubscriptionMismatch',
  AzureResourceNotFound: 'AzureResourceNotFound',
  InvalidReconcilePolicy: 'InvalidReconcilePolicy',
  ImmutableFieldChanged: 'ImmutableFieldChanged',
  DeletionBlockedByFinalizer: 'DeletionBlockedByFinalizer',
  CredentialInvalid: 'CredentialInvalid',
  AdditionalKubernetesObjectWriteFailure: 'AdditionalKubernetesObjectWriteFailure',
  Failed: 'Failed',
  ReconcileTimeout: 'ReconcileTimeout',
} as const;

/** A Kubernetes condition with ASO's severity. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  severity?: Severity;
  reason: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** What the Ready condition should say (without times). */
export interface ReadyState {
  status: 'True' | 'False' | 'Unknown';
  severity: Severity;
  reason: string;
  message: string;
}

/** Ready True, Succeeded. */
export function readySucceeded(): ReadyState {
  return { status: 'True', severity: '', reason: Reasons.Succeeded, message: '' };
}

/**
 * Ready False, Info Reconciling: a write to Azure for the object's current generation is under way (as ASO reports it,
 * so `kubectl wait` and kstatus never read an earlier generation's success as this one's).
 */
export function readyReconciling(message = 'The resource is being reconciled'): ReadyState {
  return { status: 'False', severity: 'Info', reason: Reasons.Reconciling, message };
}

/** Ready False, Info Deleting. */
export function readyDeleting(message = 'The resource is being deleted'): ReadyState {
  return { status: 'False', severity: 'Info', reason: Reasons.Deleting, message };
}

/** Ready False with a reason: Warning (will retry) or Error (stops until the spec changes). */
export function readyProblem(reason: string, message: string, severity: 'Warning' | 'Error' = 'Warning'): ReadyState {
  return { status: 'False', severity, reason, message };
}

/** Ready False, ReconcileTimeout: the pass ran out of its `AZO_RECONCILE_TIMEOUT` and is tried again. */
export function readyDeadlinePassed(reconcileTimeoutMs: number): ReadyState {
  const seconds = Math.round(reconcileTimeoutMs / 1000);
  return readyProblem(
    Reasons.ReconcileTimeout,
    `the reconcile did not finish within ${seconds} s (AZO_RECONCILE_TIMEOUT); it is tried again`,
  );
}

/**
 * Builds the Ready condition for `generation`, keeping `previous.lastTransitionTime` when status and reason have not
 * changed (so an unchanged reconcile produces an identical condition and no write).
 */
export function buildReadyCondition(
  state: ReadyState,
  generation: number,
  previous: Condition | undefined,
  now: Date,
): Condition {
  const unchanged = previous !== undefined && previous.status === state.status && previous.reason === state.reason;
  return {
    type: 'Ready',
    status: state.status,
    ...(state.severity !== '' ? { severity: state.severity } : {}),
    reason: state.reason,
    ...(state.message !== '' ? { message: state.message } : {}),
    observedGeneration: generation,
    lastTransitionTime: unchanged && previous !== undefined ? previous.lastTransitionTime : now.toISOString(),
  };
}

/**
 * kstatus' two conditions, derived from Ready (additive: ASO's contract is the one Ready condition, which stays as
 * it is). kstatus (Flux's health checks, `kubectl wait` of kpt and cli-utils) reads `Reconciling` and `Stalled` first,
 * with abnormal-true polarity, so each is present only while True: `Reconciling` while Ready is False with severity
 * Info or Warning (a write under way, a dependency awaited, a retry), `Stalled` while Ready is False with severity
 * Error (retrying alone will not fix it). With Ready True neither is present. Older kstatus versions read no Ready
 * condition at all, so without these an object being created would count as Current.
 */
export function kstatusConditions(ready: Condition, previous: readonly Condition[] | undefined): Condition[] {
  if (ready.status === 'True') return [];
  const type = ready.severity === 'Error' ? 'Stalled' : 'Reconciling';
  const before = previous?.find((condition) => condition.type === type);
  const unchanged = before !== undefined && before.status === 'True' && before.reason === ready.reason;
  return [
    {
      type,
      status: 'True',
      reason: ready.reason,
      ...(ready.message !== undefined ? { message: ready.message } : {}),
      ...(ready.observedGeneration !== undefined ? { observedGeneration: ready.observedGeneration } : {}),
      lastTransitionTime: unchanged && before !== undefined ? before.lastTransitionTime : ready.lastTransitionTime,
    },
  ];
}

/** The condition types the operator owns in `status.conditions` (others, written by someone else, are kept). */
export const ownedConditionTypes: readonly string[] = ['Ready', 'Reconciling', 'Stalled'];

/** Replaces (or adds) the condition of the same type in `conditions`, returning a new array. */
export function setCondition(conditions: readonly Condition[] | undefined, condition: Condition): Condition[] {
  const rest = (conditions ?? []).filter((existing) => existing.type !== condition.type);
  return [...rest, condition].sort((a, b) => a.type.localeCompare(b.type));
}

/**
 * A status' `conditions` with Ready set to `state` and the kstatus conditions that go with it (see
 * `kstatusConditions`); conditions someone else wrote are kept. Also the Ready condition before and after.
 */
export function conditionsWithReady(
  previousStatus: Record<string, unknown>,
  state: ReadyState,
  generation: number,
  now: Date,
): { previous: Condition | undefined; condition: Condition; conditions: Condition[] } {
  const previous = readyConditionOf(previousStatus['conditions']);
  const condition = buildReadyCondition(state, generation, previous, now);
  const previousConditions = Array.isArray(previousStatus['conditions'])
    ? (previousStatus['conditions'] as Condition[])
    : [];
  let conditions = previousConditions.filter((existing) => !ownedConditionTypes.includes(existing.type));
  for (const owned of [condition, ...kstatusConditions(condition, previousConditions)]) {
    conditions = setCondition(conditions, owned);
  }
  return { previous, condition, conditions };
}

/** The Ready condition of a status' `conditions`, if any. */
export function readyConditionOf(conditions: unknown): Condition | undefined {
  if (!Array.isArray(conditions)) return undefined;
  const found: unknown = conditions.find(
    (condition: unknown) =>
      typeof condition === 'object' && condition !== null && (condition as { type?: unknown }).type === 'Ready',
  );
  return found as Condition | undefined;
}
