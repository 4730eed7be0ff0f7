/**
 * Scale benchmark: N UserAssignedIdentities (default 10,000; AZO_BENCH_SCALE_N; a cheap kind) applied at once, with
 * `azo apiserver`, `azo emulator` (ARM's throttling ON, `--latency 100`) and `azo operator` each in its own process.
 * ARM allows 200 writes at once and 10 per second after that, so N creates cannot end before (N − 200) / 10 s: the
 * time until all are Ready is reported against that bound, with the 429s ARM had to send (the goal is none: the
 * operator waits for its turn instead). Then the operator is restarted, which re-checks every resource against Azure
 * (a drift sweep, at drift priority): requests per resource and writes during it, its CPU (extrapolated to an hour
 * with the default 1 h sync period), and — while it runs — a user's change: the time from apply to its PUT.
 * Memory: the operator's peak and the API server's with N objects.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
  ListWatch,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { operatorNodeFlags, reuseConnections } from '../src/operator/index.js';
import type { BenchResult } from './run.js';
import { compileCli, cpuSeconds, peakKiB, rssKiB } from './support.js';

const quick = process.env['AZO_BENCH_QUICK'] === '1';
const subscriptionId = '00000000-0000-0000-0000-00000000b5ca';
const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const uai = {
  group: 'managedidentity.azure.com',
  version: 'v1api20181130',
  plural: 'userassignedidentities',
  namespace: 'default',
};
const rgPath = `/subscriptions/${subscriptionId}/resourceGroups/scale-rg`;
const uaiPath = (name: string) => `${rgPath}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

interface Started {
  child: ChildProcess;
  output: () => string;
}

export async function run(): Promise<BenchResult> {
  const n = Number(process.env['AZO_BENCH_SCALE_N'] ?? (quick ? 40 : 10_000));
  const dir = mkdtempSync(join(tmpdir(), 'azo-scale-bench-'));
  const cli =
    process.env['AZO_BENCH_SCALE_RUNTIME'] === 'tsx' ? ['--import', 'tsx', 'src/cli/main.ts'] : [compileCli()];
  const processes: ChildProcess[] = [];
  const start = (args: string[], env: Record<string, string> = {}): Started => {
    // The operator runs with the image's Node flags; the API server and emulator with Node's defaults.
    const nodeFlags = args[0] === 'operator' ? operatorNodeFlags : [];
    const child = spawn(process.execPath, [...nodeFlags, ...cli, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-20_000)));
    child.stderr?.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-20_000)));
    processes.push(child);
    return { child, output: () => text };
  };
  const waitFor = async (started: Started, pattern: RegExp): Promise<RegExpExecArray> => {
    for (let i = 0; i < 1200; i++) {
      const match = pattern.exec(started.output());
      if (match !== null) return match;
      if (started.child.exitCode !== null)
        throw new Error(`exited before ${pattern}: ${started.output().slice(-2000)}`);
      await sleep(50);
    }
    throw new Error(`no ${pattern} after 60 s: ${started.output().slice(-2000)}`);
  };
  try {
    const kubeconfigFile = join(dir, 'kubeconfig');
    const apiServer = start(['apiserver', '--port', '0', '--kubeconfig', kubeconfigFile]);
    const emulator = start(['emulator', '--port', '0', '--latency', '100', '--data-dir', join(dir, 'emulator')]);
    await waitFor(apiServer, /listening on/);
    const url = (await waitFor(emulator, /listening on (https:\/\/\S+)/))[1] ?? '';
    const caFile = (await waitFor(emulator, /CA certificate: (\S+)/))[1] ?? '';
    const tenantId = (await waitFor(emulator, /tenant: (\S+)/))[1] ?? '';
    const ca = readFileSync(caFile);
    const admin = (method: string, path: string) => send(`${url}/_emulator/${path}`, method, ca);
    // The emulator keeps the last 10,000 requests: read its log as it grows (`?since=`), so nothing is missed.
    type Logged = { seq: number; method: string; path: string; status: number; time: string };
    let seen = 0;
    let logged: Logged[] = [];
    const readLog = async () => {
      const fresh = (JSON.parse(await admin('GET', `requests?since=${seen}`)) as { value: Logged[] }).value;
      for (const { seq, method, path, status, time } of fresh) logged.push({ seq, method, path, status, time });
      seen = fresh.at(-1)?.seq ?? seen;
      return logged;
    };
    const operatorEnv = {
      KUBECONFIG: kubeconfigFile,
      AZURE_SUBSCRIPTION_ID: subscriptionId,
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000b5c1',
      AZURE_CLIENT_SECRET: 'scale-bench',
      AZURE_RESOURCE_MANAGER_ENDPOINT: url,
      AZURE_AUTHORITY_HOST: url,
      AZURE_SYNC_PERIOD: '1h',
    };
    const operatorArgs = [
      'operator',
      '--crd-pattern',
      'resources.azure.com/*;managedidentity.azure.com/*',
      '--arm-ca-file',
      caFile,
    ];
    let operator = start(operatorArgs, operatorEnv);
    await waitFor(operator, /azo operator running/);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigFile);
    const custom = reuseConnections(kubeConfig).makeApiClient(CustomObjectsApi);

    await custom.createNamespacedCustomObject({
      ...rg,
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'scale-rg' },
        spec: { location: 'westus' },
      },
    });
    const readyAt = new Map<string, number>();
    const generations = new Map<string, number>();
    const informer = new ListWatch<KubernetesObject>(
      `/apis/${uai.group}/${uai.version}/namespaces/default/${uai.plural}`,
      new Watch(kubeConfig),
      () => custom.listNamespacedCustomObject(uai) as never,
      false,
    );
    const onChange = (object: KubernetesObject) => {
      const ready = (
        object as { status?: { conditions?: Array<{ type: string; status: string; observedGeneration?: number }> } }
      ).status?.conditions?.find((condition) => condition.type === 'Ready');
      const name = object.metadata?.name ?? '';
      const generation = object.metadata?.generation ?? 0;
      if (
        ready?.status === 'True' &&
        ready.observedGeneration === generation &&
        (generations.get(name) ?? 0) < generation
      ) {
        generations.set(name, generation);
        readyAt.set(name, Date.now());
      }
    };
    informer.on('add', onChange);
    informer.on('update', onChange);
    await informer.start();

    // 1. N creates at once.
    const names = Array.from({ length: n }, (_, i) => `scale-uai-${i}`);
    let peakOperator = 0;
    let peakApiServer = 0;
    const sampler = setInterval(() => {
      peakOperator = Math.max(peakOperator, rssKiB(operator.child.pid));
      peakApiServer = Math.max(peakApiServer, rssKiB(apiServer.child.pid));
    }, 500);
    const started = Date.now();
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(
        names.slice(i, i + 100).map((name) =>
          custom.createNamespacedCustomObject({
            ...uai,
            body: {
              apiVersion: `${uai.group}/${uai.version}`,
              kind: 'UserAssignedIdentity',
              metadata: { name },
              spec: { location: 'westus', owner: { name: 'scale-rg' } },
            },
          }),
        ),
      );
    }
    while (readyAt.size < n) {
      await sleep(1000);
      await readLog();
      if (Date.now() - started > 3 * 3_600_000) throw new Error(`only ${readyAt.size}/${n} Ready after 3 hours`);
    }
    const allReadyMs = Date.now() - started;
    peakOperator = Math.max(peakOperator, peakKiB(operator.child.pid));
    const throttled = (await readLog()).filter((entry) => entry.status === 429).length;
    const boundMs = (Math.max(0, n - 200) / 10) * 1000;
    const apiServerRss = rssKiB(apiServer.child.pid);

    // 2. A drift sweep: a restarted operator re-checks every resource; a user's change in the middle of it.
    operator.child.kill('SIGTERM');
    await new Promise((resolve) => operator.child.once('exit', resolve));
    await readLog();
    logged = [];
    const sweepStarted = Date.now();
    operator = start(operatorArgs, operatorEnv);
    await waitFor(operator, /azo operator running/);
    const sweepCpuStart = cpuSeconds(operator.child.pid);
    const reads = async () => {
      const log = await readLog();
      return {
        log,
        read: new Set(
          log
            .filter((entry) => entry.method === 'GET' && entry.path.includes('/userAssignedIdentities/'))
            .map((entry) => entry.path),
        ),
      };
    };
    let changedAt = 0;
    const changed = names[Math.floor(n / 2)] ?? 'scale-uai-0';
    for (;;) {
      const { read } = await reads();
      if (changedAt === 0 && read.size >= n / 5) {
        changedAt = Date.now();
        await custom.patchNamespacedCustomObject(
          { ...uai, name: changed, body: { spec: { tags: { changed: 'during-the-sweep' } } } },
          mergePatch,
        );
      }
      if (read.size >= n) break;
      await sleep(1000);
      if (Date.now() - sweepStarted > 3 * 3_600_000) throw new Error('the sweep did not end within 3 hours');
    }
    const sweepMs = Date.now() - sweepStarted;
    const sweepCpu = cpuSeconds(operator.child.pid) - sweepCpuStart;
    while ((generations.get(changed) ?? 0) < 2) await sleep(100);
    const { log: sweepLog } = await reads();
    const writes = sweepLog.filter((entry) => entry.method !== 'GET' && entry.path.startsWith('/subscriptions/'));
    const userPut = writes.find((entry) => entry.method === 'PUT' && entry.path === uaiPath(changed));
    const otherWrites = writes.filter((entry) => entry !== userPut).length;
    const gets = sweepLog.filter(
      (entry) => entry.method === 'GET' && entry.path.includes('/userAssignedIdentities/'),
    ).length;
    const idleCpuStart = cpuSeconds(operator.child.pid);
    const idleSeconds = quick ? 2 : 30;
    await sleep(idleSeconds * 1000);
    const idleCpuPerSecond = (cpuSeconds(operator.child.pid) - idleCpuStart) / idleSeconds;
    clearInterval(sampler);
    await informer.stop();
    const cpuPerHour = sweepCpu + idleCpuPerSecond * Math.max(0, 3600 - sweepMs / 1000);
    return {
      metrics: {
        resources: { value: n, unit: 'UserAssignedIdentities' },
        'all Ready after': { value: allReadyMs, unit: 'ms' },
        "ARM's write-quota bound ((N − 200) / 10 s)": { value: boundMs, unit: 'ms' },
        'all Ready / the bound': { value: Math.round((allReadyMs / Math.max(boundMs, 1)) * 100) / 100, unit: 'x' },
        '429s from ARM while creating': { value: throttled, unit: 'responses' },
        'operator peak RSS': { value: Math.round(peakOperator / 1024), unit: 'MiB' },
        'API server RSS with N objects': {
          value: Math.round(Math.max(apiServerRss, peakApiServer) / 1024),
          unit: 'MiB',
        },
        'drift sweep (operator restart): every resource read after': { value: sweepMs, unit: 'ms' },
        'drift sweep: GETs per resource': { value: Math.round((gets / n) * 100) / 100, unit: 'requests' },
        'drift sweep: writes (besides the user change)': { value: otherWrites, unit: 'requests' },
        "user's change during the sweep: apply → its PUT": {
          value: userPut === undefined ? NaN : Date.parse((userPut as { time: string }).time) - changedAt,
          unit: 'ms',
        },
        'operator CPU per hour (a sweep per 1 h sync period, idle between)': {
          value: Math.round(cpuPerHour * 10) / 10,
          unit: 's',
        },
      },
      notes: [
        `\`azo apiserver\`, \`azo emulator --latency 100\` (ARM's throttling on: writes 200 burst, 10 s⁻¹; reads 250, 25 s⁻¹) and \`azo operator\` (${cli.length > 1 ? 'tsx' : 'compiled'}, MAX_CONCURRENT_RECONCILES default) each in its own process.`,
        "The sweep runs at drift priority: at most half of ARM's read rate (AZO_DRIFT_READ_SHARE), users' requests first.",
      ],
    };
  } finally {
    for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(
      processes.map((child) =>
        child.exitCode !== null || child.signalCode !== null
          ? undefined
          : new Promise((resolve) => child.once('exit', resolve)),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function send(url: string, method: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca }, (response) => {
      let data = '';
      response.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      response.on('end', () => resolve(data));
    });
    req.on('error', reject);
    req.end();
  });
}
