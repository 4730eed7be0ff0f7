// `npm run soak -- --minutes M [--seed S] [--resources N] [--latency MS] [--sync-period D] [--settle-minutes X]
// [--keep]`: the chaos soak (soak.ts). Prints what was injected and which invariants held; exits 1 when one did not.
import { Command, InvalidArgumentError } from 'commander';
import { runSoak } from './soak.js';

const number =
  (name: string, integer: boolean) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0 || (integer && !Number.isInteger(parsed)))
      throw new InvalidArgumentError(`${name} must be a non-negative ${integer ? 'integer' : 'number'}`);
    return parsed;
  };

const program = new Command('soak')
  .description(
    'Apply a fleet of objects to azo apiserver, reconciled by azo operator against azo emulator, while ARM faults, ' +
      'process kills and restarts and user changes go on; then check the invariants.',
  )
  .option('--minutes <m>', 'how long the chaos lasts', number('--minutes', false), 10)
  .option('--seed <n>', 'random seed (default: from the clock, printed)', number('--seed', true))
  .option('--resources <n>', 'objects in the fleet', number('--resources', true), 1000)
  .option('--latency <ms>', "the emulator's --latency (long-running writes)", number('--latency', true), 400)
  .option('--sync-period <duration>', "the operator's AZURE_SYNC_PERIOD", '2m')
  .option(
    '--settle-minutes <m>',
    'how long the system may take to settle after the chaos',
    number('--settle', false),
    10,
  )
  .option('--kill-every <s>', 'mean seconds between process kills and restarts', number('--kill-every', false), 30)
  .option('--fault-share <p>', 'the share of ARM requests faulted', number('--fault-share', false), 0.1)
  .option('--keep', 'keep the evidence directory even when every invariant held', false)
  .option('--verbose', 'print each chaos event and user delete or re-create as it happens', false)
  .parse();

const flags = program.opts<{
  minutes: number;
  seed?: number;
  resources: number;
  latency: number;
  syncPeriod: string;
  settleMinutes: number;
  killEvery: number;
  faultShare: number;
  keep: boolean;
  verbose: boolean;
}>();
const seed = flags.seed ?? Date.now() % 2 ** 31;
const result = await runSoak({
  minutes: flags.minutes,
  seed,
  resources: flags.resources,
  latencyMs: flags.latency,
  syncPeriod: flags.syncPeriod,
  settleMinutes: flags.settleMinutes,
  processEveryMs: flags.killEvery * 1000,
  faultShare: flags.faultShare,
  keep: flags.keep,
  verbose: flags.verbose,
  log: (line) => console.log(line),
});
console.log(`\n${result.report}`);
if (result.evidenceDir !== undefined) console.log(`\nevidence: ${result.evidenceDir}`);
if (!result.ok) {
  // Every option that shapes the schedule, so the replay is the same run.
  const replay = [
    `--minutes ${flags.minutes}`,
    `--resources ${flags.resources}`,
    `--seed ${seed}`,
    `--latency ${flags.latency}`,
    `--sync-period ${flags.syncPeriod}`,
    `--kill-every ${flags.killEvery}`,
    `--fault-share ${flags.faultShare}`,
  ];
  console.log(`\nreplay: npm run soak -- ${replay.join(' ')}`);
  process.exitCode = 1;
}
