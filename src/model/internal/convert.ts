/**
 * Generic, model-driven conversions between a kind's Kubernetes spec/status and its ARM body. Pure: references,
 * secrets and ConfigMap values are resolved by the caller (list them with `listSpecInputs`, look them up, then pass
 * lookup functions to `specToArmBody`).
 */
import type { KindModel, SchemaNode } from '../types.js';
import {
  isReferenceNode,
  rootUnionOf,
  isUserAssignedIdentityMap,
  objectEntries,
  specNameOf,
  statusNameOf,
  statusPropertyNameOf,
  topLevelProperties,
  variantKey,
} from './naming.js';

/** ASO's ResourceReference: an ARM ID, a Kubernetes object (same namespace), or a well-known name. */
export interface ResourceReference {
  armId?: string;
  group?: string;
  kind?: string;
  name?: string;
  wellKnownName?: string;
}

/** `{name, key}` of a Secret or ConfigMap in the object's namespace. */
export interface KeyReference {
  name: string;
  key: string;
}

/**
 * The inputs a spec needs resolved before it can become an ARM body, each with its spec path (`spec.subnet.reference`).
 */
export interface SpecInputs {
  references: Array<{ path: string; ref: ResourceReference }>;
  secrets: Array<{ path: string; ref: KeyReference }>;
  configMaps: Array<{ path: string; ref: KeyReference }>;
}

/** Lookups `specToArmBody` calls; each throws (or returns undefined → `MissingInputError`) when it cannot resolve. */
export interface ResolvedInputs {
  /** The Azure name when `spec.azureName` is empty: normally `metadata.name` (a GUID for kinds without a default). */
  azureName: string;
  /** ARM ID of a reference (`{armId}` may be returned as is). Default: `ref.armId`. */
  armIdOf?: (path: string, ref: ResourceReference) => string | undefined;
  /** Value of a secret input. */
  secretValueOf?: (path: string, ref: KeyReference) => string | undefined;
  /** Value of a ConfigMap input (`…FromConfig`). */
  configMapValueOf?: (path: string, ref: KeyReference) => string | undefined;
}

