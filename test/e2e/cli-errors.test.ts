// What a user sees when they get something wrong: the installed `azo` command, run as its own process. Each mistake
// ends with one line naming the problem and the fix, and exit code 2; never a stack trace, unless --verbose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './kube-helpers.js';

const azo = join(repoRoot, 'bin', 'azo.js');

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [azo, ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: child.exitCode ?? (error === null ? 0 : 1), stdout, stderr }),
    );
  });
}

test('user errors: one line with the fix, exit code 2, no stack trace (--verbose shows it)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azo-cli-errors-'));
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = String((taken.address() as { port: number }).port);
  t.after(() => {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // A data directory held by a live process (this one).
  const busy = join(dir, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'azo.pid'), `${process.pid}\n`);
  const home = join(dir, 'home');
  mkdirSync(home);
  const noCredentials = {
    AZURE_SUBSCRIPTION_ID: '',
    AZURE_TENANT_ID: '',
    AZURE_CLIENT_ID: '',
    AZURE_CLIENT_SECRET: '',
  };

  const cases: Array<{ what: string; args: string[]; env?: NodeJS.ProcessEnv; expect: RegExp }> = [
    {
      what: 'a bad flag value',
      args: ['apiserver', '--port', '99999'],
      expect: /^error: --port must be a port number between 0 and 65535/,
    },
    {
      what: 'a bad duration',
      args: ['dev', '--latency', 'soon', '--data-dir', join(dir, 'd1')],
      expect: /^error: --latency must be .* or 'realistic'/,
    },
    { what: 'a misspelled flag', args: ['dev', '--prot', '1'], expect: /^error: unknown option '--prot'/ },
    {
      what: 'a data directory in use',
      args: ['dev', '--data-dir', busy],
      expect: new RegExp(`^error: another azo process \\(pid ${process.pid}\\) is using .*another --data-dir`),
    },
    {
      what: 'a port taken (apiserver)',
      args: ['apiserver', '--port', port],
      expect: new RegExp(`^error: 127\\.0\\.0\\.1:${port} is already in use .*choose another port`),
    },
    {
      what: 'a port taken (dev)',
      args: ['dev', '--port', port, '--data-dir', join(dir, 'd2')],
      expect: new RegExp(`^error: --port ${port}: the port is in use`),
    },
    { what: 'a port taken (emulator)', args: ['emulator', '--port', port], expect: /is already in use/ },
    {
      what: 'a missing --kubeconfig',
      args: ['operator', '--kubeconfig', join(dir, 'nope')],
      expect: /^error: --kubeconfig .*nope: no such file; .*azo dev writes one/,
    },
    {
      what: 'KUBECONFIG naming no file',
      args: ['operator'],
      env: { KUBECONFIG: join(dir, 'nope') },
      expect: /^error: KUBECONFIG names .*nope, which does not exist/,
    },
    {
      what: 'no kubeconfig at all',
      args: ['operator'],
      env: { KUBECONFIG: '', HOME: home, KUBERNETES_SERVICE_HOST: '' },
      expect: /^error: no kubeconfig: set KUBECONFIG or pass --kubeconfig FILE/,
    },
    {
      what: 'a bad --metrics-addr',
      args: ['operator', '--metrics-addr', 'eight'],
      expect: /^error: --metrics-addr must be \[HOST\]:PORT/,
    },
    {
      what: '--webhook-port without an address',
      args: ['operator', '--webhook-port', '9443'],
      expect: /^error: --webhook-port needs exactly one of --webhook-service NAME .* or --webhook-url URL/,
    },
    {
      what: 'a --webhook-url that is not https',
      args: ['operator', '--webhook-port', '9443', '--webhook-url', 'http://127.0.0.1:9443/convert'],
      expect: /^error: --webhook-url http:\/\/127\.0\.0\.1:9443\/convert: must be an https:\/\/ URL/,
    },
    {
      what: 'a certificate lifetime that is not a duration',
      args: ['operator', '--webhook-port', '9443', '--webhook-service', 'azo-webhook'],
      env: { AZO_WEBHOOK_CERT_VALIDITY: 'soon' },
      expect: /^error: AZO_WEBHOOK_CERT_VALIDITY must be a duration such as 2160h/,
    },
    {
      what: '--azure without credentials',
      args: ['dev', '--azure', '--data-dir', join(dir, 'd3')],
      env: noCredentials,
      expect: /^error: --azure needs AZURE_SUBSCRIPTION_ID/,
    },
    {
      what: 'a pattern matching nothing',
      args: ['crds', '--pattern', 'nothing.azure.com/*'],
      expect: /^error: no kind matches/,
    },
  ];
  for (const { what, args, env, expect } of cases) {
    // An empty value stands for "unset" (execFile's env cannot delete a variable).
    const environment = Object.fromEntries(
      Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== ''),
    );
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [azo, ...args],
        { cwd: repoRoot, env: environment, timeout: 60_000 },
        (_error, _stdout, err) => resolve({ code: child.exitCode, stderr: err }),
      );
    });
    assert.equal(code, 2, `${what}: exit code 2 (${stderr})`);
    assert.match(stderr, expect, what);
    assert.doesNotMatch(stderr, /^\s+at /m, `${what}: no stack trace`);
    assert.ok(stderr.trim().split('\n').length <= 3, `${what}: one line (and commander's hints): ${stderr}`);
  }

  const verbose = await run(['apiserver', '--verbose', '--port', port]);
  assert.equal(verbose.code, 2);
  assert.match(verbose.stderr, /^error: .* is already in use/);
  assert.match(verbose.stderr, /^\s+at /m, '--verbose shows the stack trace');
  const help = await run(['dev', '--help']);
  assert.equal(help.code, 0, '--help still exits 0');
  assert.match(help.stdout, /--azure/);
});
