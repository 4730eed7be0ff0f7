// The election state machine on a fake clock, against an in-memory Lease with resourceVersions. Each candidate has
// its own view of time (hours ahead or behind): takeovers must come neither early nor late.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { FakeClock } from './fake-clock.js';
import type { Clock } from './queue.js';
import type { LeaseRecord, LeaseSnapshot } from './lease-decision.js';
import { LeaderElector, NotLeaderError, checkElectionTiming, type LeaseLock } from './leader-elector.js';

const hour = 3_600_000;
const epoch = Date.parse('2025-01-01T00:00:00Z');
const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** The API server's side: one Lease, a resourceVersion per write, and a log of the writes (in base-clock time). */
class LeaseStore {
  lease: LeaseSnapshot | undefined;
  private version = 0;
  readonly writes: Array<{ at: number; by: string; record: LeaseRecord }> = [];
  constructor(private readonly clock: FakeClock) {}

  write(by: string, record: LeaseRecord, resourceVersion: string | undefined): LeaseSnapshot {
    if (resourceVersion === undefined ? this.lease !== undefined : this.lease?.resourceVersion !== resourceVersion) {
      throw Object.assign(new Error('Conflict'), { code: 409 });
    }
    this.lease = { record: { ...record }, resourceVersion: String(++this.version) };
    this.writes.push({ at: this.clock.now(), by, record });
    return this.lease;
  }
}

/** A candidate's connection to the store; `cut` makes its calls hang until their signal aborts (or forever). */
function connect(
  store: LeaseStore,
  by: string,
  link = { cut: false, ignoreSignal: false },
): LeaseLock & { link: typeof link } {
  const answer = <T>(signal: AbortSignal, work: () => T): Promise<T> => {
    if (!link.cut) return Promise.resolve().then(work);
    return new Promise<T>((_, reject) => {
      if (!link.ignoreSignal) signal.addEventListener('abort', () => reject(signal.reason));
    });
  };
  return {
    link,
    description: 'default/azo-operator-leader',
    get: (signal) => answer(signal, () => store.lease),
    create: (record, signal) => answer(signal, () => store.write(by, record, undefined)),
    update: (record, resourceVersion, signal) => answer(signal, () => store.write(by, record, resourceVersion)),
  };
}

/**
 * A clock `offsetMs` away from `base` (timers shared), whose offset can jump without firing timers, and whose timers
 * may fire `earlyMs` early (as Node's do, by up to a millisecond, against a finer clock).
 */
function skewed(base: FakeClock, offsetMs: number, earlyMs = 0): Clock & { offsetMs: number } {
  return {
    offsetMs,
    now() {
      return base.now() + this.offsetMs;
    },
    setTimer: (callback, delayMs) => base.setTimer(callback, delayMs >= 1 ? Math.max(1, delayMs - earlyMs) : delayMs),
    clearTimer: (handle) => base.clearTimer(handle),
  };
}

interface Candidate {
  name: string;
  elector: LeaderElector;
  lock: ReturnType<typeof connect>;
  clock: ReturnType<typeof skewed>;
  acquired: Promise<void>;
  /** Base-clock time it became the leader / lost the Lease. */
  ledAt?: number;
  lostAt?: number;
  lostReason?: string;
}

function candidate(store: LeaseStore, base: FakeClock, name: string, offsetMs = 0, earlyTimersMs = 0): Candidate {
  const clock = skewed(base, offsetMs, earlyTimersMs);
  const lock = connect(store, name);
  const self: Candidate = { name, lock, clock } as Candidate;
  self.elector = new LeaderElector({
    ...timing,
    lock,
    identity: name,
    clock,
    wallClock: () => epoch + clock.now(),
    logger: pino({ level: 'silent' }),
    onLost: (reason) => {
      self.lostAt = base.now();
      self.lostReason = reason;
    },
  });
  self.acquired = self.elector.acquire();
  void self.acquired.then(
    () => (self.ledAt = base.now()),
    () => undefined,
  );
  return self;
}

