/**
 * What the operator would do with a set of objects, without writing anything (`azo what-if`): for each object its
 * desired state (`resolveDesiredState`, as the reconciler), then the reconciler's own loop of `planAction` with Azure
 * read but every write stopped at the plan: a create, a change (with the fields `compareDesired` finds), nothing, or a
 * problem; and what `planAction` decides for a delete under the object's reconcile policy. Owners, references,
 * Secrets and ConfigMaps come from the objects given, else from the caller's cluster lookups.
 */
import type { KindModel } from '../../model/index.js';
import { compareDesired } from './compare.js';
import { checkSubscription, decodeSecretData } from './credentials.js';
import type { ResourceHooks } from './hooks.js';
import type { KubeObject } from './kube.js';
import { FINALIZER, RESOURCE_ID_ANNOTATION } from './names.js';
import { type Action, type AzureObservation, type PlanInput, type Resolution, planAction } from './plan.js';
import { type ReconcilePolicy, resolveReconcilePolicy } from './policy.js';
import { resolveDesiredState } from './resolve.js';

/** An object of the input, with its served kind's model and hooks (undefined: not an Azure kind azo serves). */
export interface PreviewObject {
  object: KubeObject & { apiVersion: string; kind: string };
  model?: KindModel | undefined;
  hooks?: readonly ResourceHooks[];
}

