/**
 * Exports: `spec.operatorSpec.secrets` / `.configMaps` name a Secret/ConfigMap (`{name, key}`) in the object's
 * namespace for each value the kind can export (model `exports`: a path in Azure's GET body, or a POST action's
 * response such as `listKeys`). The Secret/ConfigMap is owned by the object; one owned by anything else is a conflict.
 */
import type { ArmOperations } from '../../arm/index.js';
import { type KindModel, parseArmId, readPath } from '../../model/index.js';
import { ConditionError } from './errors.js';
import type { KubeAccess, KubeObject } from './kube.js';
import { deepEqual } from './merge-patch.js';

interface Destination {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  data: Record<string, string>;
}

/** The export destinations an object asks for, grouped by Secret/ConfigMap. Unknown export names are an error. */
export function plannedExports(model: KindModel, spec: Record<string, unknown> | undefined): { requests: Array<{ kind: 'Secret' | 'ConfigMap'; target: string; key: string; source: KindModel['exports'][number] }>; unknown: string[] } {
  const operatorSpec = isRecord(spec?.['operatorSpec']) ? spec['operatorSpec'] : {};
  const requests: Array<{ kind: 'Secret' | 'ConfigMap'; target: string; key: string; source: KindModel['exports'][number] }> = [];
  const unknown: string[] = [];
  for (const [field, kind, secret] of [['secrets', 'Secret', true], ['configMaps', 'ConfigMap', false]] as const) {
    const entries = operatorSpec[field];
    if (!isRecord(entries)) continue;
    for (const [exportName, destination] of Object.entries(entries)) {
      if (!isRecord(destination) || typeof destination['name'] !== 'string' || typeof destination['key'] !== 'string') continue;
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

/** Writes the object's exports (only what changed). Throws `ConditionError` on a conflict or a missing value source. */
export async function writeExports(options: {
  kube: KubeAccess; object: KubeObject; model: KindModel; apiVersion: string; armId: string; armBody: unknown; client: ArmOperations;
}): Promise<number> {
  const { kube, object, model, armId, armBody, client } = options;
  const { requests, unknown } = plannedExports(model, object.spec);
  if (unknown.length > 0) throw new ConditionError({ reason: 'InvalidExport', message: `${model.kind} cannot export ${unknown.join(', ')}`, severity: 'Error', retryable: false });
  if (requests.length === 0) return 0;
  const actionResults = new Map<string, unknown>();
  const destinations = new Map<string, Destination>();
  for (const request of requests) {
    let value: unknown;
    if (request.source.from === 'status') {
      value = readPath(armBody, request.source.path);
    } else if (request.source.from === 'linked') {
      value = await readLinked(client, armBody, request.source, model.apiVersion);
    } else if (request.source.from === 'armId') {
      value = readPath(parseArmId(armId), request.source.path);
    } else {
      const action = request.source.action ?? 'listKeys';
      if (!actionResults.has(action)) {
        const result = await client.post(armId, action, model.apiVersion);
        if (!result.done) throw new ConditionError({ reason: 'Reconciling', message: `waiting for ${action}`, severity: 'Info', retryable: true, retryAfterMs: result.retryAfterMs });
        actionResults.set(action, result.body);
      }
      value = readPath(actionResults.get(action), request.source.path);
    }
    if (value === undefined || value === null) continue;
    const id = `${request.kind}/${request.target}`;
    let destination = destinations.get(id);
    if (destination === undefined) destinations.set(id, (destination = { kind: request.kind, name: request.target, data: {} }));
    destination.data[request.key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const namespace = object.metadata.namespace ?? 'default';
  const ownerReference = {
    apiVersion: options.apiVersion, kind: model.kind, name: object.metadata.name ?? '', uid: object.metadata.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
  let writes = 0;
  for (const destination of destinations.values()) {
    // Read fresh, not from the informer cache: a write must not be based on a stale copy (or miss a new writer).
    const existing = destination.kind === 'Secret'
      ? await kube.getSecret(namespace, destination.name, { fresh: true })
      : await kube.getConfigMap(namespace, destination.name, { fresh: true });
    if (existing !== undefined) {
      const owners = existing.metadata?.ownerReferences ?? [];
      if (!owners.some((owner) => owner.uid === object.metadata.uid)) {
        throw new ConditionError({
          reason: 'AdditionalKubernetesObjectWriteFailure', severity: 'Error', retryable: true,
          message: `${destination.kind} ${namespace}/${destination.name} exists and is not owned by this ${model.kind}; refusing to overwrite it`,
        });
      }
    }
    const current = destination.kind === 'Secret'
      ? Object.fromEntries(Object.entries((existing as { data?: Record<string, string> } | undefined)?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
      : (existing as { data?: Record<string, string> } | undefined)?.data ?? {};
    if (existing !== undefined && deepEqual(current, destination.data)) continue;
    const metadata = { name: destination.name, namespace, ownerReferences: [ownerReference], ...(existing?.metadata?.resourceVersion !== undefined ? { resourceVersion: existing.metadata.resourceVersion } : {}) };
    if (destination.kind === 'Secret') {
      const body = { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: Object.fromEntries(Object.entries(destination.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])) };
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

/** A `linked` export: the resource whose ARM ID the GET body holds at `via`, read at `path` (undefined until it exists). */
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