/** Moves the base clock forward in small steps, letting the lock's promises settle between them. */
async function run(base: FakeClock, ms: number, stepMs = 50): Promise<void> {
  await settle();
  for (let done = 0; done < ms; done += stepMs) {
    base.advance(Math.min(stepMs, ms - done));
    await settle();
  }
}
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A store on a fake clock, a leader (`holder`, started first) and a standby (clocks `offsets` from the base). */
async function leaderAndStandby(offsets: { holder?: number; standby?: number } = {}) {
  const base = new FakeClock();
  const store = new LeaseStore(base);
  const holder = candidate(store, base, 'holder', offsets.holder ?? 0);
  await run(base, 100);
  const standby = candidate(store, base, 'standby', offsets.standby ?? 0);
  return { base, store, holder, standby };
}

test('the first candidate creates the Lease and renews it every retry period; the second waits', async () => {
  const { base, store, holder, standby } = await leaderAndStandby();
  await run(base, 60_000);
  assert.equal(holder.ledAt, 0);
  assert.equal(standby.ledAt, undefined);
  assert.equal(holder.lostAt, undefined);
  assert.equal(store.lease?.record.holderIdentity, 'holder');
  assert.equal(store.lease?.record.leaseTransitions, 0);
  const renewals = store.writes.filter((write) => write.by === 'holder').map((write) => write.at);
  assert.ok(renewals.length >= 25, `renewed every ~2 s (${renewals.length})`);
  assert.ok(renewals.every((at, index) => index === 0 || at - (renewals[index - 1] ?? 0) <= 2_100));
});

for (const [holderOffset, standbyOffset, label] of [
  [-3 * hour, 3 * hour, "holder's clock 3 h behind, standby's 3 h ahead"],
  [3 * hour, -3 * hour, "holder's clock 3 h ahead, standby's 3 h behind"],
  [0, 0, 'same clocks'],
] as const) {
  test(`${label}: no takeover while the holder renews`, async () => {
    const { base, store, holder, standby } = await leaderAndStandby({ holder: holderOffset, standby: standbyOffset });
    await run(base, 120_000);
    assert.equal(standby.ledAt, undefined, 'the standby never took over');
    assert.equal(holder.lostAt, undefined);
    // The holder wrote times of its own clock: hours away from the standby's.
    const renewTime = Date.parse(store.lease?.record.renewTime ?? '');
    assert.ok(
      Math.abs(renewTime - (epoch + standby.clock.now())) >= 6 * hour - 5_000 || holderOffset === standbyOffset,
    );
  });

  test(`${label}: a holder cut off stops within the renew deadline; the standby takes over on time`, async () => {
    const { base, store, holder, standby } = await leaderAndStandby({ holder: holderOffset, standby: standbyOffset });
    await run(base, 10_000);
    holder.lock.link.cut = true;
    const cutAt = base.now();
    await run(base, 40_000);
    const lastWrite = store.writes.filter((write) => write.by === 'holder').at(-1)?.at ?? Number.NaN;
    assert.ok(holder.lostAt !== undefined && standby.ledAt !== undefined, 'lost, and taken over');
    assert.ok(holder.lostAt - cutAt <= timing.renewDeadlineMs, `stopped ${holder.lostAt - cutAt} ms after the cut`);
    assert.match(
      holder.lostReason ?? '',
      /could not renew the Lease default\/azo-operator-leader within the renew deadline/,
    );
    assert.ok(holder.lostAt < standby.ledAt, 'the old leader stopped before the new one started');
    assert.ok(
      standby.ledAt - lastWrite >= timing.leaseDurationMs,
      `no early takeover (${standby.ledAt - lastWrite} ms)`,
    );
    const late = standby.ledAt - lastWrite - timing.leaseDurationMs;
    assert.ok(late <= timing.retryPeriodMs + 100, `no missed takeover (${late} ms late)`);
    assert.equal(store.lease?.record.holderIdentity, 'standby');
    assert.equal(store.lease?.record.leaseTransitions, 1);
    assert.throws(() => holder.elector.fence(), NotLeaderError);
    assert.doesNotThrow(() => standby.elector.fence());
  });
}

