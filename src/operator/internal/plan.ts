/**
 * `planAction`: the generic reconciler's decision, made purely from what it has observed. The reconciler calls it,
 * executes the returned action, updates its observations and calls it again until the action ends the reconcile.
 * Nothing here does I/O.
 */
import { type PollState, provisioningStateOf } from '../../arm/index.js';
import type { SchemaNode } from '../../model/index.js';
import { compareDesired } from './compare.js';
import { Reasons } from './conditions.js';
import { FINALIZER, KUBERNETES_FINALIZERS } from './names.js';
import type { ReconcilePolicy } from './policy.js';

/** How far the desired state could be resolved (owner, ARM ID, references, Secrets, ConfigMaps). */
export type Resolution =
  | { status: 'resolved'; armId: string; body: unknown }
  /** The ARM ID is known but the body is not (a missing reference/Secret/ConfigMap): enough to observe or delete. */
  | { status: 'idOnly'; armId: string; reason: string; message: string }
  /** `ownerMissing`: the owner object does not exist in Kubernetes (not merely not Ready yet). */
  | { status: 'waitingForOwner'; message: string; ownerMissing?: boolean }
  | { status: 'unresolved'; reason: string; message: string };

/** What the operator knows of the resource in Azure. */
export type AzureObservation =
  | { status: 'unknown' }
  | { status: 'absent' }
  | { status: 'present'; body: unknown };

/** Everything `planAction` decides from. */
export interface PlanInput {
  generation: number;
  deleting: boolean;
  finalizers: readonly string[];
  policy: ReconcilePolicy;
  /** `serviceoperator.azure.com/resource-id`: set once the resource existed in Azure. */
  recordedResourceId?: string | undefined;
  /** The running operation, from the resume-token annotation. */
  pollState?: PollState | undefined;
  resolution: Resolution;
  azure: AzureObservation;
  /** A fatal error recorded for this generation (Ready False/Error with observedGeneration = generation). */
  fatalForGeneration?: { reason: string; message: string } | undefined;
  /** true when the spec changed since the last successful reconcile (then write-only fields are sent). */
  specChanged: boolean;
  /** The kind's ARM body schema, for the comparison. */
  schema?: SchemaNode | undefined;
  /** A subscription mismatch between the ARM ID and the credential. */
  subscriptionMismatch?: string | undefined;
}

/** The next step. */
export type Action =
  | { type: 'addFinalizer' }
  | { type: 'releaseFinalizer'; reason: string }
  | { type: 'waitForOwner'; message: string }
  | { type: 'blocked'; reason: string; message: string; severity: 'Warning' | 'Error'; retryable: boolean }
  | { type: 'readAzure'; armId: string }
  | { type: 'beginPut'; armId: string; body: unknown; create: boolean; differences: string[] }
  | { type: 'pollPut'; poll: PollState }
  | { type: 'beginDelete'; armId: string }
  | { type: 'pollDelete'; poll: PollState }
  | { type: 'upToDate'; armId: string; azureBody: unknown };

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
  if (input.policy !== 'manage') return { type: 'releaseFinalizer', reason: `reconcile-policy ${input.policy}: the Azure resource is kept` };
  const others = foreignFinalizers(input.finalizers);
  if (others.length > 0) {
    return {
      type: 'blocked', reason: Reasons.DeletionBlockedByFinalizer, severity: 'Warning', retryable: false,
      message: `not deleting the Azure resource while finalizer(s) ${others.join(', ')} remain on the object`,
    };
  }
  if (input.pollState?.method === 'DELETE') return { type: 'pollDelete', poll: input.pollState };
  // As ASO: with its owner object gone, the Azure resource either went with the owner or was detached with it.
  if (input.resolution.status === 'waitingForOwner' && input.resolution.ownerMissing === true) {
    return { type: 'releaseFinalizer', reason: 'the owner no longer exists in Kubernetes: the Azure resource went with it or was detached with it' };
  }
  const armId = input.recordedResourceId ?? idOf(input.resolution);
  if (armId === undefined) return { type: 'releaseFinalizer', reason: 'the resource was never created in Azure (no ARM ID)' };
  if (input.subscriptionMismatch !== undefined) {
    return { type: 'blocked', reason: Reasons.SubscriptionMismatch, severity: 'Error', retryable: false, message: input.subscriptionMismatch };
  }
  return { type: 'beginDelete', armId };
}

function planReconcile(input: PlanInput): Action {
  const { resolution, policy } = input;
  if (resolution.status === 'waitingForOwner') return { type: 'waitForOwner', message: resolution.message };
  if (resolution.status === 'unresolved') return { type: 'blocked', reason: resolution.reason, message: resolution.message, severity: 'Warning', retryable: true };
  const armId = resolution.armId;
  if (input.recordedResourceId !== undefined && input.recordedResourceId.toLowerCase() !== armId.toLowerCase()) {
    return {
      type: 'blocked', reason: Reasons.ImmutableFieldChanged, severity: 'Error', retryable: false,
      message: `azureName and owner cannot change once the resource exists: it is ${input.recordedResourceId}, the spec now names ${armId}`,
    };
  }
  if (input.subscriptionMismatch !== undefined) {
    return { type: 'blocked', reason: Reasons.SubscriptionMismatch, severity: 'Error', retryable: false, message: input.subscriptionMismatch };
  }
  if (policy === 'skip') {
    if (input.azure.status === 'unknown') return { type: 'readAzure', armId };
    if (input.azure.status === 'absent') {
      return { type: 'blocked', reason: Reasons.AzureResourceNotFound, severity: 'Warning', retryable: true, message: `reconcile-policy skip: ${armId} does not exist in Azure` };
    }
    return { type: 'upToDate', armId, azureBody: input.azure.body };
  }
  if (!input.finalizers.includes(FINALIZER)) return { type: 'addFinalizer' };
  if (input.pollState !== undefined && input.pollState.method !== 'DELETE') return { type: 'pollPut', poll: input.pollState };
  if (resolution.status === 'idOnly') return { type: 'blocked', reason: resolution.reason, message: resolution.message, severity: 'Warning', retryable: true };
  if (input.fatalForGeneration !== undefined) {
    return { type: 'blocked', reason: input.fatalForGeneration.reason, message: input.fatalForGeneration.message, severity: 'Error', retryable: false };
  }
  if (input.azure.status === 'unknown') return { type: 'readAzure', armId };
  if (input.azure.status === 'absent') return { type: 'beginPut', armId, body: resolution.body, create: true, differences: [] };
  if (provisioningStateOf(input.azure.body)?.toLowerCase() === 'failed') {
    return { type: 'beginPut', armId, body: resolution.body, create: false, differences: ['properties.provisioningState'] };
  }
  const comparison = compareDesired(resolution.body, input.azure.body, input.schema);
  const sendWriteOnly = input.specChanged && comparison.writeOnly.length > 0;
  if (comparison.differences.length > 0 || sendWriteOnly) {
    return { type: 'beginPut', armId, body: resolution.body, create: false, differences: [...comparison.differences, ...(sendWriteOnly ? comparison.writeOnly : [])] };
  }
  return { type: 'upToDate', armId, azureBody: input.azure.body };
}

function idOf(resolution: Resolution): string | undefined {
  return resolution.status === 'resolved' || resolution.status === 'idOnly' ? resolution.armId : undefined;
}
