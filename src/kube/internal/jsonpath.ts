/**
 * The subset of Kubernetes JSONPath used by printer columns: `.a.b`, `.a[0]`, `.a[*]`, `.a['x.y']`,
 * and filters `[?(@.type=="Ready")]` (==, != with string/number/bool literals, or a bare `@.field` existence test).
 */
import { isObject } from './types.js';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!=' | 'exists'; value?: unknown };

/** Parses a printer-column JSONPath; throws Error on syntax it does not understand. */
export function parseJsonPath(expression: string): Step[] {
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  if (text.startsWith('$')) text = text.slice(1);
  const steps: Step[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text[position];
    if (char === '.') {
      position += 1;
      const match = /^[^.[\]]*/.exec(text.slice(position));
      const name = match?.[0] ?? '';
      position += name.length;
      if (name === '*') steps.push({ kind: 'all' });
      else if (name !== '') steps.push({ kind: 'field', name });
    } else if (char === '[') {
      const end = findClosingBracket(text, position);
      const inner = text.slice(position + 1, end).trim();
      position = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1)));
      else throw new Error(`unsupported JSONPath segment [${inner}]`);
    } else {
      const match = /^[^.[\]]+/.exec(text.slice(position));
      const name = match?.[0] ?? '';
      if (name === '') throw new Error(`unexpected character ${char ?? ''} in JSONPath ${expression}`);
      position += name.length;
      steps.push({ kind: 'field', name });
    }
  }
  return steps;
}

function findClosingBracket(text: string, open: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[') depth += 1;
    else if (char === ']') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new Error(`unclosed [ in JSONPath ${text}`);
}

function parseFilter(expression: string): Step {
  const match = /^@((?:\.[A-Za-z0-9_-]+)+)\s*(?:(==|!=)\s*(.+))?$/.exec(expression.trim());
  if (!match) throw new Error(`unsupported JSONPath filter ${expression}`);
  const path = (match[1] ?? '').split('.').filter((part) => part !== '');
  if (!match[2]) return { kind: 'filter', path, op: 'exists' };
  const literal = (match[3] ?? '').trim();
  let value: unknown;
  if (/^'.*'$/.test(literal)) value = literal.slice(1, -1);
  else {
    try {
      value = JSON.parse(literal) as unknown;
    } catch {
      throw new Error(`unsupported JSONPath literal ${literal}`);
    }
  }
  return { kind: 'filter', path, op: match[2] === '==' ? '==' : '!=', value };
}

/** Evaluates parsed steps; returns every matched value (empty when nothing matches). */
export function evaluateJsonPath(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'field') {
        if (isObject(value) && step.name in value) next.push(value[step.name]);
      } else if (step.kind === 'index') {
        if (Array.isArray(value)) {
          const index = step.index < 0 ? value.length + step.index : step.index;
          if (index >= 0 && index < value.length) next.push(value[index]);
        }
      } else if (step.kind === 'all') {
        if (Array.isArray(value)) next.push(...value);
        else if (isObject(value)) next.push(...Object.values(value));
      } else {
        const items = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
        for (const item of items) {
          let field: unknown = item;
          for (const part of step.path) field = isObject(field) ? field[part] : undefined;
          if (step.op === 'exists' ? field !== undefined : (field === step.value) === (step.op === '=='))
            next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
