/**
 * Exports: `spec.operatorSpec.secrets` / `.configMaps` name a Secret/ConfigMap (`{name, key}`) in the object's
 * namespace for each value the kind can export (model `exports`: a path in Azure's GET body, or a POST action's
 * response such as `listKeys`). The Secret/ConfigMap is owned by the object; one owned by anything else is a conflict.
 */
import type { ArmOperations } from '../../arm/index.js';
import { type ExportSource, type KindModel, parseArmId, readPath } from '../../model/index.js';
import { ConditionError } from './errors.js';
import type { KubeAccess, KubeObject } from './kube.js';
import { deepEqual } from './merge-patch.js';

interface Destination {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  data: Record<string, string>;
}

/** The export destinations an object asks for, grouped by Secret/ConfigMap. Unknown export names are an error. */
export function plannedExports(
  model: KindModel,
  spec: Record<string, unknown> | undefined,
): {
  requests: Array<{ kind: 'Secret' | 'ConfigMap'; target: string; key: string; source: KindModel['exports'][number] }>;
  unknown: string[];
} {
  const operatorSpec = isRecord(spec?.['operatorSpec']) ? spec['operatorSpec'] : {};
  const requests: Array<{
    kind: 'Secret' | 'ConfigMap';
    target: string;
    key: string;
    source: KindModel['exports'][number];
  }> = [];
  const unknown: string[] = [];
  for (const [field, kind, secret] of [
    ['secrets', 'Secret', true],
    ['configMaps', 'ConfigMap', false],
  ] as const) {
    const entries = operatorSpec[field];
    if (!isRecord(entries)) continue;
    for (const [exportName, destination] of Object.entries(entries)) {
      if (!isRecord(destination) || typeof destination['name'] !== 'string' || typeof destination['key'] !== 'string')
        continue;
      const source = model.exports.find((candidate) => candidate.name === exportName && candidate.secret === secret);
      if (source === undefined) {
        unknown.push(`operatorSpec.${field}.${exportName}`);
        continue;
      }
      requests.push({ kind, target: destination['name'], key: destination['key'], source });
    }
  }
  return { requests, unknown };
}

/**
 * Where export values are read. `body` is the resource as its API returns it (what `status` exports read); `arm` is
 * needed only by the exports read from ARM (`armId`, `action`, `linked`): a kind outside ARM (an Entra group) passes
 * none, and asking it for such an export is an `InvalidExport` error.
 */
export interface ExportInputs {
  kube: KubeAccess;
  object: KubeObject;
  model: KindModel;
  /** The object's `group/version`, for the ownerReference of what is written. */
  apiVersion: string;
  body: unknown;
  arm?: { id: string; client: ArmOperations };
}

/** true for an export read from ARM beyond the resource's GET body (its ID, a POST action, a linked resource). */
export function needsArm(source: ExportSource): boolean {
  return source.from !== 'status';
}

