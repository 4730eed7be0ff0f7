// CI's slice of the convergence checker: the pinned regression sequences, then a few fixed seeds of random ones.
// Long runs: `npm run check:convergence -- --runs 200` (see docs/operator.md, "Convergence checker").
import { test } from 'node:test';
import { runSequence } from './commands.js';
import { regressions } from './regressions.js';
import { checkConvergence } from './run.js';

const syncPeriod = '2s';

test('convergence: pinned regression sequences', async (t) => {
  for (const { name, sequence } of regressions) {
    await t.test(name, () => runSequence(sequence(), { syncPeriod }));
  }
});

test('convergence: random sequences from fixed seeds', async (t) => {
  for (const seed of [1, 7, 42]) {
    await t.test(`seed ${seed}`, () => checkConvergence({ seed, runs: 6, maxCommands: 15, syncPeriod }));
  }
});
