/**
 * ARM emulator throughput: requests/s for PUT and GET of a resource over keep-alive HTTPS (16 concurrent clients,
 * throttling off), in memory and with a data dir (every write fsynced to state.json), and the overhead of a
 * long-running operation (PUT + status polls until Succeeded) compared with a synchronous PUT.
 * Throughputs are medians of 5 rounds; latencies are medians of 200 sequential operations.
 * Run: npm run bench -- emulator
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './run.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';

const subscriptionId = '00000000-0000-0000-0000-00000000beef';
/** AZO_BENCH_QUICK=1 (the smoke test): the same steps at a size that only proves they run. */
const quick = process.env['AZO_BENCH_QUICK'] === '1';
const concurrency = quick ? 4 : 16;
const rounds = quick ? 1 : 5;
const requestsPerRound = quick ? 40 : 2000;
const durableRequestsPerRound = quick ? 20 : 500;
const resourcesInGroup = quick ? 20 : 500;
const sequentialCount = quick ? 10 : 200;
const body = {
  location: 'westus',
  tags: { bench: 'true' },
  properties: { size: 3, features: ['a', 'b'], nested: { enabled: true } },
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One emulator with a token and a resource group, reached through a keep-alive agent. */
interface Target {
  emulator: RunningEmulator;
  agent: Agent;
  token: string;
  group: string;
  close(): Promise<void>;
}

function send(
  target: Pick<Target, 'emulator' | 'agent'>,
  method: string,
  path: string,
  token: string | undefined,
  payload?: unknown,
): Promise<Reply> {
  const text = payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(text
      ? { 'content-type': typeof payload === 'string' ? 'application/x-www-form-urlencoded' : 'application/json' }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, target.emulator.url), { method, headers, agent: target.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    if (text) req.write(text);
    req.end();
  });
}

function check(reply: Reply, expected: number[]): void {
  if (!expected.includes(reply.status)) throw new Error(`unexpected ${reply.status}: ${reply.body}`);
}

async function startTarget(dataDir?: string): Promise<Target> {
  const emulator = await startEmulator({ throttling: false, ...(dataDir ? { dataDir } : {}) });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: emulator.caCertPem });
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: '11111111-2222-3333-4444-555555555555',
    client_secret: 'x',
    scope: 'https://management.azure.com/.default',
  }).toString();
  const tokenReply = await send(
    { emulator, agent },
    'POST',
    `/${emulator.tenantId}/oauth2/v2.0/token`,
    undefined,
    form,
  );
  const token = (JSON.parse(tokenReply.body) as { access_token: string }).access_token;
  const group = `/subscriptions/${subscriptionId}/resourceGroups/bench`;
  check(
    await send({ emulator, agent }, 'PUT', `${group}?api-version=2021-04-01`, token, { location: 'westus' }),
    [200, 201],
  );
  return {
    emulator,
    agent,
    token,
    group,
    close: async () => {
      agent.destroy();
      await emulator.close();
    },
  };
}

const widget = (target: Target, index: number) =>
  `${target.group}/providers/Contoso.Bench/widgets/w${index % resourcesInGroup}?api-version=2024-01-01`;

/** Runs `count` calls of `work` on `concurrency` workers; returns the calls per second. */
async function throughput(count: number, work: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        await work(index);
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function medianThroughput(work: (index: number) => Promise<void>, count = requestsPerRound): Promise<number> {
  const results: number[] = [];
  for (let round = 0; round < rounds; round += 1) results.push(await throughput(count, work));
  return median(results);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0] ?? 0;
  const memory = await startTarget();
  let putPerSecond: number;
  let getPerSecond: number;
  let syncMs: number;
  let lroMs: number;
  let pollsPerLro: number;
  try {
    const put = async (index: number) =>
      check(await send(memory, 'PUT', widget(memory, index), memory.token, body), [200, 201]);
    await throughput(resourcesInGroup, put);
    putPerSecond = await medianThroughput(put);
    getPerSecond = await medianThroughput(async (index) =>
      check(await send(memory, 'GET', widget(memory, index), memory.token), [200]),
    );

    // Sequential: a synchronous PUT versus a long-running PUT polled through Azure-AsyncOperation until Succeeded.
    const syncTimes: number[] = [];
    for (let index = 0; index < sequentialCount; index += 1) syncTimes.push(await timed(() => put(index)));
    syncMs = median(syncTimes);
    memory.emulator.setLatency(1);
    let polls = 0;
    const lroTimes: number[] = [];
    for (let index = 0; index < sequentialCount; index += 1) {
      lroTimes.push(
        await timed(async () => {
          const reply = await send(
            memory,
            'PUT',
            `${memory.group}/providers/Contoso.Bench/slow/s${index}?api-version=2024-01-01`,
            memory.token,
            body,
          );
          check(reply, [201]);
          const statusUrl = String(reply.headers['azure-asyncoperation']);
          for (;;) {
            polls += 1;
            const status = JSON.parse((await send(memory, 'GET', statusUrl, memory.token)).body) as { status: string };
            if (status.status === 'Succeeded') break;
            await new Promise((done) => setTimeout(done, 1));
          }
        }),
      );
    }
    lroMs = median(lroTimes);
    pollsPerLro = polls / sequentialCount;
  } finally {
    await memory.close();
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'azo-emulator-bench-'));
  let durablePutPerSecond: number;
  try {
    const durable = await startTarget(dataDir);
    try {
      const put = async (index: number) =>
        check(await send(durable, 'PUT', widget(durable, index), durable.token, body), [200, 201]);
      await throughput(resourcesInGroup, put);
      durablePutPerSecond = await medianThroughput(put, durableRequestsPerRound);
    } finally {
      await durable.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  return {
    metrics: {
      'PUT requests/s (16 concurrent), median': { value: putPerSecond, unit: 'req/s' },
      'GET requests/s (16 concurrent), median': { value: getPerSecond, unit: 'req/s' },
      'PUT requests/s with --data-dir (fsync per write)': { value: durablePutPerSecond, unit: 'req/s' },
      'synchronous PUT latency (sequential), median': { value: syncMs, unit: 'ms' },
      'long-running PUT until Succeeded (1 ms op), median': { value: lroMs, unit: 'ms' },
      'LRO overhead over a synchronous PUT': { value: lroMs - syncMs, unit: 'ms' },
      'LRO / synchronous PUT': { value: lroMs / syncMs, unit: 'x' },
      'status polls per LRO': { value: pollsPerLro, unit: 'polls' },
    },
    notes: [
      `HTTPS keep-alive, ${concurrency} concurrent clients, throttling off, unknown type (no model ` +
        `validation), ${resourcesInGroup} resources in the group`,
      `throughputs: median of ${rounds} rounds of ${requestsPerRound} requests (${durableRequestsPerRound} ` +
        `with --data-dir); latencies: median of ${sequentialCount} sequential operations`,
      "LRO polls the status URL every 1 ms instead of honouring Retry-After, so the overhead is the emulator's, not the wait",
      `1-minute load average at start: ${loadAtStart.toFixed(2)} (other processes on the machine lower the ` +
        `throughputs)`,
    ],
  };
}
