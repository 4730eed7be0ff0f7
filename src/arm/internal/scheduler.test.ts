import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestScheduler, requestClassOf, subscriptionOf } from './scheduler.js';

test('buckets allow the burst, then refill at the rate', () => {
  let now = 0;
  const scheduler = new RequestScheduler({ now: () => now, limits: { writes: { burst: 3, perSecond: 2 } } });
  for (let i = 0; i < 3; i++) assert.equal(scheduler.tryAcquire('sub', 'writes'), 0);
  assert.equal(scheduler.tryAcquire('sub', 'writes'), 500);
  assert.equal(scheduler.tryAcquire('other', 'writes'), 0, 'subscriptions have separate buckets');
  assert.equal(scheduler.tryAcquire('sub', 'reads'), 0, 'classes have separate buckets');
  now = 500;
  assert.equal(scheduler.tryAcquire('sub', 'writes'), 0);
});

test('ARM defaults: 250 reads, 200 writes, 200 deletes', () => {
  const scheduler = new RequestScheduler({ now: () => 0 });
  assert.equal(scheduler.available('s', 'reads'), 250);
  assert.equal(scheduler.available('s', 'writes'), 200);
  assert.equal(scheduler.available('s', 'deletes'), 200);
});

test('remaining headers lower the bucket; a 429 blocks until Retry-After', () => {
  let now = 0;
  const scheduler = new RequestScheduler({ now: () => now });
  scheduler.observeRemaining('s', 'reads', 1);
  assert.equal(scheduler.tryAcquire('s', 'reads'), 0);
  assert.ok(scheduler.tryAcquire('s', 'reads') > 0);
  scheduler.observeThrottled('s', 'writes', 2000);
  assert.equal(scheduler.tryAcquire('s', 'writes'), 2000);
  now = 1500;
  assert.equal(scheduler.tryAcquire('s', 'writes'), 500);
  now = 2100;
  assert.equal(scheduler.tryAcquire('s', 'writes'), 0);
});

test('request classes and subscriptions from URLs', () => {
  assert.equal(requestClassOf('GET'), 'reads');
  assert.equal(requestClassOf('put'), 'writes');
  assert.equal(requestClassOf('POST'), 'writes');
  assert.equal(requestClassOf('DELETE'), 'deletes');
  assert.equal(subscriptionOf('/subscriptions/abc/resourceGroups/x'), 'abc');
  assert.equal(subscriptionOf('https://h/SUBSCRIPTIONS/abc?x'), 'abc');
  assert.equal(subscriptionOf('/providers/Microsoft.Authorization/roleDefinitions'), '');
});

test('acquire waits for a token instead of refusing: client-side throttling is a wait', async () => {
  let now = 0;
  const waits: number[] = [];
  const scheduler = new RequestScheduler({
    now: () => now, limits: { writes: { burst: 1, perSecond: 4 } },
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  assert.equal(await scheduler.acquire('s', 'writes'), 0);
  assert.equal(await scheduler.acquire('s', 'writes'), 250, 'waited a quarter second for the refill');
  scheduler.observeThrottled('s', 'writes', 3000);
  assert.equal(await scheduler.acquire('s', 'writes'), 3000, "and ARM's Retry-After");
  assert.deepEqual(waits, [250, 3000]);
});

test('acquire stops waiting when its request is aborted', async () => {
  const scheduler = new RequestScheduler({ limits: { reads: { burst: 0, perSecond: 0.0001 } } });
  const controller = new AbortController();
  const waiting = scheduler.acquire('s', 'reads', controller.signal);
  controller.abort();
  await assert.rejects(waiting, /aborted while waiting for an ARM token/);
});
