/**
 * Finds the object shapes that the TypeScript declarations would spell out more than once (the same properties,
 * types, required flags and descriptions: an `identity`, a `systemData`, a `sku` of several kinds) so that each is
 * declared once, as a named interface, and referred to by name. A shape used by one group's kinds is declared in that
 * group's file; one used by several groups in the shared file. Names come from the property the shape stands under
 * (`identity` → `Identity`, array items singular, map values `…Value`); distinct shapes claiming one name, or a name
 * a kind declares, all take a suffix from their content's hash, so a name never depends on the order of the kinds.
 */
import { createHash } from 'node:crypto';
import type { SchemaNode } from '../../../model/index.js';

/** Where a shared shape is declared: a group's file, or the file shared by all groups. */
export type ShapeHome = { group: string } | 'shared';

/** One named shape. */
export interface SharedShape {
  name: string;
  node: SchemaNode;
  home: ShapeHome;
}

/** The shapes to declare once, and the name of a node that is one of them. */
export interface SharedShapes {
  shapes: SharedShape[];
  /** The name of the shared shape `node` is (undefined: render it inline). */
  nameOf(node: SchemaNode): string | undefined;
}

/** A root to render: a kind's spec or status, in its group. The root itself is never shared. */
export interface ShapeRoot {
  group: string;
  node: SchemaNode;
}

/**
 * Defaults: a shape is shared when it stands in two places or more and its inline text has at least this many
 * characters.
 */
const minimumSharedChars = 60;

/**
 * Plans the shared shapes of `roots`. `reserved`: names already declared (the kinds' own); `inlineText`: a node's
 * inline rendering (its length decides whether naming it is worth it); `preferred`: the names of well-known shapes
 * (a Secret key reference is `SecretReference` wherever it stands), which no other shape takes.
 */
