// Deadlines against a real (local) HTTP server that stops answering: a Kubernetes request gives up within its
// timeout, and a watch that receives nothing — not even a bookmark — is abandoned so the informer can start over;
// closing the watches (the operator stops) ends every one, those still connecting included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from './fake-clock.js';
import { KubeHttp } from './kube-http.js';
import { KubeClientConfig } from './kubeconfig.js';
import { LastingWatch } from './watch.js';

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeConfig = new KubeClientConfig({ server: `http://127.0.0.1:${port}` }, { token: 't' });
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { kubeConfig, close };
}

test('a Kubernetes request that gets no answer fails within its deadline instead of hanging', async (t) => {
  const requests: string[] = [];
  const { kubeConfig, close } = await serve((request) => requests.push(`${request.method} ${request.url}`)); // never answers
  t.after(close);
  const http = new KubeHttp(kubeConfig, { timeoutMs: 200 });
  const started = Date.now();
  const read = http.request({ method: 'GET', path: '/api/v1/namespaces/default' });
  await assert.rejects(read, /no answer from the Kubernetes API within 200 ms/);
  assert.ok(Date.now() - started < 5_000);
  assert.deepEqual(requests, ['GET /api/v1/namespaces/default']);
});

test('a Kubernetes request is answered normally within its deadline (status, headers, body)', async (t) => {
  const { kubeConfig, close } = await serve((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'u1' } }));
  });
  t.after(close);
  const http = new KubeHttp(kubeConfig, { timeoutMs: 1_000 });
  const namespace = await http.request<{ metadata: { uid: string } }>({
    method: 'GET',
    path: '/api/v1/namespaces/default',
  });
  assert.equal(namespace.metadata.uid, 'u1');
});

test('a watch asks for bookmarks and a server-side timeout, and is abandoned after its idle time', async (t) => {
  let query = '';
  const { kubeConfig, close } = await serve((request, response) => {
    query = request.url ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write(
      `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Namespace', metadata: { resourceVersion: '7' } } })}\n`,
    );
    // then nothing, ever: a half-open connection as seen from the client
  });
  t.after(close);
  const clock = new FakeClock();
  const watch = new LastingWatch(kubeConfig, { clock, idleTimeoutMs: 1_000, random: () => 0.5 });
  const events: string[] = [];
  const outcome: { ended?: unknown } = {};
  const done = new Promise<void>((resolve) => {
    void watch.watch(
      '/api/v1/namespaces',
      {},
      (phase) => events.push(phase),
      (error) => {
        outcome.ended = error;
        resolve();
      },
    );
  });
  for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(events, ['BOOKMARK']);
  assert.match(query, /allowWatchBookmarks=true/);
  assert.match(query, /timeoutSeconds=450/);
  clock.advance(999);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(outcome.ended, undefined, 'still within its idle time');
  clock.advance(1);
  await done;
  assert.ok(
    (outcome.ended as unknown) instanceof Error,
    `ended with an error the informer restarts from: ${String(outcome.ended)}`,
  );
});

test('closing the watches ends the open ones and one still connecting, and refuses new ones', async (t) => {
  const requests: string[] = [];
  const held: ServerResponse[] = [];
  const { kubeConfig, close } = await serve((request, response) => {
    requests.push(request.url ?? '');
    if (requests.length === 1) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Namespace', metadata: { resourceVersion: '7' } } })}\n`,
      );
    } else held.push(response); // the second watch is still connecting: no answer yet
  });
  t.after(close);
  const watch = new LastingWatch(kubeConfig, { clock: new FakeClock() });
  const ended: unknown[] = [];
  const open = await watch.watch(
    '/api/v1/namespaces',
    {},
    () => undefined,
    (error) => ended.push(error),
  );
  const connecting = watch.watch(
    '/api/v1/pods',
    {},
    () => undefined,
    (error) => ended.push(error),
  );
  for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(held.length, 1, 'the second watch reached the server');

  // As the operator stops: ListWatch.stop() cannot reach a watch whose answer has not come yet; close() can.
  watch.close();
  assert.ok(open.signal.aborted, 'the open watch is ended');
  held[0]?.writeHead(200, { 'content-type': 'application/json' });
  held[0]?.write('\n');
  const late = await connecting;
  assert.ok(late.signal.aborted, 'the watch that connected after close() is ended at once');
  for (let i = 0; i < 100 && ended.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(ended.length, 2, 'both watches reported their end (the informer then sees the operator stopped)');

  let refused: unknown;
  await watch.watch(
    '/api/v1/services',
    {},
    () => undefined,
    (error) => (refused = error),
  );
  assert.match(String(refused), /the watch is closed/);
  assert.equal(requests.length, 2, 'no request for a watch started after close()');
});