test('timers that fire a little early do not delay the loss past the renew deadline', async () => {
  const base = new FakeClock();
  const store = new LeaseStore(base);
  const holder = candidate(store, base, 'holder', 0, 1);
  await run(base, 5_000, 1);
  holder.lock.link.cut = true;
  await run(base, 20_000, 1);
  const lastWrite = store.writes.at(-1)?.at ?? Number.NaN;
  assert.ok(holder.lostAt !== undefined && holder.lostAt - lastWrite <= timing.renewDeadlineMs + 1, `${holder.lostAt}`);
});

test('a paused holder is fenced at its first action after it resumes, before any of its timers runs', async () => {
  const base = new FakeClock();
  const store = new LeaseStore(base);
  const holder = candidate(store, base, 'holder');
  await run(base, 1_000);
  assert.doesNotThrow(() => holder.elector.fence());
  assert.equal(holder.elector.isLeader(), true);
  holder.clock.offsetMs += 20_000; // 20 s passed for this process, and none of its timers has fired yet
  assert.equal(holder.elector.isLeader(), false);
  assert.throws(
    () => holder.elector.fence(),
    /could not renew .* within the renew deadline \(10 s; last renewal began 2\d\.\d s ago\)/,
  );
  assert.equal(holder.lostAt, 1_000, 'onLost was called by the fence itself');
});

test('a leader that sees another holder loses at once', async () => {
  const base = new FakeClock();
  const store = new LeaseStore(base);
  const holder = candidate(store, base, 'holder');
  await run(base, 1_000);
  const current = store.lease;
  assert.ok(current);
  store.write('intruder', { ...current.record, holderIdentity: 'intruder' }, current.resourceVersion);
  await run(base, 2_100);
  assert.match(holder.lostReason ?? '', /is now held by intruder/);
  assert.ok((holder.lostAt ?? Infinity) <= 2_100);
});

test('calls that ignore their AbortSignal still end at the call timeout; the candidate keeps trying', async () => {
  const base = new FakeClock();
  const store = new LeaseStore(base);
  const one = candidate(store, base, 'one');
  one.lock.link.cut = true;
  one.lock.link.ignoreSignal = true;
  await run(base, 30_000);
  assert.equal(one.ledAt, undefined);
  one.lock.link.cut = false;
  await run(base, 8_000);
  assert.ok(one.ledAt !== undefined, 'it was still trying');
});

test('release: a standby takes over at its next attempt, with one more transition', async () => {
  const { base, store, holder, standby } = await leaderAndStandby();
  await run(base, 5_000);
  const releasedAt = base.now();
  await holder.elector.release();
  assert.equal(store.lease?.record.holderIdentity, '');
  assert.throws(() => holder.elector.fence(), NotLeaderError);
  await run(base, timing.retryPeriodMs + 100);
  assert.ok(standby.ledAt !== undefined && standby.ledAt - releasedAt <= timing.retryPeriodMs + 100);
  assert.equal(store.lease?.record.holderIdentity, 'standby');
  assert.equal(store.lease?.record.leaseTransitions, 1);
  assert.equal(holder.lostAt, undefined, 'a release is not a loss');
});

test('two candidates racing for a free Lease: the resourceVersion lets exactly one win', async () => {
  const base = new FakeClock();
  const store = new LeaseStore(base);
  store.write('gone', { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 5 }, undefined);
  const candidates = [candidate(store, base, 'a'), candidate(store, base, 'b'), candidate(store, base, 'c')];
  await run(base, 30_000);
  assert.equal(candidates.filter((c) => c.ledAt !== undefined).length, 1);
  assert.equal(store.lease?.record.leaseTransitions, 6);
});

test('stopping a waiting candidate rejects its acquire', async () => {
  const { base, standby } = await leaderAndStandby();
  await run(base, 3_000);
  standby.elector.stop();
  await assert.rejects(standby.acquired, /stopped/);
});

test('timing: lease duration > renew deadline > retry period > 0', () => {
  assert.doesNotThrow(() => checkElectionTiming(timing));
  assert.throws(
    () => checkElectionTiming({ ...timing, renewDeadlineMs: 15_000 }),
    /lease duration .* longer than the renew deadline/,
  );
  assert.throws(
    () => checkElectionTiming({ ...timing, retryPeriodMs: 10_000 }),
    /renew deadline .* longer than the retry period/,
  );
  assert.throws(() => checkElectionTiming({ ...timing, retryPeriodMs: 0 }), /positive/);
});
