/**
 * Which informer updates wake the reconciler: not status-only changes, nor the operator's own bookkeeping annotations.
 */
import type { KubeObject } from './kube.js';
import { deepEqual } from './merge-patch.js';
import {
  APPLIED_DIGEST_ANNOTATION,
  FINALIZER,
  LATEST_RECONCILED_GENERATION_ANNOTATION,
  POLLER_RESUME_ID_ANNOTATION,
  POLLER_RESUME_TOKEN_ANNOTATION,
  RESOURCE_ID_ANNOTATION,
} from './names.js';

const bookkeeping = [
  RESOURCE_ID_ANNOTATION,
  LATEST_RECONCILED_GENERATION_ANNOTATION,
  POLLER_RESUME_TOKEN_ANNOTATION,
  POLLER_RESUME_ID_ANNOTATION,
  APPLIED_DIGEST_ANNOTATION,
];

/**
 * true when `after` differs from `before` in a way that needs a reconcile: generation (spec), deletion, finalizers
 * (other than ours being added),
 * ownerReferences removed or changed, user annotations, or the removal of `resource-id`/`latest-reconciled-generation`
 * (an Argo CD-style
 * replace). Status, resourceVersion, managedFields and the operator's own annotation writes do not.
 */
export function needsReconcile(before: KubeObject | undefined, after: KubeObject): boolean {
  if (before === undefined) return true;
  const a = before.metadata;
  const b = after.metadata;
  if (a.generation !== b.generation) return true;
  if (String(a.deletionTimestamp ?? '') !== String(b.deletionTimestamp ?? '')) return true;
  const others = (finalizers: string[] | undefined) =>
    (finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER);
  if (!deepEqual(others(a.finalizers), others(b.finalizers))) return true;
  if ((a.finalizers ?? []).includes(FINALIZER) && !(b.finalizers ?? []).includes(FINALIZER)) return true;
  // An ownerReference removed or changed (the operator adds the owner's itself: an addition needs no reconcile).
  const kept = b.ownerReferences ?? [];
  if ((a.ownerReferences ?? []).some((owner) => !kept.some((other) => deepEqual(owner, other)))) return true;
  const strip = (annotations: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => !bookkeeping.includes(key)));
  if (!deepEqual(strip(a.annotations), strip(b.annotations))) return true;
  for (const key of [RESOURCE_ID_ANNOTATION, LATEST_RECONCILED_GENERATION_ANNOTATION, APPLIED_DIGEST_ANNOTATION]) {
    if (a.annotations?.[key] !== undefined && b.annotations?.[key] === undefined) return true;
  }
  return false;
}

/**
 * true when a dependency's change matters to its dependents. Dependents read only an owner's or referenced object's
 * identity (uid), ARM ID annotation and deletion; anything else (spec, status and Ready included, other metadata)
 * changing does not wake them: an owner's later error or update never concerns its children.
 */
export function dependencyChanged(before: KubeObject | undefined, after: KubeObject): boolean {
  if (before === undefined) return true;
  return !deepEqual(dependencyView(before), dependencyView(after));
}

function dependencyView(object: KubeObject): Record<string, unknown> {
  return {
    uid: object.metadata.uid,
    deleting: String(object.metadata.deletionTimestamp ?? ''),
    resourceId: object.metadata.annotations?.[RESOURCE_ID_ANNOTATION],
  };
}
