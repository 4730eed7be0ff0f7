/**
 * API server benchmark. The server runs in its own process (so its memory is its own) and is driven over keep-alive
 * HTTPS by 16 concurrent clients. For 10,000 custom resources of a CRD with a schema (so every write is pruned,
 * defaulted and validated, and managedFields are tracked) it measures create and update (PUT with the
 * resourceVersion) throughput, the latency from sending a write to reading its watch event (median, p99; under that
 * load and with one writer at a time), a full list, and the server's memory empty and at 10,000 objects. Creates,
 * updates and watch latency are measured again with a data dir (every write fsync'd before it is acknowledged).
 * Run: npm run bench -- kube   (AZO_BENCH_KUBE_N changes the object count; AZO_BENCH_KUBE_RUNTIME=tsx runs the sources)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './run.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const concurrency = 16;
const sequentialSamples = 500;
const widgets = '/apis/bench.azo.dev/v1/namespaces/default/widgets';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.bench.azo.dev' },
  spec: {
    group: 'bench.azo.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['location'],
                properties: {
                  location: { type: 'string', minLength: 1 },
                  size: { type: 'integer', minimum: 0, default: 1 },
                  tier: { type: 'string', enum: ['basic', 'standard', 'premium'] },
                  tags: { type: 'object', additionalProperties: { type: 'string' } },
                  owner: { type: 'object', properties: { name: { type: 'string' } } },
                },
              },
              status: {
                type: 'object',
                properties: {
                  conditions: {
                    type: 'array',
                    items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

function widget(index: number, size: number): Record<string, unknown> {
  return {
    apiVersion: 'bench.azo.dev/v1',
    kind: 'Widget',
    metadata: { name: `w-${index}`, labels: { app: 'bench', shard: String(index % 10) } },
    spec: {
      location: 'westus',
      size,
      tier: 'standard',
      tags: { team: 'azo', index: String(index) },
      owner: { name: 'rg-bench' },
    },
  };
}

interface Memory {
  rss: number;
  heapUsed: number;
}

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
  ca: string;
  /** The server process's memory (MiB) after a full garbage collection. */
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

/**
 * The server process: startApiServer with the options `azo apiserver` passes, alone in a process started with
 * --expose-gc so that its heap can be measured after a collection. It runs compiled, as the installed `azo` does
 * (`tsc` into node_modules/.cache/azo-bench-kube first), or from the TypeScript sources with
 * AZO_BENCH_KUBE_RUNTIME=tsx (the tsx loader then adds to the memory).
 */
function serverScript(entry: string): string {
  return `
import { startApiServer } from ${JSON.stringify(pathToFileURL(entry).href)};
const dataDir = process.env.AZO_BENCH_DATA_DIR;
const server = await startApiServer({ port: 0, ...(dataDir ? { dataDir } : {}) });
process.send({ url: server.url, token: server.token, ca: server.caCertPem });
process.on('message', async (message) => {
  if (message === 'memory') {
    globalThis.gc();
    globalThis.gc();
    const usage = process.memoryUsage();
    process.send({ rss: usage.rss / 1048576, heapUsed: usage.heapUsed / 1048576 });
  } else if (message === 'stop') {
    await server.close();
    process.disconnect();
  }
});
`;
}

type Runtime = 'compiled' | 'tsx';

/** The API server module to run: compiled into the bench cache, or the TypeScript source. */
function serverEntry(runtime: Runtime): string {
  if (runtime === 'tsx') return join(repoRoot, 'src', 'kube', 'index.ts');
  const outDir = join(repoRoot, 'node_modules', '.cache', 'azo-bench-kube', 'dist');
  const result = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(repoRoot, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--sourceMap',
      'false',
      '--declaration',
      'false',
    ],
    { stdio: 'inherit' },
  );
  const entry = join(outDir, 'src', 'kube', 'index.js');
  if (result.status !== 0 || !existsSync(entry)) throw new Error('could not compile the API server for the benchmark');
  return entry;
}

