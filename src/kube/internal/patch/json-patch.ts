/**
 * JSON patch (RFC 6902): add, remove, replace, move, copy, test, with RFC 6901 pointers (`~0` = "~", `~1` = "/",
 * `-` = past the end of an array). A patch that is not a list of operation objects is malformed (400); an
 * operation that cannot apply to the document (missing path, failed test, bad index) is 422, as Kubernetes answers.
 * Operations apply in order to a copy; the input is never modified.
 */
import { PatchError } from './errors.js';
import { cloneJson, hasOwn, isObject, jsonEqual, setOwn } from './json.js';

/** Parses an RFC 6901 pointer into its unescaped tokens ("" → []). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with "/"`, 422);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token))
        throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: bad escape`, 422);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string, op: string): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(
      `${op} operation does not apply: invalid array index ${JSON.stringify(token)} in ${pointer}`,
      422,
    );
  const index = Number(token);
  if (index > length || (!allowEnd && index === length))
    throw new PatchError(`${op} operation does not apply: index out of bounds in ${pointer}`, 422);
  return index;
}

/** Walks to the container holding the last token. */
function locate(document: unknown, tokens: string[], pointer: string, op: string): { parent: unknown; key: string } {
  let parent: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(parent)) parent = parent[arrayIndex(token, parent.length, false, pointer, op)];
    else if (isObject(parent) && hasOwn(parent, token)) parent = parent[token];
    else
      throw new PatchError(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}: missing value`,
        422,
      );
  }
  return { parent, key: tokens[tokens.length - 1] ?? '' };
}

function getValue(document: unknown, pointer: string, op: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return document;
  const { parent, key } = locate(document, tokens, pointer, op);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length, false, pointer, op)];
  if (isObject(parent) && hasOwn(parent, key)) return parent[key];
  throw new PatchError(
    `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}: missing value`,
    422,
  );
}

function addValue(document: unknown, pointer: string, value: unknown, op: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(document, tokens, pointer, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, pointer, op), 0, value);
  else if (isObject(parent)) setOwn(parent, key, value);
  else
    throw new PatchError(
      `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}: missing value`,
      422,
    );
  return document;
}

function removeValue(document: unknown, pointer: string, op: string): { document: unknown; removed: unknown } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0)
    throw new PatchError(`${op} operation does not apply: cannot remove the whole document`, 422);
  const { parent, key } = locate(document, tokens, pointer, op);
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(key, parent.length, false, pointer, op), 1);
    return { document, removed };
  }
  if (isObject(parent) && hasOwn(parent, key)) {
    const removed = parent[key];
    delete parent[key];
    return { document, removed };
  }
  throw new PatchError(
    `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}: missing value`,
    422,
  );
}

function replaceValue(document: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(document, tokens, pointer, 'replace');
  if (Array.isArray(parent)) parent[arrayIndex(key, parent.length, false, pointer, 'replace')] = value;
  else if (isObject(parent) && hasOwn(parent, key)) setOwn(parent, key, value);
  else throw new PatchError(`replace operation does not apply: doc is missing key: ${pointer}: missing value`, 422);
  return document;
}

function stringField(operation: Record<string, unknown>, name: string, op: string): string {
  const value = operation[name];
  if (typeof value !== 'string') throw new PatchError(`${op} operation is missing the "${name}" field (a string)`, 422);
  return value;
}

function requireValue(operation: Record<string, unknown>, op: string): unknown {
  if (!hasOwn(operation, 'value')) throw new PatchError(`${op} operation is missing the "value" field`, 422);
  return cloneJson(operation.value);
}

/** Applies an RFC 6902 patch; throws PatchError (400 malformed, 422 cannot apply). */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  let document = cloneJson(target);
  for (const operation of operations) {
    if (!isObject(operation))
      throw new PatchError('json: cannot unmarshal a non-object into a JSON patch operation', 400);
    const op = operation.op;
    if (typeof op !== 'string') throw new PatchError('JSON patch operation is missing the "op" field', 400);
    switch (op) {
      case 'add':
        document = addValue(document, stringField(operation, 'path', op), requireValue(operation, op), op);
        break;
      case 'remove':
        document = removeValue(document, stringField(operation, 'path', op), op).document;
        break;
      case 'replace':
        document = replaceValue(document, stringField(operation, 'path', op), requireValue(operation, op));
        break;
      case 'move': {
        const from = stringField(operation, 'from', op);
        const path = stringField(operation, 'path', op);
        if (path !== from && path.startsWith(`${from}/`))
          throw new PatchError(`move operation does not apply: "from" ${from} is a prefix of "path" ${path}`, 422);
        if (path === from) {
          getValue(document, from, op);
          break;
        }
        const { document: without, removed } = removeValue(document, from, op);
        document = addValue(without, path, removed, op);
        break;
      }
      case 'copy': {
        const value = cloneJson(getValue(document, stringField(operation, 'from', op), op));
        document = addValue(document, stringField(operation, 'path', op), value, op);
        break;
      }
      case 'test': {
        const path = stringField(operation, 'path', op);
        let actual: unknown;
        try {
          actual = getValue(document, path, op);
        } catch {
          actual = undefined;
        }
        const expected = operation.value;
        const equal = actual === undefined ? expected === undefined || expected === null : jsonEqual(actual, expected);
        if (!equal) throw new PatchError(`testing value ${path} failed: test failed`, 422);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${op}`, 422);
    }
  }
  return document;
}
