/**
 * `npm run bench`: runs every benchmark in this folder (each `bench/<name>.bench.ts` exports `run():
 * Promise<BenchResult>`),
 * prints its numbers and saves them to `bench/results/<name>.json` with the machine's size.
 * Usage: npm run bench [-- name ...]   (default: all)
 * AZO_BENCH_QUICK=1 asks each benchmark for a tiny run (the smoke test uses it; its numbers mean nothing), and
 * AZO_BENCH_RESULTS_DIR saves the results elsewhere than bench/results (so a smoke run never overwrites them).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a benchmark returns: named numbers with units, and free-form notes. */
export interface BenchResult {
  metrics: Record<string, { value: number; unit: string }>;
  notes?: string[];
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const entries = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => basename(file, '.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

if (entries.length === 0) {
  console.error(`no benchmarks match ${wanted.join(', ') || '(any)'} in ${benchDir}`);
  process.exit(1);
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const resultsDir = process.env['AZO_BENCH_RESULTS_DIR'] ?? join(benchDir, 'results');
mkdirSync(resultsDir, { recursive: true });
for (const [index, name] of entries.entries()) {
  console.log(`${index + 1}/${entries.length}: ${name}`);
  const module = (await import(pathToFileURL(join(benchDir, `${name}.bench.ts`)).href)) as {
    run: () => Promise<BenchResult>;
  };
  const result = await module.run();
  for (const [metric, { value, unit }] of Object.entries(result.metrics)) {
    console.log(`  ${metric.padEnd(48)} ${formatNumber(value).padStart(12)} ${unit}`);
  }
  for (const note of result.notes ?? []) console.log(`  note: ${note}`);
  const saved = { name, date: new Date().toISOString(), machine, ...result };
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(saved, null, 2)}\n`);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
