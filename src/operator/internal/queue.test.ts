import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './fake-clock.js';
import { RateLimiter, TerminalError, WorkQueue, runWorkers } from './queue.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('deduplicates waiting keys', async () => {
  const queue = new WorkQueue({ clock: new FakeClock() });
  queue.add('a');
  queue.add('a');
  queue.add('b');
  assert.equal(queue.length, 2);
  assert.equal(await queue.get(), 'a');
  assert.equal(await queue.get(), 'b');
});

test('a key being processed is not handed out again, and is re-queued once if it changed meanwhile', async () => {
  const queue = new WorkQueue({ clock: new FakeClock() });
  queue.add('a');
  assert.equal(await queue.get(), 'a');
  queue.add('a');
  queue.add('a');
  assert.equal(queue.length, 0, 'not handed to a second worker');
  queue.done('a');
  assert.equal(queue.length, 1);
  assert.equal(await queue.get(), 'a');
  queue.done('a');
  assert.equal(queue.length, 0);
});

test('addAfter fires on the fake clock; the earliest time wins; add cancels the delay', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock });
  queue.addAfter('a', 1000);
  queue.addAfter('a', 5000);
  clock.advance(999);
  assert.equal(queue.length, 0);
  clock.advance(1);
  assert.equal(queue.length, 1);
  assert.equal(clock.pending, 0);
  queue.addAfter('b', 1000);
  queue.add('b');
  assert.equal(clock.pending, 0);
});

test('failures back off exponentially per key and reset on forget', () => {
  const clock = new FakeClock();
  const limiter = new RateLimiter(clock, { baseDelayMs: 100, maxDelayMs: 1000, bucketBurst: 1000 });
  assert.deepEqual(
    [limiter.when('k'), limiter.when('k'), limiter.when('k'), limiter.when('k'), limiter.when('k')],
    [100, 200, 400, 800, 1000],
  );
  assert.equal(limiter.when('other'), 100);
  limiter.forget('k');
  assert.equal(limiter.when('k'), 100);
});

test('the global bucket delays failures beyond the burst', () => {
  const clock = new FakeClock();
  const limiter = new RateLimiter(clock, { baseDelayMs: 1, bucketBurst: 2, bucketPerSecond: 10 });
  assert.equal(limiter.when('a'), 1);
  assert.equal(limiter.when('b'), 1);
  assert.equal(limiter.when('c'), 100);
  assert.equal(limiter.when('d'), 200);
});

test('runWorkers: results, retries with Retry-After minimum, terminal errors, concurrency', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock, rateLimiter: new RateLimiter(clock, { baseDelayMs: 10 }) });
  const calls: string[] = [];
  const errors: Array<[string, number | undefined]> = [];
  let active = 0;
  let maxActive = 0;
  const running = runWorkers({
    queue,
    concurrency: 2,
    onError: (key, _error, retry) => errors.push([key, retry]),
    handle: async (key) => {
      calls.push(key);
      active++;
      maxActive = Math.max(maxActive, active);
      await tick();
      active--;
      if (key === 'poll') return { requeueAfterMs: 50 };
      if (key === 'fail' && calls.filter((k) => k === 'fail').length === 1)
        throw Object.assign(new Error('busy'), { retryAfterMs: 30 });
      if (key === 'fatal') throw new TerminalError('bad');
      return {};
    },
  });
  for (const key of ['poll', 'fail', 'fatal', 'ok']) queue.add(key);
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(maxActive, 2);
  assert.deepEqual(errors, [
    ['fail', 30],
    ['fatal', undefined],
  ]);
  clock.advance(30);
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(calls.filter((k) => k === 'fail').length, 2);
  clock.advance(20);
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(calls.filter((k) => k === 'poll').length, 2);
  assert.equal(calls.filter((k) => k === 'fatal').length, 1);
  queue.shutDown();
  await running;
});

test('a user change goes before delayed work (retries, polls, drift checks)', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock });
  queue.addAfter('resync-1', 10);
  queue.addAfter('resync-2', 10);
  clock.advance(10);
  queue.add('user-change');
  queue.add('resync-2');
  assert.equal(await queue.get(), 'user-change');
  assert.equal(await queue.get(), 'resync-2', 'a delayed key changed by the user moves up');
  assert.equal(await queue.get(), 'resync-1');
});

test('runWorkers: a failure with retryExactly is retried after exactly its delay, whatever the backoff has grown to', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock, rateLimiter: new RateLimiter(clock, { baseDelayMs: 1000 }) });
  const delays: Array<number | undefined> = [];
  let calls = 0;
  const running = runWorkers({
    queue,
    onError: (_key, _error, retry) => delays.push(retry),
    handle: async () => {
      calls++;
      throw Object.assign(new Error('held'), { retryAfterMs: 3000, retryExactly: true });
    },
  });
  for (let i = 0; i < 4; i++) queue.rateLimiter.when('slow'); // earlier failures grew the backoff to 16 s
  queue.add('slow');
  for (let round = 1; round <= 3; round++) {
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(calls, round);
    clock.advance(2999);
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(calls, round, 'not before its delay');
    clock.advance(1);
  }
  assert.deepEqual(delays, [3000, 3000, 3000]);
  queue.shutDown();
  await running;
});

test('a key keeps the best reason it was queued for; a timer keeps its own; a change mid-reconcile comes back with its', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock });
  queue.add('a', 'drift');
  queue.add('a', 'user');
  queue.add('a', 'dependency');
  assert.equal(await queue.get(), 'a');
  assert.equal(queue.reasonOf('a'), 'user', 'the best of drift, user, dependency');
  queue.add('a', 'dependency'); // changed while being reconciled
  queue.done('a');
  assert.equal(await queue.get(), 'a');
  assert.equal(queue.reasonOf('a'), 'dependency');
  queue.done('a');
  queue.addAfter('b', 100, 'drift');
  clock.advance(100);
  assert.equal(await queue.get(), 'b');
  assert.equal(queue.reasonOf('b'), 'drift', 'a periodic re-check');
  queue.done('b');
  queue.addAfter('c', 100, 'drift');
  queue.add('c', 'user'); // a user's change cancels the timer and wins
  assert.equal(await queue.get(), 'c');
  assert.equal(queue.reasonOf('c'), 'user');
});

test('lanes: a user change waiting behind thousands of drift checks is handed out first', async () => {
  const queue = new WorkQueue({ clock: new FakeClock() });
  for (let i = 0; i < 5000; i++) queue.add(`drift-${i}`, 'drift');
  queue.add('dep', 'dependency');
  queue.add('mine', 'user');
  queue.add('drift-4000', 'user'); // a drift key the user changed moves up
  assert.equal(await queue.get(), 'mine');
  assert.equal(await queue.get(), 'drift-4000');
  assert.equal(queue.reasonOf('drift-4000'), 'user');
  assert.equal(await queue.get(), 'dep');
  assert.equal(await queue.get(), 'drift-0');
  assert.equal(queue.length, 4998);
});
