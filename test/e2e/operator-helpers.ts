// Drives azo as a user would: `azo apiserver`, `azo emulator` and `azo operator` as separate processes, and the real
// kubectl at /usr/bin/kubectl. Helpers only; the tests are operator-*.test.ts.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const subscriptionId = '00000000-0000-0000-0000-00000000e2e1';
export const clientId = '00000000-0000-0000-0000-00000000c2e1';
export const clientSecret = 'e2e-client-secret-value';
const kubectlPath = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

/** A running azo sub-command. */
export interface AzoProcess {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILLs after 30 s. Resolves true when it had to. */
  stop(signal?: NodeJS.Signals): Promise<boolean>;
}

const forbidClientNode = fileURLToPath(new URL('./forbid-client-node.mjs', import.meta.url));

/** Spawns `azo ARGS` from the repository root with tsx. */
export function spawnAzo(args: string[], env: Record<string, string> = {}): AzoProcess {
  // The operator process must never load @kubernetes/client-node (memory): the hook fails any import of it.
  const guard = args[0] === 'operator' ? ['--import', forbidClientNode] : [];
  const child = spawn(process.execPath, [...guard, '--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (text.length > 16_000_000) text = text.slice(-8_000_000);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (match !== null) {
            listeners.delete(check);
            resolve(match);
          }
        };
        listeners.add(check);
        child.once('exit', (code) => {
          if (pattern.exec(text) === null)
            reject(new Error(`azo ${args[0]} exited (${code}) before printing ${pattern}:\n${text.slice(-3000)}`));
        });
        check();
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 30_000)));
      const forced = await Promise.race([exited.then(() => false), late]);
      clearTimeout(timer);
      if (forced) {
        child.kill('SIGKILL');
        await exited;
      }
      return forced;
    },
  };
}

