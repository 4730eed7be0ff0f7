import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseElectionTiming } from './election-timing.js';

const defaults = {
  leaderElectionLeaseDuration: '15s',
  leaderElectionRenewDeadline: '10s',
  leaderElectionRetryPeriod: '2s',
};

test("client-go's defaults, and durations in any unit", () => {
  assert.deepEqual(parseElectionTiming(defaults), {
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  });
  const short = {
    leaderElectionLeaseDuration: '5s',
    leaderElectionRenewDeadline: '3000ms',
    leaderElectionRetryPeriod: '0.5',
  };
  assert.deepEqual(parseElectionTiming(short), { leaseDurationMs: 5_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 });
});

test('a bad value names the flag and its variable; an inconsistent timing says why', () => {
  assert.throws(
    () => parseElectionTiming({ ...defaults, leaderElectionRetryPeriod: 'soon' }),
    /^Error: --leader-election-retry-period \(or AZO_LEADER_ELECTION_RETRY_PERIOD\): "soon" is not a duration/,
  );
  assert.throws(() => parseElectionTiming({ ...defaults, leaderElectionRenewDeadline: '0s' }), /renew-deadline/);
  assert.throws(
    () => parseElectionTiming({ ...defaults, leaderElectionRenewDeadline: '20s' }),
    /the lease duration \(15000 ms\) must be longer than the renew deadline \(20000 ms\)/,
  );
});
