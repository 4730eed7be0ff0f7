import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLatencyFactor, parseLatency } from './latency.js';

test('--latency: milliseconds, or realistic with a factor', () => {
  assert.deepEqual(parseLatency('250'), { latencyMs: 250 });
  assert.deepEqual(parseLatency('realistic'), { latencyMs: 0, latencyFactor: defaultLatencyFactor });
  assert.deepEqual(parseLatency('realistic', '0.5'), { latencyMs: 0, latencyFactor: 0.5 });
  assert.throws(() => parseLatency('soon'), /non-negative number of milliseconds or 'realistic'/);
  assert.throws(() => parseLatency('realistic', '-1'), /--latency-factor/);
});