/** A reference, secret or ConfigMap input that the caller's lookups did not resolve. */
export class MissingInputError extends Error {
  constructor(
    readonly path: string,
    readonly input: 'reference' | 'secret' | 'configMap',
  ) {
    super(`cannot resolve ${input} at ${path}`);
    this.name = 'MissingInputError';
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mergedVariant(node: SchemaNode, variant: SchemaNode): SchemaNode {
  return { ...variant, type: 'object', properties: { ...(node.properties ?? {}), ...(variant.properties ?? {}) } };
}

/** Walks a spec value along the ARM schema, calling `visit` for each input. */
function walkInputs(
  node: SchemaNode,
  armName: string | undefined,
  holder: Json,
  path: string,
  inputs: SpecInputs,
): void {
  if (node.readOnly || armName === undefined) return;
  const name = specNameOf(armName, node);
  const value = holder[name];
  const childPath = `${path}.${name}`;
  if (isReferenceNode(node)) {
    if (Array.isArray(value))
      value.forEach((ref, i) => isObject(ref) && inputs.references.push({ path: `${childPath}[${i}]`, ref }));
    else if (isObject(value)) inputs.references.push({ path: childPath, ref: value });
    return;
  }
  if (node.secret) {
    if (isObject(value)) inputs.secrets.push({ path: childPath, ref: value as unknown as KeyReference });
    return;
  }
  if (node.configMapInput) {
    const fromConfig = holder[`${name}FromConfig`];
    if (value === undefined && isObject(fromConfig))
      inputs.configMaps.push({ path: `${childPath}FromConfig`, ref: fromConfig as unknown as KeyReference });
  }
  if (isUserAssignedIdentityMap(armName, node)) {
    if (Array.isArray(value)) {
      value.forEach((entry, i) => {
        if (isObject(entry) && isObject(entry.reference))
          inputs.references.push({ path: `${childPath}[${i}].reference`, ref: entry.reference });
      });
    }
    return;
  }
  walkValue(node, value, childPath, inputs);
}

function walkValue(node: SchemaNode, value: unknown, path: string, inputs: SpecInputs): void {
  if (node.type === 'array' && node.items && Array.isArray(value)) {
    const items = node.items;
    value.forEach((item, i) => walkValue(items, item, `${path}[${i}]`, inputs));
    return;
  }
  if (node.type !== 'object' || !isObject(value)) return;
  if (node.discriminator) {
    for (const [discriminatorValue, variant] of Object.entries(node.discriminator.variants)) {
      const key = variantKey(discriminatorValue);
      if (isObject(value[key])) walkValue(mergedVariant(node, variant), value[key], `${path}.${key}`, inputs);
    }
    return;
  }
  if (node.additionalProperties && !node.properties) {
    const values = node.additionalProperties;
    for (const [key, entry] of Object.entries(value)) walkValue(values, entry, `${path}.${key}`, inputs);
  }
  for (const entry of objectEntries(node)) walkInputs(entry.node, entry.armName, value, path, inputs);
}

/** Lists the references, secrets and ConfigMap inputs of a spec, with their paths (`spec.…`). */
export function listSpecInputs(model: KindModel, spec: Json): SpecInputs {
  const inputs: SpecInputs = { references: [], secrets: [], configMaps: [] };
  for (const property of topLevelProperties(model)) walkInputs(property.node, property.armName, spec, 'spec', inputs);
  const union = rootUnionOf(model);
  if (union) walkValue(union, spec, 'spec', inputs);
  return inputs;
}

class ToArm {
  constructor(private readonly resolved: ResolvedInputs) {}

  /** Converts the spec properties of an ARM object node found in `holder` into `target` (envelope restored). */
  properties(node: SchemaNode, holder: Json, path: string, target: Json): void {
    for (const entry of objectEntries(node)) {
      const converted = this.property(entry.armName, entry.node, holder, path);
      if (converted === undefined) continue;
      if (entry.inProperties) {
        const envelope = isObject(target.properties) ? target.properties : {};
        envelope[entry.armName] = converted;
        target.properties = envelope;
      } else {
        target[entry.armName] = converted;
      }
    }
  }

  property(armName: string, node: SchemaNode, holder: Json, path: string): unknown {
    if (node.readOnly) return undefined;
    const name = specNameOf(armName, node);
    const value = holder[name];
    const childPath = `${path}.${name}`;
    if (isReferenceNode(node)) {
      if (Array.isArray(value)) return value.map((ref, i) => this.armId(`${childPath}[${i}]`, ref));
      return value === undefined || value === null ? undefined : this.armId(childPath, value);
    }
    if (node.secret) {
      if (!isObject(value)) return undefined;
      const secret = this.resolved.secretValueOf?.(childPath, value as unknown as KeyReference);
      if (secret === undefined) throw new MissingInputError(childPath, 'secret');
      return secret;
    }
    if (node.configMapInput && value === undefined) {
      const fromConfig = holder[`${name}FromConfig`];
      if (!isObject(fromConfig)) return undefined;
      const configValue = this.resolved.configMapValueOf?.(
        `${childPath}FromConfig`,
        fromConfig as unknown as KeyReference,
      );
      if (configValue === undefined) throw new MissingInputError(`${childPath}FromConfig`, 'configMap');
      return configValue;
    }
    if (isUserAssignedIdentityMap(armName, node)) {
      if (!Array.isArray(value)) return undefined;
      const map: Json = {};
      value.forEach((entry, i) => {
        if (isObject(entry)) map[this.armId(`${childPath}[${i}].reference`, entry.reference)] = {};
      });
      return map;
    }
    return this.value(node, value, childPath);
  }

  value(node: SchemaNode, value: unknown, path: string): unknown {
    if (value === undefined || value === null) return undefined;
    if (node.type === 'array') {
      const items = node.items;
      if (!Array.isArray(value) || !items) return value;
      return value.map((item, i) => this.value(items, item, `${path}[${i}]`));
    }
    if (node.type !== 'object' || !isObject(value)) return value;
    if (node.discriminator) {
      for (const [discriminatorValue, variant] of Object.entries(node.discriminator.variants)) {
        const key = variantKey(discriminatorValue);
        const chosen = value[key];
        if (isObject(chosen)) {
          const out: Json = {};
          this.properties(mergedVariant(node, variant), chosen, `${path}.${key}`, out);
          out[node.discriminator.property] = discriminatorValue;
          return out;
        }
      }
      return undefined;
    }
    const out: Json = {};
    if (node.additionalProperties && !node.properties) {
      const values = node.additionalProperties;
      for (const [key, entry] of Object.entries(value)) out[key] = this.value(values, entry, `${path}.${key}`);
      return out;
    }
    if (node.type === 'object' && !node.properties && !node.additionalProperties) return value;
    this.properties(node, value, path, out);
    return out;
  }

  armId(path: string, ref: unknown): string {
    const reference = isObject(ref) ? (ref as ResourceReference) : {};
    const id = this.resolved.armIdOf ? this.resolved.armIdOf(path, reference) : reference.armId;
    if (id === undefined) throw new MissingInputError(path, 'reference');
    return id;
  }
}

/**
 * Converts a spec into the ARM PUT body: `name` (fixed name, `spec.azureName` or `resolved.azureName`), top-level
 * properties (`location`, `tags`, `sku`, …), the `properties` envelope restored, references → ARM IDs, secret and
 * ConfigMap inputs → values, unions → their discriminator. Read-only fields and unknown spec fields are never sent.
 * Throws `MissingInputError` for an input the lookups cannot resolve.
 */
export function specToArmBody(model: KindModel, spec: Json, resolved: ResolvedInputs): Json {
  const convert = new ToArm(resolved);
  const azureName = typeof spec.azureName === 'string' && spec.azureName !== '' ? spec.azureName : resolved.azureName;
  const body: Json = { name: model.fixedName ?? azureName };
  const envelope: Json = {};
  for (const property of topLevelProperties(model)) {
    const value = convert.property(property.armName, property.node, spec, 'spec');
    if (value === undefined) continue;
    if (property.inProperties) envelope[property.armName] = value;
    else body[property.armName] = value;
  }
  const propertiesNode = model.body.properties?.properties;
  const propertiesRequired = (model.body.required ?? []).includes('properties');
  const flattened = model.flatten !== false && propertiesNode && body.properties === undefined;
  if (flattened && (Object.keys(envelope).length > 0 || propertiesRequired)) body.properties = envelope;
  const union = rootUnionOf(model);
  const chosen = union ? convert.value(union, spec, 'spec') : undefined;
  return isObject(chosen) ? { ...body, ...chosen } : body;
}

class ToStatus {
  value(node: SchemaNode, value: unknown): unknown {
    if (value === undefined || value === null) return undefined;
    if (node.writeOnly || node.secret) return undefined;
    if (node.type === 'array') {
      const items = node.items;
      if (!Array.isArray(value) || !items) return value;
      return value.map((item) => this.value(items, item));
    }
    if (node.type !== 'object' || !isObject(value)) return value;
    if (node.discriminator) {
      const discriminatorValue = value[node.discriminator.property];
      for (const [candidate, variant] of Object.entries(node.discriminator.variants)) {
        if (typeof discriminatorValue === 'string' && candidate.toLowerCase() === discriminatorValue.toLowerCase()) {
          return { [variantKey(candidate)]: this.value(mergedVariant(node, variant), value) };
        }
      }
      return undefined;
    }
    if (node.additionalProperties && !node.properties) {
      const out: Json = {};
      for (const [key, entry] of Object.entries(value)) out[key] = this.value(node.additionalProperties, entry);
      return out;
    }
    if (!node.properties) return value;
    const out: Json = {};
    const envelope = isObject(value.properties) ? value.properties : {};
    for (const entry of objectEntries(node)) {
      const converted = this.value(entry.node, (entry.inProperties ? envelope : value)[entry.armName]);
      if (converted !== undefined) out[statusPropertyNameOf(entry.armName, entry.node)] = converted;
    }
    return out;
  }
}

/**
 * Converts an ARM GET body into `status` (without `conditions`, which the reconciler owns): `id`, `name`, `type`, the
 * top-level properties and the `properties` envelope flattened; write-only and secret fields dropped; fields the model
 * does not know dropped.
 */
export function armBodyToStatus(model: KindModel, armBody: Json): Json {
  const convert = new ToStatus();
  const status: Json = {};
  for (const key of ['id', 'name', 'type']) if (typeof armBody[key] === 'string') status[key] = armBody[key];
  const envelope = isObject(armBody.properties) ? armBody.properties : {};
  for (const property of topLevelProperties(model)) {
    const source = property.inProperties ? envelope : armBody;
    const converted = convert.value(property.node, source[property.armName]);
    if (converted !== undefined) status[statusNameOf(property)] = converted;
  }
  const union = rootUnionOf(model);
  const variant = union ? convert.value(union, armBody) : undefined;
  return isObject(variant) ? { ...status, ...variant } : status;
}

/**
 * Reads a dotted path with array indices and selectors from a JSON value, as `ExportSource.path` spells it:
 * `properties.primaryEndpoints.blob`, `keys[0].value`, `value[name=Primary Read Only].connectionString` (the first
 * element whose `name` is that value: list actions answer with arrays of named keys). Property names match
 * case-insensitively when there is no exact match (ARM is case-insensitive). Returns undefined when any step is
 * missing.
 */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const step of path.split('.')) {
    const match = /^([^[\]]*)((?:\[[^\]]+\])*)$/.exec(step);
    if (!match) return undefined;
    const [, name = '', selectors = ''] = match;
    if (name !== '') current = propertyOf(current, name);
    for (const [, selector = ''] of selectors.matchAll(/\[([^\]]+)\]/g)) {
      if (!Array.isArray(current)) return undefined;
      const equals = selector.indexOf('=');
      if (equals < 0) current = /^\d+$/.test(selector) ? current[Number(selector)] : undefined;
      else
        current = current.find(
          (element) => propertyOf(element, selector.slice(0, equals)) === selector.slice(equals + 1),
        );
    }
  }
  return current;
}

