import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError } from './errors.js';
import { applyJsonPatch } from './json-patch.js';

const doc = { spec: { replicas: 1, list: ['a', 'b'], 'a/b': 1, 'm~n': 2, items: [{ name: 'x' }] } };

test('the six operations', () => {
  const cases: Array<[string, unknown[], unknown]> = [
    ['add member', [{ op: 'add', path: '/spec/new', value: { a: 1 } }], { spec: { ...doc.spec, new: { a: 1 } } }],
    ['add replaces member', [{ op: 'add', path: '/spec/replicas', value: 3 }], { spec: { ...doc.spec, replicas: 3 } }],
    [
      'add inserts into array',
      [{ op: 'add', path: '/spec/list/1', value: 'z' }],
      { spec: { ...doc.spec, list: ['a', 'z', 'b'] } },
    ],
    [
      'add - appends',
      [{ op: 'add', path: '/spec/list/-', value: 'c' }],
      { spec: { ...doc.spec, list: ['a', 'b', 'c'] } },
    ],
    [
      'add at end index',
      [{ op: 'add', path: '/spec/list/2', value: 'c' }],
      { spec: { ...doc.spec, list: ['a', 'b', 'c'] } },
    ],
    [
      'remove member',
      [{ op: 'remove', path: '/spec/replicas' }],
      { spec: { list: ['a', 'b'], 'a/b': 1, 'm~n': 2, items: [{ name: 'x' }] } },
    ],
    ['remove array item', [{ op: 'remove', path: '/spec/list/0' }], { spec: { ...doc.spec, list: ['b'] } }],
    [
      'replace',
      [{ op: 'replace', path: '/spec/items/0/name', value: 'y' }],
      { spec: { ...doc.spec, items: [{ name: 'y' }] } },
    ],
    [
      'escapes ~1 and ~0',
      [
        { op: 'replace', path: '/spec/a~1b', value: 5 },
        { op: 'replace', path: '/spec/m~0n', value: 6 },
      ],
      { spec: { ...doc.spec, 'a/b': 5, 'm~n': 6 } },
    ],
    [
      'move',
      [{ op: 'move', from: '/spec/replicas', path: '/spec/count' }],
      { spec: { list: ['a', 'b'], 'a/b': 1, 'm~n': 2, items: [{ name: 'x' }], count: 1 } },
    ],
    [
      'move within array',
      [{ op: 'move', from: '/spec/list/0', path: '/spec/list/1' }],
      { spec: { ...doc.spec, list: ['b', 'a'] } },
    ],
    [
      'copy',
      [{ op: 'copy', from: '/spec/items/0', path: '/spec/items/-' }],
      { spec: { ...doc.spec, items: [{ name: 'x' }, { name: 'x' }] } },
    ],
    [
      'test passes',
      [
        { op: 'test', path: '/spec/items', value: [{ name: 'x' }] },
        { op: 'replace', path: '/spec/replicas', value: 2 },
      ],
      { spec: { ...doc.spec, replicas: 2 } },
    ],
    ['replace root', [{ op: 'replace', path: '', value: { a: 1 } }], { a: 1 }],
    ['empty patch', [], doc],
  ];
  for (const [name, operations, result] of cases) assert.deepEqual(applyJsonPatch(doc, operations), result, name);
  assert.deepEqual(doc.spec.list, ['a', 'b'], 'input untouched');
});

test('failures are PatchErrors with the right status', () => {
  const cases: Array<[string, unknown, 400 | 422, RegExp]> = [
    ['not an array', { op: 'add' }, 400, /cannot unmarshal/],
    ['op not an object', ['x'], 400, /non-object/],
    ['missing op', [{ path: '/a' }], 400, /"op"/],
    ['test fails', [{ op: 'test', path: '/spec/replicas', value: 2 }], 422, /testing value \/spec\/replicas failed/],
    ['unknown op', [{ op: 'frob', path: '/a' }], 422, /Unexpected kind: frob/],
    ['remove missing', [{ op: 'remove', path: '/spec/nope' }], 422, /missing/],
    ['replace missing', [{ op: 'replace', path: '/spec/nope', value: 1 }], 422, /doc is missing key/],
    ['add under missing parent', [{ op: 'add', path: '/nope/x', value: 1 }], 422, /doc is missing path/],
    ['index out of bounds', [{ op: 'add', path: '/spec/list/5', value: 1 }], 422, /out of bounds/],
    ['leading zero index', [{ op: 'replace', path: '/spec/list/01', value: 1 }], 422, /invalid array index/],
    ['bad pointer', [{ op: 'add', path: 'spec', value: 1 }], 422, /must start with/],
    ['bad escape', [{ op: 'add', path: '/spec/a~2', value: 1 }], 422, /bad escape/],
    ['add without value', [{ op: 'add', path: '/spec/x' }], 422, /"value"/],
    ['move into own child', [{ op: 'move', from: '/spec', path: '/spec/x' }], 422, /prefix/],
    ['remove - index', [{ op: 'remove', path: '/spec/list/-' }], 422, /invalid array index/],
  ];
  for (const [name, operations, status, message] of cases) {
    assert.throws(
      () => applyJsonPatch(doc, operations),
      (error: unknown) => error instanceof PatchError && error.httpStatus === status && message.test(error.message),
      name,
    );
  }
});

test('a failed operation leaves no partial change behind', () => {
  const target = { a: 1 };
  assert.throws(
    () =>
      applyJsonPatch(target, [
        { op: 'replace', path: '/a', value: 2 },
        { op: 'test', path: '/a', value: 1 },
      ]),
    PatchError,
  );
  assert.deepEqual(target, { a: 1 });
});
