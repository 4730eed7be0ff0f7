import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { ArmClient } from '../client.js';

const credential = { getToken: async () => ({ token: 'token-1', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const id = '/subscriptions/s/resourceGroups/rg';

/** A TCP server that does `onConnection` to each connection, on 127.0.0.1. */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<{ server: Server; endpoint: string }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  const close = server.close.bind(server);
  server.close = (callback) => {
    sockets.forEach((socket) => socket.destroy());
    return close(callback);
  };
  return { server, endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** How many timers keep the event loop alive now. */
const referencedTimers = () => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;

test('a request that gets no answer is cut at the request timeout, naming it', async (t) => {
  const { server, endpoint } = await tcpServer(() => undefined); // accepts, then says nothing
  t.after(() => server.close());
  const client = new ArmClient({ credential, endpoint, requestTimeoutMs: 300 });
  const started = Date.now();
  await assert.rejects(client.get(id, '2020-06-01'), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'NetworkError');
    assert.match(error.message, /no answer within 300 ms \(GET \/subscriptions\/s\/resourceGroups\/rg\)/);
    return true;
  });
  assert.ok(Date.now() - started < 5_000, `cut after ${Date.now() - started} ms`);
});

test('a refused or reset connection leaves no timer keeping the process alive', async (t) => {
  const { server, endpoint } = await tcpServer((socket) => socket.destroy()); // resets every connection
  t.after(() => server.close());
  const client = new ArmClient({ credential, endpoint, requestTimeoutMs: 60_000 });
  const before = referencedTimers();
  for (let attempt = 0; attempt < 3; attempt++) {
    await assert.rejects(client.get(id, '2020-06-01'), /could not reach ARM/);
  }
  assert.equal(referencedTimers(), before, 'no request timer outlives its failed request');
});

test("the caller's own abort is reported as the caller's, not as a timeout", async (t) => {
  const { server, endpoint } = await tcpServer(() => undefined);
  t.after(() => server.close());
  const client = new ArmClient({ credential, endpoint, requestTimeoutMs: 60_000 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('the reconcile deadline passed')), 100);
  await assert.rejects(client.get(id, '2020-06-01', { abortSignal: controller.signal }), (error: Error) => {
    assert.doesNotMatch(error.message, /no answer within/);
    return true;
  });
});
