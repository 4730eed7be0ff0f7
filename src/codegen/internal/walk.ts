/** Walks over a model body's nodes (properties, items, map values, union variants) with their ARM paths. */
import type { SchemaNode } from '../../model/index.js';

/**
 * A visited node: its parent object, its property name there, and its path (`properties.subnet.id`, `[]` for items).
 */
export interface Visit {
  node: SchemaNode;
  parent?: SchemaNode;
  name?: string;
  path: string;
}

/** Calls `visit` for every node under (and including) `root`, depth first. */
export function walkSchema(
  root: SchemaNode,
  visit: (entry: Visit) => void,
  path = '',
  parent?: SchemaNode,
  name?: string,
): void {
  visit({ node: root, path, ...(parent ? { parent } : {}), ...(name !== undefined ? { name } : {}) });
  const join = (step: string) => (path === '' ? step : `${path}.${step}`);
  for (const [childName, child] of Object.entries(root.properties ?? {}))
    walkSchema(child, visit, join(childName), root, childName);
  if (root.items) walkSchema(root.items, visit, `${path}[]`, root);
  if (root.additionalProperties) walkSchema(root.additionalProperties, visit, join('*'), root);
  for (const [value, variant] of Object.entries(root.discriminator?.variants ?? {}))
    walkSchema(variant, visit, join(`<${value}>`), root);
}

/** The node at an ARM body path (`properties.subnet.id`, `properties.rules[].id`, `<Periodic>` for a union variant). */
export function nodeAtPath(root: SchemaNode, path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const step of path.split('.')) {
    const [name, ...arraySteps] = step.split('[]');
    if (node === undefined || name === undefined) return undefined;
    if (name !== '') {
      const variant = /^<(.+)>$/.exec(name)?.[1];
      if (variant !== undefined) node = node.discriminator?.variants[variant];
      else if (name === '*') node = node.additionalProperties;
      else node = node.properties?.[name] ?? findVariantProperty(node, name);
    }
    for (let i = 0; i < arraySteps.length; i++) node = node?.items;
  }
  return node;
}

/** Every node at an ARM body path in which `<*>` stands for each variant of a union (`properties.<*>.properties`). */
export function nodesAtPath(root: SchemaNode, path: string): SchemaNode[] {
  const wildcard = path.indexOf('<*>');
  if (wildcard < 0) {
    const node = nodeAtPath(root, path);
    return node ? [node] : [];
  }
  const union = wildcard === 0 ? root : nodeAtPath(root, path.slice(0, wildcard - 1));
  const rest = path.slice(wildcard + '<*>'.length + 1);
  return Object.values(union?.discriminator?.variants ?? {}).flatMap((variant) =>
    rest === '' ? [variant] : nodesAtPath(variant, rest),
  );
}

function findVariantProperty(node: SchemaNode, name: string): SchemaNode | undefined {
  for (const variant of Object.values(node.discriminator?.variants ?? {})) {
    const found = variant.properties?.[name];
    if (found) return found;
  }
  return undefined;
}
