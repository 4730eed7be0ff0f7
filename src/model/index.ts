/**
 * The resource model: the generated description of every kind azo serves, and the generic code that reads it —
 * ARM IDs (build/parse), spec → ARM body and ARM body → status conversion, the Kubernetes spec/status schemas
 * (ASO's conventions), naming rules. Pure code: the only I/O is the lazy import of a generated kind file.
 */
import { kindLoaders } from '../../generated/model/index.js';
import type { ArmCatalog, KindModel } from './types.js';

export type { ArmScope, SchemaNode, ExportSource, KindModel, ArmCatalog } from './types.js';
export { parseArmId, buildArmId, isArmId, armIdsEqual, ArmIdError } from './internal/armid.js';
export type { ArmId, ArmIdKind, BuildArmIdOptions } from './internal/armid.js';
export { specSchemaOf, statusSchemaOf, resourceReferenceSchema, keyReferenceSchema, conditionSchema } from './internal/kube-schema.js';
export { specToArmBody, armBodyToStatus, armBodyToSpec, listSpecInputs, readPath, MissingInputError } from './internal/convert.js';
export type { ResourceReference, KeyReference, SpecInputs, ResolvedInputs, ArmToSpecOptions, ArmToSpecResult } from './internal/convert.js';
export { referencePropertyName, specNameOf, variantKey, versionNamesOf, topLevelProperties, statusNameOf, objectEntries, isReferenceNode, lowerFirst, lowerCamel, upperFirst } from './internal/naming.js';
export type { TopLevelProperty } from './internal/naming.js';

/** The `group/Kind` keys of every generated kind, sorted (no kind file is loaded). */
export function listKindKeys(): string[] {
  return Object.keys(kindLoaders).sort();
}

/** Loads every generated kind model (each file is imported once and cached by the module loader). */
export async function listKindModels(): Promise<KindModel[]> {
  return Promise.all(listKindKeys().map(async (key) => {
    const loader = kindLoaders[key];
    if (!loader) throw new Error(`no model for ${key}`);
    return (await loader()).default;
  }));
}

/**
 * Loads one kind's model, or undefined when azo has no such kind. `group` is the Kubernetes group
 * (`storage.azure.com`); the lookup of group and kind is case-insensitive.
 */
export async function loadKindModel(group: string, kind: string): Promise<KindModel | undefined> {
  const wanted = `${group}/${kind}`.toLowerCase();
  const key = Object.keys(kindLoaders).find((candidate) => candidate.toLowerCase() === wanted);
  const loader = key === undefined ? undefined : kindLoaders[key];
  return loader ? (await loader()).default : undefined;
}

/** The model of a kind at an apiVersion such as `storage.azure.com/v1api20230101`, if it serves that version. */
export async function loadKindModelForApiVersion(apiVersion: string, kind: string): Promise<KindModel | undefined> {
  const [group, version] = apiVersion.split('/');
  if (group === undefined || version === undefined) return undefined;
  const model = await loadKindModel(group, kind);
  return model && model.versions.includes(version) ? model : undefined;
}

/** The generated catalog of ARM types: published api-versions and fixed names (imported on first use). */
export async function loadArmCatalog(): Promise<ArmCatalog> {
  return (await import('../../generated/catalog.js')).default;
}
