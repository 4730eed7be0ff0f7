/**
 * One object three ways, for the web view: its spec as stored in Kubernetes, the ARM body the operator builds from it
 * (the operator's own conversion, with references resolved from the objects' recorded ARM IDs and secret values
 * replaced by a placeholder), and the resource as Azure (or the emulator) returns it now.
 */
import { listSpecInputs, MissingInputError, parseArmId } from '../../model/index.js';
import { desiredArmBody, RESOURCE_ID_ANNOTATION, wellKnownArmId } from '../../operator/index.js';
import type { ListedObject } from './cluster-objects.js';

/** The three views; a part that cannot be shown says why instead. */
export interface ObjectDetail {
  armId?: string;
  apiVersion: string;
  spec: unknown;
  armBody?: unknown;
  armBodyError?: string;
  azure?: unknown;
  azureError?: string;
}

/** What the detail reads beyond the object itself. */
export interface DetailSources {
  /** Every listed object, to resolve references by Kubernetes name. */
  objects: readonly ListedObject[];
  subscriptionId: string;
  /** A ConfigMap value (`…FromConfig` inputs), or undefined. */
  configMapValue(namespace: string, name: string, key: string): Promise<string | undefined>;
  /** Azure's GET of the resource, undefined when it does not exist; throws when Azure cannot be asked. */
  readAzure?(armId: string, apiVersion: string): Promise<unknown>;
}

const secretPlaceholder = (name: string, key: string) => `<secret: value of key ${key} in Secret ${name}>`;

/** Builds the three views of `target`. */
export async function describeObject(target: ListedObject, sources: DetailSources): Promise<ObjectDetail> {
  const { model, object } = target;
  const namespace = object.metadata?.namespace ?? '';
  const armId = object.metadata?.annotations?.[RESOURCE_ID_ANNOTATION];
  const detail: ObjectDetail = { apiVersion: model.apiVersion, spec: object.spec ?? {}, ...(armId ? { armId } : {}) };
  const configMaps = new Map<string, string>();
  for (const { path, ref } of listSpecInputs(model, object.spec ?? {}).configMaps) {
    const value = await sources.configMapValue(namespace, ref.name, ref.key);
    if (value !== undefined) configMaps.set(path, value);
  }
  try {
    detail.armBody = desiredArmBody(
      model,
      { ...object, metadata: { ...object.metadata } },
      {
        azureName: armId === undefined ? (object.metadata?.name ?? '') : nameOf(armId),
        armIdOf: (_path, ref) => {
          if (ref.armId !== undefined && ref.armId !== '') return ref.armId;
          if (ref.wellKnownName !== undefined) return wellKnownArmId(ref.wellKnownName, sources.subscriptionId);
          const referenced = sources.objects.find(
            (candidate) =>
              candidate.model.group === ref.group &&
              candidate.model.kind === ref.kind &&
              candidate.object.metadata?.namespace === namespace &&
              candidate.object.metadata?.name === ref.name,
          );
          return referenced?.object.metadata?.annotations?.[RESOURCE_ID_ANNOTATION];
        },
        secretValueOf: (_path, ref) => secretPlaceholder(ref.name, ref.key),
        configMapValueOf: (path) => configMaps.get(path),
      },
    );
  } catch (error) {
    if (!(error instanceof MissingInputError)) throw error;
    detail.armBodyError = `not yet: ${error.message} (the operator waits for it too)`;
  }
  if (armId === undefined) {
    detail.azureError = 'not created in Azure yet (the object has no ARM ID)';
  } else if (sources.readAzure === undefined) {
    detail.azureError = 'Azure cannot be read from here (real Azure without a client secret)';
  } else {
    try {
      detail.azure = (await sources.readAzure(armId, model.apiVersion)) ?? undefined;
      if (detail.azure === undefined) detail.azureError = `${armId} does not exist in Azure`;
    } catch (error) {
      detail.azureError = error instanceof Error ? error.message : String(error);
    }
  }
  return detail;
}

function nameOf(armId: string): string {
  try {
    return parseArmId(armId).name;
  } catch {
    return armId.split('/').pop() ?? '';
  }
}
