/**
 * Reconciles an Entra SecurityGroup against Microsoft Graph with ARM kinds' semantics where they apply: the finalizer
 * before the first write, the reconcile-policy annotation, the group ID recorded in `serviceoperator.azure.com/
 * resource-id` (and status.entraID) before anything else so a restart never creates a second group, writes only when
 * Graph differs, the Ready condition, and the `operatorSpec.configMaps.entraID` export. Decisions: entra-group-plan.ts.
 */
import type { Logger } from 'pino';
import {
  type ReadyState,
  conditionsWithReady,
  readyDeadlinePassed,
  readyDeleting,
  readyProblem,
  readySucceeded,
} from './conditions.js';
import { type GraphGroup, type GroupPlanInput, desiredGroup, planGroupStep } from './entra-group-plan.js';
import { stoppedBy } from './errors.js';
import { writeExports } from './exports.js';
import { GraphClient, GraphError } from './graph-client.js';
import type { KubeObject, ObjectRef } from './kube.js';
import { RESOURCE_ID_ANNOTATION } from './names.js';
import { ObjectWriter } from './object-writer.js';
import { type ReconcileResult, RetryableError } from './queue.js';
import type { ReconcilerDeps } from './reconciler.js';
import type { ServedKind } from './registry.js';

/** The least delay before retrying a transient failure (the queue's backoff grows it). */
const retryMs = 10_000;

