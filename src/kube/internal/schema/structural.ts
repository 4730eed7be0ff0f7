/**
 * The structural-schema check Kubernetes runs on every version schema of a v1 CustomResourceDefinition
 * (apiextensions-apiserver: structural validation plus the v1 openAPIV3Schema rules). Field paths use Kubernetes'
 * form: `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`.
 * Enforced: every node has a type (unless int-or-string or preserve-unknown-fields), type is a known one, the root
 * is an object, properties and additionalProperties are exclusive, allOf/anyOf/oneOf/not add no type, properties
 * not in the structural part, default, nullable, description or x-kubernetes-* keys; root metadata restricts only
 * name/generateName; root apiVersion/kind are strings; uniqueItems is not true; preserve-unknown-fields is true or
 * unset; embedded resources are objects; list-type map names its keys (which exist as scalar item properties);
 * list-type only on arrays; $ref is not used; patterns compile; defaults pass their own schema.
 */
import { pruneValue } from './prune.js';
import type { FieldCause, JSONSchemaProps } from './types.js';
import { isObject } from './util.js';
import { compilePattern, validateValue } from './validate.js';

const knownTypes = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** Structural-schema check of a CRD version's schema (422 causes naming spec.versions[i].schema.openAPIV3Schema...). */
export function checkStructuralSchema(schema: JSONSchemaProps, fieldPrefix: string): FieldCause[] {
  const causes: FieldCause[] = [];
  if (!isObject(schema)) {
    causes.push({ reason: 'FieldValueRequired', field: fieldPrefix, message: 'Required value: must not be empty' });
    return causes;
  }
  if (schema.type === undefined || schema.type === '') {
    causes.push({
      reason: 'FieldValueRequired',
      field: `${fieldPrefix}.type`,
      message: 'Required value: must not be empty at the root',
    });
  } else if (schema.type !== 'object') {
    causes.push({
      reason: 'FieldValueInvalid',
      field: `${fieldPrefix}.type`,
      message: `Invalid value: ${JSON.stringify(schema.type)}: must be object at the root`,
    });
  }
  checkRootSpecials(schema, fieldPrefix, causes);
  checkNode(schema, fieldPrefix, causes, 'root');
  return causes;
}

type Context = 'root' | 'property' | 'item' | 'additional';

function checkRootSpecials(schema: JSONSchemaProps, prefix: string, causes: FieldCause[]): void {
  const properties = schema.properties ?? {};
  const metadata = properties.metadata;
  if (metadata !== undefined) {
    const path = `${prefix}.properties[metadata]`;
    const allowed = new Set(['type', 'properties', 'description']);
    const extraKeys = Object.keys(metadata).filter((key) => !allowed.has(key));
    const extraProperties = Object.keys(metadata.properties ?? {}).filter(
      (key) => key !== 'name' && key !== 'generateName',
    );
    if (metadata.type !== undefined && metadata.type !== 'object') {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${path}.type`,
        message: `Invalid value: ${JSON.stringify(metadata.type)}: must be object`,
      });
    }
    if (extraKeys.length > 0 || extraProperties.length > 0) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: path,
        message:
          'Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
      });
    }
  }
  for (const key of ['apiVersion', 'kind']) {
    const node = properties[key];
    if (node !== undefined && node.type !== 'string') {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${prefix}.properties[${key}].type`,
        message: `Invalid value: ${JSON.stringify(node.type ?? '')}: must be string`,
      });
    }
  }
}

