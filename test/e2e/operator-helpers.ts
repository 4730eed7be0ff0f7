// Drives azo as a user would: `azo apiserver`, `azo emulator` and `azo operator` as separate processes, and the real
// kubectl at /usr/bin/kubectl. Helpers only; the tests are operator-*.test.ts.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const subscriptionId = '00000000-0000-0000-0000-00000000e2e1';
export const clientId = '00000000-0000-0000-0000-00000000c2e1';
export const clientSecret = 'e2e-client-secret-value';
const kubectlPath = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

/** A running azo sub-command. */
export interface AzoProcess {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `azo ARGS` from the repository root with tsx. */
export function spawnAzo(args: string[], env: Record<string, string> = {}): AzoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (text.length > 2_000_000) text = text.slice(-1_000_000);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    waitFor: (pattern) => new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(text);
        if (match !== null) {
          listeners.delete(check);
          resolve(match);
        }
      };
      listeners.add(check);
      child.once('exit', (code) => {
        if (pattern.exec(text) === null) reject(new Error(`azo ${args[0]} exited (${code}) before printing ${pattern}:\n${text.slice(-3000)}`));
      });
      check();
    }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** API server + emulator (+ operator, restartable) for one test file. */
export interface E2eEnvironment {
  dir: string;
  kubeconfig: string;
  emulatorUrl: string;
  caFile: string;
  tenantId: string;
  operator: AzoProcess | undefined;
  startOperator(env?: Record<string, string>, args?: string[]): Promise<AzoProcess>;
  kubectl(args: string[], input?: string): Promise<string>;
  armLog(): Promise<Array<{ method: string; path: string; status: number; body?: unknown }>>;
  emulatorAdmin(method: string, path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts `azo apiserver` and `azo emulator` (operator via `startOperator`). */
export async function startE2e(options: { latencyMs?: number } = {}): Promise<E2eEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'azo-operator-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const apiServer = spawnAzo(['apiserver', '--port', '0', '--kubeconfig', kubeconfig]);
  const emulator = spawnAzo(['emulator', '--port', '0', '--data-dir', join(dir, 'emulator'), '--latency', String(options.latencyMs ?? 0)]);
  await apiServer.waitFor(/listening on (\S+)/);
  const url = (await emulator.waitFor(/listening on (https:\/\/\S+)/))[1] ?? '';
  const caFile = (await emulator.waitFor(/CA certificate: (\S+)/))[1] ?? '';
  const tenantId = (await emulator.waitFor(/tenant: (\S+)/))[1] ?? '';
  const ca = readFileSync(caFile);
  const admin = (method: string, path: string, body?: unknown) => new Promise<unknown>((resolve, reject) => {
    const req = request(`${url}/_emulator/${path}`, { method, ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      res.on('end', () => resolve(data === '' ? undefined : JSON.parse(data)));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const environment: E2eEnvironment = {
    dir, kubeconfig, emulatorUrl: url, caFile, tenantId, operator: undefined,
    startOperator: async (env = {}, args = []) => {
      const operator = spawnAzo(['operator', '--crd-pattern', 'resources.azure.com/*;storage.azure.com/*;network.azure.com/VirtualNetwork*;keyvault.azure.com/*;authorization.azure.com/*;dbforpostgresql.azure.com/FlexibleServer;managedidentity.azure.com/*', '--log-level', process.env['AZO_TEST_LOG_LEVEL'] ?? 'warn', ...args], {
        KUBECONFIG: kubeconfig, NODE_EXTRA_CA_CERTS: caFile,
        AZURE_SUBSCRIPTION_ID: subscriptionId, AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: clientSecret,
        AZURE_RESOURCE_MANAGER_ENDPOINT: url, AZURE_AUTHORITY_HOST: url, AZURE_SYNC_PERIOD: 'never', MAX_CONCURRENT_RECONCILES: '4', ...env,
      });
      await operator.waitFor(/azo operator running/);
      environment.operator = operator;
      return operator;
    },
    kubectl: (args, input) => new Promise((resolve, reject) => {
      const child = execFile(kubectlPath, args, { env: { ...process.env, KUBECONFIG: kubeconfig } }, (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout);
      });
      if (input !== undefined) child.stdin?.end(input);
    }),
    armLog: async () => ((await admin('GET', 'requests')) as { value: Array<{ method: string; path: string; status: number; body?: unknown }> }).value,
    emulatorAdmin: admin,
    close: async () => {
      await environment.operator?.stop();
      await emulator.stop();
      await apiServer.stop();
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
  return log.filter((entry) => entry.method === method && entry.path.toLowerCase().endsWith(suffix.toLowerCase())).length;
}
