/**
 * Renders a kind's CustomResourceDefinition (apiextensions.k8s.io/v1) from its model: both ASO version spellings
 * with one schema (`vYYYYMMDD` stored, `v1apiYYYYMMDD` served), the status subresource, ASO's printer columns, and
 * enums, bounds and patterns; `x-kubernetes-preserve-unknown-fields` only where the ARM type is `any`.
 */
import type { KindModel, SchemaNode } from '../../../model/index.js';
import { specSchemaOf, statusSchemaOf } from '../../../model/index.js';

/** A Kubernetes JSONSchemaProps, as far as azo emits it. */
export type JsonSchemaProps = Record<string, unknown>;

/** Options of `renderCrd`. */
export interface RenderCrdOptions {
  /** Keep descriptions (default true; dropped automatically when a CRD would exceed `maxBytes`). */
  descriptions?: boolean;
  /** Size limit of the serialized CRD in bytes (default 900,000, below etcd's 1.5 MiB object limit with room). */
  maxBytes?: number;
}

/**
 * kubebuilder-style plural of a kind, lower case: `Registry` → `registries`, `PublicIPAddress` → `publicipaddresses`.
 */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('redis')) return lower;
  // A kind already named in the plural keeps its name, as ASO's CRDs have it (`…AdvancedThreatProtectionSettings`).
  if (lower.endsWith('settings')) return lower;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The CRD's metadata.name: `<plural>.<group>`. */
export function crdNameOf(model: KindModel): string {
  return `${pluralOf(model.kind)}.${model.group}`;
}

/**
 * true when a pattern works both in JavaScript (`u` flag, as the embedded API server) and in a real cluster, whose
 * API server uses Go's RE2: no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`) and no backreferences. Other patterns stay in
 * the model (the emulator can use them) but are left out of CRDs.
 */
export function isUsablePattern(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return false;
      i++;
    } else if (char === '[') {
      inClass = true;
    } else if (char === ']') {
      inClass = false;
    } else if (char === '(' && !inClass && /^\(\?<?[=!]/.test(pattern.slice(i, i + 4))) {
      return false;
    }
  }
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Converts a model schema node into JSONSchemaProps. */
export function toJsonSchema(node: SchemaNode, descriptions: boolean): JsonSchemaProps {
  const out: JsonSchemaProps = {};
  if (descriptions && node.description) out.description = node.description;
  if (node.type === 'any') {
    out['x-kubernetes-preserve-unknown-fields'] = true;
    return out;
  }
  out.type = node.type;
  if (node.enum) out.enum = node.enum;
  if (node.pattern !== undefined && isUsablePattern(node.pattern)) out.pattern = node.pattern;
  for (const key of ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'] as const) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (node.type === 'array')
    out.items = node.items ? toJsonSchema(node.items, descriptions) : { 'x-kubernetes-preserve-unknown-fields': true };
  if (node.type === 'object') {
    if (node.properties) {
      const properties: Record<string, JsonSchemaProps> = {};
      for (const [name, child] of Object.entries(node.properties)) properties[name] = toJsonSchema(child, descriptions);
      out.properties = properties;
    }
    // Kubernetes forbids properties next to additionalProperties: the known properties win (as in ASO's structs);
    // extra keys survive only when their ARM type is `any`.
    if (node.additionalProperties && !node.properties)
      out.additionalProperties = toJsonSchema(node.additionalProperties, descriptions);
    else if (node.additionalProperties?.type === 'any') out['x-kubernetes-preserve-unknown-fields'] = true;
    if (node.required && node.required.length > 0) out.required = node.required;
  }
  return out;
}

/** What a hand-written kind is reconciled against, for its CRD's description. */
function handcraftedDescription(kind: string, api: string, collection: string, apiVersion: string): string {
  if (api === 'graph') return `${kind} is reconciled by azo against Microsoft Graph (${collection}, ${apiVersion}).`;
  if (api === 'sqlserver') {
    return `${kind} is an Azure SQL database user, created by azo in the database that owns it (not an ARM resource).`;
  }
  const engine = api === 'postgresql' ? 'PostgreSQL' : 'MySQL';
  return `${kind} is a ${engine} user, created by azo on the flexible server that owns it (not an ARM resource).`;
}

/** The whole object's schema of a kind (apiVersion, kind, metadata, spec, status). */
export function objectSchemaOf(model: KindModel, descriptions = true): JsonSchemaProps {
  return {
    type: 'object',
    ...(descriptions
      ? {
          description: model.handcrafted
            ? handcraftedDescription(model.kind, model.handcrafted.api, model.armType, model.apiVersion)
            : `${model.kind} is the Azure resource ${model.armType} (api-version ${model.apiVersion}), managed by azo.`,
        }
      : {}),
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: toJsonSchema(specSchemaOf(model), descriptions),
      status: toJsonSchema(statusSchemaOf(model), descriptions),
    },
  };
}

