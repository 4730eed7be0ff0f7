/**
 * A small strict structural check of an object against a CRD's openAPIV3Schema (unknown fields, types, required,
 * enum, pattern, bounds), used by the codegen sample test until the embedded API server validates CRs itself.
 */
export type Schema = Record<string, unknown>;

/** Returns `path: problem` strings (empty when valid). `metadata` is not checked. */
export function checkAgainstSchema(value: unknown, schema: Schema, path = ''): string[] {
  const problems: string[] = [];
  const at = path === '' ? '<root>' : path;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && schema.type === undefined) return problems;
  if (value === null || value === undefined) return problems;
  const type = schema.type;
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return [`${at}: expected string, got ${JSON.stringify(value)}`];
      if (Array.isArray(schema.enum) && !schema.enum.includes(value))
        problems.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
        problems.push(`${at}: does not match ${schema.pattern}`);
      if (typeof schema.minLength === 'number' && value.length < schema.minLength)
        problems.push(`${at}: shorter than ${schema.minLength}`);
      if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
        problems.push(`${at}: longer than ${schema.maxLength}`);
      return problems;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (type === 'integer' && !Number.isInteger(value)))
        return [`${at}: expected ${type}, got ${JSON.stringify(value)}`];
      if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: above ${schema.maximum}`);
      return problems;
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected boolean, got ${JSON.stringify(value)}`];
    case 'array': {
      if (!Array.isArray(value)) return [`${at}: expected array`];
      if (typeof schema.minItems === 'number' && value.length < schema.minItems)
        problems.push(`${at}: fewer than ${schema.minItems} items`);
      if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
        problems.push(`${at}: more than ${schema.maxItems} items`);
      const items = schema.items as Schema | undefined;
      if (items) value.forEach((item, i) => problems.push(...checkAgainstSchema(item, items, `${path}[${i}]`)));
      return problems;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected object`];
      const record = value as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const additional = schema.additionalProperties as Schema | undefined;
      for (const name of (schema.required ?? []) as string[])
        if (record[name] === undefined) problems.push(`${at}: missing required ${name}`);
      for (const [name, child] of Object.entries(record)) {
        const childPath = path === '' ? name : `${path}.${name}`;
        if (path === '' && name === 'metadata') continue;
        const childSchema = properties[name] ?? additional;
        if (!childSchema) {
          if (schema['x-kubernetes-preserve-unknown-fields'] !== true) problems.push(`${childPath}: unknown field`);
          continue;
        }
        problems.push(...checkAgainstSchema(child, childSchema, childPath));
      }
      return problems;
    }
    default:
      return problems;
  }
}
