/**
 * ARM emulator throughput: requests/s for PUT and GET of a resource over keep-alive HTTPS (16 concurrent clients,
 * throttling off, no data dir), and the overhead of a long-running operation (PUT + status polls until Succeeded)
 * compared with a synchronous PUT. Run: npm run bench -- emulator
 */
import { Agent, request } from 'node:https';
import type { BenchResult } from './run.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';

const subscriptionId = '00000000-0000-0000-0000-00000000beef';
const concurrency = 16;
const requestsPerPhase = 3000;
const lroCount = 200;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(emulator: RunningEmulator, agent: Agent, method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, emulator.url), { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function phase(count: number, work: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const index = next++;
      await work(index);
    }
  }));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult> {
  const emulator = await startEmulator({ throttling: false });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: emulator.caCertPem });
  try {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: '11111111-2222-3333-4444-555555555555', client_secret: 'x', scope: 'https://management.azure.com/.default' }).toString();
    const token = (JSON.parse((await send(emulator, agent, 'POST', `/${emulator.tenantId}/oauth2/v2.0/token`, undefined, form)).body) as { access_token: string }).access_token;
    const group = `/subscriptions/${subscriptionId}/resourceGroups/bench`;
    await send(emulator, agent, 'PUT', `${group}?api-version=2021-04-01`, token, { location: 'westus' });
    const widget = (index: number) => `${group}/providers/Contoso.Bench/widgets/w${index % 500}?api-version=2024-01-01`;
    const body = { location: 'westus', tags: { bench: 'true' }, properties: { size: 3, features: ['a', 'b'], nested: { enabled: true } } };
    const check = (reply: Reply, expected: number[]) => {
      if (!expected.includes(reply.status)) throw new Error(`unexpected ${reply.status}: ${reply.body}`);
    };
    await phase(500, async (index) => check(await send(emulator, agent, 'PUT', widget(index), token, body), [200, 201]));
    const putSeconds = await phase(requestsPerPhase, async (index) => check(await send(emulator, agent, 'PUT', widget(index), token, body), [200, 201]));
    const getSeconds = await phase(requestsPerPhase, async (index) => check(await send(emulator, agent, 'GET', widget(index), token), [200]));

    // Sequential: a synchronous PUT versus a long-running PUT polled through Azure-AsyncOperation until Succeeded.
    let started = process.hrtime.bigint();
    for (let index = 0; index < lroCount; index += 1) check(await send(emulator, agent, 'PUT', widget(index), token, body), [200, 201]);
    const syncMs = Number(process.hrtime.bigint() - started) / 1e6 / lroCount;
    emulator.setLatency(1);
    let polls = 0;
    started = process.hrtime.bigint();
    for (let index = 0; index < lroCount; index += 1) {
      const reply = await send(emulator, agent, 'PUT', `${group}/providers/Contoso.Bench/slow/s${index}?api-version=2024-01-01`, token, body);
      check(reply, [201]);
      const statusUrl = String(reply.headers['azure-asyncoperation']);
      for (;;) {
        polls += 1;
        const status = JSON.parse((await send(emulator, agent, 'GET', statusUrl, token)).body) as { status: string };
        if (status.status === 'Succeeded') break;
        await new Promise((done) => setTimeout(done, 1));
      }
    }
    const lroMs = Number(process.hrtime.bigint() - started) / 1e6 / lroCount;
    return {
      metrics: {
        'PUT requests/s (16 concurrent)': { value: requestsPerPhase / putSeconds, unit: 'req/s' },
        'GET requests/s (16 concurrent)': { value: requestsPerPhase / getSeconds, unit: 'req/s' },
        'synchronous PUT latency (sequential)': { value: syncMs, unit: 'ms' },
        'long-running PUT until Succeeded (1 ms op)': { value: lroMs, unit: 'ms' },
        'LRO overhead over a synchronous PUT': { value: lroMs - syncMs, unit: 'ms' },
        'status polls per LRO': { value: polls / lroCount, unit: 'polls' },
      },
      notes: ['HTTPS keep-alive, throttling off, memory only, unknown type (no model validation); LRO polls immediately instead of honouring Retry-After'],
    };
  } finally {
    agent.destroy();
    await emulator.close();
  }
}
