// `npm run bench` as a contributor runs it, at the smallest sizes (AZO_BENCH_QUICK and the benchmarks' own size
// variables), so the benchmarks cannot rot between the runs that produce the published numbers. Results go to a
// temporary folder, never over bench/results; the numbers of a smoke run mean nothing and are not checked, only
// that every benchmark ran to the end and reported every metric as a finite number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './kube-helpers.js';

test('every benchmark runs (npm run bench, smoke sizes)', async (t) => {
  const results = mkdtempSync(join(tmpdir(), 'azo-bench-smoke-'));
  t.after(() => rmSync(results, { recursive: true, force: true }));
  const benches = readdirSync(join(repoRoot, 'bench'))
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.replace(/\.bench\.ts$/, ''))
    .sort();
  assert.ok(benches.length >= 3, `found the benchmarks: ${benches.join(', ')}`);
  const env = {
    ...process.env,
    AZO_BENCH_QUICK: '1',
    AZO_BENCH_RESULTS_DIR: results,
    AZO_BENCH_KUBE_N: '200',
    AZO_BENCH_KUBE_RUNTIME: 'tsx',
    AZO_BENCH_OPERATOR_N: '20',
    AZO_BENCH_OPERATOR_RUNTIME: 'tsx',
    AZO_BENCH_CRDS_RUNTIME: 'tsx',
  };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('npm', ['run', 'bench'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`npm run bench exited ${code}:\n${text.slice(-4000)}`)),
    );
  });
  for (const bench of benches) {
    const saved = JSON.parse(readFileSync(join(results, `${bench}.json`), 'utf8')) as {
      metrics: Record<string, { value: number; unit: string }>;
    };
    const metrics = Object.entries(saved.metrics);
    assert.ok(metrics.length > 0, `${bench} reported metrics`);
    for (const [name, { value }] of metrics)
      assert.ok(Number.isFinite(value), `${bench}: ${name} is a number (${value})`);
    assert.match(output, new RegExp(`: ${bench}\\n`), `${bench} printed its results`);
  }
  // The CRD budget says which model it measured, and compares the kinds bench/data/aso-crd-sizes.json knows.
  assert.ok(benches.includes('crds'), 'the CRD memory budget benchmark exists');
  assert.match(output, /note: measured \d+ kinds at \d+ kind-versions/);
  const crds = JSON.parse(readFileSync(join(results, 'crds.json'), 'utf8')) as {
    metrics: Record<string, { value: number }>;
  };
  const compared = crds.metrics['kinds compared with ASO']?.value ?? 0;
  assert.ok(
    compared > 0 && compared <= (crds.metrics['kinds measured']?.value ?? 0),
    `${compared} kinds compared with ASO`,
  );
  assert.ok(
    (crds.metrics['operator kinds served, --crd-pattern subset']?.value ?? 0) <
      (crds.metrics['operator kinds served, every kind']?.value ?? 0),
  );
});
