/**
 * The generic ARM reconciler: one for every kind, driven by the resource model. For one object it reads the
 * Kubernetes state, resolves the desired ARM body, then loops `planAction` → execute until an action ends the pass.
 * It writes to Kubernetes rarely and in a fixed order (finalizer before the first ARM write; resume token right after
 * a write starts; annotations and status once at the end, skipped when unchanged) and never mutates cached objects.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  type ArmClient, type OperationResult, type PollState, decodePollState, encodePollState, isArmError, isTerminalState,
  provisioningStateOf,
} from '../../arm/index.js';
import {
  type KeyReference, type ResourceReference, armBodyToStatus, buildArmId, listSpecInputs, specToArmBody, MissingInputError,
} from '../../model/index.js';
import { classifyArmError } from './classify.js';
import { type Condition, Reasons, type ReadyState, buildReadyCondition, readyConditionOf, readyDeleting, readyProblem, readyReconciling, readySucceeded, setCondition } from './conditions.js';
import { jitteredSyncDelay, type OperatorConfig } from './config.js';
import type { CredentialProvider } from './credential-provider.js';
import { checkSubscription, decodeSecretData, redactSecrets } from './credentials.js';
import { ConditionError, isConditionError } from './errors.js';
import { plannedExports, writeExports } from './exports.js';
import { type HookArm, runAzureName, runBeforePut, runDesiredBody } from './hooks.js';
import { type KubeAccess, KubeError, type KubeObject, type ObjectRef } from './kube.js';
import { createMergePatch } from './merge-patch.js';
import {
  FINALIZER, LATEST_RECONCILED_GENERATION_ANNOTATION, POLLER_RESUME_ID_ANNOTATION, POLLER_RESUME_TOKEN_ANNOTATION, RESOURCE_ID_ANNOTATION,
} from './names.js';
import { type AzureObservation, type PlanInput, type Resolution, planAction } from './plan.js';
import { resolveReconcilePolicy } from './policy.js';
import { TerminalError, type ReconcileResult } from './queue.js';
import { type DependencyIndex, type KindRegistry, type ServedKind, objectKey } from './registry.js';
import { builtInRoleIds } from './well-known.js';

/** Reasons recomputed at every reconcile (never treated as a recorded fatal ARM error). */
const recomputedReasons = new Set<string>([
  Reasons.SubscriptionMismatch, Reasons.ImmutableFieldChanged, Reasons.CredentialInvalid, Reasons.InvalidReconcilePolicy,
  Reasons.AdditionalKubernetesObjectWriteFailure, Reasons.DeletionBlockedByFinalizer, 'InvalidExport',
]);

/** What the reconciler needs. */
export interface ReconcilerDeps {
  kube: KubeAccess;
  kinds: KindRegistry;
  credentials: CredentialProvider;
  dependencies: DependencyIndex;
  config: OperatorConfig;
  logger: Logger;
  /** The informer cache of a kind (undefined: read from the API). */
  cached?: (served: ServedKind, namespace: string, name: string) => KubeObject | undefined;
  now?: () => Date;
  random?: () => number;
  /** Reported as the Event source. Default `azo-operator`. */
  component?: string;
}

/** Try again this soon after a Kubernetes write conflict (the informer delivers the newer object meanwhile). */
const conflictRequeueMs = 250;

/** Poll again this soon while Azure reports a non-terminal provisioningState without an operation of ours. */
const busyRequeueMs = 5_000;
/** How long a kind extension's long-running POST action (a Key Vault purge) may take before the reconcile fails and retries. */
const hookActionTimeoutMs = 30 * 60_000;

/** The generic reconciler. */
export class Reconciler {
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
  }

  /** Reconciles `served`/`namespace`/`name` once. Throws to be retried with backoff; `TerminalError` to stop. */
  async reconcile(served: ServedKind, namespace: string, name: string): Promise<ReconcileResult> {
    const key = objectKey(served.model.group, served.model.kind, namespace, name);
    const ref: ObjectRef = { group: served.model.group, version: served.version, plural: served.plural, namespace, name };
    const object = this.deps.cached?.(served, namespace, name) ?? await this.deps.kube.getObject(ref);
    if (object === undefined) {
      this.deps.dependencies.remove(key);
      return {};
    }
    const pass = new ReconcilePass(this.deps, served, ref, key, structuredClone(object), this.now, this.random,
      this.deps.logger.child({ namespace, name, kind: served.model.kind, reconcileId: randomUUID().slice(0, 8) }));
    return pass.run();
  }
}

