import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonDetectingDuplicates } from './json-parse.js';

test('parses every JSON construct exactly as JSON.parse', () => {
  const samples = [
    '{}',
    '[]',
    'null',
    'true',
    'false',
    '0',
    '-0',
    '1.5e3',
    '-12.25E-2',
    '"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"',
    ' {"a": [1, {"b": null}, "x"], "c": {"d": {}}} ',
    '"é日本"',
    '[[[]]]',
    '{"__proto__": {"x": 1}}',
    '123456789012345678901',
  ];
  for (const sample of samples) {
    const { value, duplicateFields } = parseJsonDetectingDuplicates(sample);
    assert.deepEqual(value, JSON.parse(sample), sample);
    assert.deepEqual(duplicateFields, []);
  }
  const proto = parseJsonDetectingDuplicates('{"__proto__": {"x": 1}}').value as Record<string, unknown>;
  assert.ok(Object.prototype.hasOwnProperty.call(proto, '__proto__'));
});

test('reports duplicate keys with their dotted paths, last value wins', () => {
  const cases: Array<[string, string[], unknown]> = [
    ['{"a":1,"a":2}', ['a'], { a: 2 }],
    ['{"spec":{"replicas":1,"replicas":3}}', ['spec.replicas'], { spec: { replicas: 3 } }],
    ['{"spec":{"items":[{"n":1},{"n":2,"n":3}]}}', ['spec.items[1].n'], { spec: { items: [{ n: 1 }, { n: 3 }] } }],
    ['{"a":{"b":1},"a":{"c":2}}', ['a'], { a: { c: 2 } }],
    ['{"m":{"x":1,"x":2,"x":3}}', ['m.x', 'm.x'], { m: { x: 3 } }],
  ];
  for (const [text, duplicates, value] of cases) {
    const result = parseJsonDetectingDuplicates(text);
    assert.deepEqual(result.duplicateFields, duplicates, text);
    assert.deepEqual(result.value, value, text);
  }
});

test('malformed input throws a SyntaxError naming the position', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /unexpected end of JSON input/],
    ['{"a":1,}', /invalid character '}' looking for beginning of object key string at line 1, column 8 \(offset 7\)/],
    ['{"a" 1}', /after object key/],
    ['[1 2]', /after array element/],
    ['{"a":1}x', /after top-level value/],
    ['01', /after top-level value/],
    ['"abc', /unexpected end/],
    ['"a\tb"', /in string literal/],
    ['"\\x"', /in string escape code at line 1, column 3/],
    ['"ab\\', /unexpected end/],
    ['"\\u12G4"', /in string escape code at line 1, column 3/],
    ['tru', /unexpected end/],
    ['nul!', /in literal null/],
    ['-', /unexpected end/],
    ['1.', /unexpected end/],
    ['1e+', /unexpected end/],
    ['{\n  "a": 1,\n  x\n}', /line 3, column 3/],
    ["'a'", /invalid character '\\'' looking for beginning of value/],
    ['NaN', /looking for beginning of value/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseJsonDetectingDuplicates(text),
      (error: unknown) => error instanceof SyntaxError && message.test(error.message),
      text,
    );
  }
  assert.throws(() => parseJsonDetectingDuplicates('['.repeat(5000) + ']'.repeat(5000)), SyntaxError);
});
