/**
 * The generic ARM reconciler: one for every kind, driven by the resource model. For one object it reads the
 * Kubernetes state, resolves the desired ARM body, then loops `planAction` → execute until an action ends the pass.
 * It writes to Kubernetes rarely and in a fixed order (finalizer before the first ARM write; Ready=Reconciling before
 * a PUT; resume token right after a write starts; annotations and status once at the end, skipped when unchanged)
 * and never mutates cached objects.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  type ArmOperations,
  type OperationResult,
  type RequestPriority,
  type PollState,
  decodePollState,
  encodePollState,
  isArmError,
  isTerminalState,
  provisioningStateOf,
} from '../../arm/index.js';
import { type KeyReference, armBodyToStatus } from '../../model/index.js';
import { classifyArmError } from './classify.js';
import {
  Reasons,
  type ReadyState,
  conditionsWithReady,
  readyDeleting,
  readyDeadlinePassed,
  readyProblem,
  readyReconciling,
  readySucceeded,
} from './conditions.js';
import { jitteredSyncDelay, type OperatorConfig } from './config.js';
import type { CredentialProvider } from './credential-provider.js';
import { checkSubscription, decodeSecretData, redactSecrets } from './credentials.js';
import { type DigestKeyring, checkDigest, makeDigest } from './digest.js';
import { ConditionError, OperatorStopping, isConditionError, stoppedBy } from './errors.js';
import { plannedExports, writeExports } from './exports.js';
import { HeldErrors } from './held-errors.js';
import type { ReconcileObserver } from './metrics.js';
import { reconcileDatabaseUser } from './db-user.js';
import { reconcileEntraGroup } from './entra-group.js';
import { type HookArm, RequeueLater, isRequeueLater, runBeforePut, runPersistedAzureName } from './hooks.js';
import { type KubeAccess, KubeError, type KubeObject, type ObjectRef } from './kube.js';
import { ObjectWriter } from './object-writer.js';
import {
  APPLIED_DIGEST_ANNOTATION,
  LATEST_RECONCILED_GENERATION_ANNOTATION,
  POLLER_RESUME_ID_ANNOTATION,
  POLLER_RESUME_TOKEN_ANNOTATION,
  RESOURCE_ID_ANNOTATION,
} from './names.js';
import { type AzureObservation, type PlanInput, type Resolution, planAction } from './plan.js';
import { type Clock, type QueueReason, type ReconcileResult, systemClock } from './queue.js';
import { type DependencyIndex, type KindRegistry, type ServedKind, objectKey } from './registry.js';
import { resolveDesiredState } from './resolve.js';

/** What the reconciler needs. */
export interface ReconcilerDeps {
  kube: KubeAccess;
  kinds: KindRegistry;
  credentials: CredentialProvider;
  dependencies: DependencyIndex;
  config: OperatorConfig;
  logger: Logger;
  /** The keys of the desired-state digest (see digest.ts). */
  keyring: DigestKeyring;
  /** The informer cache of a kind (undefined: read from the API). */
  cached?: (served: ServedKind, namespace: string, name: string) => KubeObject | undefined;
  now?: () => Date;
  random?: () => number;
  /** Timers for the reconcile deadline (default: the system's). */
  clock?: Clock;
  /** Reported as the Event source. Default `azo-operator`. */
  component?: string;
  /** Where a kind's reconciles report skipped writes, drift corrections, polls and adoptions (metrics). */
  observerFor?: (group: string, kind: string) => ReconcileObserver;
}

/** Try again this soon after a Kubernetes write conflict (the informer delivers the newer object meanwhile). */
const conflictRequeueMs = 250;

/** Poll again this soon while Azure reports a non-terminal provisioningState without an operation of ours. */
const busyRequeueMs = 5_000;
/**
 * The slow retry of errors that retrying alone cannot fix: from 1 min, doubling, capped at the sync period (or 1 h).
 */
const slowRetryBaseMs = 60_000;
const slowRetryCapMs = 3_600_000;

