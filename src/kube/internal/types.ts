/** Shared shapes of the API server: objects, resource types and their versions. */
import type { StatusCause } from './errors.js';
import type { WebhookClientConfig } from './conversion-webhook.js';
import type { JSONSchemaProps } from './schema-api.js';

/** A Kubernetes object as JSON. Stored objects are never mutated: every write makes a new one. */
export type KubeObject = Record<string, unknown>;

/** A printer column (CRD additionalPrinterColumns or a built-in column). */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath?: string;
}

/** One version of a resource type. */
export interface VersionSpec {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: JSONSchemaProps;
  printerColumns: PrinterColumn[];
  statusSubresource: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
}

/** Behaviour specific to a built-in kind. */
export interface BuiltinBehavior {
  /** Fills server-side fields before validation (e.g. Secret stringData → data, Namespace finalizers). */
  prepare?(object: KubeObject, previous: KubeObject | undefined): void;
  /** Kind-specific validation; `previous` is set on updates. */
  validate?(object: KubeObject, previous: KubeObject | undefined): StatusCause[];
  /** Converts a stored object (bucket form) into this type's form, and back. */
  toExternal?(stored: KubeObject): KubeObject;
  toStorage?(external: KubeObject): KubeObject;
  /** Table columns after Name, and the function producing their cells (Name excluded). */
  columns: PrinterColumn[];
  cells(object: KubeObject, now: number): unknown[];
  /** Extra field-selector labels beyond metadata.name/metadata.namespace. */
  fieldLabels?: Record<string, (object: KubeObject) => string | undefined>;
  /** Extra subresources (besides status) served by custom handlers, e.g. namespaces/finalize. */
  extraSubresources?: string[];
}

/** A resource type served by the server (built-in or from a CRD). */
export interface ResourceType {
  group: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  versions: VersionSpec[];
  /** Storage key shared by types that are views of the same objects (core and events.k8s.io events). */
  bucket: string;
  /** Whether metadata.generation is maintained. */
  generation: boolean;
  builtin?: BuiltinBehavior;
  /** Name of the CRD that defines this type. */
  crdName?: string;
  /** Patch types accepted (strategic merge only for built-ins). */
  strategicMerge: boolean;
  /** Warning returned with every request. */
  warning?: string;
  /** Where objects are converted between versions when the CRD's conversion strategy is Webhook. */
  conversionWebhook?: WebhookClientConfig;
}

/** The storage version of a type. */
export function storageVersion(type: ResourceType): VersionSpec {
  const version = type.versions.find((candidate) => candidate.storage) ?? type.versions[0];
  if (!version) throw new Error(`resource type ${type.plural}.${type.group} has no versions`);
  return version;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The metadata object of `object` (an empty object if absent). */
export function metadataOf(object: KubeObject): Record<string, unknown> {
  const metadata = object.metadata;
  return isObject(metadata) ? metadata : {};
}

export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

export function nameOf(object: KubeObject): string {
  return stringField(metadataOf(object), 'name') ?? '';
}

export function namespaceOf(object: KubeObject): string {
  return stringField(metadataOf(object), 'namespace') ?? '';
}

export function resourceVersionOf(object: KubeObject): string {
  return stringField(metadataOf(object), 'resourceVersion') ?? '';
}

export function finalizersOf(object: KubeObject): string[] {
  const finalizers = metadataOf(object).finalizers;
  return Array.isArray(finalizers) ? finalizers.filter((value): value is string => typeof value === 'string') : [];
}

/** Copies `object` with metadata replaced by `metadata` merged over the old one. */
export function withMetadata(object: KubeObject, metadata: Record<string, unknown>): KubeObject {
  return { ...object, metadata: { ...metadataOf(object), ...metadata } };
}

/** RFC 3339 second-precision timestamp as Kubernetes writes them. */
export function timestamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
