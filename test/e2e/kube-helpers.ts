/** Helpers for API server e2e tests: spawn `azo apiserver` from the repo and run real kubectl against it. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The real kubectl binaries to test with (versioned ones when present, else the one on PATH). */
export function kubectlBinaries(): Array<{ version: string; path: string }> {
  const versioned = ['1.27', '1.33']
    .map((version) => ({ version, path: `/usr/lib/google-cloud-sdk/bin/kubectl.${version}` }))
    .filter((candidate) => existsSync(candidate.path));
  if (versioned.length > 0) return versioned;
  for (const path of ['/usr/bin/kubectl', '/usr/local/bin/kubectl'])
    if (existsSync(path)) return [{ version: 'default', path }];
  return [];
}

/** A running `azo apiserver` child process. */
export interface ApiServerProcess {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  output: () => string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns the CLI and waits until it prints where it listens. */
export function spawnApiServer(options: {
  kubeconfig: string;
  dataDir?: string;
  port?: number;
}): Promise<ApiServerProcess> {
  const args = [
    '--import',
    'tsx',
    'src/cli/main.ts',
    'apiserver',
    '--port',
    String(options.port ?? 0),
    '--kubeconfig',
    options.kubeconfig,
  ];
  if (options.dataDir) args.push('--data-dir', options.dataDir);
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`apiserver did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = /listening on (https:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolveStart({
          child,
          url: match[1],
          kubeconfig: options.kubeconfig,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`apiserver exited with ${String(code)}:\n${output}`));
    });
  });
}

/** The result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with the server's kubeconfig and a private cache dir (and extra environment variables). */
export function kubectl(
  binary: string,
  kubeconfig: string,
  cacheDir: string,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<KubectlResult> {
  return startKubectl(binary, kubeconfig, cacheDir, args, input, env).done;
}

/** Starts kubectl without waiting for it: `done` resolves when it exits. */
export function startKubectl(
  binary: string,
  kubeconfig: string,
  cacheDir: string,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): { done: Promise<KubectlResult> } {
  let child: ReturnType<typeof execFile> | undefined;
  const done = new Promise<KubectlResult>((resolveRun) => {
    child = execFile(
      binary,
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      { timeout: 60_000, env: { ...process.env, KUBECONFIG: kubeconfig, ...env } },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as { code?: unknown }).code === 'number'
            ? (error as { code: number }).code
            : 1
          : 0;
        resolveRun({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
  if (input !== undefined) {
    child?.stdin?.write(input);
    child?.stdin?.end();
  }
  return { done };
}

export function temporaryDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
