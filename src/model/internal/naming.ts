/**
 * ASO's naming rules for the Kubernetes side of a kind: reference property names, union variant keys, version
 * spellings and the walk over a kind's top-level properties (ARM `properties` flattened into spec/status).
 */
import type { KindModel, SchemaNode } from '../types.js';

/** ARM body properties that never appear in spec (`name` becomes `azureName`; the others are Azure's own). */
export const envelopeProperties = new Set(['id', 'name', 'type', 'apiVersion']);

/** `fooBar` → `FooBar`. */
export function upperFirst(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** `FooBar` → `fooBar`. */
export function lowerFirst(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}

/**
 * ASO's JSON spelling of a Go-style name: a leading acronym is lowered whole (`SSLPort` → `sslPort`, `Key1` → `key1`).
 */
export function lowerCamel(value: string): string {
  const match = /^([A-Z]+)([A-Z][a-z].*)$/.exec(value);
  if (match?.[1] && match[2]) return match[1].toLowerCase() + match[2];
  if (/^[A-Z0-9]+$/.test(value)) return value.toLowerCase();
  return lowerFirst(value);
}

/** true when the node (or, for an array, its items) holds ARM IDs of other resources. */
export function isReferenceNode(node: SchemaNode): boolean {
  return node.reference === true || (node.type === 'array' && node.items?.reference === true);
}

/**
 * ASO's spec name of a reference property: `id` → `reference`, `subnetId` → `subnetReference`,
 * `resourceIds` (array) → `resourceReferences`, `scopes` (array) → `scopesReferences`, `workspace` →
 * `workspaceReference`.
 */
export function referencePropertyName(armName: string, isArray: boolean): string {
  if (isArray) {
    if (/ids$/i.test(armName)) return lowerFirst(armName.slice(0, -3) + 'References');
    return lowerFirst(armName + 'References');
  }
  if (/id$/i.test(armName)) return lowerFirst(armName.slice(0, -2) + 'Reference');
  return lowerFirst(armName + 'Reference');
}

/** The Kubernetes (spec) name of an ARM property: `kubeName`, a reference name, or the ARM name itself. */
export function specNameOf(armName: string, node: SchemaNode): string {
  if (node.kubeName !== undefined) return node.kubeName;
  if (isReferenceNode(node)) return referencePropertyName(armName, node.type === 'array');
  return armName;
}

/** The status name of a property below the top level: its `kubeName` (as in spec) or its ARM name. */
export function statusPropertyNameOf(armName: string, node: SchemaNode): string {
  return node.kubeName ?? armName;
}

/**
 * The key of a discriminated union's variant in spec/status: `Periodic` → `periodic`, `#Microsoft.X.Y` → `microsoftXY`.
 */
export function variantKey(discriminatorValue: string): string {
  const words = discriminatorValue.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  return lowerFirst(words.map(upperFirst).join(''));
}

/**
 * true for ASO's user-assigned identity map: ARM `{armId: {...}}`, spec `[{reference}]`. ASO matches the name, not
 * the value type: some providers (Container Registry, PostgreSQL) do not mark the values' `principalId`/`clientId`
 * read-only, yet ASO's spec still holds only references (Azure fills the values in).
 */
export function isUserAssignedIdentityMap(armName: string, node: SchemaNode): boolean {
  return (
    armName === 'userAssignedIdentities' &&
    node.type === 'object' &&
    node.properties === undefined &&
    node.additionalProperties?.type === 'object'
  );
}

/** One top-level property of the Kubernetes object, with the ARM location it comes from. */
export interface TopLevelProperty {
  armName: string;
  node: SchemaNode;
  /** true when it sits inside ARM's `properties` envelope (flattened into spec/status). */
  inProperties: boolean;
  /** Required by Azure at its level. */
  required: boolean;
}

/**
 * The properties of an object node as spec/status see them: ARM's `properties` envelope (an object property named
 * `properties`) is flattened into its parent at every level, as ASO does (Swagger's `x-ms-client-flatten`), unless
 * `flatten` is false, the envelope says `flatten: false` (Swagger does not mark it `x-ms-client-flatten`) or it is
 * a discriminated union (ASO keeps it: `spec.properties.<variant>`). The object's own names win over flattened ones
 * when they collide.
 */
export function objectEntries(node: SchemaNode, flatten = true): TopLevelProperty[] {
  const result: TopLevelProperty[] = [];
  const required = new Set(node.required ?? []);
  const seen = new Set<string>();
  const flattened: TopLevelProperty[] = [];
  for (const [armName, child] of Object.entries(node.properties ?? {})) {
    if (
      armName === 'properties' &&
      flatten &&
      child.flatten !== false &&
      child.type === 'object' &&
      child.properties !== undefined &&
      !child.additionalProperties &&
      !child.discriminator
    ) {
      const innerRequired = new Set(child.required ?? []);
      for (const [innerName, inner] of Object.entries(child.properties)) {
        flattened.push({
          armName: innerName,
          node: child.readOnly ? { ...inner, readOnly: true } : inner,
          inProperties: true,
          required: innerRequired.has(innerName),
        });
      }
      continue;
    }
    seen.add(armName);
    result.push({ armName, node: child, inProperties: false, required: required.has(armName) });
  }
  for (const property of flattened) {
    if (!seen.has(property.armName)) result.push(property);
  }
  return result;
}

/**
 * The top-level properties of spec/status: the body's own properties except `id`/`name`/`type`/`apiVersion`, with
 * `properties` replaced by its contents unless the kind keeps the envelope (`flatten: false`). A flattened property
 * named like one of those envelope fields is kept (an agent pool's `properties.type` is spec `type`, as in ASO).
 * None for a kind that is a union at its root (see `rootUnionOf`).
 */
export function topLevelProperties(model: KindModel): TopLevelProperty[] {
  if (model.body.discriminator) return [];
  const own = Object.entries(model.body.properties ?? {}).filter(([name]) => !envelopeProperties.has(name));
  return objectEntries({ ...model.body, properties: Object.fromEntries(own) }, model.flatten !== false);
}

/**
 * The union node of a kind whose body is a discriminated union at its root (Kusto's databases, on `kind`): the
 * body without Azure's `id`/`name`/`type`/`apiVersion`. Spec and status hold one property per variant (ASO's
 * OneOf: `spec.readWrite`), each with the base properties (`location`) and the variant's own; such a kind has no
 * other top-level properties. Undefined for every other kind.
 */
export function rootUnionOf(model: KindModel): SchemaNode | undefined {
  if (!model.body.discriminator) return undefined;
  const own = Object.entries(model.body.properties ?? {}).filter(([name]) => !envelopeProperties.has(name));
  return { ...model.body, properties: Object.fromEntries(own) };
}

/**
 * The status name of a top-level property: its `kubeName` (ASO's `$renameTo`, as in spec) or its ARM name, except
 * that a flattened property colliding with the `id`/`name`/`type` status reports for the resource itself is
 * prefixed like ASO does (`properties_type`).
 */
export function statusNameOf(property: TopLevelProperty): string {
  if (property.node.kubeName !== undefined) return property.node.kubeName;
  return property.inProperties && envelopeProperties.has(property.armName)
    ? `properties_${property.armName}`
    : property.armName;
}

/**
 * Both ASO spellings of an API version: `2023-01-01` → `["v20230101", "v1api20230101"]` (preview: `v20230101preview`).
 */
export function versionNamesOf(apiVersion: string): string[] {
  const compact = apiVersion.replace(/-/g, '');
  return [`v${compact}`, `v1api${compact}`];
}
