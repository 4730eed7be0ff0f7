import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LeaseRecord, decideLeaseAction, leaseSeconds, observeLease, releasedRecord } from './lease-decision.js';

const held = (holder: string, renewTime: string, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: '2024-05-01T10:00:00.000Z',
  renewTime,
  leaseTransitions: 3,
  ...extra,
});
const base = { identity: 'me', timestamp: '2024-05-01T12:00:00.000Z', leaseDurationMs: 15_000 };

test('no Lease: create it, holder me, 0 transitions', () => {
  const action = decideLeaseAction({ ...base, now: 0, current: undefined, observation: undefined });
  assert.deepEqual(action, {
    kind: 'create',
    record: {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: base.timestamp,
      renewTime: base.timestamp,
      leaseTransitions: 0,
    },
  });
});

test('another holder: wait its lease duration from the LOCAL time the record was first seen, not renewTime', () => {
  // The holder's renewTime is hours in the past or in the future of the local clock: it never matters.
  for (const renewTime of ['2024-05-01T06:00:00.000Z', '2024-05-01T12:00:00.000Z', '2024-05-01T18:00:00.000Z']) {
    const current = { record: held('other', renewTime), resourceVersion: '7' };
    const first = observeLease(undefined, current.record, 1_000);
    const at = (now: number) =>
      decideLeaseAction({ ...base, now, current, observation: observeLease(first, current.record, now) });
    assert.deepEqual(at(1_000), { kind: 'wait', holder: 'other', expiresInMs: 15_000 }, renewTime);
    assert.deepEqual(at(15_999), { kind: 'wait', holder: 'other', expiresInMs: 1 }, renewTime);
    const takeover = at(16_000);
    assert.equal(takeover.kind, 'update', renewTime);
    assert.deepEqual(takeover, {
      kind: 'update',
      resourceVersion: '7',
      takeover: true,
      record: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: base.timestamp,
        renewTime: base.timestamp,
        leaseTransitions: 4,
      },
    });
  }
});

test('a changed record restarts the countdown; an unchanged one keeps its first sighting', () => {
  const first = observeLease(undefined, held('other', 'a'), 1_000);
  assert.equal(observeLease(first, held('other', 'a'), 9_000).observedAt, 1_000);
  assert.equal(observeLease(first, held('other', 'b'), 9_000).observedAt, 9_000);
  assert.equal(observeLease(first, held('other', 'a', { leaseTransitions: 4 }), 9_000).observedAt, 9_000);
  assert.equal(observeLease(first, held('third', 'a'), 9_000).observedAt, 9_000);
  // Renewed at 9 s: the candidate waits until 24 s, not 16 s.
  const current = { record: held('other', 'b'), resourceVersion: '8' };
  const observation = observeLease(first, current.record, 9_000);
  assert.equal(decideLeaseAction({ ...base, now: 20_000, current, observation }).kind, 'wait');
  assert.equal(decideLeaseAction({ ...base, now: 24_000, current, observation }).kind, 'update');
});

test("the holder's declared duration counts, not the candidate's", () => {
  const current = { record: held('other', 'a', { leaseDurationSeconds: 60 }), resourceVersion: '1' };
  const observation = observeLease(undefined, current.record, 0);
  assert.deepEqual(decideLeaseAction({ ...base, now: 30_000, current, observation }), {
    kind: 'wait',
    holder: 'other',
    expiresInMs: 30_000,
  });
  const undeclared = { record: held('other', 'a', { leaseDurationSeconds: 0 }), resourceVersion: '1' };
  const seen = observeLease(undefined, undeclared.record, 0);
  assert.equal(decideLeaseAction({ ...base, now: 14_999, current: undeclared, observation: seen }).kind, 'wait');
});

test('own Lease: renew, keeping acquireTime and transitions', () => {
  const current = { record: held('me', 'a'), resourceVersion: '9' };
  assert.deepEqual(decideLeaseAction({ ...base, now: 5, current, observation: undefined }), {
    kind: 'update',
    resourceVersion: '9',
    takeover: false,
    record: { ...held('me', base.timestamp), renewTime: base.timestamp },
  });
});

test('a released Lease (no holder) is taken at once, with one more transition', () => {
  const released = releasedRecord(held('other', 'a'), '2024-05-01T11:00:00.000Z');
  assert.equal(released.holderIdentity, '');
  assert.equal(released.leaseDurationSeconds, 1);
  assert.equal(released.leaseTransitions, 3);
  const current = { record: released, resourceVersion: '3' };
  const action = decideLeaseAction({ ...base, now: 0, current, observation: undefined });
  assert.equal(action.kind, 'update');
  assert.equal(action.kind === 'update' && action.record.leaseTransitions, 4);
  assert.equal(action.kind === 'update' && action.takeover, true);
});

test('lease seconds round up, at least 1', () => {
  assert.equal(leaseSeconds(15_000), 15);
  assert.equal(leaseSeconds(2_500), 3);
  assert.equal(leaseSeconds(10), 1);
});