export function planSharedShapes(options: {
  roots: readonly ShapeRoot[];
  reserved: ReadonlySet<string>;
  inlineText: (node: SchemaNode) => string;
  preferred?: ReadonlyArray<[SchemaNode, string]>;
}): SharedShapes {
  const { roots, inlineText } = options;
  const keys = new ShapeKeys();
  const shapes = new Map<string, { node: SchemaNode; uses: number; parent: Context; names: Map<string, number> }>();
  const contexts = new Map<string, Context[]>();
  // Each distinct shape's insides are walked once: a shape repeated stands for its contents once (when it is shared).
  const visit = (node: SchemaNode, parent: Context, name: string) => {
    if (isShape(node)) {
      const key = keys.of(node);
      const known = shapes.get(key);
      contexts.set(key, [...(contexts.get(key) ?? []), parent]);
      if (known !== undefined) {
        known.uses++;
        known.names.set(name, (known.names.get(name) ?? 0) + 1);
        return;
      }
      shapes.set(key, { node, uses: 1, parent, names: new Map([[name, 1]]) });
      visitChildren(node, { shape: key });
      return;
    }
    if (node.type === 'array' && node.items) visit(node.items, parent, singular(name));
    if (node.type === 'object' && node.additionalProperties) visit(node.additionalProperties, parent, `${name}Value`);
  };
  const visitChildren = (node: SchemaNode, context: Context) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) visit(child, context, pascal(name));
    if (node.additionalProperties) visit(node.additionalProperties, context, 'Value');
  };
  for (const root of roots) visitChildren(root.node, { group: root.group });

  const shared = new Set(
    [...shapes]
      .filter(([, shape]) => shape.uses >= 2 && inlineText(shape.node).length >= minimumSharedChars)
      .map(([key]) => key),
  );
  // A context inside a shape that is written inline belongs to where that shape stands (its one place).
  const resolve = (context: Context): Context => {
    while ('shape' in context && !shared.has(context.shape)) {
      const parent = shapes.get(context.shape)?.parent;
      if (parent === undefined) break;
      context = parent;
    }
    return context;
  };
  const homes = new Map<string, ShapeHome>();
  const homeOf = (key: string): ShapeHome => {
    const known = homes.get(key);
    if (known !== undefined) return known;
    const groups = new Set(
      (contexts.get(key) ?? []).map((context) => {
        const resolved = resolve(context);
        if ('group' in resolved) return resolved.group;
        const home = homeOf(resolved.shape);
        return home === 'shared' ? '' : home.group;
      }),
    );
    const [only] = groups;
    const home: ShapeHome = groups.size === 1 && only !== undefined && only !== '' ? { group: only } : 'shared';
    homes.set(key, home);
    return home;
  };

  const preferred = new Map((options.preferred ?? []).map(([node, name]) => [keys.of(node), name]));
  const names = nameShapes(
    [...shared].map((key) => ({
      key,
      base: favouriteName(shapes.get(key)?.names ?? new Map()),
      preferred: preferred.get(key),
    })),
    new Set([...options.reserved, ...preferred.values()]),
  );
  const result: SharedShape[] = [...shared]
    .map((key) => ({
      name: names.get(key) ?? key,
      node: shapes.get(key)?.node ?? { type: 'object' },
      home: homeOf(key),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    shapes: result,
    nameOf: (node) => (isShape(node) ? names.get(keys.of(node)) : undefined),
  };
}

type Context = { group: string } | { shape: string };

/** An object with named properties: what can be declared as an interface. */
function isShape(node: SchemaNode): boolean {
  return node.type === 'object' && Object.keys(node.properties ?? {}).length > 0;
}

/** Content keys of nodes (what their declaration shows), computed once per node object. */
class ShapeKeys {
  private readonly known = new WeakMap<SchemaNode, string>();

  of(node: SchemaNode): string {
    const cached = this.known.get(node);
    if (cached !== undefined) return cached;
    const required = new Set(node.required ?? []);
    const content = JSON.stringify([
      node.type,
      node.type === 'string' ? (node.enum ?? null) : null,
      node.type === 'array' && node.items ? this.of(node.items) : null,
      node.type === 'object'
        ? Object.entries(node.properties ?? {}).map(([name, child]) => [
            name,
            required.has(name),
            child.description?.replace(/\s+/g, ' ') ?? '',
            this.of(child),
          ])
        : null,
      node.type === 'object' && node.additionalProperties ? this.of(node.additionalProperties) : null,
    ]);
    const key = createHash('sha256').update(content).digest('hex');
    this.known.set(node, key);
    return key;
  }
}

/** The name most places use for a shape (ties: the first in alphabetical order). */
function favouriteName(names: ReadonlyMap<string, number>): string {
  const sorted = [...names].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
  return sorted[0]?.[0] ?? 'Shape';
}

/**
 * Final names: the preferred one if any; else the base name when one shape alone claims it and nothing else is
 * declared under it; else base + a prefix of the content hash.
 */
function nameShapes(
  candidates: Array<{ key: string; base: string; preferred: string | undefined }>,
  reserved: ReadonlySet<string>,
): Map<string, string> {
  const claims = new Map<string, number>();
  for (const { base } of candidates) claims.set(base, (claims.get(base) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const { key, base, preferred } of candidates) {
    if (preferred !== undefined) names.set(key, preferred);
    else names.set(key, claims.get(base) === 1 && !reserved.has(base) ? base : `${base}_${key.slice(0, 8)}`);
  }
  return names;
}

/** `ip-configurations` → `IpConfigurations`; a leading digit gets an underscore. */
function pascal(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  const joined = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('') || 'Shape';
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** `Rules` → `Rule`, `Policies` → `Policy`, `Addresses` → `Address` (good enough for a type name). */
function singular(name: string): string {
  if (/ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(name)) return name.slice(0, -2);
  if (/[^s]s$/.test(name)) return name.slice(0, -1);
  return `${name}Item`;
}
