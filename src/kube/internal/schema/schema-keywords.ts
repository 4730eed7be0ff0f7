/**
 * Unknown keywords inside a CRD's openAPIV3Schema. The CRD's own schema keeps openAPIV3Schema as
 * preserve-unknown-fields (JSONSchemaProps is recursive), so strict field validation of a CRD needs this walk to
 * report typos such as `propertes` the way Kubernetes' strict decoding does:
 * `unknown field "spec.versions[0].schema.openAPIV3Schema.properties.spec.propertes"`.
 */
import { isObject } from './util.js';

const schemaKeywords = new Set([
  'id',
  '$schema',
  '$ref',
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'properties',
  'additionalProperties',
  'patternProperties',
  'dependencies',
  'additionalItems',
  'definitions',
  'externalDocs',
  'example',
  'nullable',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
const validationRuleKeywords = new Set([
  'rule',
  'message',
  'messageExpression',
  'reason',
  'fieldPath',
  'optionalOldSelf',
]);
const externalDocsKeywords = new Set(['description', 'url']);

/**
 * Paths of keywords JSONSchemaProps does not have, e.g. "spec.versions[0].schema.openAPIV3Schema.properties.a.typo".
 */
export function unknownSchemaFields(schema: unknown, fieldPrefix: string): string[] {
  const found: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const keyPath = `${path}.${key}`;
      if (!schemaKeywords.has(key)) {
        found.push(keyPath);
        continue;
      }
      switch (key) {
        case 'properties':
        case 'patternProperties':
        case 'definitions':
          if (isObject(value)) for (const [name, child] of Object.entries(value)) visit(child, `${keyPath}.${name}`);
          break;
        case 'dependencies':
          if (isObject(value))
            for (const [name, child] of Object.entries(value)) if (isObject(child)) visit(child, `${keyPath}.${name}`);
          break;
        case 'items':
        case 'additionalItems':
        case 'additionalProperties':
          if (Array.isArray(value)) value.forEach((child, index) => visit(child, `${keyPath}[${index}]`));
          else visit(value, keyPath);
          break;
        case 'allOf':
        case 'anyOf':
        case 'oneOf':
          if (Array.isArray(value)) value.forEach((child, index) => visit(child, `${keyPath}[${index}]`));
          break;
        case 'not':
          visit(value, keyPath);
          break;
        case 'x-kubernetes-validations':
          if (Array.isArray(value)) {
            value.forEach((rule, index) => {
              if (!isObject(rule)) return;
              for (const ruleKey of Object.keys(rule))
                if (!validationRuleKeywords.has(ruleKey)) found.push(`${keyPath}[${index}].${ruleKey}`);
            });
          }
          break;
        case 'externalDocs':
          if (isObject(value))
            for (const docKey of Object.keys(value))
              if (!externalDocsKeywords.has(docKey)) found.push(`${keyPath}.${docKey}`);
          break;
        default:
          break;
      }
    }
  };
  visit(schema, fieldPrefix);
  return found;
}
