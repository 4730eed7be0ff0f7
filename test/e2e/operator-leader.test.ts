// Leader election under faults, through real processes: `azo apiserver`, `azo emulator` and several
// `azo operator --leader-election` with short timings (lease 5 s, renew deadline 3 s, retry 0.5 s).
// 1. The leader is paused (SIGSTOP): the standby takes over once the Lease has not changed for the lease duration;
//    resumed (SIGCONT), the old leader finds its renew deadline long past and exits 1, having sent nothing to ARM or
//    Kubernetes in between.
// 2. The new leader stops on SIGTERM and releases the Lease: a standby takes over at once.
// 3. That leader is cut off from the API server (a TCP proxy that hangs): it stops within the renew deadline and
//    exits 1 before the standby takes over.
// Clock skew between candidates: src/operator/internal/leader-elector.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  type AzoProcess,
  type E2eEnvironment,
  manifest,
  startE2e,
  subscriptionId,
  waitForReady,
} from './operator-helpers.js';

const leaseDurationMs = 5_000;
const renewDeadlineMs = 3_000;
const retryPeriodMs = 500;
const electionArgs = [
  '--leader-election',
  '--leader-election-lease-duration',
  `${leaseDurationMs}ms`,
  '--leader-election-renew-deadline',
  `${renewDeadlineMs}ms`,
  '--leader-election-retry-period',
  `${retryPeriodMs}ms`,
];

/** The one line a leader prints when it stops: how long ago its last renewal began, and the last error if any. */
const lostLine = new RegExp(
  String.raw`leader election: could not renew the Lease default/azo-operator-leader within the renew deadline ` +
    String.raw`\(3 s; last renewal began (\d+\.\d) s ago\)(?:; last error: ([^\n]+))?; exiting`,
);

const resourceGroup = (name: string) => `apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: ${name}
  namespace: default
spec:
  location: westus
`;

interface LeaseView {
  holder: string;
  transitions: number;
}

async function readLease(environment: E2eEnvironment): Promise<LeaseView> {
  const lease = JSON.parse(
    await environment.kubectl(['get', 'lease', 'azo-operator-leader', '-n', 'default', '-o', 'json']),
  ) as {
    spec: { holderIdentity?: string; leaseTransitions?: number };
  };
  return { holder: lease.spec.holderIdentity ?? '', transitions: lease.spec.leaseTransitions ?? 0 };
}

/** The identity an operator prints while it waits for the Lease. */
async function identityOf(operator: AzoProcess): Promise<string> {
  return (await operator.waitFor(/waiting to become the leader \(Lease \S+, identity (\S+)\)/))[1] ?? '';
}

/** Resolves with the exit code (and the time the test saw the exit). */
function exitOf(operator: AzoProcess): Promise<{ code: number | null; at: number }> {
  const { child } = operator;
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, at: Date.now() });
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, at: Date.now() }));
}

/** What the API server and ARM hold: every request in the emulator's log, and each group's resourceVersion. */
async function snapshot(environment: E2eEnvironment): Promise<{ armRequests: number; resourceVersions: string }> {
  const groups = JSON.parse(await environment.kubectl(['get', 'resourcegroups', '-n', 'default', '-o', 'json'])) as {
    items: Array<{ metadata: { name: string; resourceVersion: string } }>;
  };
  return {
    armRequests: (await environment.armLog()).length,
    resourceVersions: groups.items
      .map((item) => `${item.metadata.name}@${item.metadata.resourceVersion}`)
      .sort()
      .join(' '),
  };
}

