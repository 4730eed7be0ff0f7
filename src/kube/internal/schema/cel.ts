/**
 * CEL validation rules (`x-kubernetes-validations`) are accepted but NOT evaluated by this server. This file finds
 * them so the API server can say so in a `Warning` header.
 */
import type { JSONSchemaProps } from './types.js';
import { isObject } from './util.js';

/** The warning text the API server emits for a CRD whose schema carries CEL rules it will not evaluate. */
export const celNotEvaluatedWarning =
  'x-kubernetes-validations (CEL) rules are accepted but not evaluated by this API server';

/** Schema paths (e.g. "openAPIV3Schema.properties[spec]") that carry `x-kubernetes-validations` rules. */
export function findCelValidations(schema: JSONSchemaProps, fieldPrefix = ''): string[] {
  const found: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (!isObject(node)) return;
    const rules = node['x-kubernetes-validations'];
    if (Array.isArray(rules) && rules.length > 0) found.push(path);
    if (isObject(node.properties))
      for (const [key, child] of Object.entries(node.properties)) visit(child, `${path}.properties[${key}]`);
    if (isObject(node.additionalProperties)) visit(node.additionalProperties, `${path}.additionalProperties`);
    if (node.items !== undefined) visit(node.items, `${path}.items`);
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[keyword];
      if (Array.isArray(list)) list.forEach((child, index) => visit(child, `${path}.${keyword}[${index}]`));
    }
    if (node.not !== undefined) visit(node.not, `${path}.not`);
  };
  visit(schema, fieldPrefix);
  return found;
}
