import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, checkDigest, type DigestKeyring, makeDigest } from './digest.js';
import { newDigestKey, parseDigestKeyring } from './digest-key.js';

const key = (byte: number) => Buffer.alloc(32, byte);
const keyring: DigestKeyring = { current: 'k1', keys: new Map([['k1', key(1)]]) };
const state = {
  armId: '/subscriptions/s/resourceGroups/rg',
  body: { location: 'westus', properties: { password: 'Hunter2-secret' } },
};

test('digest: same state → match; a removed field, a rotated secret or another ID → differs', () => {
  const recorded = makeDigest(keyring, state);
  assert.deepEqual(checkDigest(keyring, recorded, structuredClone(state)), { status: 'match', resign: false });
  assert.deepEqual(checkDigest(keyring, recorded, { ...state, body: { location: 'westus', properties: {} } }), {
    status: 'differs',
  });
  assert.deepEqual(
    checkDigest(keyring, recorded, { ...state, body: { location: 'westus', properties: { password: 'rotated' } } }),
    { status: 'differs' },
  );
  assert.deepEqual(checkDigest(keyring, recorded, { ...state, armId: `${state.armId}2` }), { status: 'differs' });
});

test('digest: keyed, so the annotation reveals nothing of a secret and cannot be checked without the key', () => {
  const recorded = makeDigest(keyring, state);
  assert.match(recorded, /^v1\.k1\.[A-Za-z0-9_-]{43}$/);
  assert.ok(!recorded.includes('Hunter2'));
  const otherKey: DigestKeyring = { current: 'k1', keys: new Map([['k1', key(2)]]) };
  assert.notEqual(makeDigest(otherKey, state), recorded, 'another key, another digest');
  assert.deepEqual(
    checkDigest(otherKey, recorded, state),
    { status: 'differs' },
    'a same-named key elsewhere never matches by chance',
  );
});

test('digest: nothing recorded, a foreign key id or garbage → none (the adoption rule applies)', () => {
  assert.deepEqual(checkDigest(keyring, undefined, state), { status: 'none' });
  assert.deepEqual(checkDigest(keyring, '', state), { status: 'none' });
  assert.deepEqual(checkDigest(keyring, 'v1.kother.abc', state), { status: 'none' });
  assert.deepEqual(checkDigest(keyring, 'not-a-digest', state), { status: 'none' });
  assert.deepEqual(checkDigest(keyring, 'v2.k1.abc', state), { status: 'none' });
});

test('digest: a rotated keyring still checks old digests, and asks for a re-sign', () => {
  const recorded = makeDigest(keyring, state);
  const rotated: DigestKeyring = {
    current: 'k2',
    keys: new Map([
      ['k1', key(1)],
      ['k2', key(3)],
    ]),
  };
  assert.deepEqual(checkDigest(rotated, recorded, state), { status: 'match', resign: true });
  assert.match(makeDigest(rotated, state), /^v1\.k2\./);
});

test('property: canonical JSON ignores key order and undefined members, keeps array order', () => {
  const json = fc.jsonValue();
  fc.assert(
    fc.property(json, (value) => {
      assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
      const reordered = reorder(value);
      assert.equal(canonicalJson(reordered), canonicalJson(value));
    }),
  );
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  assert.equal(canonicalJson({ a: 1, b: undefined }), canonicalJson({ a: 1 }));
});

test('property: two states get the same digest exactly when they are the same JSON', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      const sameJson = canonicalJson(a) === canonicalJson(b);
      assert.equal(makeDigest(keyring, a) === makeDigest(keyring, b), sameJson);
    }),
  );
});

test('digest keyring Secret: parsed strictly, with the fix in every message', () => {
  const { id, key: generated } = newDigestKey();
  assert.match(id, /^k[0-9a-f]{8}$/);
  const parsed = parseDigestKeyring({ current: id, [id]: generated.toString('hex') }, 'Secret x/azo-digest-key');
  assert.equal(parsed.current, id);
  assert.deepEqual(parsed.keys.get(id), generated);
  const where = 'Secret x/azo-digest-key';
  assert.throws(() => parseDigestKeyring({ k1: 'ab'.repeat(32) }, where), /no 'current' entry.*delete it/);
  assert.throws(
    () => parseDigestKeyring({ current: 'k2', k1: 'ab'.repeat(32) }, where),
    /names key "k2", which it does not contain/,
  );
  assert.throws(() => parseDigestKeyring({ current: 'k1', k1: 'short' }, where), /at least 64 hex digits/);
  assert.throws(() => parseDigestKeyring({ current: 'k.1', 'k.1': 'ab'.repeat(32) }, where), /may only use letters/);
});

function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, member]) => [key, reorder(member)]),
    );
  }
  return value;
}
