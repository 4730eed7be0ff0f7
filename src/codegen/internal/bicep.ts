/**
 * Conversion of bicep-types entries (the `types.json` format: `{"$type": ..., "$ref": "#/n"}`) into the model's
 * `SchemaNode`: flags from property flags, enums from string-literal unions, bounds, patterns, maps, discriminated
 * unions, `sensitive` strings as secrets. Recursive types are cut at the first repetition.
 */
import type { SchemaNode } from '../../model/index.js';
import type { RawType } from './state.js';

/** bicep ObjectTypePropertyFlags. */
export const PropertyFlags = { Required: 1, ReadOnly: 2, WriteOnly: 4, DeployTimeConstant: 8, Identifier: 16 } as const;
/** bicep ScopeType bits. */
export const ScopeBits = { Tenant: 1, ManagementGroup: 2, Subscription: 4, ResourceGroup: 8, Extension: 16 } as const;

interface RawRef {
  $ref: string;
}
interface RawProperty {
  type: RawRef;
  flags?: number;
  description?: string;
}

/** The index of a `{"$ref": "#/12"}` reference. */
export function refIndex(ref: unknown): number {
  const value = (ref as RawRef | undefined)?.$ref;
  const match = typeof value === 'string' ? /^#\/(\d+)$/.exec(value) : null;
  if (!match?.[1]) throw new Error(`unsupported type reference ${JSON.stringify(ref)}`);
  return Number(match[1]);
}

/** Converts types of one file; records the bicep name of each object node in `typeNames`. */
export class BicepConverter {
  private readonly stack: number[] = [];

  constructor(
    private readonly types: RawType[],
    readonly typeNames: Map<SchemaNode, string>,
  ) {}

  type(index: number): RawType {
    const type = this.types[index];
    if (!type) throw new Error(`type #/${index} does not exist`);
    return type;
  }

  /** The schema of the type at `index` (a fresh tree: nodes are never shared). */
  convert(index: number): SchemaNode {
    if (this.stack.includes(index)) return { type: 'object', description: '(recursive type, cut)' };
    this.stack.push(index);
    try {
      return this.convertType(this.type(index));
    } finally {
      this.stack.pop();
    }
  }

  private convertType(type: RawType): SchemaNode {
    switch (type.$type) {
      case 'StringType': {
        const node: SchemaNode = { type: 'string' };
        if (typeof type.minLength === 'number') node.minLength = type.minLength;
        if (typeof type.maxLength === 'number') node.maxLength = type.maxLength;
        if (typeof type.pattern === 'string') node.pattern = type.pattern;
        if (type.sensitive === true) node.secret = true;
        return node;
      }
      case 'StringLiteralType':
        return { type: 'string', enum: [String(type.value)] };
      case 'IntegerType': {
        const node: SchemaNode = { type: 'integer' };
        if (typeof type.minValue === 'number') node.minimum = type.minValue;
        if (typeof type.maxValue === 'number') node.maximum = type.maxValue;
        return node;
      }
      case 'BooleanType':
        return { type: 'boolean' };
      case 'AnyType':
      case 'NullType':
        return { type: 'any' };
      case 'BuiltInType':
        return this.builtIn(Number(type.kind));
      case 'ArrayType': {
        const node: SchemaNode = { type: 'array', items: this.convert(refIndex(type.itemType)) };
        if (typeof type.minLength === 'number') node.minItems = type.minLength;
        if (typeof type.maxLength === 'number') node.maxItems = type.maxLength;
        return node;
      }
      case 'UnionType':
        return this.union((type.elements as unknown[]).map(refIndex));
      case 'ObjectType':
        return this.object(type);
      case 'DiscriminatedObjectType':
        return this.discriminated(type);
      default:
        return { type: 'any' };
    }
  }

  private builtIn(kind: number): SchemaNode {
    const map: Record<number, SchemaNode['type']> = {
      1: 'any',
      2: 'any',
      3: 'boolean',
      4: 'integer',
      5: 'string',
      6: 'object',
      7: 'array',
      8: 'string',
    };
    return { type: map[kind] ?? 'any' };
  }

  private union(elements: number[]): SchemaNode {
    const converted = elements
      .map((index) => ({ raw: this.type(index), index }))
      .filter((element) => element.raw.$type !== 'NullType');
    const literals = converted
      .filter((element) => element.raw.$type === 'StringLiteralType')
      .map((element) => String(element.raw.value));
    const strings = converted.filter(
      (element) =>
        element.raw.$type === 'StringType' || (element.raw.$type === 'BuiltInType' && element.raw.kind === 5),
    );
    if (literals.length > 0 && literals.length + strings.length === converted.length) {
      const node: SchemaNode = { type: 'string', enum: [...new Set(literals)] };
      if (strings.length > 0) node.extensibleEnum = true;
      return node;
    }
    if (converted.length === 1 && converted[0]) return this.convert(converted[0].index);
    const kinds = new Set(converted.map((element) => this.convert(element.index).type));
    if (kinds.size === 1) {
      const [only] = kinds;
      if (only && only !== 'object' && only !== 'array') return { type: only };
    }
    return { type: 'any' };
  }

  private properties(source: Record<string, RawProperty>, node: SchemaNode): void {
    const properties: Record<string, SchemaNode> = {};
    const required: string[] = [];
    for (const [name, property] of Object.entries(source)) {
      const child = this.convert(refIndex(property.type));
      const flags = property.flags ?? 0;
      if (property.description) child.description = property.description;
      if (flags & PropertyFlags.ReadOnly) child.readOnly = true;
      if (flags & PropertyFlags.WriteOnly) child.writeOnly = true;
      if (flags & PropertyFlags.Required && !(flags & PropertyFlags.ReadOnly)) required.push(name);
      properties[name] = child;
    }
    if (Object.keys(properties).length > 0) node.properties = { ...(node.properties ?? {}), ...properties };
    if (required.length > 0) node.required = [...(node.required ?? []), ...required];
  }

  private object(type: RawType): SchemaNode {
    const node: SchemaNode = { type: 'object' };
    this.properties((type.properties ?? {}) as Record<string, RawProperty>, node);
    if (type.additionalProperties !== undefined)
      node.additionalProperties = this.convert(refIndex(type.additionalProperties));
    if (typeof type.name === 'string') this.typeNames.set(node, type.name);
    return node;
  }

  private discriminated(type: RawType): SchemaNode {
    const node: SchemaNode = { type: 'object' };
    this.properties((type.baseProperties ?? {}) as Record<string, RawProperty>, node);
    const property = String(type.discriminator);
    const variants: Record<string, SchemaNode> = {};
    for (const [value, ref] of Object.entries((type.elements ?? {}) as Record<string, unknown>)) {
      variants[value] = this.convert(refIndex(ref));
    }
    node.discriminator = { property, variants };
    if (typeof type.name === 'string') this.typeNames.set(node, type.name);
    return node;
  }
}
