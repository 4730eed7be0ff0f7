// CI's slice of the chaos soak (soak.ts): 150 objects, 2 minutes of chaos with a fixed seed — ARM faults on a tenth
// of the requests, every kind of operator kill and API server restart at least once, the user changing, deleting and
// re-creating things — then every invariant must hold. About three minutes in all. The long run:
// `npm run soak -- --minutes 10` (docs/operator.md, "Chaos soak").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSoak } from './soak.js';

test('chaos soak, CI slice: 150 objects, 2 min of faults, kills, restarts and user changes (seed 2026)', async (t) => {
  const result = await runSoak({
    minutes: 2,
    resources: 150,
    seed: 2026,
    processEveryMs: 10_000,
    settleMinutes: 3,
    log: (line) => t.diagnostic(line),
  });
  for (const line of result.report.split('\n')) t.diagnostic(line);
  const evidence = result.evidenceDir === undefined ? '' : `\nevidence: ${result.evidenceDir}`;
  assert.ok(result.ok, `an invariant did not hold:\n${result.report}${evidence}`);
});
