import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { armLimits, classify, Throttler } from './throttle.js';

describe('Throttler', () => {
  it('empties a bucket, refills it over time, and keeps buckets apart', () => {
    let now = 0;
    const throttler = new Throttler({ ...armLimits, writesBurst: 2, writesPerSecond: 1 }, () => now);
    assert.deepEqual(throttler.take('s|p', 'writes'), { allowed: true, remaining: 1 });
    assert.deepEqual(throttler.take('s|p', 'writes'), { allowed: true, remaining: 0 });
    assert.deepEqual(throttler.take('s|p', 'writes'), { allowed: false, retryAfterSeconds: 1 });
    assert.deepEqual(throttler.take('s|other', 'writes'), { allowed: true, remaining: 1 });
    assert.deepEqual(throttler.take('s|p', 'reads'), { allowed: true, remaining: 249 });
    now = 1000;
    assert.deepEqual(throttler.take('s|p', 'writes'), { allowed: true, remaining: 0 });
  });

  it('classifies methods as ARM does', () => {
    assert.deepEqual(['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'].map(classify), [
      'reads',
      'reads',
      'writes',
      'writes',
      'writes',
      'deletes',
    ]);
  });
});
