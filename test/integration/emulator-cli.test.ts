/** `azo emulator` as a user runs it: prints URL and CA path, serves requests, stops cleanly on SIGINT, keeps its data dir. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('azo emulator (CLI)', () => {
  it('starts, answers, and stops cleanly on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'azo-emulator-cli-'));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'emulator', '--port', '0', '--data-dir', dataDir, '--latency', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          const match = /listening on (https:\/\/\S+)/.exec(output);
          if (match?.[1] && output.includes('NODE_EXTRA_CA_CERTS=')) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
      });
      const caFile = join(dataDir, 'ca.pem');
      assert.ok(output.includes(`CA certificate: ${caFile}`), output);
      const health = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        request(`${url}/_emulator/health`, { ca: readFileSync(caFile, 'utf8') }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        }).on('error', reject).end();
      });
      assert.equal(health.status, 200);
      assert.equal(JSON.parse(health.body).status, 'ok');
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.ok(existsSync(join(dataDir, 'state.json')));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
