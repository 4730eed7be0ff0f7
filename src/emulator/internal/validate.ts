/**
 * Validation of a PUT/PATCH body against a kind's ARM body schema (`SchemaNode` from the resource model): required
 * properties, JSON types, enums (case-insensitive, as ARM compares them; extensible enums accept anything), patterns,
 * lengths, bounds, item counts and discriminated unions. Read-only properties are ignored (ARM drops them) and the
 * resource's `id`/`name`/`type` always come from the URL.
 */
import type { SchemaNode } from '../../model/index.js';
import { ArmError, type ArmErrorDetail } from './errors.js';

const urlDerived = new Set(['id', 'name', 'type']);

/** Collects every problem of `value` against `schema`; an empty list means valid. */
export function validateBody(
  value: unknown,
  schema: SchemaNode,
  options: { partial?: boolean } = {},
): ArmErrorDetail[] {
  const problems: ArmErrorDetail[] = [];
  visit(value, schema, '', problems, options.partial === true, true);
  return problems;
}

/** Throws ARM's 400 for the problems found: one → its own code and target; several → `BadRequest` with details. */
export function throwIfInvalid(problems: ArmErrorDetail[]): void {
  const [first] = problems;
  if (first === undefined) return;
  if (problems.length === 1)
    throw new ArmError(400, first.code, first.message, first.target !== undefined ? { target: first.target } : {});
  throw new ArmError(
    400,
    'BadRequest',
    `The request has ${problems.length} validation errors: ${problems.map((problem) => problem.message).join(' ')}`,
    { details: problems },
  );
}

function visit(
  value: unknown,
  schema: SchemaNode,
  path: string,
  problems: ArmErrorDetail[],
  partial: boolean,
  root: boolean,
): void {
  if (value === null || value === undefined) return;
  const where = path === '' ? 'the request body' : `'${path}'`;
  switch (schema.type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') {
        problems.push(typeProblem(path, where, 'a string', value));
        return;
      }
      checkString(value, schema, path, problems);
      return;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) {
        problems.push(typeProblem(path, where, schema.type === 'integer' ? 'an integer' : 'a number', value));
        return;
      }
      if (schema.minimum !== undefined && value < schema.minimum)
        problems.push(invalid(path, `The value ${value} of ${where} is less than the minimum ${schema.minimum}.`));
      if (schema.maximum !== undefined && value > schema.maximum)
        problems.push(invalid(path, `The value ${value} of ${where} is greater than the maximum ${schema.maximum}.`));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(typeProblem(path, where, 'a boolean', value));
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.push(typeProblem(path, where, 'an array', value));
        return;
      }
      if (schema.minItems !== undefined && value.length < schema.minItems)
        problems.push(invalid(path, `${capitalize(where)} must have at least ${schema.minItems} items.`));
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        problems.push(invalid(path, `${capitalize(where)} must have at most ${schema.maxItems} items.`));
      if (schema.items) {
        const items = schema.items;
        value.forEach((item, index) => visit(item, items, `${path}[${index}]`, problems, partial, false));
      }
      return;
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(typeProblem(path, where, 'an object', value));
        return;
      }
      visitObject(value as Record<string, unknown>, schema, path, problems, partial, root);
      return;
  }
}

