/**
 * Value validation of custom resources against their structural schema, with Kubernetes' wording (kube-openapi's
 * validator messages wrapped as apimachinery field errors). One cause per violation, in document order:
 *   type          Invalid value: "three": spec.replicas in body must be of type integer: "string"
 *   required      spec.name: Required value
 *   enum          Unsupported value: "x": supported values: "a", "b"
 *   pattern       Invalid value: "A": spec.name in body should match '^[a-z]+$'
 *   maxLength     Too long: may not be longer than 5          (lengths in Unicode code points)
 *   minLength     Invalid value: "ab": spec.name in body should be at least 3 chars long
 *   maximum       Invalid value: 11: spec.replicas in body should be less than or equal to 10
 *   maxItems      Too many: 3: must have at most 2 items
 *   list-type set/map duplicates   spec.list[2]: Duplicate value: "a"
 * `x-kubernetes-validations` (CEL) rules are not evaluated (see cel.ts).
 */
import { matchesFormat } from './formats.js';
import type { FieldCause, JSONSchemaProps } from './types.js';
import { childPath, codePointLength, formatBadValue, indexPath, isObject, jsonEqual, jsonTypeOf } from './util.js';

/** Validates values: type, format, required, enum, pattern (JS RegExp 'u'), bounds, lengths, items, properties,
 *  int-or-string, nullable, list-type set/map uniqueness, allOf/anyOf/oneOf/not. Messages as Kubernetes words them.
 *  `fieldPrefix` (default "") is prepended to every field path. */
export function validateValue(object: unknown, schema: JSONSchemaProps, fieldPrefix = ''): FieldCause[] {
  const causes: FieldCause[] = [];
  validateNode(object, schema, fieldPrefix, causes);
  return causes;
}

const patternCache = new Map<string, RegExp | null>();

/** Compiles a schema pattern with the 'u' flag (null when JS cannot compile it; such patterns are not enforced). */
export function compilePattern(pattern: string): RegExp | null {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      try {
        compiled = new RegExp(pattern);
      } catch {
        compiled = null;
      }
    }
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${formatBadValue(value)}: ${detail}` };
}

function typeInvalid(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueTypeInvalid', field, message: `Invalid value: ${formatBadValue(value)}: ${detail}` };
}

/** The name kube-openapi puts in messages: the field path, or "body" for the root. */
function nameOf(path: string): string {
  return path === '' ? '.' : path;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function validateNode(value: unknown, schema: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const name = nameOf(path);
  if (value === null || value === undefined) {
    if (schema.nullable === true) return;
    if (schema.type !== undefined && schema.type !== '') {
      causes.push(typeInvalid(path, null, `${name} in body must be of type ${schema.type}: "null"`));
      return;
    }
    if (schema['x-kubernetes-int-or-string'] === true) {
      causes.push(typeInvalid(path, null, `${name} in body must be of type integer,string: "null"`));
      return;
    }
  } else if (schema['x-kubernetes-int-or-string'] === true) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      causes.push(typeInvalid(path, value, `${name} in body must be of type integer,string: "${jsonTypeOf(value)}"`));
      return;
    }
  } else if (schema.type !== undefined && schema.type !== '' && !matchesType(schema.type, value)) {
    causes.push(typeInvalid(path, value, `${name} in body must be of type ${schema.type}: "${jsonTypeOf(value)}"`));
    return;
  }

  validateCombinators(value, schema, path, causes);
  if (
    schema.enum !== undefined &&
    schema.enum.length > 0 &&
    !schema.enum.some((allowed) => jsonEqual(allowed, value))
  ) {
    const supported = schema.enum.map((allowed) =>
      JSON.stringify(typeof allowed === 'string' ? allowed : JSON.stringify(allowed)),
    );
    causes.push({
      reason: 'FieldValueNotSupported',
      field: path,
      message: `Unsupported value: ${formatBadValue(value)}: supported values: ${supported.join(', ')}`,
    });
  }
  if (typeof value === 'string') validateString(value, schema, path, causes);
  else if (typeof value === 'number') validateNumber(value, schema, path, causes);
  else if (Array.isArray(value)) validateArray(value, schema, path, causes);
  else if (isObject(value)) validateObject(value, schema, path, causes);
}

function validateString(value: string, schema: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const name = nameOf(path);
  const length = schema.maxLength !== undefined || schema.minLength !== undefined ? codePointLength(value) : 0;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    causes.push({
      reason: 'FieldValueTooLong',
      field: path,
      message: `Too long: may not be longer than ${schema.maxLength}`,
    });
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    causes.push(invalid(path, value, `${name} in body should be at least ${schema.minLength} chars long`));
  }
  if (schema.pattern !== undefined) {
    const re = compilePattern(schema.pattern);
    if (re !== null && !re.test(value))
      causes.push(invalid(path, value, `${name} in body should match '${schema.pattern}'`));
  }
  if (schema.format !== undefined && !matchesFormat(schema.format, value)) {
    causes.push(typeInvalid(path, value, `${name} in body must be of type ${schema.format}: ${JSON.stringify(value)}`));
  }
}

function validateNumber(value: number, schema: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const name = nameOf(path);
  if (schema.maximum !== undefined) {
    if (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum) {
      const relation = schema.exclusiveMaximum === true ? 'less than' : 'less than or equal to';
      causes.push(invalid(path, value, `${name} in body should be ${relation} ${schema.maximum}`));
    }
  }
  if (schema.minimum !== undefined) {
    if (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum) {
      const relation = schema.exclusiveMinimum === true ? 'greater than' : 'greater than or equal to';
      causes.push(invalid(path, value, `${name} in body should be ${relation} ${schema.minimum}`));
    }
  }
  if (schema.multipleOf !== undefined && schema.multipleOf > 0) {
    const quotient = value / schema.multipleOf;
    if (Math.abs(quotient - Math.round(quotient)) > 1e-9) {
      causes.push(invalid(path, value, `${name} in body should be a multiple of ${schema.multipleOf}`));
    }
  }
  if (schema.format !== undefined && !matchesFormat(schema.format, value)) {
    causes.push(typeInvalid(path, value, `${name} in body must be of type ${schema.format}: "${value}"`));
  }
}

function validateArray(value: unknown[], schema: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const name = nameOf(path);
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    causes.push({
      reason: 'FieldValueTooMany',
      field: path,
      message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
    });
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    causes.push(invalid(path, value.length, `${name} in body should have at least ${schema.minItems} items`));
  }
  if (
    schema.uniqueItems === true &&
    value.some((item, index) => value.findIndex((other) => jsonEqual(other, item)) !== index)
  ) {
    causes.push(invalid(path, '', `${name} in body shouldn't contain duplicates`));
  }
  const items = schema.items;
  if (items !== undefined) value.forEach((item, index) => validateNode(item, items, indexPath(path, index), causes));
  validateListType(value, schema, path, causes);
}