/** One Kubernetes cluster of an environment: an `azo apiserver` process, and the `azo operator` run against it. */
export interface E2eCluster {
  kubeconfig: string;
  /** The running operator (undefined until `startOperator`). */
  operator: AzoProcess | undefined;
  /** Every operator process started for this cluster (to search their output). */
  operators: AzoProcess[];
  /** Starts `azo operator` (stop the previous one first); resolves once it serves. */
  startOperator(env?: Record<string, string>, args?: string[]): Promise<AzoProcess>;
  /** Spawns `azo operator` without waiting for it to serve (a standby waiting for the leader Lease, say). */
  spawnOperator(env?: Record<string, string>, args?: string[]): AzoProcess;
  /** Runs the real kubectl against this cluster; rejects with stderr on failure. */
  kubectl(args: string[], input?: string): Promise<string>;
  /**
   * Stops the API server (SIGTERM, or SIGKILL as a crash) and starts it again on the same port and data dir (only
   * with `persistent`); every watch drops. `downMs`: how long it stays down. `forced`: it ignored SIGTERM for 30 s.
   */
  restartApiServer(options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<{ forced: boolean }>;
}

/**
 * API servers + one emulator (+ operators, restartable) for one test file. The first cluster's members are flattened
 * in.
 */
export interface E2eEnvironment extends E2eCluster {
  dir: string;
  emulatorUrl: string;
  caFile: string;
  tenantId: string;
  clusters: E2eCluster[];
  armLog(): Promise<Array<{ method: string; path: string; status: number; body?: unknown }>>;
  emulatorAdmin(method: string, path: string, body?: unknown): Promise<unknown>;
  /** GETs an ARM path from the emulator (with a token of its own): the HTTP status and body. */
  armGet(path: string, apiVersion: string): Promise<{ status: number; body: unknown }>;
  /** PUTs a body to an ARM path as someone other than the operator (a change made outside Kubernetes). */
  armPut(path: string, apiVersion: string, body: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** The CRDs every e2e operator installs (`--crd-pattern`). */
export const e2eCrdPattern = [
  'resources.azure.com/*',
  'storage.azure.com/*',
  'network.azure.com/VirtualNetwork*',
  'network.azure.com/NetworkSecurityGroup',
  'keyvault.azure.com/*',
  'authorization.azure.com/*',
  'dbforpostgresql.azure.com/FlexibleServer',
  'managedidentity.azure.com/*',
].join(';');

/** Options of `startE2e`. */
export interface E2eOptions {
  /** The emulator's `--latency` (default 0). */
  latencyMs?: number;
  /** How many API servers (default 1). */
  clusters?: number;
  /** Give each API server a `--data-dir`, so `restartApiServer` keeps its objects (default false). */
  persistent?: boolean;
}

/** Starts `clusters` × `azo apiserver` and one `azo emulator` (operators via `startOperator`). */
export async function startE2e(options: E2eOptions = {}): Promise<E2eEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'azo-operator-e2e-'));
  const apiServers = Array.from({ length: options.clusters ?? 1 }, (_, index) => {
    const kubeconfig = join(dir, `kubeconfig-${index}`);
    const dataDir = options.persistent === true ? ['--data-dir', join(dir, `apiserver-${index}`)] : [];
    const args = (port: string) => ['apiserver', '--port', port, '--kubeconfig', kubeconfig, ...dataDir];
    return { kubeconfig, args, process: spawnAzo(args('0')), port: '' };
  });
  const emulator = spawnAzo([
    'emulator',
    '--port',
    '0',
    '--data-dir',
    join(dir, 'emulator'),
    '--latency',
    String(options.latencyMs ?? 0),
  ]);
  for (const apiServer of apiServers)
    apiServer.port = (await apiServer.process.waitFor(/listening on https:\/\/[^\s]+:(\d+)/))[1] ?? '';
  const url = (await emulator.waitFor(/listening on (https:\/\/\S+)/))[1] ?? '';
  const caFile = (await emulator.waitFor(/CA certificate: (\S+)/))[1] ?? '';
  const tenantId = (await emulator.waitFor(/tenant: (\S+)/))[1] ?? '';
  const ca = readFileSync(caFile);
  const send = (method: string, target: string, body: string | undefined, headers: Record<string, string>) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(target, { method, ca, headers }, (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const admin = async (method: string, path: string, body?: unknown) => {
    const { text } = await send(
      method,
      `${url}/_emulator/${path}`,
      body === undefined ? undefined : JSON.stringify(body),
      { 'content-type': 'application/json' },
    );
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  let token: string | undefined;
  const armSend = async (method: string, path: string, apiVersion: string, body?: unknown) => {
    if (token === undefined) {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: '00000000-0000-0000-0000-00000000e2ee',
        client_secret: 'e2e-observer',
        scope: 'https://management.azure.com/.default',
      });
      const issued = await send('POST', `${url}/${tenantId}/oauth2/v2.0/token`, form.toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      token = (JSON.parse(issued.text) as { access_token: string }).access_token;
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const { status, text } = await send(
      method,
      `${url}${path}?api-version=${apiVersion}`,
      body === undefined ? undefined : JSON.stringify(body),
      headers,
    );
    return { status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const armGet = (path: string, apiVersion: string) => armSend('GET', path, apiVersion);
  const armPut = (path: string, apiVersion: string, body: unknown) => armSend('PUT', path, apiVersion, body);
  const clusters: E2eCluster[] = apiServers.map((apiServer) => {
    const { kubeconfig } = apiServer;
    const cluster: E2eCluster = {
      kubeconfig,
      operator: undefined,
      operators: [],
      startOperator: async (env = {}, args = []) => {
        const operator = cluster.spawnOperator(env, args);
        await operator.waitFor(/azo operator running/);
        return operator;
      },
      spawnOperator: (env = {}, args = []) => {
        const operator = spawnAzo(
          [
            'operator',
            '--crd-pattern',
            e2eCrdPattern,
            '--log-level',
            process.env['AZO_TEST_LOG_LEVEL'] ?? 'warn',
            ...args,
          ],
          {
            KUBECONFIG: kubeconfig,
            NODE_EXTRA_CA_CERTS: caFile,
            AZURE_SUBSCRIPTION_ID: subscriptionId,
            AZURE_TENANT_ID: tenantId,
            AZURE_CLIENT_ID: clientId,
            AZURE_CLIENT_SECRET: clientSecret,
            AZURE_RESOURCE_MANAGER_ENDPOINT: url,
            AZURE_AUTHORITY_HOST: url,
            AZURE_SYNC_PERIOD: 'never',
            MAX_CONCURRENT_RECONCILES: '4',
            ...env,
          },
        );
        cluster.operator = operator;
        cluster.operators.push(operator);
        return operator;
      },
      kubectl: (args, input) =>
        new Promise((resolve, reject) => {
          // maxBuffer: `kubectl get -o json` of a thousand objects is well over the default 1 MiB.
          const child = execFile(
            kubectlPath,
            args,
            { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 512 * 1024 * 1024 },
            (error, stdout, stderr) => {
              if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
              else resolve(stdout);
            },
          );
          if (input !== undefined) child.stdin?.end(input);
        }),
      restartApiServer: async ({ signal = 'SIGTERM', downMs = 0 } = {}) => {
        if (options.persistent !== true) throw new Error('restartApiServer needs startE2e({ persistent: true })');
        const forced = await apiServer.process.stop(signal);
        await new Promise((resolve) => setTimeout(resolve, downMs));
        // The port is free again, but something else may take it meanwhile: try it a few times.
        for (let attempt = 1; ; attempt++) {
          apiServer.process = spawnAzo(apiServer.args(apiServer.port));
          try {
            await apiServer.process.waitFor(/listening on (\S+)/);
            return { forced };
          } catch (error) {
            if (attempt >= 10) throw error;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      },
    };
    return cluster;
  });
  const first = clusters[0];
  if (first === undefined) throw new Error('startE2e needs at least one cluster');
  const environment: E2eEnvironment = {
    dir,
    emulatorUrl: url,
    caFile,
    tenantId,
    clusters,
    kubeconfig: first.kubeconfig,
    operators: first.operators,
    get operator() {
      return first.operator;
    },
    set operator(value) {
      first.operator = value;
    },
    startOperator: (env, args) => first.startOperator(env, args),
    spawnOperator: (env, args) => first.spawnOperator(env, args),
    kubectl: (args, input) => first.kubectl(args, input),
    restartApiServer: (restart) => first.restartApiServer(restart),
    armLog: async () =>
      (
        (await admin('GET', 'requests')) as {
          value: Array<{ method: string; path: string; status: number; body?: unknown }>;
        }
      ).value,
    emulatorAdmin: admin,
    armGet,
    armPut,
    close: async () => {
      for (const cluster of clusters) for (const operator of cluster.operators) await operator.stop();
      await emulator.stop();
      for (const apiServer of apiServers) await apiServer.process.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return environment;
}

/** Writes YAML to a file in the environment's directory and returns its path. */
export function manifest(environment: E2eEnvironment, name: string, yaml: string): string {
  const file = join(environment.dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** Polls `check` every 100 ms until it returns a value (bounded by the attempts, not a timed assertion). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, attempts = 600): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** Counts log entries with this method whose path ends with `suffix` (case-insensitive). */
export function count(log: Array<{ method: string; path: string }>, method: string, suffix: string): number {
  return log.filter((entry) => entry.method === method && entry.path.toLowerCase().endsWith(suffix.toLowerCase()))
    .length;
}

/** ASO's sample manifests (read-only shared data; `AZO_ASO_SAMPLES` overrides the folder). */
export const samplesDir = resolve(process.env['AZO_ASO_SAMPLES'] ?? '../shared/aso-samples');

/** The text of one ASO sample file, e.g. `storage/v20230101/v20230101_storageaccount.yaml`. */
export function readSample(path: string): string {
  return readFileSync(join(samplesDir, path), 'utf8');
}

/** The Ready condition of `resource` (kubectl's `kind/name`) and the object's generation. */
export interface ReadyView {
  status: string;
  reason: string;
  severity: string;
  message: string;
  observedGeneration: number | undefined;
  generation: number;
}

/** Reads the Ready condition of `resource` with kubectl. */
export async function readyOf(
  cluster: E2eCluster,
  resource: string,
  namespace = 'default',
): Promise<ReadyView | undefined> {
  const object = JSON.parse(await cluster.kubectl(['get', resource, '-n', namespace, '-o', 'json'])) as {
    metadata: { generation: number };
    status?: {
      conditions?: Array<{
        type: string;
        status: string;
        reason?: string;
        severity?: string;
        message?: string;
        observedGeneration?: number;
      }>;
    };
  };
  const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready === undefined) return undefined;
  return {
    status: ready.status,
    reason: ready.reason ?? '',
    severity: ready.severity ?? '',
    message: ready.message ?? '',
    observedGeneration: ready.observedGeneration,
    generation: object.metadata.generation,
  };
}

/** Waits until `resource`'s Ready condition for its current generation has `status` (and `reason`, when given). */
export async function waitForReady(
  cluster: E2eCluster,
  resource: string,
  status = 'True',
  reason?: string,
  namespace = 'default',
): Promise<ReadyView> {
  let last: ReadyView | undefined;
  try {
    return await eventually(
      async () => {
        last = await readyOf(cluster, resource, namespace);
        return last !== undefined &&
          last.status === status &&
          (reason === undefined || last.reason === reason) &&
          last.observedGeneration === last.generation
          ? last
          : undefined;
      },
      `${namespace}/${resource} Ready=${status}${reason !== undefined ? ` (${reason})` : ''}`,
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; last condition: ${JSON.stringify(last)}\n` +
        `${cluster.operator?.output().slice(-3000) ?? ''}`,
    );
  }
}

/** The reasons of the Events recorded for `name` in `namespace`, sorted (Event times have only second precision). */
export async function eventReasons(cluster: E2eCluster, name: string, namespace = 'default'): Promise<string[]> {
  return (await eventsOf(cluster, name, namespace)).map((event) => event.reason ?? '').sort();
}

/** The Events about object `name`, as kubectl lists them. */
export async function eventsOf(
  cluster: E2eCluster,
  name: string,
  namespace = 'default',
): Promise<Array<{ reason?: string; message?: string; count?: number }>> {
  const selector = `involvedObject.name=${name}`;
  const output = await cluster.kubectl(['get', 'events', '-n', namespace, '--field-selector', selector, '-o', 'json']);
  return (JSON.parse(output) as { items: Array<{ reason?: string; message?: string; count?: number }> }).items;
}

/** true when kubectl finds no `resource`. */
export async function isGone(cluster: E2eCluster, resource: string, namespace = 'default'): Promise<boolean> {
  const out = await cluster.kubectl(['get', resource, '-n', namespace, '--ignore-not-found', '-o', 'name']);
  return out.trim() === '';
}

/** A minimal StorageAccount manifest owned by the ResourceGroup `owner`. */
export const storageAccount = (
  name: string,
  namespace: string,
  owner: string,
) => `apiVersion: storage.azure.com/v1api20230101
kind: StorageAccount
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  location: westus
  kind: StorageV2
  sku:
    name: Standard_LRS
  owner:
    name: ${owner}
`;
