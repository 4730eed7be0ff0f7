/** Which informer updates wake the reconciler: not status-only changes, nor the operator's own bookkeeping annotations. */
import type { KubeObject } from './kube.js';
import { deepEqual } from './merge-patch.js';
import {
  FINALIZER, LATEST_RECONCILED_GENERATION_ANNOTATION, POLLER_RESUME_ID_ANNOTATION, POLLER_RESUME_TOKEN_ANNOTATION, RESOURCE_ID_ANNOTATION,
} from './names.js';

const bookkeeping = [RESOURCE_ID_ANNOTATION, LATEST_RECONCILED_GENERATION_ANNOTATION, POLLER_RESUME_TOKEN_ANNOTATION, POLLER_RESUME_ID_ANNOTATION];

/**
 * true when `after` differs from `before` in a way that needs a reconcile: generation (spec), deletion, finalizers
 * (other than ours being added),
 * ownerReferences, user annotations, or the removal of `resource-id`/`latest-reconciled-generation` (an Argo CD-style
 * replace). Status, resourceVersion, managedFields and the operator's own annotation writes do not.
 */
export function needsReconcile(before: KubeObject | undefined, after: KubeObject): boolean {
  if (before === undefined) return true;
  const a = before.metadata;
  const b = after.metadata;
  if (a.generation !== b.generation) return true;
  if (String(a.deletionTimestamp ?? '') !== String(b.deletionTimestamp ?? '')) return true;
  const others = (finalizers: string[] | undefined) => (finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER);
  if (!deepEqual(others(a.finalizers), others(b.finalizers))) return true;
  if ((a.finalizers ?? []).includes(FINALIZER) && !(b.finalizers ?? []).includes(FINALIZER)) return true;
  if (!deepEqual(a.ownerReferences ?? [], b.ownerReferences ?? [])) return true;
  const strip = (annotations: Record<string, string> | undefined) => Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => !bookkeeping.includes(key)));
  if (!deepEqual(strip(a.annotations), strip(b.annotations))) return true;
  for (const key of [RESOURCE_ID_ANNOTATION, LATEST_RECONCILED_GENERATION_ANNOTATION]) {
    if (a.annotations?.[key] !== undefined && b.annotations?.[key] === undefined) return true;
  }
  return false;
}

/** true when a dependency's change matters to its dependents (anything but resourceVersion/managedFields). */
export function dependencyChanged(before: KubeObject | undefined, after: KubeObject): boolean {
  if (before === undefined) return true;
  const strip = (object: KubeObject) => ({ ...object, metadata: { ...object.metadata, resourceVersion: undefined, managedFields: undefined } });
  return !deepEqual(JSON.parse(JSON.stringify(strip(before))), JSON.parse(JSON.stringify(strip(after))));
}