/** Writes the object's exports (only what changed). Throws `ConditionError` on a conflict or a missing value source. */
export async function writeExports(options: ExportInputs): Promise<number> {
  const { kube, object, model, body, arm } = options;
  const { requests, unknown } = plannedExports(model, object.spec);
  if (unknown.length > 0)
    throw new ConditionError({
      reason: 'InvalidExport',
      message: `${model.kind} cannot export ${unknown.join(', ')}`,
      severity: 'Error',
      retryable: false,
    });
  const fromArm = requests.filter((request) => needsArm(request.source));
  if (arm === undefined && fromArm.length > 0) {
    const names = fromArm.map((request) => request.source.name).join(', ');
    throw new ConditionError({
      reason: 'InvalidExport',
      message: `${model.kind} is not an ARM resource: cannot export ${names}`,
      severity: 'Error',
      retryable: false,
    });
  }
  if (requests.length === 0) return 0;
  // Without ARM every request is a `status` one (checked above).
  const read =
    arm === undefined
      ? (source: ExportSource) => Promise.resolve(readPath(body, source.path))
      : armReader(arm, body, model);
  const destinations = new Map<string, Destination>();
  for (const request of requests) {
    const value = await read(request.source);
    if (value === undefined || value === null) continue;
    const id = `${request.kind}/${request.target}`;
    let destination = destinations.get(id);
    if (destination === undefined)
      destinations.set(id, (destination = { kind: request.kind, name: request.target, data: {} }));
    destination.data[request.key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const namespace = object.metadata.namespace ?? 'default';
  const ownerReference = {
    apiVersion: options.apiVersion,
    kind: model.kind,
    name: object.metadata.name ?? '',
    uid: object.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  let writes = 0;
  for (const destination of destinations.values()) {
    // Read fresh, not from the informer cache: a write must not be based on a stale copy (or miss a new writer).
    const existing =
      destination.kind === 'Secret'
        ? await kube.getSecret(namespace, destination.name, { fresh: true })
        : await kube.getConfigMap(namespace, destination.name, { fresh: true });
    if (existing !== undefined) {
      const owners = existing.metadata?.ownerReferences ?? [];
      if (!owners.some((owner) => owner.uid === object.metadata.uid)) {
        throw new ConditionError({
          reason: 'AdditionalKubernetesObjectWriteFailure',
          severity: 'Error',
          retryable: true,
          message:
            `${destination.kind} ${namespace}/${destination.name} exists and is not owned by this ${model.kind}; ` +
            `refusing to overwrite it`,
        });
      }
    }
    const current =
      destination.kind === 'Secret'
        ? Object.fromEntries(
            Object.entries((existing as { data?: Record<string, string> } | undefined)?.data ?? {}).map(([k, v]) => [
              k,
              Buffer.from(v, 'base64').toString('utf8'),
            ]),
          )
        : ((existing as { data?: Record<string, string> } | undefined)?.data ?? {});
    if (existing !== undefined && deepEqual(current, destination.data)) continue;
    const metadata = {
      name: destination.name,
      namespace,
      ownerReferences: [ownerReference],
      ...(existing?.metadata?.resourceVersion !== undefined
        ? { resourceVersion: existing.metadata.resourceVersion }
        : {}),
    };
    if (destination.kind === 'Secret') {
      const body = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata,
        type: 'Opaque',
        data: Object.fromEntries(
          Object.entries(destination.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
        ),
      };
      if (existing === undefined) await kube.createSecret(namespace, body);
      else await kube.replaceSecret(namespace, destination.name, body);
    } else {
      const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: destination.data };
      if (existing === undefined) await kube.createConfigMap(namespace, body);
      else await kube.replaceConfigMap(namespace, destination.name, body);
    }
    writes++;
  }
  return writes;
}

/** Reads any export of an ARM resource; a POST action is sent once however many exports read its response. */
function armReader(
  arm: NonNullable<ExportInputs['arm']>,
  body: unknown,
  model: KindModel,
): (source: ExportSource) => Promise<unknown> {
  const actionResults = new Map<string, unknown>();
  return async (source) => {
    if (source.from === 'status') return readPath(body, source.path);
    if (source.from === 'linked') return readLinked(arm.client, body, source, model.apiVersion);
    if (source.from === 'armId') return readPath(parseArmId(arm.id), source.path);
    const action = source.action ?? 'listKeys';
    if (!actionResults.has(action)) {
      const result = await arm.client.post(arm.id, action, model.apiVersion);
      if (!result.done)
        throw new ConditionError({
          reason: 'Reconciling',
          message: `waiting for ${action}`,
          severity: 'Info',
          retryable: true,
          retryAfterMs: result.retryAfterMs,
        });
      actionResults.set(action, result.body);
    }
    return readPath(actionResults.get(action), source.path);
  };
}

/**
 * A `linked` export: the resource whose ARM ID the GET body holds at `via`, read at `path` (undefined until it exists).
 */
async function readLinked(
  client: ArmOperations,
  armBody: unknown,
  source: KindModel['exports'][number],
  apiVersion: string,
): Promise<unknown> {
  const id = readPath(armBody, source.via ?? '');
  if (typeof id !== 'string' || id === '') return undefined;
  return readPath(await client.tryGet(id, apiVersion), source.path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
