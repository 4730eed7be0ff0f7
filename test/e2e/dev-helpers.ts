// Drives `azo dev` as a user would: the installed command (`bin/azo.js`, which runs the build that `npm ci` and
// `npm test` make) as its own process, the real kubectl against the kubeconfig it writes, and the emulator's request
// log read over HTTPS with the CA it writes. Helpers only; the tests are dev*.test.ts and docs.test.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { repoRoot } from './kube-helpers.js';

const kubectlPath = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

/** One ARM request as the emulator's log has it. */
export interface ArmLogEntry {
  method: string;
  path: string;
  status: number;
  apiVersion?: string;
}

/** A running `azo dev`. */
export interface DevProcess {
  child: ChildProcess;
  dataDir: string;
  kubeconfig: string;
  emulatorUrl: string;
  output(): string;
  /** Resolves with the first match of `pattern` in the output printed so far or later. */
  waitFor(pattern: RegExp, what?: string): Promise<RegExpExecArray>;
  kubectl(args: string[], input?: string): Promise<string>;
  armLog(): Promise<ArmLogEntry[]>;
  resetArmLog(): Promise<void>;
  /** Sends `signal` (default SIGINT, as Ctrl-C does) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `azo dev --data-dir DIR --no-table …` from the repository root; resolves once it says what to type next.
 * `env`: its environment (default: this process's without Azure credentials).
 */
export async function startDev(
  dataDir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = withoutAzureCredentials(process.env),
): Promise<DevProcess> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'azo.js'), 'dev', '--data-dir', dataDir, '--no-table', ...extraArgs],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, what = String(pattern)) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(text);
        if (match === null) return;
        listeners.delete(check);
        resolve(match);
      };
      listeners.add(check);
      void exited.then((code) => {
        if (pattern.exec(text) === null)
          reject(new Error(`azo dev exited (${code}) before printing ${what}:\n${text.slice(-3000)}`));
      });
      check();
    });
  await waitFor(/Press Ctrl-C to stop/, 'its summary');
  const kubeconfig = (await waitFor(/export KUBECONFIG=(\S+)/))[1] ?? '';
  const emulatorUrl = (await waitFor(/ARM emulator {2}(https:\/\/\S+)/))[1] ?? '';
  const ca = readFileSync(join(dataDir, 'emulator', 'ca.pem'));
  const admin = (method: string, path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request(`${emulatorUrl}/_emulator/${path}`, { method, ca }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () =>
          (res.statusCode ?? 0) < 300
            ? resolve(body)
            : reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
  return {
    child,
    dataDir,
    kubeconfig,
    emulatorUrl,
    output: () => text,
    waitFor,
    kubectl: (args, input) => runKubectl(kubeconfig, args, input),
    armLog: async () => (JSON.parse(await admin('GET', 'requests')) as { value: ArmLogEntry[] }).value,
    resetArmLog: async () => {
      await admin('DELETE', 'requests');
    },
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the real kubectl with KUBECONFIG set; rejects with its stderr. */
export function runKubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath,
      args,
      { cwd: repoRoot, env: { ...process.env, KUBECONFIG: kubeconfig } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The requests that change something in Azure (PUT, PATCH, DELETE); POST actions such as listKeys only read. */
export function armWrites(log: ArmLogEntry[]): ArmLogEntry[] {
  return log.filter((entry) => ['PUT', 'PATCH', 'DELETE'].includes(entry.method));
}

/** `azo dev` must use the emulator in tests even where the developer's shell holds real Azure credentials. */
function withoutAzureCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of [
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_TENANT_ID',
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'AZURE_FEDERATED_TOKEN_FILE',
  ])
    delete copy[key];
  return copy;
}