/** The generic reconciler. */
export class Reconciler {
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly held: HeldErrors;
  /** The deadline of every reconcile in flight, so that stopping can cut them all. */
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
    this.held = new HeldErrors({
      now: () => this.now().getTime(),
      baseDelayMs: slowRetryBaseMs,
      maxDelayMs: deps.config.syncPeriodMs ?? slowRetryCapMs,
    });
  }

  /**
   * Reconciles `served`/`namespace`/`name` once, within the reconcile deadline; `reason` (why it was queued) sets the
   * priority of its ARM requests. Throws to be retried: with the queue's backoff (`retryAfterMs` a minimum), or, for
   * an error retrying alone does not fix, on the slow schedule of `HeldErrors` (`retryExactly`).
   */
  async reconcile(
    served: ServedKind,
    namespace: string,
    name: string,
    reason: QueueReason = 'user',
  ): Promise<ReconcileResult> {
    const key = objectKey(served.model.group, served.model.kind, namespace, name);
    const ref: ObjectRef = {
      group: served.model.group,
      version: served.version,
      plural: served.plural,
      namespace,
      name,
    };
    const object = this.deps.cached?.(served, namespace, name) ?? (await this.deps.kube.getObject(ref));
    if (object === undefined) {
      this.deps.dependencies.remove(key);
      this.held.forget(key);
      return {};
    }
    const log = this.deps.logger.child({
      namespace,
      name,
      kind: served.model.kind,
      reconcileId: randomUUID().slice(0, 8),
    });
    const api = served.model.handcrafted?.api;
    const deadline = new AbortController();
    const clock = this.deps.clock ?? systemClock;
    const timer = clock.setTimer(() => deadline.abort(), this.deps.config.reconcileTimeoutMs);
    this.inFlight.add(deadline);
    try {
      if (api === 'graph') return await reconcileEntraGroup(this.deps, served, ref, object, log, deadline.signal);
      if (api === 'postgresql' || api === 'mysql' || api === 'sqlserver') {
        return await reconcileDatabaseUser(this.deps, served, ref, object, log, deadline.signal);
      }
      const pass = new ReconcilePass(this.deps, served, key, new ObjectWriter(this.deps.kube, ref, object), log, {
        now: this.now,
        random: this.random,
        held: this.held,
        priority: priorityOf(reason),
        deadline: deadline.signal,
      });
      return await pass.run();
    } finally {
      this.inFlight.delete(deadline);
      clock.clearTimer(timer);
    }
  }

  /**
   * Cuts every reconcile in flight (the operator is stopping): its ARM requests and its waits for ARM's quota end
   * now, and it writes no condition. What it did so far is on the object (resume token, ARM ID), as after a SIGKILL,
   * so the next start carries on.
   */
  abortInFlight(): void {
    for (const deadline of this.inFlight) deadline.abort(new OperatorStopping());
  }
}

/** What a pass gets besides the object: time, its held errors, and its requests' priority and deadline. */
interface PassContext {
  now: () => Date;
  random: () => number;
  held: HeldErrors;
  priority: RequestPriority;
  deadline: AbortSignal;
}

/** The ARM priority of a reconcile queued for `reason`: a user's change (and its polls and retries) first. */
export function priorityOf(reason: QueueReason): RequestPriority {
  if (reason === 'dependency') return 'dependency';
  if (reason === 'drift') return 'drift';
  return 'user';
}

