/**
 * A strict JSON parser (RFC 8259, the same values as JSON.parse) that also reports duplicate object keys, as
 * Kubernetes' strict decoding does ("duplicate field \"spec.replicas\""). The last duplicate wins, like JSON.parse
 * and Go's decoder. Malformed input throws a SyntaxError naming the offset, line and column.
 */
import { childPath, indexPath, setOwn } from './util.js';

/** Nesting deeper than this is rejected (Go's encoding/json allows 10000; a JS stack is smaller). */
const maxDepth = 2000;

/**
 * JSON.parse that also reports duplicate keys as dotted paths. Throws SyntaxError (message says where) if malformed.
 */
export function parseJsonDetectingDuplicates(text: string): { value: unknown; duplicateFields: string[] } {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.position < text.length) parser.fail('after top-level value');
  return { value, duplicateFields: parser.duplicates };
}

class Parser {
  position = 0;
  readonly duplicates: string[] = [];
  /** Keys and indices from the root to the value being parsed (paths are only built for duplicates). */
  private readonly path: Array<string | number> = [];

  constructor(private readonly text: string) {}

  private currentPath(): string {
    let result = '';
    for (const element of this.path)
      result = typeof element === 'number' ? indexPath(result, element) : childPath(result, element);
    return result;
  }

  skipWhitespace(): void {
    const text = this.text;
    let position = this.position;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) position++;
      else break;
    }
    this.position = position;
  }

  /** Throws a SyntaxError describing the character at the current position. */
  fail(context: string): never {
    const { line, column } = this.lineAndColumn(this.position);
    const found =
      this.position >= this.text.length
        ? 'unexpected end of JSON input'
        : `invalid character ${describe(this.text[this.position] ?? '')} ${context}`;
    throw new SyntaxError(`${found} at line ${line}, column ${column} (offset ${this.position})`);
  }

  private lineAndColumn(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let index = 0; index < offset && index < this.text.length; index++) {
      if (this.text.charCodeAt(index) === 0x0a) {
        line++;
        lineStart = index + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  }

  parseValue(depth: number): unknown {
    if (depth > maxDepth) throw new SyntaxError(`exceeded max depth of ${maxDepth} at offset ${this.position}`);
    const code = this.text.charCodeAt(this.position);
    switch (code) {
      case 0x7b /* { */:
        return this.parseObject(depth);
      case 0x5b /* [ */:
        return this.parseArray(depth);
      case 0x22 /* " */:
        return this.parseString();
      case 0x74 /* t */:
        return this.parseLiteral('true', true);
      case 0x66 /* f */:
        return this.parseLiteral('false', false);
      case 0x6e /* n */:
        return this.parseLiteral('null', null);
      default:
        if (code === 0x2d || (code >= 0x30 && code <= 0x39)) return this.parseNumber();
        return this.fail('looking for beginning of value');
    }
  }

  private parseLiteral(word: string, value: unknown): unknown {
    for (let index = 0; index < word.length; index++) {
      if (this.text[this.position] !== word[index])
        this.fail(`in literal ${word} (expecting ${describe(word[index] ?? '')})`);
      this.position++;
    }
    return value;
  }

  private parseObject(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.position++; // {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x7d) {
      this.position++;
      return result;
    }
    for (;;) {
      if (this.text.charCodeAt(this.position) !== 0x22) this.fail('looking for beginning of object key string');
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position) !== 0x3a) this.fail('after object key');
      this.position++;
      this.skipWhitespace();
      this.path.push(key);
      const value = this.parseValue(depth + 1);
      if (seen.has(key)) this.duplicates.push(this.currentPath());
      else seen.add(key);
      this.path.pop();
      setOwn(result, key, value);
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.position);
      if (next === 0x2c) {
        this.position++;
        this.skipWhitespace();
      } else if (next === 0x7d) {
        this.position++;
        return result;
      } else this.fail('after object key:value pair');
    }
  }

  private parseArray(depth: number): unknown[] {
    const result: unknown[] = [];
    this.position++; // [
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x5d) {
      this.position++;
      return result;
    }
    for (;;) {
      this.path.push(result.length);
      result.push(this.parseValue(depth + 1));
      this.path.pop();
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.position);
      if (next === 0x2c) {
        this.position++;
        this.skipWhitespace();
      } else if (next === 0x5d) {
        this.position++;
        return result;
      } else this.fail('after array element');
    }
  }

  parseString(): string {
    const text = this.text;
    const quote = this.position;
    let position = quote + 1;
    let escaped = false;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === 0x22) break;
      if (code === 0x5c) {
        escaped = true;
        position += 2;
        continue;
      }
      if (code < 0x20 || Number.isNaN(code)) {
        this.position = Math.min(position, text.length);
        this.fail('in string literal');
      }
      position++;
    }
    this.position = position + 1;
    if (!escaped) return text.slice(quote + 1, position);
    try {
      return JSON.parse(text.slice(quote, position + 1)) as string;
    } catch {
      this.position = this.findBadEscape(quote + 1, position);
      return this.fail('in string escape code');
    }
  }

  /** Offset of the first malformed escape in text[from, to) (for the error message). */
  private findBadEscape(from: number, to: number): number {
    for (let position = from; position < to; position++) {
      if (this.text.charCodeAt(position) !== 0x5c) continue;
      const escape = this.text[position + 1] ?? '';
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(position + 2, position + 6))) return position + 1;
        position += 5;
      } else if ('"\\/bfnrt'.includes(escape)) position++;
      else return position + 1;
    }
    return from;
  }

  private parseNumber(): number {
    const text = this.text;
    const start = this.position;
    let position = start;
    const isDigit = (at: number): boolean => {
      const code = text.charCodeAt(at);
      return code >= 0x30 && code <= 0x39;
    };
    if (text[position] === '-') position++;
    if (text[position] === '0') position++;
    else if (isDigit(position)) while (isDigit(position)) position++;
    else {
      this.position = position;
      this.fail('in numeric literal');
    }
    if (text[position] === '.') {
      position++;
      if (!isDigit(position)) {
        this.position = position;
        this.fail('after decimal point in numeric literal');
      }
      while (isDigit(position)) position++;
    }
    if (text[position] === 'e' || text[position] === 'E') {
      position++;
      if (text[position] === '+' || text[position] === '-') position++;
      if (!isDigit(position)) {
        this.position = position;
        this.fail('in exponent of numeric literal');
      }
      while (isDigit(position)) position++;
    }
    this.position = position;
    return Number(text.slice(start, position));
  }
}

function describe(character: string): string {
  if (character === "'") return "'\\''";
  const code = character.charCodeAt(0);
  if (code < 0x20) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${character}'`;
}
