/** `meta.k8s.io/v1` Table output: column definitions, cells from printer columns, relative ages. */
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import type { KubeObject, PrinterColumn, ResourceType, VersionSpec } from './types.js';
import { metadataOf, stringField } from './types.js';

/** Kubernetes' HumanDuration ("5m", "3h12m", "2d"). */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Age of a timestamp string relative to `now` ("<unknown>" when absent). */
export function ageOf(value: unknown, now: number): string {
  if (typeof value !== 'string') return '<unknown>';
  const time = Date.parse(value);
  return Number.isNaN(time) ? '<unknown>' : humanDuration(now - time);
}

export const nameColumn: PrinterColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may ' +
    'allow a client to request the generation of an appropriate name automatically. Name is primarily intended ' +
    'for creation idempotence and configuration definition. Cannot be updated. More info: ' +
    'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

export const ageColumn: PrinterColumn = {
  name: 'Age',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  jsonPath: '.metadata.creationTimestamp',
};

/** How a Table row's `object` is filled. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface CompiledColumns {
  definitions: PrinterColumn[];
  cells(object: KubeObject, now: number): unknown[];
}

const compiledCache = new WeakMap<VersionSpec, CompiledColumns>();

/** The columns of a type's version and the function computing a row's cells. */
export function columnsFor(type: ResourceType, version: VersionSpec): CompiledColumns {
  if (type.builtin) {
    const builtin = type.builtin;
    return {
      definitions: [nameColumn, ...builtin.columns],
      cells: (object, now) => [stringField(metadataOf(object), 'name') ?? '', ...builtin.cells(object, now)],
    };
  }
  const cached = compiledCache.get(version);
  if (cached) return cached;
  const columns = version.printerColumns.length > 0 ? version.printerColumns : [ageColumn];
  const evaluators = columns.map((column) => {
    try {
      const steps = parseJsonPath(column.jsonPath ?? '');
      return (object: KubeObject) => evaluateJsonPath(steps, object);
    } catch {
      return () => [];
    }
  });
  const compiled: CompiledColumns = {
    definitions: [nameColumn, ...columns],
    cells: (object, now) => [
      stringField(metadataOf(object), 'name') ?? '',
      ...columns.map((column, index) => formatCell(column, evaluators[index]?.(object) ?? [], now)),
    ],
  };
  compiledCache.set(version, compiled);
  return compiled;
}

function formatCell(column: PrinterColumn, values: unknown[], now: number): unknown {
  if (values.length === 0) return null;
  const first = values[0];
  if (column.type === 'date') return ageOf(first, now);
  if (values.length > 1)
    return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(',');
  if (column.type === 'integer' || column.type === 'number')
    return typeof first === 'number' ? first : first === null ? null : Number(first);
  if (column.type === 'boolean') return typeof first === 'boolean' ? first : String(first) === 'true';
  if (first === null) return null;
  return typeof first === 'string' ? first : typeof first === 'object' ? JSON.stringify(first) : String(first);
}

/** A Table for `objects` (already in the served version). */
export function buildTable(options: {
  type: ResourceType;
  version: VersionSpec;
  objects: KubeObject[];
  includeObject: IncludeObject;
  resourceVersion?: string;
  continueToken?: string;
  remainingItemCount?: number;
  withColumnDefinitions?: boolean;
  now?: number;
}): KubeObject {
  const now = options.now ?? Date.now();
  const columns = columnsFor(options.type, options.version);
  const metadata: Record<string, unknown> = {};
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion;
  if (options.continueToken) metadata.continue = options.continueToken;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions:
      options.withColumnDefinitions === false
        ? null
        : columns.definitions.map((column) => ({
            name: column.name,
            type: column.type,
            format: column.format ?? '',
            description: column.description ?? '',
            priority: column.priority ?? 0,
          })),
    rows: options.objects.map((object) => {
      const row: Record<string, unknown> = { cells: columns.cells(object, now) };
      if (options.includeObject === 'Object') row.object = object;
      else if (options.includeObject === 'Metadata') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(object) };
      }
      return row;
    }),
  };
}