function checkNode(node: JSONSchemaProps, path: string, causes: FieldCause[], context: Context): void {
  if (!isObject(node)) {
    causes.push({ reason: 'FieldValueInvalid', field: path, message: 'Invalid value: "": must be a schema object' });
    return;
  }
  const type = node.type;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'];
  if (type === undefined || type === '') {
    if (!intOrString && preserve !== true && context !== 'root') {
      const where = context === 'item' ? 'for specified array items' : 'for specified object fields';
      causes.push({
        reason: 'FieldValueRequired',
        field: `${path}.type`,
        message: `Required value: must not be empty ${where}`,
      });
    }
  } else if (!knownTypes.includes(type)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: `${path}.type`,
      message:
        `Unsupported value: ${JSON.stringify(type)}: supported values: ` +
        `${knownTypes.map((known) => JSON.stringify(known)).join(', ')}`,
    });
  } else if (intOrString) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: `${path}.type`,
      message: 'Forbidden: must be empty if x-kubernetes-int-or-string is true',
    });
  }
  if (preserve !== undefined && preserve !== true) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: `${path}.x-kubernetes-preserve-unknown-fields`,
      message: `Invalid value: ${String(preserve)}: must be true or undefined`,
    });
  }
  if (node.$ref !== undefined)
    causes.push({ reason: 'FieldValueForbidden', field: `${path}.$ref`, message: 'Forbidden: $ref is not supported' });
  if (node.properties !== undefined && node.additionalProperties !== undefined && node.additionalProperties !== false) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: `${path}.additionalProperties`,
      message: 'Forbidden: additionalProperties and properties are mutual exclusive',
    });
  }
  if (node.uniqueItems === true) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: `${path}.uniqueItems`,
      message: 'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
    });
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    if (type !== 'object') {
      causes.push({
        reason: 'FieldValueRequired',
        field: `${path}.type`,
        message: 'Required value: must be object if x-kubernetes-embedded-resource is true',
      });
    }
    if (preserve !== true && Object.keys(node.properties ?? {}).length === 0) {
      causes.push({
        reason: 'FieldValueRequired',
        field: `${path}.properties`,
        message:
          'Required value: must not be empty if x-kubernetes-embedded-resource is true without ' +
          'x-kubernetes-preserve-unknown-fields',
      });
    }
  }
  if (type === 'array' && node.items === undefined) {
    causes.push({ reason: 'FieldValueRequired', field: `${path}.items`, message: 'Required value: must be specified' });
  }
  checkListType(node, path, causes);
  if (typeof node.pattern === 'string' && compilePattern(node.pattern) === null) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: `${path}.pattern`,
      message: `Invalid value: ${JSON.stringify(node.pattern)}: must be a valid regular expression`,
    });
  }
  if (node.default !== undefined && node.default !== null && context !== 'root') checkDefault(node, path, causes);

  for (const [key, child] of Object.entries(node.properties ?? {}))
    checkNode(child, `${path}.properties[${key}]`, causes, 'property');
  if (isObject(node.additionalProperties))
    checkNode(node.additionalProperties as JSONSchemaProps, `${path}.additionalProperties`, causes, 'additional');
  if (node.items !== undefined) {
    if (Array.isArray(node.items))
      causes.push({
        reason: 'FieldValueForbidden',
        field: `${path}.items`,
        message: 'Forbidden: items must be a schema object and not an array',
      });
    else checkNode(node.items, `${path}.items`, causes, 'item');
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    node[keyword]?.forEach((sub, index) =>
      checkValueValidation(sub, `${path}.${keyword}[${index}]`, causes, intOrString && keyword !== 'oneOf'),
    );
  }
  if (node.not !== undefined) checkValueValidation(node.not, `${path}.not`, causes);
}

