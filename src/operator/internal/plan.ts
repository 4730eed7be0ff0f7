/**
 * `planAction`: the generic reconciler's decision, made purely from what it has observed. The reconciler calls it,
 * executes the returned action, updates its observations and calls it again until the action ends the reconcile.
 * Nothing here does I/O.
 *
 * The write rule: PUT when the resource is absent, when Azure reports `Failed`, when the desired state (the digest of
 * the whole ARM body, Secret values and references included) changed since the last write, or when Azure drifted on
 * a field the user sets. With no digest recorded (a new object, or one adopting a resource that already exists),
 * PUT only when Azure differs on a visible field or the body carries write-only values; else record the digest
 * without writing. The delete rule: DELETE only under `manage`, only with our finalizer and no one else's, and never
 * for a child whose owner's own deletion covers it (owner being deleted, gone or replaced, namespace going away).
 */
import { type PollState, provisioningStateOf } from '../../arm/index.js';
import type { SchemaNode } from '../../model/index.js';
import { compareDesired } from './compare.js';
import { Reasons } from './conditions.js';
import type { DigestCheck } from './digest.js';
import { FINALIZER, KUBERNETES_FINALIZERS } from './names.js';
import type { ReconcilePolicy } from './policy.js';

/** How far the desired state could be resolved (owner, ARM ID, references, Secrets, ConfigMaps). */
export type Resolution =
  | { status: 'resolved'; armId: string; body: unknown }
  /** The ARM ID is known but the body is not (a missing reference/Secret/ConfigMap): enough to observe or delete. */
  | { status: 'idOnly'; armId: string; reason: string; message: string }
  | { status: 'waitingForOwner'; message: string }
  | { status: 'unresolved'; reason: string; message: string };

/** What the operator knows of the resource in Azure. */
export type AzureObservation = { status: 'unknown' } | { status: 'absent' } | { status: 'present'; body: unknown };

/** Everything `planAction` decides from. */
export interface PlanInput {
  deleting: boolean;
  finalizers: readonly string[];
  policy: ReconcilePolicy;
  /** `serviceoperator.azure.com/resource-id`: set once the resource existed in Azure. */
  recordedResourceId?: string | undefined;
  /** The running operation, from the resume-token annotation. */
  pollState?: PollState | undefined;
  resolution: Resolution;
  azure: AzureObservation;
  /** The recorded desired-state digest against the current desired state (`none` without a resolved body). */
  digest: DigestCheck['status'];
  /** A non-retryable ARM error met with these same inputs, whose slow retry is not due yet: wait, do not write. */
  heldError?: { reason: string; message: string } | undefined;
  /** The kind's ARM body schema, for the comparison. */
  schema?: SchemaNode | undefined;
  /** A subscription mismatch between the ARM ID and the credential. */
  subscriptionMismatch?: string | undefined;
  /**
   * Deleting only: why the owner's own deletion covers this object (its owner object is being deleted, is gone or
   * was replaced, or the namespace is being deleted), so this object must not send a DELETE of its own.
   */
  ownerGoing?: string | undefined;
}

/** The next step. */
export type Action =
  | { type: 'addFinalizer' }
  | { type: 'releaseFinalizer'; reason: string }
  | { type: 'waitForOwner'; message: string }
  /** `retryable`: a Warning retried with the usual backoff; else an Error retried slowly (or when an input changes). */
  | { type: 'blocked'; reason: string; message: string; severity: 'Warning' | 'Error'; retryable: boolean }
  /** Keep reporting an earlier Error for the same inputs until its slow retry is due; send nothing. */
  | { type: 'holdError'; reason: string; message: string }
  | { type: 'readAzure'; armId: string }
  /** `differences`: why (paths where Azure differs, or what changed); logged. */
  | { type: 'beginPut'; armId: string; body: unknown; create: boolean; differences: string[] }
  | { type: 'pollPut'; poll: PollState }
  | { type: 'beginDelete'; armId: string }
  | { type: 'pollDelete'; poll: PollState }
  /** `recordDigest`: the desired state is now known to be in Azure (record its digest; never under `skip`). */
  | { type: 'upToDate'; armId: string; azureBody: unknown; recordDigest: boolean };

/** Why a PUT is sent when the desired state changed since the last write. */
export const DESIRED_STATE_CHANGED = '(desired state changed since the last write)';

/** Finalizers other than ours and Kubernetes' own: a user's protection of the resource. */
export function foreignFinalizers(finalizers: readonly string[]): string[] {
  return finalizers.filter((finalizer) => finalizer !== FINALIZER && !KUBERNETES_FINALIZERS.includes(finalizer));
}

