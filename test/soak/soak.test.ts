// CI's slice of the chaos soak, through the command the docs give (`npm run soak`, cli.ts → soak.ts): 150 objects,
// 2 minutes of chaos with a fixed seed — ARM faults on a tenth of the requests, every kind of operator kill and API
// server restart at least twice, the user changing, deleting and re-creating things — then every invariant must hold
// (the command exits 0 only then). About three minutes in all. The long run: `npm run soak -- --minutes 10`
// (docs/operator.md, "Chaos soak").
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

test('npm run soak, CI slice: 150 objects, 2 min of faults, kills, restarts, user changes (seed 2026)', async (t) => {
  const args = [
    '--minutes',
    '2',
    '--resources',
    '150',
    '--seed',
    '2026',
    '--kill-every',
    '10',
    '--settle-minutes',
    '2',
  ];
  const child = spawn('npm', ['run', '--silent', 'soak', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  for (const line of output.split('\n')) t.diagnostic(line);
  assert.equal(code, 0, `the soak failed (exit ${code}):\n${output.slice(-6000)}`);
  const invariants = output.slice(output.indexOf('\ninvariant '));
  for (const name of ['converged', 'no duplicate create', 'no DELETE not asked for', 'no orphan', 'no object stuck'])
    assert.match(invariants, new RegExp(`${name}.*\\byes\\b`), `the table reports "${name}" as held`);
});
