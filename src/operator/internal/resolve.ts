/**
 * The desired state of an object: its ARM ID and the ARM body the operator would PUT, from its spec, its owner's ARM
 * ID, and its references, Secrets and ConfigMaps looked up by the caller. The reconciler looks them up in Kubernetes;
 * `azo what-if` in the manifests it is given and, with a kubeconfig, the cluster: both decide from the same body.
 */
import {
  type KeyReference,
  type KindModel,
  type ResourceReference,
  MissingInputError,
  buildArmId,
  listSpecInputs,
} from '../../model/index.js';
import { Reasons } from './conditions.js';
import { desiredArmBody } from './desired-body.js';
import { type ResourceHooks, runAzureName } from './hooks.js';
import type { KubeObject } from './kube.js';
import type { Resolution } from './plan.js';
import { wellKnownArmId } from './well-known.js';

/** Where the caller finds what a spec points at. */
export interface DesiredStateLookups {
  /** The ARM ID under which the resource lives (its owner's), or why it is not known yet. */
  parentId(): Promise<{ status: 'ok'; parentId: string } | { status: 'problem'; resolution: Resolution }>;
  /** The ARM ID of a reference to a Kubernetes object (`{group, kind, name}`), or why it is not known. */
  objectArmId(
    ref: ResourceReference & { group: string; kind: string; name: string },
  ): Promise<string | { message: string }>;
  /** A key of a Secret or ConfigMap in the object's namespace; undefined when either is missing. */
  keyValue(kind: 'Secret' | 'ConfigMap', ref: KeyReference): Promise<string | undefined>;
}

/** Resolves the desired state of `object` (see the module comment). `onSecret` hears each Secret value read. */
export async function resolveDesiredState(options: {
  model: KindModel;
  hooks: readonly ResourceHooks[];
  object: KubeObject;
  subscriptionId: string;
  lookups: DesiredStateLookups;
  onSecret?: (value: string) => void;
}): Promise<Resolution> {
  const { model, hooks, object, subscriptionId, lookups } = options;
  const namespace = object.metadata.namespace ?? 'default';
  const spec = object.spec ?? {};
  let parentId: string;
  if (model.scope === 'tenant') {
    parentId = '/';
  } else if (model.owners.length === 0) {
    parentId = `/subscriptions/${subscriptionId}`;
  } else {
    const owner = await lookups.parentId();
    if (owner.status !== 'ok') return owner.resolution;
    parentId = owner.parentId;
  }
  const context = { object, model };
  const baseName = () => object.metadata.name ?? '';
  const specName = typeof spec['azureName'] === 'string' && spec['azureName'] !== '' ? spec['azureName'] : undefined;
  const azureName = model.fixedName ?? specName ?? runAzureName(hooks, context, baseName);
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
    const result = await referenceArmId(ref, subscriptionId, lookups);
    if (typeof result !== 'string')
      return { status: 'idOnly', armId, reason: Reasons.ReferenceNotFound, message: `${path}: ${result.message}` };
    armIds.set(path, result);
  }
  for (const [kind, list, target] of [
    ['Secret', inputs.secrets, secrets],
    ['ConfigMap', inputs.configMaps, configMaps],
  ] as const) {
    for (const { path, ref } of list) {
      const value = await lookups.keyValue(kind, ref);
      if (value === undefined) {
        return {
          status: 'idOnly',
          armId,
          reason: kind === 'Secret' ? Reasons.SecretNotFound : Reasons.ConfigMapNotFound,
          message: `${path}: ${kind} ${namespace}/${ref.name} key ${ref.key} not found`,
        };
      }
      target.set(path, value);
      if (kind === 'Secret') options.onSecret?.(value);
    }
  }
  try {
    const resolved = {
      azureName,
      armIdOf: (path: string, ref: ResourceReference) => armIds.get(path) ?? ref.armId,
      secretValueOf: (path: string) => secrets.get(path),
      configMapValueOf: (path: string) => configMaps.get(path),
    };
    return { status: 'resolved', armId, body: desiredArmBody(model, object, resolved, hooks) };
  } catch (error) {
    if (error instanceof MissingInputError) {
      const reason =
        error.input === 'secret'
          ? Reasons.SecretNotFound
          : error.input === 'configMap'
            ? Reasons.ConfigMapNotFound
            : Reasons.ReferenceNotFound;
      return { status: 'idOnly', armId, reason, message: error.message };
    }
    throw error;
  }
}

async function referenceArmId(
  ref: ResourceReference,
  subscriptionId: string,
  lookups: DesiredStateLookups,
): Promise<string | { message: string }> {
  if (ref.armId !== undefined && ref.armId !== '') return ref.armId;
  if (ref.wellKnownName !== undefined) {
    return (
      wellKnownArmId(ref.wellKnownName, subscriptionId) ?? { message: `unknown well-known name ${ref.wellKnownName}` }
    );
  }
  if (ref.group === undefined || ref.kind === undefined || ref.name === undefined)
    return { message: 'the reference names no object' };
  return lookups.objectArmId({ ...ref, group: ref.group, kind: ref.kind, name: ref.name });
}
