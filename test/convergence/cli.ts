// `npm run check:convergence -- [--seed S] [--runs N] [--max-commands M] [--shrink] [--path P] [--log-level L]`:
// long runs of the convergence checker (CI runs a short fixed-seed slice in convergence.test.ts).
import { Command, InvalidArgumentError } from 'commander';
import { checkConvergence } from './run.js';

const integer =
  (name: string) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`${name} must be an integer`);
    return parsed;
  };

const program = new Command('check:convergence')
  .description(
    'Drive random sequences of user actions against the API server, the emulator and the operator, and check the ' +
      'invariants.',
  )
  .option('--seed <n>', 'random seed (default: from the clock, printed)', integer('--seed'))
  .option('--runs <n>', 'sequences to run', integer('--runs'), 20)
  .option('--max-commands <n>', 'actions per sequence at most', integer('--max-commands'), 12)
  .option('--sync-period <duration>', "the operator's AZURE_SYNC_PERIOD", '2s')
  .option('--shrink', 'shrink a failing sequence to a minimal one (each attempt runs a fresh system)', false)
  .option('--path <path>', 'replay one case of a failed run (with its --seed)')
  .option('--log-level <level>', "the operator's log level, on stdout", 'silent')
  .option('--verbose', 'print each action as it starts', false)
  .parse();

const flags = program.opts<{
  seed?: number;
  runs: number;
  maxCommands: number;
  syncPeriod: string;
  shrink: boolean;
  path?: string;
  logLevel: string;
  verbose: boolean;
}>();
const seed = flags.seed ?? Date.now() % 2 ** 31;
const started = Date.now();
console.log(`convergence check: seed ${seed}, ${flags.runs} runs of up to ${flags.maxCommands} actions`);
try {
  await checkConvergence({
    seed,
    runs: flags.runs,
    maxCommands: flags.maxCommands,
    syncPeriod: flags.syncPeriod,
    shrink: flags.shrink,
    logLevel: flags.logLevel,
    ...(flags.path !== undefined ? { path: flags.path } : {}),
    ...(flags.verbose ? { onAction: (action: string) => console.log(`  ${action}`) } : {}),
    onRun: (run, ms) => console.log(`run ${run}/${flags.runs}: ${(ms / 1000).toFixed(1)} s`),
  });
  console.log(`all ${flags.runs} runs passed in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed})`);
} catch (error) {
  console.error((error as Error).message);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) console.error(`\n${cause.message}`);
  console.error(
    `\nreplay: npm run check:convergence -- --seed ${seed} --runs ${flags.runs} (add --shrink for a minimal sequence)`,
  );
  process.exitCode = 1;
}