/** Reads from the cluster the objects are meant for (all optional: without a cluster, only the input is known). */
export interface PreviewCluster {
  getObject(group: string, kind: string, namespace: string, name: string): Promise<KubeObject | undefined>;
  getSecret(namespace: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
  getConfigMap(namespace: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
  getNamespaceAnnotations(namespace: string): Promise<Record<string, string> | undefined>;
}

/** What `previewObjects` needs. */
export interface PreviewOptions {
  objects: PreviewObject[];
  /** Reads Azure (a GET; undefined on 404). */
  tryGet(armId: string, apiVersion: string): Promise<unknown>;
  subscriptionId: string;
  /** `DEFAULT_RECONCILE_POLICY`. */
  defaultPolicy?: ReconcilePolicy | undefined;
  cluster?: PreviewCluster | undefined;
}

/** One field Azure holds otherwise: its value there (undefined: absent) and the desired one. */
export interface FieldChange {
  path: string;
  azure: unknown;
  desired: unknown;
}

/** The preview of one object. */
export interface ObjectPreview {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** undefined when it cannot be computed (see `message`). */
  armId?: string | undefined;
  /** `unserved`: not a kind azo serves (Secrets and ConfigMaps are inputs, listed as such). */
  action: 'create' | 'change' | 'none' | 'blocked' | 'input' | 'unserved';
  /** `change`: the fields that differ; a write-only field (a password) shows with both values hidden. */
  changes: FieldChange[];
  policy?: ReconcilePolicy | undefined;
  /** Why (`blocked`, or the reason of a change that is not a field, e.g. a Failed provisioning state). */
  reason?: string | undefined;
  message?: string | undefined;
  /** What deleting the object would do. */
  onDelete?: { action: 'delete' | 'keep' | 'blocked'; message: string } | undefined;
}

/** See the module comment. */
export async function previewObjects(options: PreviewOptions): Promise<ObjectPreview[]> {
  const previewer = new Previewer(options);
  return Promise.all(options.objects.map((entry) => previewer.preview(entry)));
}

class Previewer {
  private readonly memo = new Map<PreviewObject, Promise<ObjectPreview>>();

  constructor(private readonly options: PreviewOptions) {}

  preview(entry: PreviewObject): Promise<ObjectPreview> {
    let result = this.memo.get(entry);
    if (result === undefined) {
      result = this.compute(entry);
      this.memo.set(entry, result);
    }
    return result;
  }

  private async compute(entry: PreviewObject): Promise<ObjectPreview> {
    const { object, model } = entry;
    const namespace = object.metadata.namespace ?? 'default';
    const base = { apiVersion: object.apiVersion, kind: object.kind, namespace, name: object.metadata.name ?? '' };
    if (model === undefined) {
      const input = object.apiVersion === 'v1' && (object.kind === 'Secret' || object.kind === 'ConfigMap');
      return {
        ...base,
        action: input ? 'input' : 'unserved',
        changes: [],
        message: input ? 'an input of the objects that name it' : 'not a kind azo serves: left out',
      };
    }
    const live = await this.options.cluster?.getObject(model.group, model.kind, namespace, base.name);
    const decision = resolveReconcilePolicy({
      objectAnnotations: object.metadata.annotations ?? {},
      namespaceAnnotations: await this.options.cluster?.getNamespaceAnnotations(namespace),
      defaultPolicy: this.options.defaultPolicy,
    });
    const resolution = await resolveDesiredState({
      model,
      hooks: entry.hooks ?? [],
      object,
      subscriptionId: this.options.subscriptionId,
      lookups: {
        parentId: () => this.parentId(entry),
        objectArmId: (ref) => this.objectArmId(namespace, ref),
        keyValue: (kind, ref) => this.keyValue(kind, namespace, ref),
      },
    });
    const recordedResourceId = live?.metadata.annotations?.[RESOURCE_ID_ANNOTATION];
    const resolvedId =
      resolution.status === 'resolved' || resolution.status === 'idOnly' ? resolution.armId : undefined;
    const idForCheck = recordedResourceId ?? resolvedId;
    const input: PlanInput = {
      deleting: false,
      finalizers: [FINALIZER],
      policy: decision.policy,
      recordedResourceId,
      resolution,
      azure: { status: 'unknown' },
      // The applied digest is the operator's secret: compare with Azure as for an adoption.
      digest: 'none',
      schema: model.body,
      subscriptionMismatch:
        idForCheck === undefined ? undefined : checkSubscription(idForCheck, this.options.subscriptionId),
    };
    let action: Action = planAction(input);
    for (let step = 0; step < 5 && action.type === 'readAzure'; step++) {
      input.azure = await this.readAzure(action.armId, model.apiVersion);
      action = planAction(input);
    }
    const onDelete = this.deletePreview(input);
    const common = { ...base, armId: idForCheck, policy: decision.policy, onDelete };
    switch (action.type) {
      case 'beginPut': {
        if (action.create) {
          // A singleton child (a storage account's blobServices/default) may come with its parent, from Azure.
          const note =
            model.fixedName === undefined
              ? {}
              : { message: 'Azure may create it with its parent: then the operator writes only where it differs' };
          return { ...common, action: 'create', changes: [], ...note };
        }
        const desired = resolution.status === 'resolved' ? resolution.body : undefined;
        const azureBody = input.azure.status === 'present' ? input.azure.body : undefined;
        const comparison = compareDesired(desired, azureBody, model.body);
        const changes = [
          ...comparison.differences.map((path) => ({
            path,
            azure: valueAt(azureBody, path),
            desired: valueAt(desired, path),
          })),
          ...comparison.writeOnly.map((path) => ({ path, azure: '(write-only)', desired: '(write-only)' })),
        ];
        const other = action.differences.filter((path) => !changes.some((change) => change.path === path));
        return {
          ...common,
          action: 'change',
          changes,
          ...(other.length > 0 ? { reason: other.join(', ') } : {}),
        };
      }
      case 'upToDate':
        return {
          ...common,
          action: 'none',
          changes: [],
          ...(decision.policy === 'skip' ? { message: 'reconcile-policy skip: only read' } : {}),
        };
      case 'blocked':
      case 'holdError':
        return { ...common, action: 'blocked', changes: [], reason: action.reason, message: action.message };
      case 'waitForOwner':
        return { ...common, action: 'blocked', changes: [], reason: 'WaitingForOwner', message: action.message };
      default:
        return { ...common, action: 'blocked', changes: [], reason: action.type, message: 'no decision' };
    }
  }

  private async readAzure(armId: string, apiVersion: string): Promise<AzureObservation> {
    const body = await this.options.tryGet(armId, apiVersion);
    return body === undefined ? { status: 'absent' } : { status: 'present', body };
  }

  /** `planAction` for a delete of this object on its own (with its owner, the owner's deletion decides). */
  private deletePreview(input: PlanInput): ObjectPreview['onDelete'] {
    const action = planAction({ ...input, deleting: true });
    if (action.type === 'beginDelete')
      return { action: 'delete', message: 'sends a DELETE: the Azure resource is deleted' };
    if (action.type === 'releaseFinalizer') return { action: 'keep', message: `sends no DELETE: ${action.reason}` };
    if (action.type === 'blocked') return { action: 'blocked', message: action.message };
    return { action: 'blocked', message: action.type };
  }

  private find(group: string, kind: string, namespace: string, name: string): PreviewObject | undefined {
    return this.options.objects.find(
      (candidate) =>
        candidate.model !== undefined &&
        candidate.model.group.toLowerCase() === group.toLowerCase() &&
        candidate.model.kind.toLowerCase() === kind.toLowerCase() &&
        (candidate.object.metadata.namespace ?? 'default') === namespace &&
        candidate.object.metadata.name === name,
    );
  }

  /** The ARM ID an object of the input will have, else the one its cluster object records. */
  private async armIdOf(
    group: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<string | { message: string }> {
    const what = `${kind} ${namespace}/${name}`;
    const given = this.find(group, kind, namespace, name);
    if (given !== undefined) {
      const preview = await this.preview(given);
      return preview.armId ?? { message: `${what}: ${preview.message ?? 'its ARM ID cannot be worked out'}` };
    }
    if (this.options.cluster === undefined)
      return { message: `${what} is not among the manifests, and no cluster was given (--kubeconfig) to look it up` };
    const live = await this.options.cluster.getObject(group, kind, namespace, name);
    if (live === undefined) return { message: `${what} is neither among the manifests nor in the cluster` };
    return live.metadata.annotations?.[RESOURCE_ID_ANNOTATION] ?? { message: `${what} has no ARM ID yet` };
  }

  private async parentId(
    entry: PreviewObject,
  ): Promise<{ status: 'ok'; parentId: string } | { status: 'problem'; resolution: Resolution }> {
    const problem = (message: string) => ({
      status: 'problem' as const,
      resolution: { status: 'waitingForOwner' as const, message },
    });
    const owner = entry.object.spec?.['owner'];
    if (!isRecord(owner)) return problem('spec.owner is not set');
    if (typeof owner['armId'] === 'string' && owner['armId'] !== '') return { status: 'ok', parentId: owner['armId'] };
    const declared = entry.model?.owners.find(
      (candidate): candidate is { group: string; kind: string } => candidate !== '*',
    );
    const group = typeof owner['group'] === 'string' ? owner['group'] : declared?.group;
    const kind = typeof owner['kind'] === 'string' ? owner['kind'] : declared?.kind;
    if (typeof owner['name'] !== 'string' || owner['name'] === '') return problem('spec.owner names no object');
    if (group === undefined || kind === undefined) return problem('spec.owner needs group and kind');
    const id = await this.armIdOf(group, kind, entry.object.metadata.namespace ?? 'default', owner['name']);
    return typeof id === 'string' ? { status: 'ok', parentId: id } : problem(`owner ${id.message}`);
  }

  private objectArmId(
    namespace: string,
    ref: { group: string; kind: string; name: string },
  ): Promise<string | { message: string }> {
    return this.armIdOf(ref.group, ref.kind, namespace, ref.name);
  }

  private async keyValue(
    kind: 'Secret' | 'ConfigMap',
    namespace: string,
    ref: { name: string; key: string },
  ): Promise<string | undefined> {
    const given = this.options.objects.find(
      (candidate) =>
        candidate.object.apiVersion === 'v1' &&
        candidate.object.kind === kind &&
        (candidate.object.metadata.namespace ?? 'default') === namespace &&
        candidate.object.metadata.name === ref.name,
    )?.object as { data?: Record<string, string>; stringData?: Record<string, string> } | undefined;
    if (given !== undefined) return kind === 'Secret' ? decodeSecretData(given)[ref.key] : given.data?.[ref.key];
    const cluster = this.options.cluster;
    if (cluster === undefined) return undefined;
    if (kind === 'Secret') {
      const secret = await cluster.getSecret(namespace, ref.name);
      return secret === undefined ? undefined : decodeSecretData(secret)[ref.key];
    }
    return (await cluster.getConfigMap(namespace, ref.name))?.data?.[ref.key];
  }
}

/** The value at a path as `compareDesired` spells it (`a.b`, `a[0]`, `a[name=x]`, keys matched without case). */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (step.startsWith('[')) {
      const inner = step.slice(1, -1);
      if (!Array.isArray(current)) return undefined;
      const keyed = /^([^=]+)=(.*)$/.exec(inner);
      current = keyed
        ? current.find(
            (item) => isRecord(item) && String(item[keyed[1] ?? '']).toLowerCase() === (keyed[2] ?? '').toLowerCase(),
          )
        : current[Number(inner)];
      continue;
    }
    if (!isRecord(current)) return undefined;
    const record = current;
    const key = step in record ? step : Object.keys(record).find((name) => name.toLowerCase() === step.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
