/** Label selectors (equality and set-based) and field selectors, parsed into predicates. Malformed → 400. */
import { badRequest } from './errors.js';
import { labelValueErrors, qualifiedNameErrors } from './meta-validation.js';
import type { KubeObject } from './types.js';
import { isObject, metadataOf } from './types.js';

export type ObjectPredicate = (object: KubeObject) => boolean;

type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

/** Parses a label selector ("a=b,c in (x,y),!d"); returns undefined for an empty selector. */
export function parseLabelSelector(text: string | null | undefined): ObjectPredicate | undefined {
  if (!text || text.trim() === '') return undefined;
  const requirements: Requirement[] = [];
  let position = 0;
  const fail = (why: string) => badRequest(`unable to parse requirement: ${why}`);
  const skipSpaces = () => {
    while (text[position] === ' ') position += 1;
  };
  const readWord = (): string => {
    const match = /^[^\s,=!()<>]+/.exec(text.slice(position));
    const word = match?.[0] ?? '';
    position += word.length;
    return word;
  };
  while (position < text.length) {
    skipSpaces();
    let requirement: Requirement;
    if (text[position] === '!') {
      position += 1;
      skipSpaces();
      const key = readWord();
      if (!key) throw fail(`found '${text[position] ?? 'EOF'}', expected: identifier`);
      requirement = { key, op: 'notexists' };
    } else {
      const key = readWord();
      if (!key) throw fail(`found '${text[position] ?? 'EOF'}', expected: !, identifier, or 'end of string'`);
      skipSpaces();
      const rest = text.slice(position);
      if (rest.startsWith('==') || rest.startsWith('=') || rest.startsWith('!=')) {
        const op = rest.startsWith('!=') ? 'notin' : 'in';
        position += rest.startsWith('=') && !rest.startsWith('==') ? 1 : 2;
        skipSpaces();
        const value = readWord();
        requirement = { key, op, values: [value] };
      } else if (rest.startsWith('>') || rest.startsWith('<')) {
        position += 1;
        skipSpaces();
        const value = readWord();
        if (!/^-?\d+$/.test(value)) throw fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        requirement = { key, op: rest.startsWith('>') ? 'gt' : 'lt', value: Number(value) };
      } else if (/^(in|notin)\s*\(/.test(rest)) {
        const op = rest.startsWith('in') ? 'in' : 'notin';
        position += op.length;
        skipSpaces();
        position += 1; // (
        const close = text.indexOf(')', position);
        if (close < 0) throw fail(`found 'EOF', expected: ')'`);
        const values = text
          .slice(position, close)
          .split(',')
          .map((value) => value.trim());
        position = close + 1;
        requirement = { key, op, values: values.length === 1 && values[0] === '' ? [] : values };
        if (op === 'in' && requirement.values.length === 0)
          throw fail(`for 'in', 'notin' operators, values set can't be empty`);
      } else if (rest === '' || rest.startsWith(',')) {
        requirement = { key, op: 'exists' };
      } else {
        throw fail(`found '${rest[0] ?? ''}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const keyErrors = qualifiedNameErrors(requirement.key);
    if (keyErrors.length > 0) throw fail(`invalid label key "${requirement.key}": ${keyErrors.join('; ')}`);
    if (requirement.op === 'in' || requirement.op === 'notin') {
      for (const value of requirement.values) {
        const errors = labelValueErrors(value);
        if (errors.length > 0)
          throw fail(`invalid label value: "${value}": at key: "${requirement.key}": ${errors.join('; ')}`);
      }
    }
    requirements.push(requirement);
    skipSpaces();
    if (position < text.length) {
      if (text[position] !== ',') throw fail(`found '${text[position] ?? ''}', expected: ',' or 'end of string'`);
      position += 1;
    }
  }
  return (object) => {
    const labels = metadataOf(object).labels;
    const map = isObject(labels) ? labels : {};
    return requirements.every((requirement) => {
      const present = Object.prototype.hasOwnProperty.call(map, requirement.key);
      const value = present ? String(map[requirement.key]) : undefined;
      switch (requirement.op) {
        case 'exists':
          return present;
        case 'notexists':
          return !present;
        case 'in':
          return value !== undefined && requirement.values.includes(value);
        case 'notin':
          return value === undefined || !requirement.values.includes(value);
        case 'gt':
          return value !== undefined && Number(value) > requirement.value;
        case 'lt':
          return value !== undefined && Number(value) < requirement.value;
      }
      return false;
    });
  };
}

/** Field getters for a type: metadata.name/namespace plus the type's own labels. */
export type FieldLabels = Record<string, (object: KubeObject) => string | undefined>;

const commonFieldLabels: FieldLabels = {
  'metadata.name': (object) => String(metadataOf(object).name ?? ''),
  'metadata.namespace': (object) => String(metadataOf(object).namespace ?? ''),
};

/** Parses a field selector ("metadata.name=x,type!=y"); unsupported field → 400. */
export function parseFieldSelector(
  text: string | null | undefined,
  extra: FieldLabels | undefined,
  resourceName: string,
): ObjectPredicate | undefined {
  if (!text || text.trim() === '') return undefined;
  const labels: FieldLabels = { ...commonFieldLabels, ...(extra ?? {}) };
  const terms = splitUnescaped(text, ',');
  const checks: ObjectPredicate[] = [];
  for (const term of terms) {
    if (term.trim() === '') continue;
    const match = /^(.*?)(!=|==|=)(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = (match[1] ?? '').trim();
    const op = match[2];
    const value = unescapeValue((match[3] ?? '').trim());
    const getter = labels[field];
    if (!getter) throw badRequest(`field label not supported: ${field}`, { kind: resourceName });
    checks.push(
      op === '!=' ? (object) => (getter(object) ?? '') !== value : (object) => (getter(object) ?? '') === value,
    );
  }
  return (object) => checks.every((check) => check(object));
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (char === '\\' && index + 1 < text.length) {
      current += char + (text[index + 1] ?? '');
      index += 1;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function unescapeValue(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Both selectors combined (undefined = everything matches). */
export function combine(...predicates: Array<ObjectPredicate | undefined>): ObjectPredicate | undefined {
  const present = predicates.filter((predicate): predicate is ObjectPredicate => predicate !== undefined);
  if (present.length === 0) return undefined;
  return (object) => present.every((predicate) => predicate(object));
}