/** Waits until neither ARM nor the objects change for a second (the leader has nothing left to do). */
async function quiet(environment: E2eEnvironment): Promise<{ armRequests: number; resourceVersions: string }> {
  let last = await snapshot(environment);
  for (let attempt = 0; attempt < 30; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await snapshot(environment);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error('the environment never went quiet');
}

/** A TCP proxy to `port` that can be made to hang: every connection stops passing bytes, new ones get none. */
async function startProxy(port: number): Promise<{ port: number; hang(): void; close(): void }> {
  const sockets = new Set<Socket>();
  let hung = false;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    if (hung) return;
    const upstream = connect(port, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    hang: () => {
      hung = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

test('leader election under faults', { timeout: 180_000 }, async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
  const leader = environment.spawnOperator({}, electionArgs);
  const leaderId = await identityOf(leader);
  await leader.waitFor(/azo operator running/);
  const standby = environment.spawnOperator({}, electionArgs);
  const standbyId = await identityOf(standby);
  t.after(() => {
    if (leader.child.exitCode === null) leader.child.kill('SIGCONT');
  });

  await t.test(
    'a paused leader is taken over after the lease duration; resumed, it exits 1 having done nothing',
    async () => {
      await environment.kubectl(['apply', '-f', manifest(environment, 'rg-before.yaml', resourceGroup('rg-before'))]);
      await waitForReady(environment, 'resourcegroup/rg-before');
      assert.deepEqual(await readLease(environment), { holder: leaderId, transitions: 0 });

      leader.child.kill('SIGSTOP');
      const pausedAt = Date.now();
      await environment.kubectl(['apply', '-f', manifest(environment, 'rg-paused.yaml', resourceGroup('rg-paused'))]);
      await standby.waitFor(/became the leader/);
      const waited = Date.now() - pausedAt;
      // The leader's last renewal came at most one retry period (and a call) before the pause.
      assert.ok(
        waited >= leaseDurationMs - retryPeriodMs - 500,
        `taken over ${waited} ms after the pause: not before the lease expired`,
      );
      await waitForReady(environment, 'resourcegroup/rg-paused');
      assert.deepEqual(await readLease(environment), { holder: standbyId, transitions: 1 });
      const before = await quiet(environment);

      const exited = exitOf(leader);
      leader.child.kill('SIGCONT');
      const { code } = await exited;
      assert.deepEqual(await snapshot(environment), before, 'the old leader sent nothing to ARM and changed no object');
      assert.equal(code, 1, leader.output());
      assert.match(leader.output(), lostLine);
      assert.equal((await environment.armGet(rgPath('rg-paused'), '2020-06-01')).status, 200);
      assert.deepEqual(await readLease(environment), { holder: standbyId, transitions: 1 });
    },
  );

  await t.test(
    'SIGTERM hands the Lease over at once; cut off from the API server, a leader stops within the renew deadline',
    async () => {
      const proxy = await startProxy(
        Number(/server: https:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(environment.kubeconfig, 'utf8'))?.[1]),
      );
      t.after(() => proxy.close());
      const proxiedKubeconfig = join(environment.dir, 'kubeconfig-proxied');
      writeFileSync(
        proxiedKubeconfig,
        readFileSync(environment.kubeconfig, 'utf8').replace(/(server: https:\/\/127\.0\.0\.1:)\d+/, `$1${proxy.port}`),
      );
      const proxied = environment.spawnOperator({ KUBECONFIG: proxiedKubeconfig }, electionArgs);
      const proxiedId = await identityOf(proxied);

      const stopped = exitOf(standby);
      standby.child.kill('SIGTERM');
      const { code: stopCode, at: stoppedAt } = await stopped;
      assert.equal(stopCode, 0, standby.output());
      await proxied.waitFor(/became the leader/);
      assert.ok(Date.now() - stoppedAt < leaseDurationMs, 'taken over without waiting for the lease to expire');
      await proxied.waitFor(/azo operator running/);
      assert.deepEqual(await readLease(environment), { holder: proxiedId, transitions: 2 });

      const direct = environment.spawnOperator({}, electionArgs);
      const directId = await identityOf(direct);
      await environment.kubectl(['apply', '-f', manifest(environment, 'rg-proxied.yaml', resourceGroup('rg-proxied'))]);
      await waitForReady(environment, 'resourcegroup/rg-proxied');

      const cutOff = exitOf(proxied);
      let directLeadsAt = Number.POSITIVE_INFINITY;
      void direct.waitFor(/became the leader/).then(
        () => (directLeadsAt = Date.now()),
        () => undefined,
      );
      proxy.hang();
      await environment.kubectl(['apply', '-f', manifest(environment, 'rg-cut.yaml', resourceGroup('rg-cut'))]);
      const { code, at: cutOffExitAt } = await cutOff;
      assert.equal(code, 1, proxied.output());
      const reason = lostLine.exec(proxied.output());
      assert.ok(reason, proxied.output().slice(-2000));
      assert.match(reason[2] ?? '', /no answer from the API server within 1\.5 s/, 'its calls timed out');
      // Its fence refused all work from the deadline on; the exit waits for a timer (slack for a loaded machine).
      const stoppedAfter = Number(reason[1]);
      assert.ok(
        stoppedAfter < (renewDeadlineMs + 1000) / 1000,
        `stopped ${stoppedAfter} s after its last renewal began`,
      );
      await direct.waitFor(/azo operator running/);
      assert.ok(cutOffExitAt < directLeadsAt, 'the cut-off leader had stopped before the standby took over');
      await waitForReady(environment, 'resourcegroup/rg-cut');
      assert.deepEqual(await readLease(environment), { holder: directId, transitions: 3 });
    },
  );
});
