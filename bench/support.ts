/** What the process benchmarks share: the compiled CLI, and a process's memory and CPU from /proc. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Compiles the CLI (tsconfig.build.json) into node_modules/.cache/azo-bench and returns its main.js. */
export function compileCli(): string {
  const outDir = join('node_modules', '.cache', 'azo-bench', 'dist');
  const tsc = join('node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false', '--declaration', 'false'];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  const main = join(outDir, 'src', 'cli', 'main.js');
  if (result.status !== 0 && !existsSync(main)) throw new Error('could not compile the CLI for the benchmark');
  return main;
}

/** A process's resident memory now, in KiB (0 when it is gone). */
export function rssKiB(pid: number | undefined): number {
  return readStatus(pid, 'VmRSS');
}

/** A process's peak resident memory so far, in KiB. */
export function peakKiB(pid: number | undefined): number {
  return readStatus(pid, 'VmHWM');
}

/** CPU seconds (user + system) a process has used so far (0 when it is gone). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

function readStatus(pid: number | undefined, field: string): number {
  if (pid === undefined) return 0;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The p-th percentile (0–100) of `values`, rounded. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
}
