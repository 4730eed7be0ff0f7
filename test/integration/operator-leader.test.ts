// Leader election on a coordination.k8s.io Lease against the embedded API server: one holder at a time; a released
// Lease is taken over by the waiting instance at once; the fence refuses requests once the Lease is released; a
// call to an API server that never answers is abandoned at its timeout. (Takeovers after a pause or a partition,
// through real processes: test/e2e/operator-leader.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startApiServer } from '../../src/kube/index.js';
import { NotLeaderError, electLeader, fencedKubeConfig } from '../../src/operator/index.js';

const logger = pino({ level: 'silent' });
const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 100 };

test('leader election: one holder, release hands over at once, the fence follows the Lease', async (t) => {
  const apiServer = await startApiServer({ port: 0 });
  t.after(() => apiServer.close());
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const leases = kubeConfig.makeApiClient(CoordinationV1Api);
  const options = { kubeConfig, namespace: 'default', logger, ...timing };
  const first = await electLeader({ ...options, identity: 'one' });
  let secondLeads = false;
  const second = electLeader({ ...options, identity: 'two' }).then((leadership) => {
    secondLeads = true;
    return leadership;
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(secondLeads, false, 'the second instance waits while the first renews');
  const lease = await leases.readNamespacedLease({ name: 'azo-operator-leader', namespace: 'default' });
  assert.equal(lease.spec?.holderIdentity, 'one');
  assert.equal(lease.spec?.leaseDurationSeconds, 3);
  assert.equal(lease.spec?.leaseTransitions, 0);

  // Requests through the fenced view go out while the Lease is held, and not after it is released.
  const fenced = fencedKubeConfig(kubeConfig, first.fence).makeApiClient(CoreV1Api);
  await fenced.listNamespace();
  await first.release();
  await assert.rejects(fenced.listNamespace(), NotLeaderError);

  const releasedAt = Date.now();
  const leadership = await second;
  assert.ok(Date.now() - releasedAt < timing.leaseDurationMs, 'taken over without waiting for the lease to expire');
  const after = await leases.readNamespacedLease({ name: 'azo-operator-leader', namespace: 'default' });
  assert.equal(after.spec?.holderIdentity, 'two');
  assert.equal(after.spec?.leaseTransitions, 1);
  assert.equal(leadership.isLeader(), true);
  await leadership.release();
});

test('leader election: a call to an API server that never answers times out', async (t) => {
  // Accepts connections and never says a word (a hung TLS handshake).
  const sockets = new Set<Socket>();
  let closed = 0;
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket
      .resume()
      .on('error', () => undefined)
      .on('close', () => closed++);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const address = silent.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'silent', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'silent', user: 'u' }],
    currentContext: 'c',
  });
  const errors: string[] = [];
  const capture = pino(
    { level: 'debug' },
    { write: (line: string) => errors.push(String(JSON.parse(line).error ?? '')) },
  );
  const abandon = new AbortController();
  const election = electLeader({
    ...{ kubeConfig, namespace: 'default', identity: 'one', logger: capture, ...timing },
    callTimeoutMs: 300,
    signal: abandon.signal,
  });
  const outcome = await Promise.race([
    election.then(() => 'led'),
    new Promise((resolve) => setTimeout(resolve, 2000, 'waiting')),
  ]);
  assert.equal(outcome, 'waiting');
  abandon.abort();
  await assert.rejects(election, /stopped/);
  assert.ok(
    sockets.size >= 2,
    `each attempt gave up its hung connection and tried again (${sockets.size} connections)`,
  );
  assert.ok(
    errors.some((error) => /no answer from the API server within 0.3 s/.test(error)),
    errors.join('\n'),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(closed >= sockets.size - 1, `abandoned connections are closed (${closed} of ${sockets.size})`);
});