function checkListType(node: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType === undefined) {
    if (keys !== undefined)
      causes.push({
        reason: 'FieldValueForbidden',
        field: `${path}.x-kubernetes-list-map-keys`,
        message: 'Forbidden: must be empty if x-kubernetes-list-type is not map',
      });
    return;
  }
  if (!['atomic', 'set', 'map'].includes(listType)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: `${path}.x-kubernetes-list-type`,
      message: `Unsupported value: ${JSON.stringify(listType)}: supported values: "atomic", "set", "map"`,
    });
    return;
  }
  if (node.type !== 'array') {
    causes.push({
      reason: 'FieldValueInvalid',
      field: `${path}.x-kubernetes-list-type`,
      message: `Invalid value: ${JSON.stringify(listType)}: must only be used if type is array`,
    });
    return;
  }
  if (listType === 'map') {
    if (keys === undefined || keys.length === 0) {
      causes.push({
        reason: 'FieldValueRequired',
        field: `${path}.x-kubernetes-list-map-keys`,
        message: 'Required value: must not be empty if x-kubernetes-list-type is map',
      });
      return;
    }
    const items = node.items;
    if (items === undefined || items.type !== 'object') {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${path}.items.type`,
        message:
          `Invalid value: ${JSON.stringify(items?.type ?? '')}: must be object if parent array's ` +
          `x-kubernetes-list-type is map`,
      });
      return;
    }
    keys.forEach((key, index) => {
      const keySchema = items.properties?.[key];
      if (keySchema === undefined) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: `${path}.x-kubernetes-list-map-keys[${index}]`,
          message: `Invalid value: ${JSON.stringify(key)}: entries must all be names of item properties`,
        });
      } else if (
        !['string', 'integer', 'number', 'boolean'].includes(keySchema.type ?? '') &&
        keySchema['x-kubernetes-int-or-string'] !== true
      ) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: `${path}.items.properties[${key}].type`,
          message:
            `Invalid value: ${JSON.stringify(keySchema.type ?? '')}: must be a scalar type if parent array's ` +
            `x-kubernetes-list-type is map`,
        });
      } else if (!(items.required ?? []).includes(key) && keySchema.default === undefined) {
        causes.push({
          reason: 'FieldValueRequired',
          field: `${path}.items.properties[${key}]`,
          message:
            'Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a ' +
            'required property',
        });
      }
    });
  } else if (keys !== undefined) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: `${path}.x-kubernetes-list-map-keys`,
      message: 'Forbidden: must be empty if x-kubernetes-list-type is not map',
    });
  }
}

/** allOf/anyOf/oneOf/not nodes may only add value validations (under int-or-string, anyOf/allOf may name
 *  `type: integer` / `type: string`, the usual spelling of int-or-string). */
function checkValueValidation(
  node: JSONSchemaProps,
  path: string,
  causes: FieldCause[],
  intOrStringBranch = false,
): void {
  if (!isObject(node)) return;
  const forbid = (key: string, message: string): void => {
    causes.push({ reason: 'FieldValueForbidden', field: `${path}.${key}`, message: `Forbidden: ${message}` });
  };
  const allowedType = intOrStringBranch && (node.type === 'integer' || node.type === 'string');
  if (node.type !== undefined && node.type !== '' && !allowedType) forbid('type', 'must be empty to be structural');
  if (node.default !== undefined) forbid('default', 'must be undefined to be structural');
  if (node.nullable === true) forbid('nullable', 'must be false to be structural');
  if (node.description !== undefined && node.description !== '')
    forbid('description', 'must be empty to be structural');
  if (node.additionalProperties !== undefined) forbid('additionalProperties', 'must be undefined to be structural');
  for (const key of Object.keys(node)) {
    if (key.startsWith('x-kubernetes-') && key !== 'x-kubernetes-int-or-string')
      forbid(key, 'must be undefined to be structural');
  }
  for (const [key, child] of Object.entries(node.properties ?? {}))
    checkValueValidation(child, `${path}.properties[${key}]`, causes);
  if (isObject(node.items)) checkValueValidation(node.items, `${path}.items`, causes);
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    node[keyword]?.forEach((sub, index) => checkValueValidation(sub, `${path}.${keyword}[${index}]`, causes));
  }
  if (node.not !== undefined) checkValueValidation(node.not, `${path}.not`, causes);
}

/** A default must survive pruning unchanged and pass its own schema's validation. */
function checkDefault(node: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const field = `${path}.default`;
  const { pruned } = pruneValue(node.default, node);
  if (pruned.length > 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: "object": must not have unknown fields, got: ${pruned.join(', ')}`,
    });
  }
  for (const cause of validateValue(node.default, node, field)) causes.push(cause);
}
