/**
 * The object one reconcile works on, and its writes to the API server: metadata patches (finalizer, annotations,
 * ownerReferences) guarded by the resourceVersion read, status written only when it changed, and the reconcile
 * policy that applies to it. Every reconciler (ARM, Entra, …) goes through it, so each write follows the same rules:
 * a stale copy fails with 409 instead of overwriting a newer object, and the cached object is never mutated.
 *
 * Use: `const target = new ObjectWriter(kube, ref, cachedObject)`, read `target.object` (always the latest copy),
 * `await target.policy(config)` once, `addFinalizer()` before the first write outside Kubernetes, `releaseFinalizer()`
 * once that write is undone (or must be left alone), `patchMetadata(…)` for annotations, `writeStatus(next)`.
 */
import type { OperatorConfig } from './config.js';
import type { KubeAccess, KubeObject, ObjectRef } from './kube.js';
import { createMergePatch } from './merge-patch.js';
import { FINALIZER } from './names.js';
import { type PolicyDecision, resolveReconcilePolicy } from './policy.js';

/** A reconcile's copy of one object, kept current by every write it makes. */
export class ObjectWriter {
  private current: KubeObject;

  /** `object` is copied (the informer cache's copy is never mutated). */
  constructor(
    private readonly kube: KubeAccess,
    readonly ref: ObjectRef,
    object: KubeObject,
  ) {
    this.current = structuredClone(object);
  }

  /** The latest copy: the one read, or what the API server returned for the last write. */
  get object(): KubeObject {
    return this.current;
  }

  /** true once Kubernetes has marked the object for deletion. */
  get deleting(): boolean {
    const timestamp = this.current.metadata.deletionTimestamp;
    return timestamp !== undefined && timestamp !== null;
  }

  /** true while the object carries the operator's finalizer. */
  get hasFinalizer(): boolean {
    return (this.current.metadata.finalizers ?? []).includes(FINALIZER);
  }

  /**
   * The reconcile policy: the object's annotation, else its namespace's, else the operator's default (an invalid
   * `DEFAULT_RECONCILE_POLICY` counts as set), else `manage`; an unknown value gives `skip` and a warning.
   */
  async policy(
    config: Pick<OperatorConfig, 'defaultReconcilePolicy' | 'invalidDefaultPolicy'>,
  ): Promise<PolicyDecision> {
    const namespace = await this.kube.getNamespace(this.ref.namespace);
    return resolveReconcilePolicy({
      objectAnnotations: this.current.metadata.annotations,
      namespaceAnnotations: namespace?.metadata?.annotations,
      defaultPolicy: config.defaultReconcilePolicy ?? config.invalidDefaultPolicy,
    });
  }

  /**
   * Merge-patches metadata (`null` removes a key), at the resourceVersion of the current copy: a conflict (409)
   * means someone wrote the object meanwhile, and the reconcile is tried again with the newer one.
   */
  async patchMetadata(metadata: Record<string, unknown>): Promise<void> {
    await this.patch({ metadata });
  }

  /** Merge-patches the object (e.g. `{spec: {…}}`), at the resourceVersion of the current copy. */
  async patch(body: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> }): Promise<void> {
    this.current = await this.kube.patchObject(this.ref, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: this.current.metadata.resourceVersion },
    });
  }

  /** Adds the operator's finalizer; no write when it is there already. */
  async addFinalizer(): Promise<void> {
    if (this.hasFinalizer) return;
    await this.patchMetadata({ finalizers: [...(this.current.metadata.finalizers ?? []), FINALIZER] });
  }

  /** Removes the operator's finalizer (other finalizers stay); false, and no write, when it was not there. */
  async releaseFinalizer(): Promise<boolean> {
    if (!this.hasFinalizer) return false;
    const finalizers = this.current.metadata.finalizers ?? [];
    await this.patchMetadata({ finalizers: finalizers.filter((finalizer) => finalizer !== FINALIZER) });
    return true;
  }

  /**
   * Makes status equal `next` with one merge patch of what differs (keys missing from `next` are removed); no write
   * when nothing does. Returns whether it wrote.
   */
  async writeStatus(next: Record<string, unknown>): Promise<boolean> {
    const patch = createMergePatch(this.current.status ?? {}, next);
    if (patch === undefined) return false;
    this.current = await this.kube.patchStatus(this.ref, { status: patch });
    return true;
  }
}
