/**
 * Operator benchmark: N ResourceGroups (default 1,000; AZO_BENCH_OPERATOR_N) applied to the embedded API server at
 * once; `azo operator` runs as its own process against the ARM emulator at latency 0. Measures apply → first ARM
 * write and apply → Ready (median, p99), ARM requests per resource, and the operator process's memory (idle after
 * start, peak, and after all are Ready); then restarts the operator, which re-reads every resource (a full resync),
 * and counts the ARM and Kubernetes writes that causes (0: nothing changed).
 * The operator runs compiled (as the installed `azo` does: `tsc` into node_modules/.cache first, ~10 s), or with
 * AZO_BENCH_OPERATOR_RUNTIME=tsx from the TypeScript sources.
 * ARM throttling is off on both sides (emulator `throttling: false`, operator AZO_ARM_RATE_LIMITS=off) so the numbers
 * show the operator, not ARM's 10 writes/s per subscription (which would make 1,000 creates take ~80 s).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import { startApiServer } from '../src/kube/index.js';
import { startEmulator } from '../src/emulator/index.js';
import { listKindModels } from '../src/model/index.js';
import { operatorNodeFlags, reuseConnections } from '../src/operator/index.js';
import type { BenchResult } from './run.js';
import { compileCli, peakKiB, percentile, rssKiB } from './support.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const subscriptionId = '00000000-0000-0000-0000-00000000b001';

export async function run(): Promise<BenchResult> {
  const n = Number(process.env['AZO_BENCH_OPERATOR_N'] ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), 'azo-operator-bench-'));
  const apiServer = await startApiServer({ port: 0 });
  const emulator = await startEmulator({ models: await listKindModels(), throttling: false, latencyMs: 0 });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, apiServer.kubeconfig);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caCertPem);
  const runtime = process.env['AZO_BENCH_OPERATOR_RUNTIME'] === 'tsx' ? 'tsx' : 'compiled';
  const entry = runtime === 'tsx' ? ['--import', 'tsx', 'src/cli/main.ts'] : [compileCli()];
  // e.g. AZO_BENCH_OPERATOR_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the operator.
  const nodeArgs = [
    ...operatorNodeFlags,
    ...(process.env['AZO_BENCH_OPERATOR_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== ''),
  ];
  const spawnOperator = () =>
    spawn(
      process.execPath,
      [
        ...nodeArgs,
        ...entry,
        'operator',
        '--crd-pattern',
        'resources.azure.com/*',
        '--arm-ca-file',
        caFile,
        '--log-level',
        'warn',
      ],
      {
        env: {
          ...process.env,
          KUBECONFIG: kubeconfig,
          AZURE_SUBSCRIPTION_ID: subscriptionId,
          AZURE_TENANT_ID: emulator.tenantId,
          AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000b0c1',
          AZURE_CLIENT_SECRET: 'bench-secret',
          AZURE_RESOURCE_MANAGER_ENDPOINT: emulator.url,
          AZURE_AUTHORITY_HOST: emulator.url,
          AZURE_SYNC_PERIOD: 'never',
          MAX_CONCURRENT_RECONCILES: process.env['MAX_CONCURRENT_RECONCILES'] ?? '8',
          AZO_ARM_RATE_LIMITS: 'off',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
  const running = (child: ReturnType<typeof spawnOperator>) =>
    new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('azo operator running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`operator exited ${code}`)));
    });
  const stopOperator = async (child: ReturnType<typeof spawnOperator>) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  let operator = spawnOperator();
  let peakRssKiB = 0;
  try {
    await running(operator);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRssKiB = rssKiB(operator.pid);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(apiServer.kubeconfig);
    // Like kubectl, the applying client keeps its connections open (client-node alone would handshake per request).
    const custom = reuseConnections(kubeConfig).makeApiClient(CustomObjectsApi);
    const readyAt = new Map<string, number>();
    const informer = new ListWatch<KubernetesObject>(
      `/apis/${rg.group}/${rg.version}/namespaces/default/${rg.plural}`,
      new Watch(kubeConfig),
      () => custom.listNamespacedCustomObject(rg) as never,
      false,
    );
    const onChange = (object: KubernetesObject) => {
      const conditions =
        (object as { status?: { conditions?: Array<{ type: string; status: string }> } }).status?.conditions ?? [];
      const name = object.metadata?.name ?? '';
      if (!readyAt.has(name) && conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
        readyAt.set(name, Date.now());
    };
    informer.on('add', onChange);
    informer.on('update', onChange);
    await informer.start();
    emulator.resetRequestLog();
    const appliedAt = new Map<string, number>();
    const started = Date.now();
    const names = Array.from({ length: n }, (_, i) => `bench-rg-${i}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map(async (name) => {
          appliedAt.set(name, Date.now());
          await custom.createNamespacedCustomObject({
            ...rg,
            body: {
              apiVersion: `${rg.group}/${rg.version}`,
              kind: 'ResourceGroup',
              metadata: { name },
              spec: { location: 'westus' },
            },
          });
        }),
      );
    }
    const sampler = setInterval(() => (peakRssKiB = Math.max(peakRssKiB, rssKiB(operator.pid))), 200);
    while (readyAt.size < n) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (Date.now() - started > 600_000) throw new Error(`only ${readyAt.size}/${n} Ready after 10 minutes`);
    }
    const allReady = Date.now();
    clearInterval(sampler);
    peakRssKiB = Math.max(peakRssKiB, peakKiB(operator.pid));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const settledRssKiB = rssKiB(operator.pid);
    await informer.stop();
    const log = emulator.requestLog().filter((entry) => entry.path.startsWith('/subscriptions/'));
    const firstWrite = new Map<string, number>();
    for (const entry of log) {
      if (entry.method !== 'PUT') continue;
      const name = entry.path.split('/').pop() ?? '';
      if (!firstWrite.has(name)) firstWrite.set(name, Date.parse(entry.time));
    }
    // A full resync: a restarted operator reconciles every object (reads it in Azure); nothing changed, so nothing
    // may be written to ARM or to Kubernetes.
    const versions = async () =>
      new Map(
        ((await custom.listNamespacedCustomObject(rg)) as { items: KubernetesObject[] }).items.map((item) => [
          item.metadata?.name ?? '',
          item.metadata?.resourceVersion ?? '',
        ]),
      );
    const versionsBefore = await versions();
    await stopOperator(operator);
    emulator.resetRequestLog();
    const resyncStarted = Date.now();
    operator = spawnOperator();
    await running(operator);
    const reads = () =>
      new Set(
        emulator
          .requestLog()
          .filter((entry) => entry.method === 'GET' && entry.path.includes('/resourceGroups/bench-rg-'))
          .map((entry) => entry.path),
      ).size;
    while (reads() < n) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (Date.now() - resyncStarted > 600_000) throw new Error(`only ${reads()}/${n} read again after 10 minutes`);
    }
    const resyncDone = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const resyncWrites = emulator
      .requestLog()
      .filter((entry) => entry.path.startsWith('/subscriptions/') && entry.method !== 'GET').length;
    const versionsAfter = await versions();
    const kubeWrites = [...versionsBefore].filter(([name, version]) => versionsAfter.get(name) !== version).length;
    const toWrite = names
      .map((name) => (firstWrite.get(name) ?? NaN) - (appliedAt.get(name) ?? NaN))
      .filter(Number.isFinite);
    const toReady = names
      .map((name) => (readyAt.get(name) ?? NaN) - (appliedAt.get(name) ?? NaN))
      .filter(Number.isFinite);
    return {
      metrics: {
        resources: { value: n, unit: 'ResourceGroups' },
        'apply → first ARM write, median': { value: percentile(toWrite, 50), unit: 'ms' },
        'apply → first ARM write, p99': { value: percentile(toWrite, 99), unit: 'ms' },
        'apply → Ready, median': { value: percentile(toReady, 50), unit: 'ms' },
        'apply → Ready, p99': { value: percentile(toReady, 99), unit: 'ms' },
        'all Ready after': { value: allReady - started, unit: 'ms' },
        'ARM requests per resource': { value: Math.round((log.length / n) * 100) / 100, unit: 'requests' },
        'ARM PUTs per resource': {
          value: Math.round((log.filter((e) => e.method === 'PUT').length / n) * 100) / 100,
          unit: 'requests',
        },
        'full resync (operator restart) until every resource was read again': {
          value: resyncDone - resyncStarted,
          unit: 'ms',
        },
        'ARM writes during the full resync': { value: resyncWrites, unit: 'requests' },
        'Kubernetes object writes during the full resync': { value: kubeWrites, unit: 'objects' },
        'operator RSS idle (started, CRDs served)': { value: Math.round(idleRssKiB / 1024), unit: 'MiB' },
        'operator peak RSS': { value: Math.round(peakRssKiB / 1024), unit: 'MiB' },
        'operator RSS with all Ready (2 s later)': { value: Math.round(settledRssKiB / 1024), unit: 'MiB' },
      },
      notes: [
        `API server and emulator in the bench process; \`azo operator\` a separate process (${runtime === 'tsx' ? 'tsx, from the sources' : 'compiled JavaScript, as installed'}), MAX_CONCURRENT_RECONCILES=${process.env['MAX_CONCURRENT_RECONCILES'] ?? '8'}.`,
        'ARM throttling off on both sides (real ARM allows 10 writes/s per subscription after a burst of 200).',
      ],
    };
  } finally {
    await stopOperator(operator);
    await emulator.close();
    await apiServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
