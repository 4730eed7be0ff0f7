import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type RequestPriority,
  RequestScheduler,
  type SchedulerClock,
  requestClassOf,
  scopeOf,
  subscriptionOf,
} from './scheduler.js';

/** A manual clock: `advance` fires due timers in order. */
class ManualClock implements SchedulerClock {
  private time = 0;
  private next = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.time + delayMs, callback });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, timer]) => timer.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await flush();
    }
    this.time = target;
    await flush();
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const sub = 'subscription:s1';

function take(
  scheduler: RequestScheduler,
  priority: RequestPriority = 'user',
  requestClass: 'reads' | 'writes' = 'writes',
  principal = 'p1',
) {
  const done = { granted: false };
  void scheduler.acquire({ scope: sub, principal, requestClass, priority }).then((grant) => {
    done.granted = true;
    grant.release();
  });
  return done;
}

test('a bucket allows its burst at once, then one request per refill interval: waiting, never refusing', async () => {
  const clock = new ManualClock();
  const scheduler = new RequestScheduler({ clock, limits: { writes: { burst: 3, perSecond: 2 } } });
  const granted = Array.from({ length: 5 }, () => take(scheduler));
  await flush();
  assert.deepEqual(
    granted.map((g) => g.granted),
    [true, true, true, false, false],
  );
  await clock.advance(499);
  assert.equal(granted[3]?.granted, false);
  await clock.advance(1);
  assert.equal(granted[3]?.granted, true, 'one token after 500 ms');
  await clock.advance(500);
  assert.equal(granted[4]?.granted, true);
});

test('buckets are per scope, principal and class: two identities never share one', async () => {
  const clock = new ManualClock();
  const scheduler = new RequestScheduler({ clock, limits: { writes: { burst: 1, perSecond: 0.001 } } });
  assert.equal(take(scheduler, 'user', 'writes', 'p1').granted || (await flush(), true), true);
  const second = take(scheduler, 'user', 'writes', 'p1');
  const other = take(scheduler, 'user', 'writes', 'p2');
  const read = take(scheduler, 'user', 'reads', 'p1');
  await flush();
  assert.deepEqual([second.granted, other.granted, read.granted], [false, true, true]);
});

test('priorities with reservation: a user request goes first; drift may not dip below its reserve', async () => {
  const clock = new ManualClock();
  const scheduler = new RequestScheduler({ clock, limits: { reads: { burst: 10, perSecond: 10 } }, driftShare: 0.5 });
  // Drift may only use the bucket above 5 tokens, and its own 5-token allowance.
  const drift = Array.from({ length: 8 }, () => take(scheduler, 'drift', 'reads'));
  await flush();
  assert.equal(drift.filter((g) => g.granted).length, 5, 'drift took tokens down to its reserve (10 → 5)');
  const user = Array.from({ length: 5 }, () => take(scheduler, 'user', 'reads'));
  await flush();
  assert.equal(user.filter((g) => g.granted).length, 5, 'the user takes the reserve at once');
  await clock.advance(100);
  assert.equal(drift.filter((g) => g.granted).length, 5, 'drift waits while the bucket is below its reserve');
});

test('queued waiters are served best priority first, whatever their arrival order', async () => {
  const clock = new ManualClock();
  const scheduler = new RequestScheduler({
    clock,
    limits: { writes: { burst: 1, perSecond: 1 } },
    dependencyReserve: 0,
  });
  take(scheduler, 'user');
  await flush();
  const order: string[] = [];
  for (const priority of ['drift', 'dependency', 'user'] as const) {
    void scheduler.acquire({ scope: sub, principal: 'p1', requestClass: 'writes', priority }).then((grant) => {
      order.push(priority);
      grant.release();
    });
  }
  await clock.advance(10_000);
  assert.deepEqual(order.slice(0, 2), ['user', 'dependency']);
});

test('a 429 blocks the bucket until Retry-After; remaining headers lower it', async () => {
  const clock = new ManualClock();
  const scheduler = new RequestScheduler({ clock });
  scheduler.observeThrottled(sub, 'p1', 'writes', 2000);
  const blocked = take(scheduler);
  await clock.advance(1999);
  assert.equal(blocked.granted, false);
  await clock.advance(1);
  assert.equal(blocked.granted, true);
  scheduler.observeRemaining(sub, 'p1', 'reads', 1);
  assert.equal(scheduler.available(sub, 'p1', 'reads'), 1);
});

test('requests in flight are bounded; a release lets the best waiter in', async () => {
  const clock = new ManualClock();
  const scheduler = new RequestScheduler({ clock, maxInFlight: 2 });
  const grants = await Promise.all(
    [1, 2].map(() => scheduler.acquire({ scope: sub, principal: 'p', requestClass: 'reads' })),
  );
  const order: string[] = [];
  void scheduler
    .acquire({ scope: sub, principal: 'p', requestClass: 'reads', priority: 'drift' })
    .then(() => order.push('drift'));
  void scheduler
    .acquire({ scope: sub, principal: 'p', requestClass: 'reads', priority: 'user' })
    .then(() => order.push('user'));
  await flush();
  assert.deepEqual(order, []);
  grants[0]?.release();
  grants[0]?.release(); // twice: counted once
  await flush();
  assert.deepEqual(order, ['user']);
});

test('a waiting request is abandoned when its signal aborts', async () => {
  const scheduler = new RequestScheduler({
    clock: new ManualClock(),
    limits: { reads: { burst: 0, perSecond: 0.0001 } },
  });
  const controller = new AbortController();
  const waiting = scheduler.acquire({ scope: sub, principal: 'p', requestClass: 'reads', signal: controller.signal });
  controller.abort();
  await assert.rejects(waiting, /aborted while waiting/);
});

test('property: over any interval, drift never gets more than its share of the reads, users never wait on drift', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<RequestPriority>('user', 'drift'), { minLength: 20, maxLength: 200 }),
      async (arrivals) => {
        const clock = new ManualClock();
        const scheduler = new RequestScheduler({
          clock,
          limits: { reads: { burst: 10, perSecond: 10 } },
          driftShare: 0.25,
        });
        const granted = { user: 0, drift: 0, dependency: 0 };
        for (const priority of arrivals) {
          void scheduler.acquire({ scope: sub, principal: 'p', requestClass: 'reads', priority }).then((grant) => {
            granted[priority]++;
            grant.release();
          });
        }
        const seconds = 10;
        await clock.advance(seconds * 1000);
        // Drift: its bucket starts with 2.5 and refills at 2.5/s.
        assert.ok(granted.drift <= 2.5 + 2.5 * seconds + 1, `drift got ${granted.drift}`);
        const users = arrivals.filter((p) => p === 'user').length;
        assert.equal(granted.user, Math.min(users, 10 + 10 * seconds), 'users get every token the bucket has');
      },
    ),
    { numRuns: 30 },
  );
});

test('request classes, scopes and subscriptions from URLs', () => {
  assert.equal(requestClassOf('GET'), 'reads');
  assert.equal(requestClassOf('put'), 'writes');
  assert.equal(requestClassOf('POST'), 'writes');
  assert.equal(requestClassOf('DELETE'), 'deletes');
  assert.equal(scopeOf('https://m/subscriptions/abc/resourceGroups/x', 't1'), 'subscription:abc');
  assert.equal(scopeOf('https://m/providers/Microsoft.Management/managementGroups', 't1'), 'tenant:t1');
  assert.equal(subscriptionOf('https://m/subscriptions/abc/resourceGroups/x?api-version=1'), 'abc');
  assert.equal(subscriptionOf('/providers/Microsoft.Resources/operations'), '');
});
