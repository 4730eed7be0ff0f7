/**
 * The Kubernetes shapes of a kind, derived from its ARM body schema by ASO's conventions: `spec` (writable
 * properties, `properties` flattened, `azureName`, `owner`, `…Reference`, secret and `…FromConfig` inputs,
 * `operatorSpec`) and `status` (everything Azure returns, plus `conditions`). The result is a `SchemaNode` tree
 * without flags, which the CRD renderer and the TypeScript declaration writer turn into their formats.
 */
import type { KindModel, SchemaNode } from '../types.js';
import {
  isReferenceNode,
  isUserAssignedIdentityMap,
  objectEntries,
  rootUnionOf,
  specNameOf,
  statusNameOf,
  statusPropertyNameOf,
  topLevelProperties,
  variantKey,
} from './naming.js';

const str = (description?: string): SchemaNode => ({ type: 'string', ...(description ? { description } : {}) });

/** `{armId} | {group, kind, name}` (ASO's ResourceReference), plus `wellKnownName` when allowed. */
export function resourceReferenceSchema(wellKnown: boolean, description?: string): SchemaNode {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties: {
      armId: str('The ARM ID of the resource (use this or group/kind/name).'),
      group: str('The Kubernetes group of the referenced object.'),
      kind: str('The Kubernetes kind of the referenced object.'),
      name: str('The Kubernetes name of the referenced object, in the same namespace.'),
      ...(wellKnown ? { wellKnownName: str('A well-known name (e.g. a built-in role name such as Reader).') } : {}),
    },
  };
}

/** `{name, key}`: a key of a Secret or ConfigMap in the same namespace. */
export function keyReferenceSchema(what: 'Secret' | 'ConfigMap', description?: string): SchemaNode {
  return {
    type: 'object',
    description: description ?? `A key of a Kubernetes ${what} in the same namespace.`,
    required: ['name', 'key'],
    properties: { name: str(`The name of the ${what}.`), key: str(`The key in the ${what}.`) },
  };
}

/**
 * `{name, key, value}`: a CEL expression whose result is written to a Secret/ConfigMap key (ASO's
 * DestinationExpression).
 */
export function destinationExpressionSchema(): SchemaNode {
  return {
    type: 'object',
    required: ['name', 'value'],
    properties: {
      name: str('Destination name.'),
      key: str('Destination key (required unless value is a map).'),
      value: str('CEL expression.'),
    },
  };
}

function withoutFlags(node: SchemaNode): SchemaNode {
  const {
    properties: _p,
    required: _r,
    additionalProperties: _a,
    items: _i,
    discriminator: _d,
    readOnly: _ro,
    writeOnly: _wo,
    secret: _s,
    reference: _ref,
    wellKnownReference: _wk,
    configMapInput: _cm,
    kubeName: _k,
    flatten: _f,
    ...rest
  } = node;
  return rest;
}

/** The spec shape of one ARM node, or undefined when nothing of it is writable. */
function specNode(node: SchemaNode, armName: string | undefined): SchemaNode | undefined {
  if (node.readOnly) return undefined;
  if (armName !== undefined && isUserAssignedIdentityMap(armName, node)) {
    return {
      type: 'array',
      ...(node.description ? { description: node.description } : {}),
      items: { type: 'object', required: ['reference'], properties: { reference: resourceReferenceSchema(false) } },
    };
  }
  const out = withoutFlags(node);
  if (node.type === 'array') {
    if (!node.items) return out;
    const items = specNode(node.items, undefined);
    return items ? { ...out, items } : undefined;
  }
  if (node.type !== 'object') return out;
  if (node.additionalProperties) {
    const values = specNode(node.additionalProperties, undefined);
    if (!values) return undefined;
    out.additionalProperties = values;
  }
  const hadProperties = node.properties !== undefined && Object.keys(node.properties).length > 0;
  const { properties, required } = specProperties(node);
  if (node.discriminator) {
    for (const [value, variant] of Object.entries(node.discriminator.variants)) {
      const merged: SchemaNode = {
        ...variant,
        properties: { ...(node.properties ?? {}), ...(variant.properties ?? {}) },
        required: [...(node.required ?? []), ...(variant.required ?? [])],
      };
      const variantSchema = specNode(merged, undefined);
      if (variantSchema) properties[variantKey(value)] = variantSchema;
      const discriminatorSchema = variantSchema?.properties?.[node.discriminator.property];
      if (discriminatorSchema) discriminatorSchema.enum = [value];
    }
    // The base properties live in each variant; the union object holds only the variants (ASO's OneOf shape).
    for (const base of objectEntries(node)) delete properties[specNameOf(base.armName, base.node)];
    return { ...out, properties };
  }
  if (hadProperties && Object.keys(properties).length === 0 && !out.additionalProperties) return undefined;
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required.length > 0) out.required = required;
  return out;
}

