import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armErrorFromResponse, isArmError, isNotFound } from './errors.js';

test('ARM error bodies in their shapes', () => {
  const wrapped = armErrorFromResponse({
    statusCode: 400,
    body: { error: { code: 'InvalidParameter', message: 'bad', details: [{ code: 'X', message: 'y', target: 'z' }] } },
    requestId: 'r',
  });
  assert.ok(isArmError(wrapped));
  assert.deepEqual(
    [wrapped.code, wrapped.statusCode, wrapped.message, wrapped.requestId],
    ['InvalidParameter', 400, 'bad', 'r'],
  );
  assert.deepEqual(wrapped.details, [{ code: 'X', message: 'y', target: 'z' }]);
  const bare = armErrorFromResponse({ statusCode: 409, body: { code: 'Conflict', message: 'busy' } });
  assert.equal(bare.code, 'Conflict');
  const empty = armErrorFromResponse({ statusCode: 404, body: 'html' });
  assert.equal(empty.code, 'NotFound');
  assert.ok(isNotFound(empty));
  assert.equal(armErrorFromResponse({ statusCode: 503, body: undefined, retryAfterMs: 10 }).retryAfterMs, 10);
});