const readyColumn = (name: string, field: string, priority?: number) => ({
  name,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=='Ready')].${field}`,
  ...(priority ? { priority } : {}),
});

/** ASO's printer columns: Ready, Severity, Reason, Message. */
export const printerColumns = [
  readyColumn('Ready', 'status'),
  readyColumn('Severity', 'severity'),
  readyColumn('Reason', 'reason'),
  readyColumn('Message', 'message'),
];

/**
 * Renders the CRD object of a kind from its hub model and the models of its other served versions. Every version is
 * served in both spellings; the hub's `vYYYYMMDD` is the storage version. Only the hub's own schema keeps
 * descriptions (what `kubectl explain` shows, at the preferred version) unless the CRD would exceed `maxBytes`.
 */
export function renderCrd(
  model: KindModel,
  options: RenderCrdOptions = {},
  others: readonly KindModel[] = [],
): Record<string, unknown> {
  const maxBytes = options.maxBytes ?? 900_000;
  const all = [model, ...others].sort((a, b) => b.apiVersion.localeCompare(a.apiVersion));
  const build = (descriptions: boolean) => {
    const withDescriptions = objectSchemaOf(model, descriptions);
    const plain = new Map(
      all.map((entry) => [entry, entry === model && !descriptions ? withDescriptions : objectSchemaOf(entry, false)]),
    );
    const preferred = model.versions[0] ?? '';
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name: crdNameOf(model),
        labels: { 'app.kubernetes.io/name': 'azo' },
        annotations: { 'azo.dev/arm-type': `${model.armType}@${model.apiVersion}` },
      },
      spec: {
        group: model.group,
        names: {
          kind: model.kind,
          listKind: `${model.kind}List`,
          plural: pluralOf(model.kind),
          singular: model.kind.toLowerCase(),
          categories: ['azure', model.group.split('.')[0] ?? 'azure'],
        },
        scope: 'Namespaced',
        versions: all
          .flatMap((entry) =>
            entry.versions.map((name, index) => ({
              name,
              served: true,
              storage: entry === model && index === 0,
              ...(index > 0
                ? {
                    deprecated: true,
                    deprecationWarning: deprecationWarning(model.group, name, entry.versions[0] ?? name),
                  }
                : {}),
              schema: { openAPIV3Schema: entry === model ? withDescriptions : plain.get(entry) },
              subresources: { status: {} },
              additionalPrinterColumns: printerColumns,
            })),
          )
          .sort((a, b) => (a.name === preferred ? -1 : b.name === preferred ? 1 : 0)),
      },
    };
  };
  const full = build(options.descriptions ?? true);
  if (JSON.stringify(full).length <= maxBytes) return full;
  return build(false);
}

/**
 * Selects kinds by ASO's `crdPattern` syntax: `;`-separated `group/kind` entries where either part may be `*`
 * (`storage.azure.com/*;resources.azure.com/ResourceGroup`). Matching is case-insensitive. Empty → everything.
 */
export function matchesCrdPattern(pattern: string | undefined, group: string, kind: string): boolean {
  if (pattern === undefined || pattern.trim() === '') return true;
  return pattern
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .some((entry) => {
      const [groupPattern = '', kindPattern = '*'] = entry.split('/');
      const matches = (glob: string, value: string) =>
        new RegExp(
          `^${glob
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
          'i',
        ).test(value);
      return matches(groupPattern, group) && matches(kindPattern, kind);
    });
}

/** What the API server tells a client of an old spelling (v1apiYYYYMMDD) of a version. */
function deprecationWarning(group: string, version: string, replacement: string): string {
  return `${group}/${version} is deprecated; use ${group}/${replacement}`;
}
