/**
 * `azo emulator` as a user runs it: prints URL and CA path, serves requests, stops cleanly on SIGINT/SIGTERM, keeps
 * its data dir across restarts, and loses no acknowledged write when it is killed in the middle of writing.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const subscriptionId = '00000000-1111-2222-3333-444444444444';

/** A running `azo emulator` child process. */
interface CliEmulator {
  child: ChildProcess;
  url: string;
  output: string;
  ca: string;
  exited: Promise<number | null>;
}

async function startCli(dataDir: string, extra: string[] = []): Promise<CliEmulator> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'emulator', '--port', '0', '--data-dir', dataDir, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (https:\/\/\S+)/.exec(output);
      // The banner arrives in chunks: wait for its last line.
      if (match?.[1] && output.includes('disableInstanceDiscovery')) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then((code) => reject(new Error(`azo emulator exited early with ${code}: ${output}`)));
  });
  return { child, url, output, ca: readFileSync(join(dataDir, 'ca.pem'), 'utf8'), exited };
}

function send(
  emulator: CliEmulator,
  method: string,
  path: string,
  options: { token?: string; body?: string; contentType?: string } = {},
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(options.body
      ? {
          'content-type': options.contentType ?? 'application/json',
          'content-length': String(Buffer.byteLength(options.body)),
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.url}${path}`, { method, headers, ca: emulator.ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

async function tokenFor(emulator: CliEmulator): Promise<string> {
  const tenant = /tenant: (\S+)/.exec(emulator.output)?.[1] ?? '';
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: '11111111-2222-3333-4444-555555555555',
    client_secret: 's',
    scope: 'https://management.azure.com/.default',
  }).toString();
  const response = await send(emulator, 'POST', `/${tenant}/oauth2/v2.0/token`, {
    body: form,
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(response.status, 200, response.body);
  return String((JSON.parse(response.body) as { access_token: string }).access_token);
}

describe('azo emulator (CLI)', () => {
  it('starts, answers, and stops cleanly on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'azo-emulator-cli-'));
    let emulator: CliEmulator | undefined;
    try {
      emulator = await startCli(dataDir, ['--latency', '100']);
      assert.ok(emulator.output.includes(`CA certificate: ${join(dataDir, 'ca.pem')}`), emulator.output);
      assert.ok(emulator.output.includes(`AZURE_AUTHORITY_HOST=${emulator.url}`), emulator.output);
      const health = await send(emulator, 'GET', '/_emulator/health');
      assert.equal(health.status, 200);
      assert.equal(JSON.parse(health.body).status, 'ok');
      emulator.child.kill('SIGINT');
      assert.equal(await emulator.exited, 0);
      assert.ok(existsSync(join(dataDir, 'state.json')));
    } finally {
      if (emulator?.child.exitCode === null) emulator.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps every acknowledged write across SIGTERM, a restart, and a SIGKILL in the middle of writing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'azo-emulator-crash-'));
    let emulator: CliEmulator | undefined;
    const group = `/subscriptions/${subscriptionId}/resourceGroups/cli-keep`;
    const widget = (index: number) => `${group}/providers/Contoso.Crash/widgets/w${index}?api-version=2024-01-01`;
    try {
      emulator = await startCli(dataDir, ['--no-models']);
      const token = await tokenFor(emulator);
      assert.equal(
        (
          await send(emulator, 'PUT', `${group}?api-version=2021-04-01`, {
            token,
            body: JSON.stringify({ location: 'westus' }),
          })
        ).status,
        201,
      );
      emulator.child.kill('SIGTERM');
      assert.equal(await emulator.exited, 0, 'SIGTERM stops it cleanly');

      emulator = await startCli(dataDir, ['--no-models']);
      assert.equal(
        (await send(emulator, 'GET', `${group}?api-version=2021-04-01`, { token })).status,
        200,
        'the group and the token survive a restart',
      );
      // Many writes in flight; kill -9 once some are acknowledged, so the kill lands among unfinished ones.
      const acknowledged: number[] = [];
      const running = emulator;
      let killed = false;
      await Promise.allSettled(
        Array.from({ length: 60 }, async (_, index) => {
          const response = await send(running, 'PUT', widget(index), {
            token,
            body: JSON.stringify({ location: 'westus', properties: { index, padding: 'x'.repeat(2000) } }),
          });
          if (response.status === 201) acknowledged.push(index);
          if (acknowledged.length >= 15 && !killed) {
            killed = true;
            running.child.kill('SIGKILL');
          }
        }),
      );
      await running.exited;
      assert.ok(acknowledged.length >= 15, `only ${acknowledged.length} writes were acknowledged`);

      emulator = await startCli(dataDir, ['--no-models']);
      for (const index of acknowledged) {
        const got = await send(emulator, 'GET', widget(index), { token });
        assert.equal(got.status, 200, `acknowledged widget w${index} was lost`);
        assert.equal((JSON.parse(got.body) as { properties: { index: number } }).properties.index, index);
      }
      assert.deepEqual(
        readdirSync(dataDir).filter((file) => file.includes('.tmp-')),
        [],
        'no temporary file survives the restart',
      );
      emulator.child.kill('SIGTERM');
      assert.equal(await emulator.exited, 0);
    } finally {
      if (emulator?.child.exitCode === null) emulator.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
