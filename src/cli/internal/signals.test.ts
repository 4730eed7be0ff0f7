import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const signalsModule = fileURLToPath(new URL('./signals.ts', import.meta.url));

/**
 * Runs `body` in a fresh Node process with `signals` = catchStopSignals() and `server`, a timer standing in for the
 * listening socket that keeps a real command alive until its stop closes it. The process signals itself.
 */
function runWithSignals(body: string): {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
} {
  const script =
    `import { catchStopSignals } from ${JSON.stringify(signalsModule)};\nconst signals = ` +
    `catchStopSignals();\nconst server = setInterval(() => {}, 1000);\n${body}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

test('a signal right after the stop is handed over (before any await) stops cleanly', () => {
  const result = runWithSignals(`
    const stopped = signals.stopWith(async () => { await new Promise((r) => setTimeout(r, 50)); clearInterval(server); console.log('closed'); });
    process.kill(process.pid, 'SIGINT');
    console.log('listening on x');
    await stopped;
  `);
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /listening on x\nreceived SIGINT, stopping\nclosed\n/);
});

test('a signal while starting exits at once with 128 + the signal number', () => {
  const interrupted = runWithSignals(
    `process.kill(process.pid, 'SIGINT'); await new Promise((r) => setTimeout(r, 10_000));`,
  );
  assert.equal(interrupted.status, 130);
  assert.match(interrupted.stderr, /received SIGINT while starting/);
  const terminated = runWithSignals(
    `process.kill(process.pid, 'SIGTERM'); await new Promise((r) => setTimeout(r, 10_000));`,
  );
  assert.equal(terminated.status, 143);
});

test('a failed stop is reported and exits 1', () => {
  const result = runWithSignals(`
    const stopped = signals.stopWith(async () => { clearInterval(server); throw new Error('port still busy'); });
    process.kill(process.pid, 'SIGTERM');
    await stopped;
  `);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /port still busy/);
});
