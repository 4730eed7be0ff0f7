/**
 * The resource model: the generated description of every kind azo serves, and the generic code that reads it —
 * ARM IDs (build/parse), spec → ARM body and ARM body → status conversion, the Kubernetes spec/status schemas
 * (ASO's conventions), naming rules. Pure code: the only I/O is the lazy import of a generated kind file.
 */
import { kindLoaders, versionLoaders } from '../../generated/model/index.js';
import type { ArmCatalog, KindModel } from './types.js';
import { convertWithSchema, objectShapeOf, type ConvertibleObject } from './internal/versions.js';
import { modelVersionConverter, type VersionConverter } from './internal/version-conversion.js';

export type { ArmScope, HandcraftedApi, SchemaNode, ExportSource, KindModel, ArmCatalog } from './types.js';
export { parseArmId, buildArmId, isArmId, armIdsEqual, ArmIdError } from './internal/armid.js';
export type { ArmId, ArmIdKind, BuildArmIdOptions } from './internal/armid.js';
export {
  specSchemaOf,
  statusSchemaOf,
  resourceReferenceSchema,
  keyReferenceSchema,
  conditionSchema,
  destinationExpressionSchema,
} from './internal/kube-schema.js';
export { convertWithSchema, objectShapeOf, conversionAnnotation, convertBySchema } from './internal/versions.js';
export type { ShapeSchema, ConvertibleObject } from './internal/versions.js';
export {
  specToArmBody,
  armBodyToStatus,
  armBodyToSpec,
  listSpecInputs,
  readPath,
  MissingInputError,
} from './internal/convert.js';
export type {
  ResourceReference,
  KeyReference,
  SpecInputs,
  ResolvedInputs,
  ArmToSpecOptions,
  ArmToSpecResult,
} from './internal/convert.js';
export {
  referencePropertyName,
  specNameOf,
  statusPropertyNameOf,
  variantKey,
  versionNamesOf,
  topLevelProperties,
  statusNameOf,
  objectEntries,
  isReferenceNode,
  lowerFirst,
  lowerCamel,
  upperFirst,
} from './internal/naming.js';
export type { TopLevelProperty } from './internal/naming.js';
export { modelVersionConverter, ConversionError } from './internal/version-conversion.js';
export type { VersionConverter, KindVersionsLookup, ToVersion } from './internal/version-conversion.js';

/** The `group/Kind` keys of every generated kind, sorted (no kind file is loaded). */
export function listKindKeys(): string[] {
  return Object.keys(kindLoaders).sort();
}

/** Loads every generated kind model (each file is imported once and cached by the module loader). */
export async function listKindModels(): Promise<KindModel[]> {
  return Promise.all(
    listKindKeys().map(async (key) => {
      const loader = kindLoaders[key];
      if (!loader) throw new Error(`no model for ${key}`);
      return (await loader()).default;
    }),
  );
}

/** Loads every generated kind-version model: each kind's hub and its other served versions. */
export async function listKindVersionModels(): Promise<KindModel[]> {
  const hubs = await listKindModels();
  const others = await Promise.all(
    Object.values(versionLoaders)
      .flatMap((loaders) => Object.values(loaders))
      .map(async (loader) => (await loader()).default),
  );
  return [...hubs, ...others];
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
  const models = await loadKindVersions(group, kind);
  return models.find((model) => model.versions.includes(version));
}

/**
 * Every served version of a kind (hub first, then the others newest first); [] when azo has no such kind. `group`
 * is the Kubernetes group; the lookup is case-insensitive.
 */
export async function loadKindVersions(group: string, kind: string): Promise<KindModel[]> {
  const hub = await loadKindModel(group, kind);
  if (!hub) return [];
  const loaders = versionLoaders[`${hub.group}/${hub.kind}`] ?? {};
  const others = await Promise.all(Object.values(loaders).map(async (loader) => (await loader()).default));
  return [hub, ...others.sort((a, b) => b.apiVersion.localeCompare(a.apiVersion))];
}

/**
 * The converter between the served versions of every kind (see `VersionConverter`): the conversion webhook and
 * in-process callers use it.
 */
export function versionConverter(): VersionConverter {
  return modelVersionConverter(loadKindVersions, (object, desiredApiVersion, target) =>
    convertWithSchema(object, desiredApiVersion, objectShapeOf(target)),
  );
}

/** The generated catalog of ARM types: published api-versions and fixed names (imported on first use). */
export async function loadArmCatalog(): Promise<ArmCatalog> {
  return (await import('../../generated/catalog.js')).default;
}

/**
 * `object` (a kind azo serves, at any served version) converted to `toApiVersion` (`group/version`) by the kinds'
 * models: fields the target version lacks are kept in the `azo.dev/fields-from-other-versions` annotation and come
 * back on the way to a version that has them. The conversion webhook and the embedded API server use this.
 */
export async function convert(object: ConvertibleObject, toApiVersion: string): Promise<ConvertibleObject> {
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const target = await loadKindModelForApiVersion(toApiVersion, kind);
  if (!target) throw new Error(`azo serves no ${kind} at ${toApiVersion}`);
  return convertWithSchema(object, toApiVersion, objectShapeOf(target));
}
