import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HeldErrors } from './held-errors.js';

const failure = { uid: 'u1', fingerprint: 'f1', reason: 'InvalidParameter', message: 'bad' };

test('held errors: the same inputs are held until the slow retry is due, which doubles up to the cap', () => {
  let now = 0;
  const held = new HeldErrors({ now: () => now, baseDelayMs: 60_000, maxDelayMs: 600_000 });
  assert.equal(held.record('k', failure), 60_000);
  assert.deepEqual(held.held('k', 'u1', 'f1'), { reason: 'InvalidParameter', message: 'bad', remainingMs: 60_000 });
  now = 59_999;
  assert.equal(held.held('k', 'u1', 'f1')?.remainingMs, 1);
  now = 60_000;
  assert.equal(held.held('k', 'u1', 'f1'), undefined, 'due: try again');
  assert.equal(held.record('k', failure), 120_000);
  assert.equal(held.record('k', failure), 240_000);
  assert.equal(held.record('k', failure), 480_000);
  assert.equal(held.record('k', failure), 600_000, 'capped (at the sync period)');
});

test('held errors: new inputs, a new object of the same name, or a success release at once', () => {
  const held = new HeldErrors({ now: () => 0 });
  held.record('k', failure);
  assert.equal(held.held('k', 'u1', 'f2'), undefined, 'a Secret, reference, spec or credential changed');
  assert.equal(held.held('k', 'u1', 'f1'), undefined, 'and the entry is gone');
  held.record('k', failure);
  assert.equal(held.held('k', 'u2', 'f1'), undefined, 'another object');
  held.record('k', failure);
  held.forget('k');
  assert.equal(held.held('k', 'u1', 'f1'), undefined);
  held.record('k', { ...failure, fingerprint: undefined });
  assert.equal(held.held('k', 'u1', undefined), undefined, 'unknown inputs are never held, only delayed');
});

test('property: never a hot loop, never stuck — every delay is within [base, cap]', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1_000, max: 86_400_000 }), (failures, cap) => {
      const held = new HeldErrors({ now: () => 0, baseDelayMs: 60_000, maxDelayMs: cap });
      for (let i = 0; i < failures; i++) {
        const delay = held.record('k', failure);
        assert.ok(delay >= Math.min(60_000, cap) && delay <= cap, String(delay));
      }
    }),
  );
});
