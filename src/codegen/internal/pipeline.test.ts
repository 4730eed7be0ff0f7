import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runStages, stages } from './pipeline.js';
import { fixtureState } from './testing/fixtures.js';

test('stages have unique ids; the runner logs i/n: description with counts', async () => {
  assert.equal(new Set(stages.map((stage) => stage.id)).size, stages.length);
  assert.equal(stages[0]?.id, 'read-inputs');
  assert.equal(stages[stages.length - 1]?.id, 'write-files');
  const lines: string[] = [];
  const state = fixtureState();
  await runStages(
    { ...state, options: { ...state.options, dryRun: true, log: (line) => lines.push(line) } },
    stages.slice(1),
  );
  assert.match(lines[0] ?? '', /^1\/13: find resource types.* — 4 kinds/);
  assert.match(lines.find((line) => line.startsWith('13/13')) ?? '', /write generated files — \d+ files \(dry run/);
});