/** One reconcile of one object (its state lives only for the pass). */
class ReconcilePass {
  private secretValues: string[] = [];
  private readonly dependencies = new Set<string>();
  private ownerRef: { apiVersion: string; kind: string; name: string; uid: string } | undefined;
  private client: ArmClient | undefined;
  private policyWarning: string | undefined;

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly served: ServedKind,
    private readonly ref: ObjectRef,
    private readonly key: string,
    private object: KubeObject,
    private readonly now: () => Date,
    private readonly random: () => number,
    private readonly log: Logger,
  ) {}

  async run(): Promise<ReconcileResult> {
    try {
      return await this.reconcile();
    } catch (error) {
      if (error instanceof KubeError && error.statusCode === 404) return {}; // the object went away mid-reconcile
      // Our copy was stale (someone wrote the object meanwhile): not a failure, try again with the newer one soon.
      if (error instanceof KubeError && error.statusCode === 409) return { requeueAfterMs: conflictRequeueMs };
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

  private get generation(): number {
    return this.object.metadata.generation ?? 0;
  }

  private get annotations(): Record<string, string> {
    return this.object.metadata.annotations ?? {};
  }

  private async reconcile(): Promise<ReconcileResult> {
    const { model } = this.served;
    const namespace = await this.deps.kube.getNamespace(this.ref.namespace);
    const decision = resolveReconcilePolicy({
      objectAnnotations: this.annotations, namespaceAnnotations: namespace?.metadata?.annotations,
      defaultPolicy: this.deps.config.defaultReconcilePolicy ?? this.deps.config.invalidDefaultPolicy,
    });
    this.policyWarning = decision.warning;
    const deleting = this.object.metadata.deletionTimestamp !== undefined && this.object.metadata.deletionTimestamp !== null;

    const credential = await this.deps.credentials.forObject(this.object);
    credential.dependencies.forEach((dependency) => this.dependOn(dependency));
    if (!credential.ok) {
      if (deleting && decision.policy !== 'manage') return this.releaseFinalizer(`reconcile-policy ${decision.policy}`);
      throw new ConditionError({ reason: credential.reason, message: credential.message, severity: 'Warning', retryable: true });
    }
    this.client = credential.client;
    this.secretValues.push(...credential.secretValues);

    const resolution = await this.resolve(credential.subscriptionId);
    const ready = readyConditionOf(this.object.status?.['conditions']);
    const recordedResourceId = this.annotations[RESOURCE_ID_ANNOTATION];
    const idForCheck = recordedResourceId ?? (resolution.status === 'resolved' || resolution.status === 'idOnly' ? resolution.armId : undefined);
    const input: PlanInput = {
      generation: this.generation,
      deleting,
      finalizers: this.object.metadata.finalizers ?? [],
      policy: decision.policy,
      recordedResourceId,
      pollState: this.pollState(),
      resolution,
      azure: { status: 'unknown' },
      fatalForGeneration: ready !== undefined && ready.severity === 'Error' && ready.observedGeneration === this.generation && !recomputedReasons.has(ready.reason)
        ? { reason: ready.reason, message: ready.message ?? '' } : undefined,
      specChanged: this.annotations[LATEST_RECONCILED_GENERATION_ANNOTATION] !== String(this.generation),
      schema: model.body,
      subscriptionMismatch: idForCheck === undefined ? undefined : checkSubscription(idForCheck, credential.subscriptionId),
    };

    for (let step = 0; step < 10; step++) {
      const action = planAction(input);
      this.log.debug({ action: action.type }, 'planned');
      switch (action.type) {
        case 'addFinalizer':
          await this.patchMetadata({ finalizers: [...(this.object.metadata.finalizers ?? []), FINALIZER] });
          input.finalizers = this.object.metadata.finalizers ?? [];
          continue;
        case 'readAzure':
          input.azure = await this.readAzure(action.armId);
          continue;
        case 'upToDate':
          return this.finish(action.armId, action.azureBody);
        case 'beginPut': {
          this.log.info({ armId: action.armId, create: action.create, differences: action.differences }, 'writing to Azure');
          const existing = input.azure.status === 'present' ? input.azure.body : undefined;
          const body = await runBeforePut(this.served.hooks, { object: this.object, model, existing, arm: this.hookArm(), armId: action.armId }, asRecord(action.body));
          await this.event('Normal', action.create ? 'Creating' : 'Updating', `${action.create ? 'Creating' : 'Updating'} ${action.armId}`);
          const result = await this.arm().beginCreateOrUpdate(action.armId, model.apiVersion, body);
          return this.afterOperation(result, action.armId, this.generation);
        }
        case 'pollPut': {
          const result = await this.arm().poll(action.poll);
          const putGeneration = this.resumeGeneration();
          if (result.done && putGeneration !== undefined && putGeneration !== this.generation) {
            // The spec changed while the operation ran: compare Azure's result with the current spec before reporting.
            input.pollState = undefined;
            input.azure = { status: 'present', body: result.body ?? await this.arm().get(action.poll.resourceId, model.apiVersion) };
            input.specChanged = true;
            continue;
          }
          return this.afterOperation(result, action.poll.resourceId, putGeneration ?? this.generation);
        }
        case 'beginDelete': {
          this.log.info({ armId: action.armId }, 'deleting in Azure');
          await this.event('Normal', 'Deleting', `Deleting ${action.armId}`);
          const result = await this.arm().beginDelete(action.armId, model.apiVersion);
          return this.afterDelete(result, action.armId);
        }
        case 'pollDelete': {
          const result = await this.arm().poll(action.poll);
          return this.afterDelete(result, action.poll.resourceId);
        }
        case 'releaseFinalizer':
          return this.releaseFinalizer(action.reason);
        case 'waitForOwner':
          throw new ConditionError({ reason: Reasons.WaitingForOwner, message: action.message, severity: 'Warning', retryable: true });
        case 'blocked':
          throw new ConditionError({ reason: action.reason, message: action.message, severity: action.severity, retryable: action.retryable });
      }
    }
    throw new Error('the reconcile did not settle after 10 steps');
  }

  /** After a PUT started or a poll: done → observe; else keep the resume token and come back. */
  private async afterOperation(result: OperationResult, armId: string, putGeneration: number): Promise<ReconcileResult> {
    if (result.done) {
      const body = result.body ?? await this.arm().get(armId, this.served.model.apiVersion);
      return this.finish(armId, body);
    }
    await this.savePollState(result.poll, putGeneration);
    await this.writeStatus(readyReconciling(), undefined);
    return { requeueAfterMs: result.retryAfterMs };
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

  /** The resource exists and matches: record it, export, report Ready. */
  private async finish(armId: string, azureBody: unknown): Promise<ReconcileResult> {
    const { model } = this.served;
    const statusBody = armBodyToStatus(model, asRecord(azureBody));
    const state = provisioningStateOf(azureBody);
    await this.recordAnnotations(armId);
    if (state !== undefined && !isTerminalState(state)) {
      await this.writeStatus(readyReconciling(`Azure reports provisioningState ${state}`), statusBody);
      return { requeueAfterMs: busyRequeueMs };
    }
    // An export destination is a dependency too: removing a conflicting writer's object retries the export at once.
    for (const request of plannedExports(model, this.object.spec).requests) this.dependOn(`/${request.kind}/${this.ref.namespace}/${request.target}`);
    await writeExports({ kube: this.deps.kube, object: this.object, model, apiVersion: `${model.group}/${this.served.version}`, armId, armBody: azureBody, client: this.arm() });
    const ready = this.policyWarning !== undefined ? readyProblem(Reasons.InvalidReconcilePolicy, this.policyWarning) : readySucceeded();
    await this.writeStatus(ready, statusBody);
    const period = this.deps.config.syncPeriodMs;
    return period === undefined ? {} : { requeueAfterMs: jitteredSyncDelay(period, this.random) };
  }

  /** Turns a failure into the Ready condition, then decides: retry (throw), stop (TerminalError) or wait. */
  private async fail(error: unknown): Promise<never> {
    let problem: ConditionError;
    if (isConditionError(error)) {
      problem = error;
    } else if (isArmError(error)) {
      const classification = classifyArmError(error);
      problem = new ConditionError({
        reason: classification.reason, message: error.message, severity: classification.severity, retryable: classification.retryable || this.isDeleting(),
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      });
    } else {
      throw error instanceof Error ? new Error(redactSecrets(error.message, this.secretValues)) : error;
    }
    if (isArmError(error) && error.operationEnded && this.annotations[POLLER_RESUME_TOKEN_ANNOTATION] !== undefined) {
      // The operation failed for good: forget it, so the next attempt reads Azure and decides afresh.
      try {
        await this.patchMetadata({ annotations: { [POLLER_RESUME_TOKEN_ANNOTATION]: null, [POLLER_RESUME_ID_ANNOTATION]: null } });
      } catch (patchError) {
        this.log.debug({ error: (patchError as Error).message }, 'could not clear the spent resume token');
      }
    }
    const message = redactSecrets(problem.message, this.secretValues);
    const state: ReadyState = problem.severity === 'Info'
      ? { status: 'Unknown', severity: 'Info', reason: problem.reason, message }
      : readyProblem(problem.reason, message, problem.severity);
    try {
      await this.writeStatus(state, undefined);
    } catch (writeError) {
      this.log.debug({ error: (writeError as Error).message }, 'could not write the Ready condition');
    }
    if (!problem.retryable) throw new TerminalError(`${problem.reason}: ${message}`);
    throw Object.assign(new Error(`${problem.reason}: ${message}`), problem.retryAfterMs !== undefined ? { retryAfterMs: problem.retryAfterMs } : {});
  }

  private isDeleting(): boolean {
    return this.object.metadata.deletionTimestamp !== undefined && this.object.metadata.deletionTimestamp !== null;
  }

  private arm(): ArmClient {
    if (this.client === undefined) throw new Error('no ARM client');
    return this.client;
  }

  private hookArm(): HookArm {
    const arm = this.arm();
    return {
      tryGet: (id, apiVersion) => arm.tryGet(id, apiVersion),
      // A hook's action is a step before the PUT (e.g. a purge that must end before the name is free), so a
      // long-running one is followed to its end here, as ASO's extensions do.
      post: async (id, action, apiVersion, body) => {
        const deadline = Date.now() + hookActionTimeoutMs;
        let result = await arm.post(id, action, apiVersion, body);
        while (!result.done) {
          if (Date.now() > deadline) throw new Error(`POST ${action} on ${id} did not finish within ${hookActionTimeoutMs / 60_000} minutes`);
          const { poll, retryAfterMs } = result;
          await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(retryAfterMs, 100), 60_000)));
          result = await arm.poll(poll);
        }
        return result.body;
      },
    };
  }

  private async readAzure(armId: string): Promise<AzureObservation> {
    const body = await this.arm().tryGet(armId, this.served.model.apiVersion);
    return body === undefined ? { status: 'absent' } : { status: 'present', body };
  }

  /** The generation whose PUT the resume token follows (kept next to the poll state in the token). */
  private resumeGeneration(): number | undefined {
    try {
      const generation: unknown = (JSON.parse(this.annotations[POLLER_RESUME_TOKEN_ANNOTATION] ?? '{}') as { generation?: unknown }).generation;
      return typeof generation === 'number' ? generation : undefined;
    } catch {
      return undefined;
    }
  }

  private pollState(): PollState | undefined {
    const state = decodePollState(this.annotations[POLLER_RESUME_TOKEN_ANNOTATION]);
    const id = this.annotations[POLLER_RESUME_ID_ANNOTATION];
    if (state === undefined || (id !== undefined && id.toLowerCase() !== state.resourceId.toLowerCase())) return undefined;
    return state;
  }

  // ---- resolution ----

  private async resolve(subscriptionId: string): Promise<Resolution> {
    const { model } = this.served;
    const spec = this.object.spec ?? {};
    let parentId: string;
    if (model.scope === 'tenant') {
      parentId = '/';
    } else if (model.owners.length === 0) {
      parentId = `/subscriptions/${subscriptionId}`;
    } else {
      const owner = await this.resolveOwner(spec['owner']);
      if (owner.status !== 'ok') return owner.resolution;
      parentId = owner.parentId;
    }
    const context = { object: this.object, model };
    const baseName = () => this.object.metadata.name ?? '';
    const specName = typeof spec['azureName'] === 'string' && spec['azureName'] !== '' ? spec['azureName'] : undefined;
    const azureName = model.fixedName ?? specName ?? runAzureName(this.served.hooks, context, baseName);
    let armId: string;
    try {
      armId = buildArmId({ parentId, armType: model.armType, name: azureName });
    } catch (error) {
      return { status: 'unresolved', reason: 'InvalidResourceName', message: (error as Error).message };
    }
    const inputs = listSpecInputs(model, spec);
    const armIds = new Map<string, string>();
    const secrets = new Map<string, string>();
    const configMaps = new Map<string, string>();
    for (const { path, ref } of inputs.references) {
      const result = await this.resolveReference(ref, subscriptionId);
      if (typeof result !== 'string') return { status: 'idOnly', armId, reason: Reasons.ReferenceNotFound, message: `${path}: ${result.message}` };
      armIds.set(path, result);
    }
    for (const [kind, list, target] of [['Secret', inputs.secrets, secrets], ['ConfigMap', inputs.configMaps, configMaps]] as const) {
      for (const { path, ref } of list) {
        const value = await this.readKey(kind, ref);
        if (value === undefined) {
          return { status: 'idOnly', armId, reason: kind === 'Secret' ? Reasons.SecretNotFound : Reasons.ConfigMapNotFound, message: `${path}: ${kind} ${this.ref.namespace}/${ref.name} key ${ref.key} not found` };
        }
        target.set(path, value);
        if (kind === 'Secret') this.secretValues.push(value);
      }
    }
    try {
      const body = specToArmBody(model, spec, {
        azureName,
        armIdOf: (path, ref) => armIds.get(path) ?? ref.armId,
        secretValueOf: (path) => secrets.get(path),
        configMapValueOf: (path) => configMaps.get(path),
      });
      return { status: 'resolved', armId, body: runDesiredBody(this.served.hooks, context, body) };
    } catch (error) {
      if (error instanceof MissingInputError) {
        const reason = error.input === 'secret' ? Reasons.SecretNotFound : error.input === 'configMap' ? Reasons.ConfigMapNotFound : Reasons.ReferenceNotFound;
        return { status: 'idOnly', armId, reason, message: error.message };
      }
      throw error;
    }
  }

  private async resolveOwner(owner: unknown): Promise<{ status: 'ok'; parentId: string } | { status: 'problem'; resolution: Resolution }> {
    const { model } = this.served;
    const wait = (message: string, ownerMissing = false) => ({ status: 'problem' as const, resolution: { status: 'waitingForOwner' as const, message, ...(ownerMissing ? { ownerMissing } : {}) } });
    if (!isRecord(owner)) return wait('spec.owner is not set');
    if (typeof owner['armId'] === 'string' && owner['armId'] !== '') return { status: 'ok', parentId: owner['armId'] };
    const name = owner['name'];
    if (typeof name !== 'string' || name === '') return wait('spec.owner names no object');
    const declared = model.owners.find((candidate): candidate is { group: string; kind: string } => candidate !== '*');
    const group = typeof owner['group'] === 'string' ? owner['group'] : declared?.group;
    const kind = typeof owner['kind'] === 'string' ? owner['kind'] : declared?.kind;
    if (group === undefined || kind === undefined) return wait('spec.owner needs group and kind');
    this.dependOn(objectKey(group, kind, this.ref.namespace, name));
    const ownerObject = await this.readObject(group, kind, name);
    if (ownerObject === undefined) return wait(`owner ${kind} ${this.ref.namespace}/${name} does not exist`, true);
    // Never (re)create a child while its owner is going away: Azure is deleting (or about to delete) the parent.
    if (ownerObject.metadata.deletionTimestamp !== undefined && ownerObject.metadata.deletionTimestamp !== null) {
      return wait(`owner ${kind} ${this.ref.namespace}/${name} is being deleted`);
    }
    const ownerId = ownerObject.metadata.annotations?.[RESOURCE_ID_ANNOTATION];
    const ownerReady = readyConditionOf(ownerObject.status?.['conditions'])?.status === 'True';
    if (ownerId === undefined || !ownerReady) return wait(`owner ${kind} ${this.ref.namespace}/${name} is not Ready yet`);
    const ownerServed = this.deps.kinds.get(group, kind);
    if (ownerObject.metadata.uid !== undefined && ownerServed !== undefined) {
      this.ownerRef = { apiVersion: `${ownerServed.model.group}/${ownerServed.version}`, kind: ownerServed.model.kind, name, uid: ownerObject.metadata.uid };
    }
    return { status: 'ok', parentId: ownerId };
  }

  private async resolveReference(ref: ResourceReference, subscriptionId: string): Promise<string | { message: string }> {
    if (ref.armId !== undefined && ref.armId !== '') return ref.armId;
    if (ref.wellKnownName !== undefined) {
      const id = builtInRoleIds[ref.wellKnownName];
      return id === undefined ? { message: `unknown well-known name ${ref.wellKnownName}` } : `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
    }
    if (ref.group === undefined || ref.kind === undefined || ref.name === undefined) return { message: 'the reference names no object' };
    this.dependOn(objectKey(ref.group, ref.kind, this.ref.namespace, ref.name));
    const target = await this.readObject(ref.group, ref.kind, ref.name);
    if (target === undefined) return { message: `${ref.kind} ${this.ref.namespace}/${ref.name} does not exist` };
    const id = target.metadata.annotations?.[RESOURCE_ID_ANNOTATION];
    return id ?? { message: `${ref.kind} ${this.ref.namespace}/${ref.name} has no ARM ID yet` };
  }

  private async readObject(group: string, kind: string, name: string): Promise<KubeObject | undefined> {
    const served = this.deps.kinds.get(group, kind);
    if (served === undefined) return undefined;
    return this.deps.cached?.(served, this.ref.namespace, name)
      ?? this.deps.kube.getObject({ group: served.model.group, version: served.version, plural: served.plural, namespace: this.ref.namespace, name });
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

  private async patchMetadata(metadata: Record<string, unknown>): Promise<void> {
    this.object = await this.deps.kube.patchObject(this.ref, { metadata: { ...metadata, resourceVersion: this.object.metadata.resourceVersion } });
  }

  /** Keeps the poll state (and, for a PUT, the generation it wrote) on the object; no write when it is already there. */
  private async savePollState(poll: PollState, generation?: number): Promise<void> {
    const token = JSON.stringify({ ...(JSON.parse(encodePollState(poll)) as Record<string, unknown>), ...(generation !== undefined ? { generation } : {}) });
    if (this.annotations[POLLER_RESUME_TOKEN_ANNOTATION] === token && this.annotations[POLLER_RESUME_ID_ANNOTATION] === poll.resourceId) return;
    await this.patchMetadata({ annotations: { [POLLER_RESUME_TOKEN_ANNOTATION]: token, [POLLER_RESUME_ID_ANNOTATION]: poll.resourceId } });
  }

  private async recordAnnotations(armId: string): Promise<void> {
    const wanted: Record<string, string | null> = {
      [RESOURCE_ID_ANNOTATION]: armId,
      [LATEST_RECONCILED_GENERATION_ANNOTATION]: String(this.generation),
      [POLLER_RESUME_TOKEN_ANNOTATION]: null,
      [POLLER_RESUME_ID_ANNOTATION]: null,
    };
    const current = this.annotations;
    const patch = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => (value === null ? key in current : current[key] !== value)));
    const owners = this.object.metadata.ownerReferences ?? [];
    const ownerRef = this.ownerRef;
    const addOwner = ownerRef !== undefined && !owners.some((owner) => owner.uid === ownerRef.uid);
    if (Object.keys(patch).length === 0 && !addOwner) return;
    await this.patchMetadata({
      ...(Object.keys(patch).length > 0 ? { annotations: patch } : {}),
      ...(addOwner && ownerRef !== undefined ? { ownerReferences: [...owners, ownerRef] } : {}),
    });
  }

  private async releaseFinalizer(reason: string): Promise<ReconcileResult> {
    const finalizers = this.object.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) {
      this.log.info({ reason }, 'removing the finalizer');
      await this.patchMetadata({ finalizers: finalizers.filter((finalizer) => finalizer !== FINALIZER) });
    }
    return {};
  }

  /** Writes status (Ready + the Azure-derived fields when given) once, only if it changed; an Event on transitions. */
  private async writeStatus(state: ReadyState, statusBody: Record<string, unknown> | undefined): Promise<void> {
    const previousStatus = this.object.status ?? {};
    const previous = readyConditionOf(previousStatus['conditions']);
    const condition = buildReadyCondition(state, this.generation, previous, this.now());
    const base = statusBody ?? Object.fromEntries(Object.entries(previousStatus).filter(([key]) => key !== 'conditions'));
    const conditions = setCondition(Array.isArray(previousStatus['conditions']) ? previousStatus['conditions'] as Condition[] : [], condition);
    const next = { ...base, conditions };
    const patch = createMergePatch(previousStatus, next);
    if (patch !== undefined) {
      this.object = await this.deps.kube.patchStatus(this.ref, { status: patch });
    }
    if (previous === undefined || previous.status !== condition.status || previous.reason !== condition.reason) {
      const type = state.severity === 'Warning' || state.severity === 'Error' ? 'Warning' : 'Normal';
      await this.event(type, condition.reason, condition.message ?? (condition.status === 'True' ? 'The resource is Ready' : condition.reason));
    }
  }

  private async event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const error = await this.deps.kube.createEvent({
      object: { ...this.object, apiVersion: `${this.served.model.group}/${this.served.version}`, kind: this.served.model.kind },
      type, reason, message: redactSecrets(message, this.secretValues), component: this.deps.component ?? 'azo-operator',
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
