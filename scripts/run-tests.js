#!/usr/bin/env node
// Runs the project's tests with Node's test runner, TypeScript loaded through tsx.
// Usage: node scripts/run-tests.js [dir-or-file ...]   (default: src and test)
// Node 20's runner does not expand globs, so the test files are listed here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['src', 'test']).flatMap((root) => findTests(root)).sort();

if (files.length === 0) {
  console.error(`no test files found under ${roots.join(', ') || 'src, test'}`);
  process.exit(1);
}

// Three test files at a time on the 2-core CI machine: many e2e files wait on processes and emulated latency, so a
// third keeps the cores busy (measured: the suite 645 s at 3 against 767 s at 2 on the same loaded machine).
const concurrency = process.env.AZO_TEST_CONCURRENCY ?? '3';
// The runner gets a process group of its own, and the whole group is ended when it exits: a test file that the runner
// cancels at its timeout cannot stop the `azo dev`, emulator or database servers it spawned, and such orphans once
// kept running for hours at a quarter of a core each.
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files],
  { stdio: 'inherit', detached: true },
);
const signalGroup = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already empty
  }
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => signalGroup(signal));
child.on('exit', (code, signal) => {
  signalGroup('SIGKILL');
  process.exit(code ?? (signal ? 1 : 0));
});

function findTests(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return [];
  if (stats.isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path).flatMap((entry) => (entry === 'node_modules' ? [] : findTests(join(path, entry))));
}
