// The operator process never loads @kubernetes/client-node (its API classes, models and auth providers cost ~70 MiB
// of RSS before the first object): neither `azo operator` (through the CLI entry) nor the operator module. Nor does it
// load the database drivers (pg, mysql2, tedious) before it reconciles a database User.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hook = fileURLToPath(new URL('../e2e/forbid-client-node.mjs', import.meta.url));

const forbidDrivers = fileURLToPath(new URL('./forbid-db-drivers.mjs', import.meta.url));

function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', hook, '--import', forbidDrivers, '--import', 'tsx', ...args],
      { cwd: root },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

test('the guard works: importing client-node under it fails', async () => {
  const { code, stderr } = await node(['-e', "await import('@kubernetes/client-node')"]);
  assert.notEqual(code, 0);
  assert.match(stderr, /must not load @kubernetes\/client-node/);
});

test('the guard works: importing a database driver under it fails', async () => {
  for (const driver of ['pg', 'mysql2/promise', 'tedious']) {
    const { code, stderr } = await node(['--input-type=module', '-e', `await import('${driver}')`]);
    assert.notEqual(code, 0);
    assert.match(stderr, /loaded the database driver/);
  }
});

test('the operator module and the operator command load without client-node or a database driver', async () => {
  const script = [
    "await import('./src/operator/index.ts');",
    "await import('./src/cli/commands/operator.ts');",
    "await import('./src/operator/internal/db-user.ts');",
    "console.log('loaded');",
  ].join('\n');
  const { code, stdout, stderr } = await node(['--input-type=module', '-e', script]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /loaded/);
});

test('`azo operator` runs up to reading its kubeconfig without client-node', async () => {
  const { code, stderr } = await node(['src/cli/main.ts', 'operator', '--kubeconfig', '/nonexistent/kubeconfig']);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /--kubeconfig \/nonexistent\/kubeconfig: no such file/);
  assert.doesNotMatch(stderr, /client-node/);
});