/** `value[name]`, or the property whose name differs only in case; undefined for a non-object. */
function propertyOf(value: unknown, name: string): unknown {
  if (!isObject(value)) return undefined;
  const record: Json = value;
  const key =
    name in record ? name : Object.keys(record).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

/** How `armBodyToSpec` writes what a spec cannot hold as a plain value. */
export interface ArmToSpecOptions {
  /** The Kubernetes object a referenced ARM ID belongs to (one imported too); undefined → `{armId}`. */
  objectOf?: (armId: string) => { group: string; kind: string; name: string } | undefined;
  /** The Secret reference to write for a required secret input (Azure never returns secrets). */
  secretPlaceholder?: (path: string) => KeyReference;
}

/** The spec `armBodyToSpec` made, and the secret inputs it could only stand in for. */
export interface ArmToSpecResult {
  spec: Json;
  /** Spec paths (`spec.administratorLoginPassword`) holding a placeholder Secret reference. */
  placeholders: string[];
}

class FromArm {
  readonly placeholders: string[] = [];

  constructor(private readonly options: ArmToSpecOptions) {}

  /** The spec properties of an ARM object node from `value` (its `properties` envelope read back). */
  properties(node: SchemaNode, value: Json, path: string, target: Json): void {
    const envelope = isObject(value.properties) ? value.properties : {};
    for (const entry of objectEntries(node)) {
      this.property(entry, (entry.inProperties ? envelope : value)[entry.armName], path, target);
    }
  }

  property(
    entry: { armName: string; node: SchemaNode; required: boolean },
    value: unknown,
    path: string,
    target: Json,
  ): void {
    const { armName, node } = entry;
    if (node.readOnly || node.writeOnly) {
      if (!(node.secret && entry.required)) return;
    }
    const name = specNameOf(armName, node);
    const childPath = `${path}.${name}`;
    let converted: unknown;
    if (node.secret) {
      if (!entry.required || this.options.secretPlaceholder === undefined) return;
      converted = this.options.secretPlaceholder(childPath);
      this.placeholders.push(childPath);
    } else if (isReferenceNode(node)) {
      converted = Array.isArray(value)
        ? value.map((id) => this.reference(id))
        : value === undefined || value === null
          ? undefined
          : this.reference(value);
    } else if (isUserAssignedIdentityMap(armName, node)) {
      converted = isObject(value) ? Object.keys(value).map((id) => ({ reference: this.reference(id) })) : undefined;
    } else {
      converted = this.value(node, value, childPath);
    }
    if (!isEmpty(converted)) target[name] = converted;
  }

  value(node: SchemaNode, value: unknown, path: string): unknown {
    if (value === undefined || value === null) return undefined;
    if (node.readOnly || node.writeOnly || node.secret) return undefined;
    if (node.type === 'array') {
      const items = node.items;
      if (!Array.isArray(value) || !items) return value;
      return value.map((item, i) => this.value(items, item, `${path}[${i}]`) ?? {});
    }
    if (node.type !== 'object' || !isObject(value)) return value;
    if (node.discriminator) {
      const chosen = value[node.discriminator.property];
      for (const [candidate, variant] of Object.entries(node.discriminator.variants)) {
        if (typeof chosen !== 'string' || candidate.toLowerCase() !== chosen.toLowerCase()) continue;
        const key = variantKey(candidate);
        const out: Json = {};
        const merged = mergedVariant(node, variant);
        const properties = { ...(merged.properties ?? {}) };
        delete properties[node.discriminator.property];
        this.properties({ ...merged, properties }, value, `${path}.${key}`, out);
        return { [key]: out };
      }
      return undefined;
    }
    if (node.additionalProperties && !node.properties) {
      const out: Json = {};
      for (const [key, entry] of Object.entries(value))
        out[key] = this.value(node.additionalProperties, entry, `${path}.${key}`);
      return out;
    }
    if (!node.properties) return value;
    const out: Json = {};
    this.properties(node, value, path, out);
    return out;
  }

  reference(id: unknown): unknown {
    if (typeof id !== 'string') return undefined;
    return this.options.objectOf?.(id) ?? { armId: id };
  }
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/**
 * The inverse of `specToArmBody`, for importing a resource: the spec that yields this ARM body. Read-only and
 * write-only fields are left out (Azure computes the one and never returns the other), and so are empty values;
 * references become `{armId}` (or the imported object `objectOf` names), user-assigned identities a list of
 * references, unions their variant key; a required secret input becomes `secretPlaceholder`'s Secret reference.
 * `azureName`, `owner` and the arrays of `inlineChildren` (imported as objects of their own) are the caller's.
 */
export function armBodyToSpec(model: KindModel, armBody: Json, options: ArmToSpecOptions = {}): ArmToSpecResult {
  const convert = new FromArm(options);
  const spec: Json = {};
  const envelope = isObject(armBody.properties) ? armBody.properties : {};
  const inline = new Set(model.inlineChildren ?? []);
  for (const property of topLevelProperties(model)) {
    if (property.inProperties && inline.has(property.armName)) continue;
    convert.property(property, (property.inProperties ? envelope : armBody)[property.armName], 'spec', spec);
  }
  const union = rootUnionOf(model);
  const variant = union ? convert.value(union, armBody, 'spec') : undefined;
  if (isObject(variant)) Object.assign(spec, variant);
  return { spec, placeholders: convert.placeholders };
}