function specProperties(node: SchemaNode): { properties: Record<string, SchemaNode>; required: string[] } {
  const properties: Record<string, SchemaNode> = {};
  const required: string[] = [];
  for (const entry of objectEntries(node)) {
    for (const [name, schema, isRequired] of specEntries(entry.armName, entry.node, entry.required)) {
      properties[name] = schema;
      if (isRequired) required.push(name);
    }
  }
  return { properties, required };
}

/** The spec entries one ARM property becomes: [kube name, schema, required]. */
function specEntries(armName: string, node: SchemaNode, required: boolean): Array<[string, SchemaNode, boolean]> {
  if (node.readOnly) return [];
  const name = specNameOf(armName, node);
  if (isReferenceNode(node)) {
    const wellKnown = node.wellKnownReference === true || node.items?.wellKnownReference === true;
    const reference = resourceReferenceSchema(wellKnown, node.description);
    if (node.type === 'array') return [[name, { ...withoutFlags(node), items: reference }, required]];
    return [[name, reference, required]];
  }
  if (node.secret) {
    const secretRef = keyReferenceSchema('Secret', node.description);
    if (node.type === 'array') return [[name, { type: 'array', items: secretRef }, required]];
    return [[name, secretRef, required]];
  }
  const schema = specNode(node, armName);
  if (!schema) return [];
  if (node.configMapInput) {
    return [
      [name, schema, false],
      [`${name}FromConfig`, keyReferenceSchema('ConfigMap', node.description), false],
    ];
  }
  return [[name, schema, required]];
}

