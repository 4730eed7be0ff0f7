import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type LroResponse,
  type PollState,
  type PollingDecision,
  decodePollState,
  encodePollState,
  inferPollingMode,
  interpretPollResponse,
  parseRetryAfter,
} from './lro.js';

const url = 'https://arm/subscriptions/s/resourceGroups/rg?api-version=1';
const cases: Array<{ name: string; response: LroResponse; expected: PollingDecision }> = [
  {
    name: 'PUT 200 succeeded body',
    response: { method: 'PUT', status: 200, headers: {}, body: { properties: { provisioningState: 'Succeeded' } } },
    expected: { kind: 'done' },
  },
  {
    name: 'PUT 200 without provisioningState',
    response: { method: 'PUT', status: 200, headers: {}, body: { name: 'x' } },
    expected: { kind: 'done' },
  },
  {
    name: 'PUT 201 creating body',
    response: { method: 'PUT', status: 201, headers: {}, body: { properties: { provisioningState: 'Creating' } } },
    expected: { kind: 'poll', mode: 'body', pollingUrl: url },
  },
  {
    name: 'PUT 201 Azure-AsyncOperation wins over body',
    response: {
      method: 'PUT',
      status: 201,
      headers: { 'azure-asyncoperation': 'https://op' },
      body: { properties: { provisioningState: 'Creating' } },
    },
    expected: { kind: 'poll', mode: 'azure-async-operation', pollingUrl: 'https://op' },
  },
  {
    name: 'PUT 202 Location',
    response: { method: 'PUT', status: 202, headers: { location: 'https://loc' }, body: undefined },
    expected: { kind: 'poll', mode: 'location', pollingUrl: 'https://loc' },
  },
  {
    name: 'PUT 200 with Location is not an LRO',
    response: {
      method: 'PUT',
      status: 200,
      headers: { location: 'https://loc' },
      body: { properties: { provisioningState: 'Succeeded' } },
    },
    expected: { kind: 'done' },
  },
  {
    name: 'PUT 202 with nothing polls the resource',
    response: { method: 'PUT', status: 202, headers: {}, body: undefined },
    expected: { kind: 'poll', mode: 'body', pollingUrl: url },
  },
  {
    name: 'DELETE 200',
    response: { method: 'DELETE', status: 200, headers: {}, body: undefined },
    expected: { kind: 'done' },
  },
  {
    name: 'DELETE 204',
    response: { method: 'DELETE', status: 204, headers: {}, body: undefined },
    expected: { kind: 'done' },
  },
  {
    name: 'DELETE 202 Location',
    response: { method: 'DELETE', status: 202, headers: { location: 'https://loc' }, body: undefined },
    expected: { kind: 'poll', mode: 'location', pollingUrl: 'https://loc' },
  },
  {
    name: 'DELETE 202 Azure-AsyncOperation',
    response: {
      method: 'DELETE',
      status: 202,
      headers: { 'azure-asyncoperation': 'https://op', location: 'https://loc' },
      body: undefined,
    },
    expected: { kind: 'poll', mode: 'azure-async-operation', pollingUrl: 'https://op' },
  },
  {
    name: 'POST 202 Azure-AsyncOperation with Location as final',
    response: {
      method: 'POST',
      status: 202,
      headers: { 'azure-asyncoperation': 'https://op', location: 'https://loc' },
      body: undefined,
    },
    expected: { kind: 'poll', mode: 'azure-async-operation', pollingUrl: 'https://op', finalUrl: 'https://loc' },
  },
  {
    name: 'POST 200 result',
    response: { method: 'POST', status: 200, headers: {}, body: { keys: [] } },
    expected: { kind: 'done' },
  },
  {
    name: 'PATCH 200 updating body',
    response: { method: 'PATCH', status: 200, headers: {}, body: { properties: { provisioningState: 'Updating' } } },
    expected: { kind: 'poll', mode: 'body', pollingUrl: url },
  },
];

for (const { name, response, expected } of cases) {
  test(`inferPollingMode: ${name}`, () => assert.deepEqual(inferPollingMode(response, url), expected));
}

const base: PollState = {
  mode: 'azure-async-operation',
  pollingUrl: 'https://op',
  resourceId: '/subscriptions/s/resourceGroups/rg',
  apiVersion: '2021-04-01',
  method: 'PUT',
  startedAt: '2026-01-01T00:00:00.000Z',
};

test('interpretPollResponse: async operation states', () => {
  assert.deepEqual(interpretPollResponse(base, 200, { status: 'InProgress' }), { kind: 'running' });
  assert.deepEqual(interpretPollResponse(base, 200, { status: 'Succeeded' }), { kind: 'fetchFinal' });
  assert.deepEqual(interpretPollResponse({ ...base, method: 'DELETE' }, 200, { status: 'Succeeded' }), {
    kind: 'succeeded',
  });
  const failed = interpretPollResponse(base, 200, {
    status: 'Failed',
    error: { code: 'QuotaExceeded', message: 'no' },
  });
  assert.equal(failed.kind, 'failed');
  assert.equal(failed.kind === 'failed' ? failed.error.code : '', 'QuotaExceeded');
  const canceled = interpretPollResponse(base, 200, { status: 'Canceled' });
  assert.equal(canceled.kind === 'failed' ? canceled.error.code : '', 'OperationCanceled');
});

test('interpretPollResponse: location and body modes', () => {
  const location = { ...base, mode: 'location' as const };
  assert.deepEqual(interpretPollResponse(location, 202, undefined), { kind: 'running' });
  assert.deepEqual(interpretPollResponse(location, 204, undefined), { kind: 'fetchFinal' });
  assert.deepEqual(interpretPollResponse({ ...location, method: 'DELETE' }, 404, undefined), { kind: 'succeeded' });
  assert.deepEqual(interpretPollResponse({ ...location, method: 'POST' }, 200, { a: 1 }), {
    kind: 'succeeded',
    body: { a: 1 },
  });
  const failed = interpretPollResponse(location, 409, { error: { code: 'StorageQuotaExceeded', message: 'm' } });
  assert.equal(failed.kind === 'failed' ? failed.error.code : failed.kind, 'StorageQuotaExceeded');
  assert.equal(
    failed.kind === 'failed' ? failed.error.statusCode : 0,
    200,
    'classified by its code, as in the other modes',
  );
  const body = { ...base, mode: 'body' as const };
  assert.deepEqual(interpretPollResponse(body, 200, { properties: { provisioningState: 'Creating' } }), {
    kind: 'running',
  });
  assert.deepEqual(interpretPollResponse(body, 200, { properties: { provisioningState: 'Succeeded' } }), {
    kind: 'succeeded',
    body: { properties: { provisioningState: 'Succeeded' } },
  });
  assert.equal(interpretPollResponse(body, 200, { properties: { provisioningState: 'Failed' } }).kind, 'failed');
  assert.equal(interpretPollResponse(body, 400, { error: { code: 'Bad', message: 'm' } }).kind, 'failed');
});

test('poll state round-trips through an annotation and rejects junk', () => {
  assert.deepEqual(decodePollState(encodePollState(base)), base);
  assert.equal(decodePollState('{"mode":"x"}'), undefined);
  assert.equal(decodePollState('not json'), undefined);
  assert.equal(decodePollState(undefined), undefined);
});

test('parseRetryAfter: seconds, dates, junk', () => {
  assert.equal(parseRetryAfter('3', 0), 3000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
});