function visitObject(
  value: Record<string, unknown>,
  schema: SchemaNode,
  path: string,
  problems: ArmErrorDetail[],
  partial: boolean,
  root: boolean,
): void {
  let properties = schema.properties ?? {};
  let required = schema.required ?? [];
  if (schema.discriminator) {
    const tag = value[schema.discriminator.property];
    const variants = schema.discriminator.variants;
    const variantName =
      typeof tag === 'string'
        ? Object.keys(variants).find((name) => name.toLowerCase() === tag.toLowerCase())
        : undefined;
    const variant = variantName === undefined ? undefined : variants[variantName];
    const tagPath = join(path, schema.discriminator.property);
    if (variant) {
      properties = { ...properties, ...(variant.properties ?? {}) };
      required = [...required, ...(variant.required ?? [])];
    } else if (tag !== undefined || !partial) {
      problems.push(
        invalid(
          tagPath,
          `The value '${String(tag)}' of '${tagPath}' is not one of the allowed values: ` +
            `${Object.keys(variants).join(', ')}.`,
        ),
      );
    }
  }
  if (!partial) {
    for (const name of required) {
      const child = properties[name];
      if (child?.readOnly || (root && urlDerived.has(name))) continue;
      if (value[name] === undefined || value[name] === null) {
        const target = join(path, name);
        if (root && name === 'location')
          problems.push({
            code: 'LocationRequired',
            target,
            message: 'The location property is required for this definition.',
          });
        else
          problems.push({
            code: 'InvalidParameter',
            target,
            message: `The required property '${target}' is missing from the request.`,
          });
      }
    }
  }
  for (const [name, child] of Object.entries(value)) {
    const childSchema = properties[name] ?? schema.additionalProperties;
    if (!childSchema || childSchema.readOnly || (root && urlDerived.has(name))) continue;
    visit(child, childSchema, join(path, name), problems, partial, false);
  }
}

function checkString(value: string, schema: SchemaNode, path: string, problems: ArmErrorDetail[]): void {
  if (
    schema.enum &&
    !schema.extensibleEnum &&
    !schema.enum.some((allowed) => allowed.toLowerCase() === value.toLowerCase())
  ) {
    problems.push(
      invalid(
        path,
        `The value '${value}' is not valid for property '${path}'. The allowed values are: ${schema.enum.join(', ')}.`,
      ),
    );
  }
  if (schema.minLength !== undefined && value.length < schema.minLength)
    problems.push(invalid(path, `The value of '${path}' must be at least ${schema.minLength} characters long.`));
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    problems.push(invalid(path, `The value of '${path}' must be at most ${schema.maxLength} characters long.`));
  if (schema.pattern !== undefined && !matchesPattern(value, schema.pattern))
    problems.push(invalid(path, `The value '${value}' of '${path}' does not match the pattern '${schema.pattern}'.`));
}

const patternCache = new Map<string, RegExp | null>();

function matchesPattern(value: string, pattern: string): boolean {
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
    patternCache.set(pattern, compiled);
  }
  return compiled === null || compiled.test(value);
}

function typeProblem(path: string, where: string, expected: string, value: unknown): ArmErrorDetail {
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return {
    code: 'InvalidRequestContent',
    target: path,
    message: `${capitalize(where)} must be ${expected}, not ${actual}.`,
  };
}

function invalid(path: string, message: string): ArmErrorDetail {
  return { code: 'InvalidParameter', target: path, message };
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Removes the properties the schema marks read-only (ARM ignores them in requests). Returns a new value. */
export function stripReadOnly(value: unknown, schema: SchemaNode | undefined): unknown {
  return prune(value, schema, (node) => node.readOnly === true);
}

/** Removes write-only properties (e.g. passwords) from a response body. Returns a new value. */
export function stripWriteOnly(value: unknown, schema: SchemaNode | undefined): unknown {
  return prune(value, schema, (node) => node.writeOnly === true);
}

function prune(value: unknown, schema: SchemaNode | undefined, drop: (node: SchemaNode) => boolean): unknown {
  if (schema === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return schema.items ? value.map((item) => prune(item, schema.items, drop)) : value;
  const record = value as Record<string, unknown>;
  let properties = schema.properties ?? {};
  if (schema.discriminator) {
    const tag = record[schema.discriminator.property];
    const variant = Object.entries(schema.discriminator.variants).find(
      ([name]) => typeof tag === 'string' && name.toLowerCase() === tag.toLowerCase(),
    )?.[1];
    if (variant?.properties) properties = { ...properties, ...variant.properties };
  }
  const result: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(record)) {
    const childSchema = properties[name] ?? schema.additionalProperties;
    if (childSchema && drop(childSchema) && name !== 'provisioningState') continue;
    result[name] = prune(child, childSchema, drop);
  }
  return result;
}