/** The status shape of one ARM node: everything Azure returns, without validation. */
function statusNode(node: SchemaNode): SchemaNode | undefined {
  if (node.writeOnly || node.secret) return undefined;
  const {
    enum: _enum,
    extensibleEnum: _ext,
    pattern: _pattern,
    minLength: _minL,
    maxLength: _maxL,
    minimum: _min,
    maximum: _max,
    minItems: _minI,
    maxItems: _maxI,
    ...out
  } = withoutFlags(node);
  if (node.type === 'array') {
    const items = node.items ? statusNode(node.items) : undefined;
    return items ? { ...out, items } : out;
  }
  if (node.type !== 'object') return out;
  if (node.additionalProperties) {
    const values = statusNode(node.additionalProperties);
    if (values) out.additionalProperties = values;
  }
  const properties: Record<string, SchemaNode> = {};
  if (node.discriminator) {
    for (const [value, variant] of Object.entries(node.discriminator.variants)) {
      const merged: SchemaNode = {
        ...variant,
        properties: { ...(node.properties ?? {}), ...(variant.properties ?? {}) },
      };
      const variantSchema = statusNode(merged);
      if (variantSchema) properties[variantKey(value)] = variantSchema;
    }
    return { ...out, properties };
  }
  for (const entry of objectEntries(node)) {
    const schema = statusNode(entry.node);
    if (schema) properties[statusPropertyNameOf(entry.armName, entry.node)] = schema;
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  return out;
}

/** The names of everything `operatorSpec.secrets` / `operatorSpec.configMaps` can export. */
function operatorSpecSchema(model: KindModel): SchemaNode {
  const destinations = (secret: boolean): SchemaNode | undefined => {
    const names = model.exports.filter((source) => source.secret === secret).map((source) => source.name);
    if (names.length === 0) return undefined;
    const properties: Record<string, SchemaNode> = {};
    for (const name of names)
      properties[name] = keyReferenceSchema(secret ? 'Secret' : 'ConfigMap', `Where to write ${name}.`);
    return { type: 'object', properties };
  };
  const secrets = destinations(true);
  const configMaps = destinations(false);
  return {
    type: 'object',
    description: 'Options for the operator that are not sent to Azure.',
    properties: {
      configMapExpressions: {
        type: 'array',
        description: 'ConfigMap keys to write from CEL expressions.',
        items: destinationExpressionSchema(),
      },
      secretExpressions: {
        type: 'array',
        description: 'Secret keys to write from CEL expressions.',
        items: destinationExpressionSchema(),
      },
      ...(configMaps ? { configMaps } : {}),
      ...(secrets ? { secrets } : {}),
      ...(model.operatorSpecProperties ?? {}),
    },
  };
}

/**
 * The owner field: `{name}` (+`armId`), or `{group, kind, name}` for extension resources; absent for
 * subscription/tenant kinds.
 */
function ownerSchema(model: KindModel): SchemaNode | undefined {
  if (model.owners.length === 0) return undefined;
  if (model.scope === 'extension') {
    return {
      type: 'object',
      description: 'The resource this one extends: a Kubernetes object (group, kind, name) or an ARM ID.',
      properties: {
        armId: str('The ARM ID of the extended resource (set armId, or group, kind and name).'),
        group: str('The API group of the extended Kubernetes object, e.g. resources.azure.com.'),
        kind: str('The kind of the extended Kubernetes object, e.g. ResourceGroup.'),
        name: str('The name of the extended Kubernetes object in this namespace.'),
      },
    };
  }
  const owner = model.owners[0];
  if (owner === '*') {
    return {
      type: 'object',
      description: 'The owner: the ARM ID of the location (or other parent) this resource lives under.',
      properties: {
        armId: str('The ARM ID of the owner, e.g. /subscriptions/…/providers/Microsoft.Sql/locations/westeurope.'),
      },
      required: ['armId'],
    };
  }
  const ownerKind = owner === undefined ? 'resource' : `${owner.group}/${owner.kind}`;
  return {
    type: 'object',
    description: `The owner: the name of a ${ownerKind} in the same namespace, or its ARM ID.`,
    properties: {
      armId: str(`The ARM ID of the owner, for a parent that is not a Kubernetes object here (set name or armId).`),
      name: str(`The name of the owner ${ownerKind} object in this namespace (set name or armId).`),
    },
  };
}

/** The `spec` schema of a kind (ASO's conventions; see the module comment). */
export function specSchemaOf(model: KindModel): SchemaNode {
  if (model.handcrafted) return model.handcrafted.spec;
  const properties: Record<string, SchemaNode> = {};
  const required: string[] = [];
  if (model.fixedName === undefined) {
    const nameNode = model.body.properties?.name;
    properties.azureName = {
      ...(nameNode ? withoutFlags(nameNode) : { type: 'string' }),
      type: 'string',
      description:
        model.defaultAzureName === false
          ? 'The name of the resource in Azure. If empty, the operator generates one.'
          : 'The name of the resource in Azure. Defaults to metadata.name.',
    };
  }
  const owner = ownerSchema(model);
  if (owner) {
    properties.owner = owner;
    required.push('owner');
  }
  for (const property of topLevelProperties(model)) {
    for (const [name, schema, isRequired] of specEntries(property.armName, property.node, property.required)) {
      properties[name] = schema;
      if (isRequired) required.push(name);
    }
  }
  const union = rootUnionOf(model);
  if (union) Object.assign(properties, specNode(union, undefined)?.properties);
  properties.operatorSpec = operatorSpecSchema(model);
  return {
    type: 'object',
    description: `The desired state of the ${model.armType} resource: what the operator makes Azure hold.`,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** ASO's Condition. */
export function conditionSchema(): SchemaNode {
  return {
    type: 'object',
    required: ['type', 'status'],
    properties: {
      type: str('Type of condition, e.g. Ready.'),
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      severity: str('Error, Warning, Info or empty.'),
      reason: str(),
      message: str(),
      lastTransitionTime: { type: 'string', description: 'RFC 3339 time.' },
      observedGeneration: { type: 'integer' },
    },
  };
}

/** The `status` schema of a kind: every property Azure returns (flattened like spec) plus `conditions`. */
export function statusSchemaOf(model: KindModel): SchemaNode {
  if (model.handcrafted) return model.handcrafted.status;
  const properties: Record<string, SchemaNode> = {
    conditions: {
      type: 'array',
      description:
        'Ready (ASO): True when Azure matches the spec of observedGeneration; Reconciling and Stalled for kstatus.',
      items: conditionSchema(),
    },
    observedGeneration: {
      type: 'integer',
      description:
        'The metadata.generation the conditions describe (kstatus reads it: a newer spec is not reconciled yet).',
    },
  };
  for (const armName of ['id', 'name', 'type']) {
    const node = model.body.properties?.[armName];
    if (node) {
      const schema = statusNode({ ...node, readOnly: false });
      if (schema) properties[armName] = { ...schema, type: 'string' };
    }
  }
  for (const property of topLevelProperties(model)) {
    const schema = statusNode(property.node);
    if (schema) properties[statusNameOf(property)] = schema;
  }
  const union = rootUnionOf(model);
  if (union) Object.assign(properties, statusNode(union)?.properties);
  return {
    type: 'object',
    description: `What Azure reports for the ${model.armType} resource, and the operator's conditions.`,
    properties,
  };
}