/** One reconcile of one object (its state lives only for the pass). */
class ReconcilePass {
  private secretValues: string[] = [];
  private readonly dependencies = new Set<string>();
  private ownerRef: { apiVersion: string; kind: string; name: string; uid: string } | undefined;
  private client: ArmOperations | undefined;
  private policyWarning: string | undefined;
  /** The digest of the current desired state (undefined until the body is resolved). */
  private desiredDigest: string | undefined;
  /** The fingerprint of every input (desired state and credential), for held errors. */
  private inputsFingerprint: string | undefined;

  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly held: HeldErrors;
  private readonly observer: ReconcileObserver | undefined;

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly served: ServedKind,
    private readonly key: string,
    private readonly target: ObjectWriter,
    private readonly log: Logger,
    private readonly context: PassContext,
  ) {
    this.now = context.now;
    this.random = context.random;
    this.held = context.held;
    this.observer = deps.observerFor?.(served.model.group, served.model.kind);
  }

  async run(): Promise<ReconcileResult> {
    try {
      return await this.reconcile();
    } catch (error) {
      if (error instanceof KubeError && error.statusCode === 404) return {}; // the object went away mid-reconcile
      // Our copy was stale (someone wrote the object meanwhile): not a failure, try again with the newer one soon.
      if (error instanceof KubeError && error.statusCode === 409) {
        return { requeueAfterMs: conflictRequeueMs, requeueReason: 'retry' };
      }
      if (isRequeueLater(error)) return this.comeBackLater(error);
      return await this.fail(error);
    } finally {
      this.deps.dependencies.set(this.key, this.dependencies);
    }
  }

  /** Records a dependency at once (before it is read), so a change to it during this pass still requeues us. */
  private dependOn(dependency: string): void {
    if (this.dependencies.has(dependency)) return;
    this.dependencies.add(dependency);
    this.deps.dependencies.add(this.key, dependency);
  }

  /** The latest copy of the object (see ObjectWriter). */
  private get object(): KubeObject {
    return this.target.object;
  }

  private get ref(): ObjectRef {
    return this.target.ref;
  }

  private get generation(): number {
    return this.object.metadata.generation ?? 0;
  }

  private get annotations(): Record<string, string> {
    return this.object.metadata.annotations ?? {};
  }

  private get uid(): string {
    return this.object.metadata.uid ?? '';
  }

  private async reconcile(): Promise<ReconcileResult> {
    const { model } = this.served;
    const decision = await this.target.policy(this.deps.config);
    this.policyWarning = decision.warning;
    const deleting = this.target.deleting;

    const credential = await this.deps.credentials.forObject(this.object);
    credential.dependencies.forEach((dependency) => this.dependOn(dependency));
    if (!credential.ok) {
      if (deleting && decision.policy !== 'manage') return this.releaseFinalizer(`reconcile-policy ${decision.policy}`);
      throw new ConditionError({
        reason: credential.reason,
        message: credential.message,
        severity: 'Warning',
        retryable: true,
      });
    }
    this.client = credential.client.withOptions({
      priority: this.context.priority,
      abortSignal: this.context.deadline,
    });
    this.secretValues.push(...credential.secretValues);

    if (!deleting) await this.persistAzureName();
    const resolution = await this.resolve(credential.subscriptionId);
    if (!deleting) await this.ensureOwnerReference();
    const desired = resolution.status === 'resolved' ? { armId: resolution.armId, body: resolution.body } : undefined;
    const { keyring } = this.deps;
    const digest =
      desired === undefined
        ? { status: 'none' as const }
        : checkDigest(keyring, this.annotations[APPLIED_DIGEST_ANNOTATION], desired);
    if (desired !== undefined) {
      this.desiredDigest = makeDigest(keyring, desired);
      this.inputsFingerprint = makeDigest(keyring, {
        desired: this.desiredDigest,
        credential: [credential.source, credential.subscriptionId, credential.secretValues],
      });
    }
    const recordedResourceId = this.annotations[RESOURCE_ID_ANNOTATION];
    const resolvedId =
      resolution.status === 'resolved' || resolution.status === 'idOnly' ? resolution.armId : undefined;
    const idForCheck = recordedResourceId ?? resolvedId;
    const heldError = deleting ? undefined : this.held.held(this.key, this.uid, this.inputsFingerprint);
    const input: PlanInput = {
      deleting,
      finalizers: this.object.metadata.finalizers ?? [],
      policy: decision.policy,
      recordedResourceId,
      pollState: this.pollState(),
      resolution,
      azure: { status: 'unknown' },
      digest: digest.status,
      heldError,
      schema: model.body,
      subscriptionMismatch:
        idForCheck === undefined ? undefined : checkSubscription(idForCheck, credential.subscriptionId),
      // Only a managed delete can send a DELETE, so only it needs the (fresh, uncached) look at the owner.
      ownerGoing: deleting && decision.policy === 'manage' ? await this.ownerGoing() : undefined,
    };

    for (let step = 0; step < 10; step++) {
      this.checkDeadline();
      const action = planAction(input);
      this.log.debug({ action: action.type }, 'planned');
      switch (action.type) {
        case 'addFinalizer':
          await this.target.addFinalizer();
          input.finalizers = this.object.metadata.finalizers ?? [];
          continue;
        case 'readAzure':
          input.azure = await this.readAzure(action.armId);
          continue;
        case 'upToDate':
          this.observer?.writeSkipped();
          if (action.recordDigest && recordedResourceId === undefined) {
            this.observer?.adopted();
            await this.event('Normal', 'Adopted', `Adopted ${action.armId}: it already matched, nothing was written`);
          }
          return this.finish(action.armId, action.azureBody, action.recordDigest ? this.desiredDigest : undefined);
        case 'beginPut': {
          this.log.info(
            { armId: action.armId, create: action.create, differences: action.differences },
            'writing to Azure',
          );
          await this.writeStatus(readyReconciling(), undefined);
          if (!action.create && input.digest === 'match') this.observer?.driftCorrected();
          if (!action.create && recordedResourceId === undefined) {
            this.observer?.adopted();
            await this.event('Normal', 'Adopted', `Adopted ${action.armId}; it differs from the spec and is updated`);
          }
          const existing = input.azure.status === 'present' ? input.azure.body : undefined;
          const hookContext = { object: this.object, model, existing, arm: this.hookArm(), armId: action.armId };
          const body = await runBeforePut(this.served.hooks, hookContext, asRecord(action.body));
          const verb = action.create ? 'Creating' : 'Updating';
          await this.event('Normal', verb, `${verb} ${action.armId}`);
          const sentDigest = this.desiredDigest;
          const result = await this.arm().beginCreateOrUpdate(action.armId, model.apiVersion, body);
          if (result.done)
            return this.finish(
              action.armId,
              result.body ?? (await this.arm().get(action.armId, model.apiVersion)),
              sentDigest,
            );
          return this.awaitOperation(result.poll, result.retryAfterMs, sentDigest);
        }
        case 'pollPut': {
          this.observer?.polled('PUT');
          const result = await this.arm().poll(action.poll);
          const sentDigest = this.resumeDigest();
          if (!result.done) return this.awaitOperation(result.poll, result.retryAfterMs, sentDigest);
          const body = result.body ?? (await this.arm().get(action.poll.resourceId, model.apiVersion));
          if (sentDigest !== undefined && this.desiredDigest !== undefined && sentDigest !== this.desiredDigest) {
            // The desired state changed while the operation ran: decide again against Azure's result.
            input.pollState = undefined;
            input.azure = { status: 'present', body };
            input.digest = 'differs';
            continue;
          }
          return this.finish(action.poll.resourceId, body, sentDigest);
        }
        case 'beginDelete': {
          this.log.info({ armId: action.armId }, 'deleting in Azure');
          await this.event('Normal', 'Deleting', `Deleting ${action.armId}`);
          const result = await this.arm().beginDelete(action.armId, model.apiVersion);
          return this.afterDelete(result, action.armId);
        }
        case 'pollDelete': {
          this.observer?.polled('DELETE');
          const result = await this.arm().poll(action.poll);
          return this.afterDelete(result, action.poll.resourceId);
        }
        case 'releaseFinalizer':
          return this.releaseFinalizer(action.reason);
        case 'waitForOwner':
          throw new ConditionError({
            reason: Reasons.WaitingForOwner,
            message: action.message,
            severity: 'Warning',
            retryable: true,
          });
        case 'holdError': {
          const retryInMs = heldError?.remainingMs ?? slowRetryBaseMs;
          this.log.info(
            { reason: action.reason, retryInMs },
            'holding an error: nothing sent until an input changes or the retry is due',
          );
          await this.writeStatus(readyProblem(action.reason, action.message, 'Error'), undefined);
          return { requeueAfterMs: retryInMs };
        }
        case 'blocked':
          throw new ConditionError({
            reason: action.reason,
            message: action.message,
            severity: action.severity,
            retryable: action.retryable,
          });
      }
    }
    throw new Error('the reconcile did not settle after 10 steps');
  }

  /** A PUT is still running: keep its resume token (with the digest it sends) and come back. */
  private async awaitOperation(
    poll: PollState,
    retryAfterMs: number,
    sentDigest: string | undefined,
  ): Promise<ReconcileResult> {
    await this.savePollState(poll, sentDigest);
    await this.writeStatus(readyReconciling(), undefined);
    return { requeueAfterMs: retryAfterMs };
  }

  private async afterDelete(result: OperationResult, armId: string): Promise<ReconcileResult> {
    if (result.done) {
      await this.event('Normal', 'Deleted', `Deleted ${armId}`);
      return this.releaseFinalizer('deleted in Azure');
    }
    await this.savePollState(result.poll);
    await this.writeStatus(readyDeleting(), undefined);
    return { requeueAfterMs: result.retryAfterMs };
  }

  /** The resource exists and matches: record it (and the digest of what it now holds), export, report Ready. */
  private async finish(armId: string, azureBody: unknown, digest: string | undefined): Promise<ReconcileResult> {
    const { model } = this.served;
    const statusBody = armBodyToStatus(model, asRecord(azureBody));
    const state = provisioningStateOf(azureBody);
    await this.recordAnnotations(armId, digest);
    this.held.forget(this.key);
    if (state !== undefined && !isTerminalState(state)) {
      await this.writeStatus(readyReconciling(`Azure reports provisioningState ${state}`), statusBody);
      return { requeueAfterMs: busyRequeueMs };
    }
    // An export destination is a dependency too: removing a conflicting writer's object retries the export at once.
    for (const request of plannedExports(model, this.object.spec).requests) {
      this.dependOn(`/${request.kind}/${this.ref.namespace}/${request.target}`);
    }
    await writeExports({
      kube: this.deps.kube,
      object: this.object,
      model,
      apiVersion: `${model.group}/${this.served.version}`,
      body: azureBody,
      arm: { id: armId, client: this.arm() },
    });
    const ready =
      this.policyWarning !== undefined
        ? readyProblem(Reasons.InvalidReconcilePolicy, this.policyWarning)
        : readySucceeded();
    await this.writeStatus(ready, statusBody);
    const period = this.deps.config.syncPeriodMs;
    return period === undefined ? {} : { requeueAfterMs: jitteredSyncDelay(period, this.random) };
  }

  /**
   * Turns a failure into the Ready condition, then throws for the queue to retry: a Warning with the queue's backoff
   * (honouring ARM's Retry-After), an Error on the slow schedule of `HeldErrors` (or at once when an input changes).
   */
  private async fail(error: unknown): Promise<never> {
    if (stoppedBy(this.context.deadline)) throw this.context.deadline.reason; // not a failure: no condition
    let problem: ConditionError;
    if (isConditionError(error)) {
      problem = error;
    } else if (this.context.deadline.aborted) {
      problem = this.deadlinePassed(); // whatever the request in flight failed with, the deadline stopped it
    } else if (isArmError(error)) {
      const classification = classifyArmError(error);
      problem = new ConditionError({
        reason: classification.reason,
        message: error.message,
        severity: classification.severity,
        retryable: classification.retryable || this.target.deleting,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      });
    } else {
      throw error instanceof Error ? new Error(redactSecrets(error.message, this.secretValues)) : error;
    }
    if (isArmError(error) && error.operationEnded && this.annotations[POLLER_RESUME_TOKEN_ANNOTATION] !== undefined) {
      // The operation failed for good: forget it, so the next attempt reads Azure and decides afresh.
      try {
        await this.target.patchMetadata({
          annotations: { [POLLER_RESUME_TOKEN_ANNOTATION]: null, [POLLER_RESUME_ID_ANNOTATION]: null },
        });
      } catch (patchError) {
        this.log.debug({ error: (patchError as Error).message }, 'could not clear the spent resume token');
      }
    }
    let reason = problem.reason;
    let message = redactSecrets(problem.message, this.secretValues);
    if (this.policyWarning !== undefined && problem.severity !== 'Error') {
      // Under a misspelled policy the object is treated as skip: say so first, whatever else is wrong.
      reason = Reasons.InvalidReconcilePolicy;
      message = `${this.policyWarning}; ${message}`;
    }
    const state: ReadyState =
      problem.severity === 'Info'
        ? { status: 'False', severity: 'Info', reason, message }
        : readyProblem(reason, message, problem.severity);
    try {
      await this.writeStatus(state, undefined, { everyTime: true });
    } catch (writeError) {
      this.log.debug({ error: (writeError as Error).message }, 'could not write the Ready condition');
    }
    const failure = new Error(`${reason}: ${message}`);
    if (!problem.retryable) {
      // Only the inputs of an ARM error are remembered: the others are recomputed without calling ARM.
      const fingerprint = isArmError(error) ? this.inputsFingerprint : undefined;
      const retryAfterMs = this.held.record(this.key, { uid: this.uid, fingerprint, reason, message });
      throw Object.assign(failure, { retryAfterMs, retryExactly: true });
    }
    throw Object.assign(failure, problem.retryAfterMs !== undefined ? { retryAfterMs: problem.retryAfterMs } : {});
  }

  private arm(): ArmOperations {
    if (this.client === undefined) throw new Error('no ARM client');
    return this.client;
  }

  /** Stops a pass whose deadline has passed (between steps; requests in flight are aborted by the same signal). */
  private checkDeadline(): void {
    if (this.context.deadline.aborted) throw this.deadlinePassed();
  }

  private deadlinePassed(): ConditionError {
    const { reason, message } = readyDeadlinePassed(this.deps.config.reconcileTimeoutMs);
    return new ConditionError({ reason, message, severity: 'Warning', retryable: true });
  }

  /** Something is under way (a purge before the create): report Reconciling and come back, holding no worker. */
  private async comeBackLater(wait: RequeueLater): Promise<ReconcileResult> {
    await this.writeStatus(readyReconciling(wait.message), undefined);
    return { requeueAfterMs: wait.delayMs, requeueReason: 'poll' };
  }

  private hookArm(): HookArm {
    const arm = this.arm();
    return {
      tryGet: (id, apiVersion) => arm.tryGet(id, apiVersion),
      // A hook's action is a step before the PUT (e.g. a purge that must end before the name is free). A long-running
      // one is not waited for here: the reconcile comes back after its Retry-After (starting it again is idempotent).
      post: async (id, action, apiVersion, body) => {
        const result = await arm.post(id, action, apiVersion, body);
        if (!result.done) throw new RequeueLater(`waiting for ${action} on ${id} to finish`, result.retryAfterMs);
        return result.body;
      },
    };
  }

  private async readAzure(armId: string): Promise<AzureObservation> {
    const body = await this.arm().tryGet(armId, this.served.model.apiVersion);
    return body === undefined ? { status: 'absent' } : { status: 'present', body };
  }

  /** The digest of the body the running PUT sends (kept next to the poll state in the token). */
  private resumeDigest(): string | undefined {
    try {
      const token = JSON.parse(this.annotations[POLLER_RESUME_TOKEN_ANNOTATION] ?? '{}') as { digest?: unknown };
      return typeof token.digest === 'string' ? token.digest : undefined;
    } catch {
      return undefined;
    }
  }

  private pollState(): PollState | undefined {
    const state = decodePollState(this.annotations[POLLER_RESUME_TOKEN_ANNOTATION]);
    const id = this.annotations[POLLER_RESUME_ID_ANNOTATION];
    if (state === undefined || (id !== undefined && id.toLowerCase() !== state.resourceId.toLowerCase()))
      return undefined;
    return state;
  }

  /**
   * Deleting a child: why its owner's own deletion covers it, or undefined when it is on its own. Read fresh from
   * the API server, not the informer cache (which may not have seen the owner's deletion yet): a DELETE is never
   * sent on a guess.
   */
  private async ownerGoing(): Promise<string | undefined> {
    const owner = this.object.spec?.['owner'];
    if (!isRecord(owner) || typeof owner['name'] !== 'string' || owner['name'] === '') return undefined;
    if (typeof owner['armId'] === 'string' && owner['armId'] !== '') return undefined;
    const target = this.ownerKind(owner);
    const name = owner['name'];
    const what = `owner ${target?.kind ?? 'object'} ${this.ref.namespace}/${name}`;
    const served = target === undefined ? undefined : this.deps.kinds.get(target.group, target.kind);
    if (served === undefined) return `${what} is not served by this operator`;
    const ownerObject = await this.deps.kube.getObject({
      group: served.model.group,
      version: served.version,
      plural: served.plural,
      namespace: this.ref.namespace,
      name,
    });
    if (ownerObject === undefined) return `${what} no longer exists`;
    if (ownerObject.metadata.deletionTimestamp !== undefined && ownerObject.metadata.deletionTimestamp !== null)
      return `${what} is being deleted`;
    if (this.ownerReplaced(served, name, ownerObject)) return `${what} was deleted and created again`;
    const namespace = await this.deps.kube.getNamespace(this.ref.namespace, { fresh: true });
    const terminating = namespace?.metadata?.deletionTimestamp;
    if (terminating !== undefined && terminating !== null)
      return `namespace ${this.ref.namespace} is being deleted, ${what} with it`;
    return undefined;
  }

  /** The owner's group and kind: from `spec.owner`, else the kind's one declared owner. */
  private ownerKind(owner: Record<string, unknown>): { group: string; kind: string } | undefined {
    const declared = this.served.model.owners.find(
      (candidate): candidate is { group: string; kind: string } => candidate !== '*',
    );
    const group = typeof owner['group'] === 'string' ? owner['group'] : declared?.group;
    const kind = typeof owner['kind'] === 'string' ? owner['kind'] : declared?.kind;
    return group === undefined || kind === undefined ? undefined : { group, kind };
  }

  /** true when this object's ownerReference to the owner names another uid: the owner it belonged to is gone. */
  private ownerReplaced(served: ServedKind, name: string, ownerObject: KubeObject): boolean {
    const references = (this.object.metadata.ownerReferences ?? []).filter(
      (reference) =>
        reference.name === name &&
        reference.kind === served.model.kind &&
        reference.apiVersion.split('/')[0] === served.model.group,
    );
    return references.length > 0 && !references.some((reference) => reference.uid === ownerObject.metadata.uid);
  }

  // ---- resolution ----

  /**
   * Writes the name a kind's extension generates into `spec.azureName` (a random GUID), once: only while the spec
   * names nothing and no resource was recorded, and before anything is sent to Azure, so that a crash or a retry
   * cannot create a second resource under another name.
   */
  private async persistAzureName(): Promise<void> {
    const specName = this.object.spec?.['azureName'];
    if ((typeof specName === 'string' && specName !== '') || this.annotations[RESOURCE_ID_ANNOTATION] !== undefined)
      return;
    const name = runPersistedAzureName(this.served.hooks, { object: this.object, model: this.served.model });
    if (name === undefined) return;
    this.log.info({ azureName: name }, 'writing the generated Azure name into spec.azureName');
    await this.target.patch({ spec: { azureName: name } });
  }

  private async resolve(subscriptionId: string): Promise<Resolution> {
    return resolveDesiredState({
      model: this.served.model,
      hooks: this.served.hooks,
      object: this.object,
      subscriptionId,
      lookups: {
        parentId: () => this.resolveOwner(this.object.spec?.['owner']),
        objectArmId: (ref) => this.resolveObjectReference(ref),
        keyValue: (kind, ref) => this.readKey(kind, ref),
      },
      onSecret: (value) => this.secretValues.push(value),
    });
  }

  /**
   * The owner's ARM ID, once the owner exists, is not being deleted and has been created in Azure (its
   * `resource-id` annotation). Its later health does not matter: a child needs the ID, not a Ready owner.
   */
  private async resolveOwner(
    owner: unknown,
  ): Promise<{ status: 'ok'; parentId: string } | { status: 'problem'; resolution: Resolution }> {
    const wait = (message: string) => ({
      status: 'problem' as const,
      resolution: { status: 'waitingForOwner' as const, message },
    });
    if (!isRecord(owner)) return wait('spec.owner is not set');
    if (typeof owner['armId'] === 'string' && owner['armId'] !== '') return { status: 'ok', parentId: owner['armId'] };
    const name = owner['name'];
    if (typeof name !== 'string' || name === '') return wait('spec.owner names no object');
    const target = this.ownerKind(owner);
    if (target === undefined) return wait('spec.owner needs group and kind');
    const { group, kind } = target;
    this.dependOn(objectKey(group, kind, this.ref.namespace, name));
    const ownerObject = await this.readObject(group, kind, name);
    const what = `owner ${kind} ${this.ref.namespace}/${name}`;
    if (ownerObject === undefined) return wait(`${what} does not exist`);
    // Never (re)create a child while its owner is going away: Azure is deleting (or about to delete) the parent.
    if (ownerObject.metadata.deletionTimestamp !== undefined && ownerObject.metadata.deletionTimestamp !== null) {
      return wait(`${what} is being deleted`);
    }
    const ownerServed = this.deps.kinds.get(group, kind);
    if (ownerServed !== undefined && this.ownerReplaced(ownerServed, name, ownerObject)) {
      return wait(
        `${what} was deleted and created again; this object belonged to the earlier one and is left for ` +
          `Kubernetes to collect`,
      );
    }
    // The object belongs to its owner from now on, in Azure or not: deleting the owner cascades to it.
    if (ownerObject.metadata.uid !== undefined && ownerServed !== undefined) {
      this.ownerRef = {
        apiVersion: `${ownerServed.model.group}/${ownerServed.version}`,
        kind: ownerServed.model.kind,
        name,
        uid: ownerObject.metadata.uid,
      };
    }
    const ownerId = ownerObject.metadata.annotations?.[RESOURCE_ID_ANNOTATION];
    if (ownerId === undefined) return wait(`${what} has not been created in Azure yet`);
    return { status: 'ok', parentId: ownerId };
  }

  private async resolveObjectReference(ref: {
    group: string;
    kind: string;
    name: string;
  }): Promise<string | { message: string }> {
    this.dependOn(objectKey(ref.group, ref.kind, this.ref.namespace, ref.name));
    const target = await this.readObject(ref.group, ref.kind, ref.name);
    if (target === undefined) return { message: `${ref.kind} ${this.ref.namespace}/${ref.name} does not exist` };
    const id = target.metadata.annotations?.[RESOURCE_ID_ANNOTATION];
    return id ?? { message: `${ref.kind} ${this.ref.namespace}/${ref.name} has no ARM ID yet` };
  }

  private async readObject(group: string, kind: string, name: string): Promise<KubeObject | undefined> {
    const served = this.deps.kinds.get(group, kind);
    if (served === undefined) return undefined;
    return (
      this.deps.cached?.(served, this.ref.namespace, name) ??
      this.deps.kube.getObject({
        group: served.model.group,
        version: served.version,
        plural: served.plural,
        namespace: this.ref.namespace,
        name,
      })
    );
  }

  private async readKey(kind: 'Secret' | 'ConfigMap', ref: KeyReference): Promise<string | undefined> {
    this.dependOn(`/${kind}/${this.ref.namespace}/${ref.name}`);
    if (kind === 'Secret') {
      const secret = await this.deps.kube.getSecret(this.ref.namespace, ref.name);
      return secret === undefined ? undefined : decodeSecretData(secret)[ref.key];
    }
    const configMap = await this.deps.kube.getConfigMap(this.ref.namespace, ref.name);
    return configMap?.data?.[ref.key];
  }

  // ---- writes ----

  /** Keeps the poll state (and, for a PUT, the digest of what it sends) on the object; no write when already there. */
  private async savePollState(poll: PollState, digest?: string): Promise<void> {
    const encoded = JSON.parse(encodePollState(poll)) as Record<string, unknown>;
    const token = JSON.stringify({ ...encoded, ...(digest !== undefined ? { digest } : {}) });
    if (
      this.annotations[POLLER_RESUME_TOKEN_ANNOTATION] === token &&
      this.annotations[POLLER_RESUME_ID_ANNOTATION] === poll.resourceId
    )
      return;
    await this.target.patchMetadata({
      annotations: { [POLLER_RESUME_TOKEN_ANNOTATION]: token, [POLLER_RESUME_ID_ANNOTATION]: poll.resourceId },
    });
  }

  /** Adds the owner's ownerReference as soon as the owner object is known (so Kubernetes cascades deletes to us). */
  private async ensureOwnerReference(): Promise<void> {
    const ownerRef = this.ownerRef;
    const owners = this.object.metadata.ownerReferences ?? [];
    if (ownerRef === undefined || owners.some((owner) => owner.uid === ownerRef.uid)) return;
    await this.target.patchMetadata({ ownerReferences: [...owners, ownerRef] });
  }

  /** Records the ARM ID, the generation and the applied digest (when known), in one patch. */
  private async recordAnnotations(armId: string, digest: string | undefined): Promise<void> {
    const wanted: Record<string, string | null> = {
      [RESOURCE_ID_ANNOTATION]: armId,
      [LATEST_RECONCILED_GENERATION_ANNOTATION]: String(this.generation),
      [POLLER_RESUME_TOKEN_ANNOTATION]: null,
      [POLLER_RESUME_ID_ANNOTATION]: null,
      ...(digest !== undefined ? { [APPLIED_DIGEST_ANNOTATION]: digest } : {}),
    };
    const current = this.annotations;
    const patch = Object.fromEntries(
      Object.entries(wanted).filter(([key, value]) => (value === null ? key in current : current[key] !== value)),
    );
    if (Object.keys(patch).length > 0) await this.target.patchMetadata({ annotations: patch });
  }

  private async releaseFinalizer(reason: string): Promise<ReconcileResult> {
    if (this.target.hasFinalizer) this.log.info({ reason }, 'removing the finalizer');
    await this.target.releaseFinalizer();
    return {};
  }

  /**
   * Writes status (Ready + the Azure-derived fields when given) once, only if it changed; an Event on transitions,
   * or every time with `everyTime` (an error: repeats are aggregated into one Event's count).
   */
  private async writeStatus(
    state: ReadyState,
    statusBody: Record<string, unknown> | undefined,
    options: { everyTime?: boolean } = {},
  ): Promise<void> {
    const previousStatus = this.object.status ?? {};
    const { previous, condition, conditions } = conditionsWithReady(previousStatus, state, this.generation, this.now());
    const base =
      statusBody ?? Object.fromEntries(Object.entries(previousStatus).filter(([key]) => key !== 'conditions'));
    // status.observedGeneration too: kstatus compares it with metadata.generation (it ignores the conditions' own).
    const next = { ...base, conditions, observedGeneration: this.generation };
    await this.target.writeStatus(next);
    const transition =
      previous === undefined || previous.status !== condition.status || previous.reason !== condition.reason;
    // A write's own Event (Creating, Updating) already says what Reconciling would.
    if ((transition || options.everyTime === true) && condition.reason !== Reasons.Reconciling) {
      const type = state.severity === 'Warning' || state.severity === 'Error' ? 'Warning' : 'Normal';
      await this.event(
        type,
        condition.reason,
        condition.message ?? (condition.status === 'True' ? 'The resource is Ready' : condition.reason),
      );
    }
  }

  private async event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const error = await this.deps.kube.createEvent({
      object: {
        ...this.object,
        apiVersion: `${this.served.model.group}/${this.served.version}`,
        kind: this.served.model.kind,
      },
      type,
      reason,
      message: redactSecrets(message, this.secretValues),
      component: this.deps.component ?? 'azo-operator',
    });
    if (error !== undefined) this.log.debug({ error: error.message }, 'could not record an Event');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