/** x-kubernetes-list-type set: items unique; map: the list-map-keys tuple unique. Reported as Duplicate value. */
function validateListType(value: unknown[], schema: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen: unknown[] = [];
    value.forEach((item, index) => {
      if (seen.some((other) => jsonEqual(other, item))) causes.push(duplicate(indexPath(path, index), item));
      else seen.push(item);
    });
  } else if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, index) => {
      if (!isObject(item)) return;
      const tuple: Record<string, unknown> = {};
      for (const key of keys) if (item[key] !== undefined) tuple[key] = item[key];
      const signature = JSON.stringify(keys.map((key) => item[key] ?? null));
      if (seen.has(signature)) causes.push(duplicate(indexPath(path, index), tuple));
      else seen.add(signature);
    });
  }
}

function duplicate(field: string, value: unknown): FieldCause {
  const printed =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? formatBadValue(value)
      : JSON.stringify(value);
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${printed}` };
}

function validateObject(
  value: Record<string, unknown>,
  schema: JSONSchemaProps,
  path: string,
  causes: FieldCause[],
): void {
  const name = nameOf(path);
  const count = Object.keys(value).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    causes.push({
      reason: 'FieldValueTooMany',
      field: path,
      message: `Too many: ${count}: must have at most ${schema.maxProperties} items`,
    });
  }
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    causes.push(invalid(path, count, `${name} in body should have at least ${schema.minProperties} properties`));
  }
  for (const required of schema.required ?? []) {
    if (!Object.prototype.hasOwnProperty.call(value, required) || value[required] === undefined) {
      causes.push({ reason: 'FieldValueRequired', field: childPath(path, required), message: 'Required value' });
    }
  }
  if (schema['x-kubernetes-embedded-resource'] === true) validateEmbedded(value, path, causes);
  const properties = schema.properties ?? {};
  const additional = schema.additionalProperties;
  for (const [key, child] of Object.entries(value)) {
    const keyPath = childPath(path, key);
    if (Object.prototype.hasOwnProperty.call(properties, key)) {
      const propertySchema = properties[key];
      if (propertySchema !== undefined) validateNode(child, propertySchema, keyPath, causes);
    } else if (isObject(additional)) {
      validateNode(child, additional as JSONSchemaProps, keyPath, causes);
    }
  }
}

/** Embedded resources need apiVersion and kind (metadata is optional), as Kubernetes' objectmeta validation says. */
function validateEmbedded(value: Record<string, unknown>, path: string, causes: FieldCause[]): void {
  for (const key of ['apiVersion', 'kind']) {
    const field = childPath(path, key);
    const child = value[key];
    if (child === undefined)
      causes.push({ reason: 'FieldValueRequired', field, message: 'Required value: must not be empty' });
    else if (typeof child !== 'string') causes.push(invalid(field, child, 'must be a string'));
    else if (child === '') causes.push(invalid(field, child, 'must not be empty'));
  }
}

function validateCombinators(value: unknown, schema: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  const name = JSON.stringify(nameOf(path));
  for (const sub of schema.allOf ?? []) validateNode(value, sub, path, causes);
  const anyOf = schema.anyOf;
  if (anyOf !== undefined && anyOf.length > 0 && !anyOf.some((sub) => validateValue(value, sub, path).length === 0)) {
    causes.push(invalid(path, value, `${name} must validate at least one schema (anyOf)`));
  }
  const oneOf = schema.oneOf;
  if (
    oneOf !== undefined &&
    oneOf.length > 0 &&
    oneOf.filter((sub) => validateValue(value, sub, path).length === 0).length !== 1
  ) {
    causes.push(invalid(path, value, `${name} must validate one and only one schema (oneOf)`));
  }
  if (schema.not !== undefined && validateValue(value, schema.not, path).length === 0) {
    causes.push(invalid(path, value, `${name} must not validate the schema (not)`));
  }
}
