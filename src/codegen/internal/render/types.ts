/**
 * Renders TypeScript declarations of each kind's spec and status, for users who write manifests in code. One file
 * per group (`generated/types/storage.ts`) with `<Kind>Spec`, `<Kind>Status` and `<Kind>` (the whole object).
 */
import type { KindModel, SchemaNode } from '../../../model/index.js';
import { specSchemaOf, statusSchemaOf } from '../../../model/index.js';

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The TypeScript type of a schema node, indented for nesting. */
export function typeOf(node: SchemaNode, indent = ''): string {
  switch (node.type) {
    case 'string':
      // Literal unions even for extensible enums: the CRD lists the enum, so the API server accepts only these.
      return node.enum ? node.enum.map((value) => JSON.stringify(value)).join(' | ') : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'any':
      return 'unknown';
    case 'array':
      return `Array<${node.items ? typeOf(node.items, indent) : 'unknown'}>`;
    case 'object': {
      const lines: string[] = [];
      const required = new Set(node.required ?? []);
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        const key = identifier.test(name) ? name : JSON.stringify(name);
        if (child.description) lines.push(`${indent}  /** ${child.description.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ')} */`);
        lines.push(`${indent}  ${key}${required.has(name) ? '' : '?'}: ${typeOf(child, `${indent}  `)};`);
      }
      if (node.additionalProperties) {
        const values = typeOf(node.additionalProperties, `${indent}  `);
        if (lines.length === 0) return `Record<string, ${values}>`;
        lines.push(`${indent}  [key: string]: ${values} | undefined;`);
      }
      if (lines.length === 0) return 'Record<string, unknown>';
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
  }
}

/** The declarations of one kind. */
export function renderKindTypes(model: KindModel): string {
  const versions = model.versions.map((version) => JSON.stringify(`${model.group}/${version}`)).join(' | ');
  return [
    `/** ${model.kind} (${model.armType}@${model.apiVersion}): spec. */`,
    `export interface ${model.kind}Spec ${typeOf(specSchemaOf(model))}`,
    '',
    `/** ${model.kind}: status, as the operator reports it. */`,
    `export interface ${model.kind}Status ${typeOf(statusSchemaOf(model))}`,
    '',
    `/** A ${model.kind} object. */`,
    `export interface ${model.kind} {`,
    `  apiVersion: ${versions};`,
    `  kind: ${JSON.stringify(model.kind)};`,
    '  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };',
    `  spec: ${model.kind}Spec;`,
    `  status?: ${model.kind}Status;`,
    '}',
    '',
  ].join('\n');
}