async function startServer(entry: string, runtime: Runtime, dataDir?: string): Promise<Server> {
  const loader = runtime === 'tsx' ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, ['--expose-gc', ...loader, '--input-type=module', '-e', serverScript(entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...(dataDir ? { AZO_BENCH_DATA_DIR: dataDir } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const nextMessage = <T>() =>
    new Promise<T>((resolveMessage, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the API server process exited with ${String(code)}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolveMessage(message as T);
      });
    });
  const started = await nextMessage<{ url: string; token: string; ca: string }>();
  return {
    child,
    ...started,
    memory: () => {
      const reply = nextMessage<Memory>();
      child.send('memory');
      return reply;
    },
    stop: async () => {
      child.send('stop');
      await exited;
    },
  };
}

interface Reply {
  status: number;
  body: string;
}

function send(server: Server, agent: Agent, method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    Authorization: `Bearer ${server.token}`,
    Accept: 'application/json',
    ...(payload ? { 'Content-Type': 'application/json' } : {}),
  };
  return new Promise((resolveReply, reject) => {
    const req = request(new URL(path, server.url), { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolveReply({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function expect(reply: Reply, status: number): Record<string, unknown> {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.body.slice(0, 500)}`);
  return JSON.parse(reply.body) as Record<string, unknown>;
}

/** Runs `count` jobs on `workers` concurrent workers; returns the elapsed seconds. */
async function phase(count: number, work: (index: number) => Promise<void>, workers = concurrency): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const index = next++;
        await work(index);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** A watch on the widgets collection from `fromRv`; calls `onEvent` with each object's name and resourceVersion. */
function watchWidgets(
  server: Server,
  fromRv: string,
  onEvent: (name: string, rv: string, at: number) => void,
): Promise<() => void> {
  return new Promise((resolveWatch, reject) => {
    const url = new URL(`${widgets}?watch=true&resourceVersion=${fromRv}`, server.url);
    const req = request(
      url,
      { method: 'GET', headers: { Authorization: `Bearer ${server.token}` }, ca: server.ca, agent: false },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`watch answered ${String(res.statusCode)}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const event = JSON.parse(buffer.slice(0, newline)) as {
              type: string;
              object: { metadata?: { name?: string; resourceVersion?: string } };
            };
            buffer = buffer.slice(newline + 1);
            if (event.type === 'ADDED' || event.type === 'MODIFIED')
              onEvent(event.object.metadata?.name ?? '', event.object.metadata?.resourceVersion ?? '', at);
            newline = buffer.indexOf('\n');
          }
        });
        resolveWatch(() => req.destroy());
      },
    );
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
}

/** Nearest-rank percentile. */
function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** One PUT of each object 0..count-1, `workers` at a time; each worker waits for its write's watch event. */
async function updatesWithLatency(
  server: Server,
  agent: Agent,
  count: number,
  workers: number,
  size: number,
  objects: Map<string, Record<string, unknown>>,
): Promise<{ seconds: number; latencies: number[] }> {
  const list = expect(await send(server, agent, 'GET', `${widgets}?limit=1`), 200) as {
    metadata: { resourceVersion: string };
  };
  const pending = new Map<string, { sentAt: number; previousRv: number; seen: () => void }>();
  const latencies: number[] = [];
  const stopWatch = await watchWidgets(server, list.metadata.resourceVersion, (name, rv, at) => {
    const update = pending.get(name);
    if (!update || Number(rv) <= update.previousRv) return;
    pending.delete(name);
    latencies.push(at - update.sentAt);
    update.seen();
  });
  try {
    const seconds = await phase(
      count,
      async (index) => {
        const name = `w-${index}`;
        const current = objects.get(name) as
          { metadata: { resourceVersion: string }; spec: Record<string, unknown> } | undefined;
        if (!current) throw new Error(`no object ${name}`);
        const seen = new Promise<void>((done) =>
          pending.set(name, {
            sentAt: performance.now(),
            previousRv: Number(current.metadata.resourceVersion),
            seen: done,
          }),
        );
        const updated = expect(
          await send(server, agent, 'PUT', `${widgets}/${name}`, { ...current, spec: { ...current.spec, size } }),
          200,
        );
        objects.set(name, updated);
        await seen;
      },
      workers,
    );
    return { seconds, latencies };
  } finally {
    stopWatch();
  }
}

async function measureWrites(server: Server, count: number, label: string): Promise<BenchResult['metrics']> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: server.ca });
  try {
    expect(await send(server, agent, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd), 201);
    for (let attempt = 0; (await send(server, agent, 'GET', widgets)).status !== 200; attempt += 1) {
      if (attempt > 100) throw new Error('the CRD was not established');
      await new Promise((done) => setTimeout(done, 20));
    }
    const objects = new Map<string, Record<string, unknown>>();
    const createSeconds = await phase(count, async (index) => {
      objects.set(`w-${index}`, expect(await send(server, agent, 'POST', widgets, widget(index, 1)), 201));
    });
    const loaded = await updatesWithLatency(server, agent, count, concurrency, 2, objects);
    const single = await updatesWithLatency(server, agent, Math.min(sequentialSamples, count), 1, 3, objects);
    return {
      [`${label}: creates/s (16 concurrent)`]: { value: count / createSeconds, unit: 'req/s' },
      [`${label}: updates/s (PUT with resourceVersion, 16 concurrent)`]: {
        value: count / loaded.seconds,
        unit: 'req/s',
      },
      [`${label}: write → watch event, 16 writers, median`]: { value: percentile(loaded.latencies, 0.5), unit: 'ms' },
      [`${label}: write → watch event, 16 writers, p99`]: { value: percentile(loaded.latencies, 0.99), unit: 'ms' },
      [`${label}: write → watch event, 1 writer, median`]: { value: percentile(single.latencies, 0.5), unit: 'ms' },
      [`${label}: write → watch event, 1 writer, p99`]: { value: percentile(single.latencies, 0.99), unit: 'ms' },
    };
  } finally {
    agent.destroy();
  }
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult> {
  const count = Number(process.env.AZO_BENCH_KUBE_N ?? 10_000);
  const runtime: Runtime = process.env.AZO_BENCH_KUBE_RUNTIME === 'tsx' ? 'tsx' : 'compiled';
  const entry = serverEntry(runtime);
  const dir = mkdtempSync(join(tmpdir(), 'azo-kube-bench-'));
  try {
    let metrics: BenchResult['metrics'];
    const memoryServer = await startServer(entry, runtime);
    try {
      const empty = await memoryServer.memory();
      metrics = await measureWrites(memoryServer, count, 'memory');
      const agent = new Agent({ keepAlive: false, ca: memoryServer.ca });
      const listStarted = performance.now();
      const list = expect(await send(memoryServer, agent, 'GET', widgets), 200) as { items: unknown[] };
      const listMs = performance.now() - listStarted;
      if (list.items.length !== count) throw new Error(`listed ${list.items.length} of ${count}`);
      const full = await memoryServer.memory();
      metrics = {
        ...metrics,
        [`memory: full list of ${count} objects`]: { value: listMs, unit: 'ms' },
        'memory: server heap used, empty': { value: empty.heapUsed, unit: 'MiB' },
        [`memory: server heap used at ${count} objects`]: { value: full.heapUsed, unit: 'MiB' },
        'memory: heap per object (incl. watch history)': {
          value: ((full.heapUsed - empty.heapUsed) * 1024) / count,
          unit: 'KiB',
        },
        'memory: server RSS, empty': { value: empty.rss, unit: 'MiB' },
        [`memory: server RSS at ${count} objects`]: { value: full.rss, unit: 'MiB' },
      };
    } finally {
      await memoryServer.stop();
    }
    const diskServer = await startServer(entry, runtime, join(dir, 'data'));
    try {
      metrics = { ...metrics, ...(await measureWrites(diskServer, count, '--data-dir')) };
    } finally {
      await diskServer.stop();
    }
    return {
      metrics,
      notes: [
        `${count} namespaced custom resources (CRD schema with a default, enum, bounds; managedFields ` +
          `tracked): creates, then one PUT with resourceVersion per object; 16 keep-alive HTTPS clients; one ` +
          `watch on the collection`,
        'write → watch event: from sending the request to reading its event on the watch stream (client and server on this machine); "1 writer" = 500 updates one after another',
        `memory: the API server alone in its own process (` +
          `${runtime === 'compiled' ? 'compiled, as the installed azo runs' : 'TypeScript through tsx'}), ` +
          `after a full GC; the heap includes the watch history (last 20,000 events, sharing objects with the ` +
          `store)`,
        '--data-dir: each write is appended to the log and fdatasync-ed (writes of one event-loop turn share a sync) before it is acknowledged',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
