import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type HttpClient, type PipelineRequest, createHttpHeaders } from '@azure/core-rest-pipeline';
import { ArmClient } from '../client.js';

const credential = { getToken: async () => ({ token: 'token-1', expiresOnTimestamp: Date.now() + 3_600_000 }) };

test('the guard is asked before each request; a throw sends nothing', async () => {
  const sent: PipelineRequest[] = [];
  const httpClient: HttpClient = {
    sendRequest: async (request) => {
      sent.push(request);
      return { request, status: 200, headers: createHttpHeaders(), bodyAsText: '{"name":"rg"}' };
    },
  };
  let allowed = true;
  let asked = 0;
  const client = new ArmClient({
    credential,
    httpClient,
    guard: () => {
      asked++;
      if (!allowed) throw new Error('not the leader');
    },
  });
  const id = '/subscriptions/s/resourceGroups/rg';
  assert.deepEqual(await client.get(id, '2020-06-01'), { name: 'rg' });
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.headers.get('authorization'), 'Bearer token-1');
  allowed = false;
  await assert.rejects(client.get(id, '2020-06-01'), /not the leader/);
  assert.equal(sent.length, 1, 'the refused request never reached the HTTP client');
  assert.equal(asked, 2);
});