/** Decides the next action. See the module comment. */
export function planAction(input: PlanInput): Action {
  return input.deleting ? planDelete(input) : planReconcile(input);
}

function planDelete(input: PlanInput): Action {
  if (!input.finalizers.includes(FINALIZER)) return { type: 'releaseFinalizer', reason: 'no finalizer of ours' };
  if (input.policy !== 'manage') {
    return { type: 'releaseFinalizer', reason: `reconcile-policy ${input.policy}: the Azure resource is kept` };
  }
  const others = foreignFinalizers(input.finalizers);
  if (others.length > 0) {
    return {
      type: 'blocked',
      reason: Reasons.DeletionBlockedByFinalizer,
      severity: 'Warning',
      retryable: false,
      message: `not deleting the Azure resource while finalizer(s) ${others.join(', ')} remain on the object`,
    };
  }
  if (input.pollState?.method === 'DELETE') return { type: 'pollDelete', poll: input.pollState };
  // The owner's deletion decides for its children: under manage its DELETE takes them in Azure; under
  // detach-on-delete or skip they stay. A DELETE of our own would undo the owner's choice.
  if (input.ownerGoing !== undefined)
    return { type: 'releaseFinalizer', reason: `${input.ownerGoing}: the owner's deletion decides for its children` };
  const armId = input.recordedResourceId ?? idOf(input.resolution);
  if (armId === undefined)
    return { type: 'releaseFinalizer', reason: 'the resource was never created in Azure (no ARM ID)' };
  if (input.subscriptionMismatch !== undefined) {
    return error(Reasons.SubscriptionMismatch, input.subscriptionMismatch);
  }
  return { type: 'beginDelete', armId };
}

function planReconcile(input: PlanInput): Action {
  const { resolution, policy } = input;
  if (resolution.status === 'waitingForOwner') return { type: 'waitForOwner', message: resolution.message };
  if (resolution.status === 'unresolved') {
    return warning(resolution.reason, resolution.message);
  }
  const armId = resolution.armId;
  if (input.recordedResourceId !== undefined && input.recordedResourceId.toLowerCase() !== armId.toLowerCase()) {
    return error(
      Reasons.ImmutableFieldChanged,
      'azureName and owner cannot change once the resource exists: ' +
        `it is ${input.recordedResourceId}, the spec now names ${armId}`,
    );
  }
  if (input.subscriptionMismatch !== undefined) {
    return error(Reasons.SubscriptionMismatch, input.subscriptionMismatch);
  }
  if (policy === 'skip') {
    if (input.azure.status === 'unknown') return { type: 'readAzure', armId };
    if (input.azure.status === 'absent') {
      return warning(Reasons.AzureResourceNotFound, `reconcile-policy skip: ${armId} does not exist in Azure`);
    }
    return { type: 'upToDate', armId, azureBody: input.azure.body, recordDigest: false };
  }
  if (!input.finalizers.includes(FINALIZER)) return { type: 'addFinalizer' };
  if (input.pollState !== undefined && input.pollState.method !== 'DELETE')
    return { type: 'pollPut', poll: input.pollState };
  if (resolution.status === 'idOnly') {
    return warning(resolution.reason, resolution.message);
  }
  if (input.heldError !== undefined)
    return { type: 'holdError', reason: input.heldError.reason, message: input.heldError.message };
  if (input.azure.status === 'unknown') return { type: 'readAzure', armId };
  const put = (create: boolean, differences: string[]): Action => ({
    type: 'beginPut',
    armId,
    body: resolution.body,
    create,
    differences,
  });
  if (input.azure.status === 'absent') return put(true, []);
  if (provisioningStateOf(input.azure.body)?.toLowerCase() === 'failed')
    return put(false, ['properties.provisioningState']);
  const comparison = compareDesired(resolution.body, input.azure.body, input.schema);
  const reasons = [
    ...(input.digest === 'differs' ? [DESIRED_STATE_CHANGED] : []),
    ...comparison.differences,
    ...(input.digest === 'none' ? comparison.writeOnly : []),
  ];
  if (reasons.length > 0) return put(false, reasons);
  return { type: 'upToDate', armId, azureBody: input.azure.body, recordDigest: true };
}

/** A problem that may clear by itself: Ready False / Warning, retried with the usual backoff. */
function warning(reason: string, message: string): Action {
  return { type: 'blocked', reason, message, severity: 'Warning', retryable: true };
}

/** A problem retrying alone does not fix: Ready False / Error, retried slowly or when an input changes. */
function error(reason: string, message: string): Action {
  return { type: 'blocked', reason, message, severity: 'Error', retryable: false };
}

function idOf(resolution: Resolution): string | undefined {
  return resolution.status === 'resolved' || resolution.status === 'idOnly' ? resolution.armId : undefined;
}