/** Reconciles one SecurityGroup object (see the module comment); `deadline` aborts its Graph requests. */
export async function reconcileEntraGroup(
  deps: ReconcilerDeps,
  served: ServedKind,
  ref: ObjectRef,
  initial: KubeObject,
  log: Logger,
  deadline: AbortSignal,
): Promise<ReconcileResult> {
  const target = new ObjectWriter(deps.kube, ref, initial);
  const now = deps.now ?? (() => new Date());
  const writeStatus = (state: ReadyState, group?: GraphGroup) => writeGroupStatus(target, state, group, now());

  const decision = await target.policy(deps.config);
  const deleting = target.deleting;
  const release = async () => {
    await target.releaseFinalizer();
    return {};
  };
  if (deleting && !target.hasFinalizer) return {};

  const credential = await deps.credentials.forObject(target.object);
  if (!credential.ok) {
    if (deleting && target.object.metadata.annotations?.[RESOURCE_ID_ANNOTATION] === undefined) return release();
    await writeStatus(readyProblem(credential.reason, credential.message));
    throw new RetryableError(`${credential.reason}: ${credential.message}`, retryMs);
  }
  const graph = new GraphClient({
    endpoint: deps.config.graphEndpoint,
    audience: deps.config.graphAudience,
    credential: credential.credential,
    timeoutMs: deps.config.armRequestTimeoutMs,
    signal: deadline,
    ...(deps.credentials.caCertPem !== undefined ? { caCertPem: deps.credentials.caCertPem } : {}),
  });
  const spec = target.object.spec ?? {};
  const operatorSpec = (spec.operatorSpec ?? {}) as Record<string, unknown>;
  const input: GroupPlanInput = {
    deleting,
    policy: decision.policy,
    recordedId: target.object.metadata.annotations?.[RESOURCE_ID_ANNOTATION] || undefined,
    observed: undefined,
    matches: undefined,
    creationMode: operatorSpec.creationMode === 'AlwaysCreate' ? 'AlwaysCreate' : 'AdoptOrCreate',
    desired: desiredGroup(spec),
  };

  try {
    if (!deleting && decision.policy !== 'skip') await target.addFinalizer();
    for (let steps = 0; steps < 10; steps++) {
      const step = planGroupStep(input);
      log.debug({ step: step.kind }, 'entra group step');
      switch (step.kind) {
        case 'read':
          input.observed = await graph.getGroup(step.id);
          break;
        case 'find':
          input.matches = await graph.findByDisplayName(String(input.desired.displayName ?? ''));
          break;
        case 'adopt':
        case 'create': {
          const id = step.kind === 'adopt' ? step.id : (await graph.createGroup(input.desired)).id;
          log.info(
            { id, adopted: step.kind === 'adopt' },
            step.kind === 'adopt' ? 'adopted the group' : 'created the group',
          );
          await target.patchMetadata({ annotations: { [RESOURCE_ID_ANNOTATION]: id } });
          input.recordedId = id;
          input.observed = undefined;
          break;
        }
        case 'forget':
          // The group was deleted outside the operator: create (or adopt) it again, as ASO does.
          await target.patchMetadata({ annotations: { [RESOURCE_ID_ANNOTATION]: null } });
          input.recordedId = undefined;
          input.observed = undefined;
          break;
        case 'update':
          await graph.updateGroup(step.id, step.patch);
          input.observed = undefined;
          break;
        case 'delete':
          await writeStatus(readyDeleting());
          await graph.deleteGroup(step.id);
          input.observed = null;
          break;
        case 'release':
          return await release();
        case 'ambiguous':
          await writeStatus(
            readyProblem(
              'ResourceAdoptionFailed',
              `${step.count} groups have the display name ${JSON.stringify(input.desired.displayName)}: ` +
                'cannot choose one to adopt (set operatorSpec.creationMode: AlwaysCreate or rename one)',
              'Error',
            ),
          );
          return {};
        case 'skipped':
          await writeStatus(
            step.group === undefined
              ? readyProblem('Skipped', 'reconcile-policy is skip and the group does not exist', 'Warning')
              : readySucceeded(),
            step.group,
          );
          return {};
        case 'ready': {
          const exportSpec = {
            ...spec,
            operatorSpec: { configMaps: operatorSpec.configMaps ?? operatorSpec.configmaps },
          };
          await writeExports({
            kube: deps.kube,
            object: { ...target.object, spec: exportSpec },
            model: served.model,
            apiVersion: `${served.model.group}/${served.version}`,
            body: step.group,
          });
          await writeStatus(readySucceeded(), step.group);
          const period = deps.config.syncPeriodMs;
          return period === undefined ? {} : { requeueAfterMs: period, requeueReason: 'drift' };
        }
      }
    }
    throw new Error('the Entra group reconcile did not settle');
  } catch (error) {
    if (stoppedBy(deadline)) throw deadline.reason; // the operator is stopping: not a failure, no condition
    if (deadline.aborted) {
      const state = readyDeadlinePassed(deps.config.reconcileTimeoutMs);
      await writeStatus(state);
      throw new RetryableError(state.message, retryMs);
    }
    if (!(error instanceof GraphError)) throw error;
    log.warn({ status: error.status, code: error.code }, error.message);
    const severity = error.status === 400 || error.status === 403 ? 'Error' : 'Warning';
    await writeStatus(readyProblem(error.code, error.message, severity));
    if (severity === 'Error') return {};
    throw new RetryableError(`${error.code}: ${error.message}`, retryMs);
  }
}

/** Writes Ready (and the group's fields when known) to status, only when something changed. */
async function writeGroupStatus(
  target: ObjectWriter,
  state: ReadyState,
  group: GraphGroup | undefined,
  now: Date,
): Promise<void> {
  const previousStatus = target.object.status ?? {};
  const generation = target.object.metadata.generation ?? 0;
  const { conditions } = conditionsWithReady(previousStatus, state, generation, now);
  const fromGroup =
    group === undefined
      ? {}
      : {
          entraID: group.id,
          displayName: group.displayName ?? undefined,
          description: group.description ?? undefined,
          groupEmailAddress: group.mailNickname ?? undefined,
        };
  await target.writeStatus(
    JSON.parse(JSON.stringify({ ...previousStatus, ...fromGroup, conditions, observedGeneration: generation })),
  );
}
