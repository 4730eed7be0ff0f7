/**
 * Crash safety of `azo apiserver --data-dir`: the process is killed with SIGKILL while clients are writing; after a
 * restart every write it acknowledged is there. Then it stops cleanly on SIGINT.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { spawnApiServer, temporaryDir, type ApiServerProcess } from './kube-helpers.js';

const workDir = temporaryDir('azo-kube-crash-');
const dataDir = join(workDir, 'data');
const kubeconfig = join(workDir, 'kubeconfig');
const servers: ApiServerProcess[] = [];
after(async () => {
  for (const server of servers) await server.stop('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

interface Client {
  send(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): void;
}

function clientFor(server: ApiServerProcess): Client {
  const config = parse(readFileSync(server.kubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
    users: Array<{ user: { token: string } }>;
  };
  const ca = Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString();
  const token = config.users[0]?.user.token ?? '';
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca });
  return {
    send: (method, path, body, contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          new URL(path, server.url),
          {
            method,
            agent,
            headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': contentType } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        if (payload) req.write(payload);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

const configmaps = '/api/v1/namespaces/default/configmaps';

describe('azo apiserver --data-dir', () => {
  it(
    'loses no acknowledged write when killed mid-write, and stops cleanly on SIGINT',
    { timeout: 120_000 },
    async () => {
      const first = await spawnApiServer({ kubeconfig, dataDir });
      servers.push(first);
      assert.match(first.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const credentials = () => {
        const config = parse(readFileSync(kubeconfig, 'utf8')) as {
          clusters: Array<{ cluster: Record<string, string> }>;
          users: Array<{ user: Record<string, string> }>;
        };
        return { ca: config.clusters[0]?.cluster['certificate-authority-data'], token: config.users[0]?.user.token };
      };
      const firstCredentials = credentials();
      const client = clientFor(first);
      const writers = 8;
      const created: string[] = [];
      const counters = new Map<number, number>();
      let acknowledged = 0;
      const enough = new Promise<void>((resolve) => {
        const loops = Array.from({ length: writers }, async (_, writer) => {
          const counter = `counter-${writer}`;
          if (
            (
              await client.send('POST', configmaps, {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: counter },
                data: { value: '0' },
              })
            ).status !== 201
          )
            throw new Error('setup failed');
          counters.set(writer, 0);
          for (let step = 1; ; step += 1) {
            try {
              const name = `c-${writer}-${step}`;
              const made = await client.send('POST', configmaps, {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name },
                data: { step: String(step) },
              });
              if (made.status !== 201) throw new Error(`create answered ${made.status}`);
              created.push(name);
              const patched = await client.send(
                'PATCH',
                `${configmaps}/${counter}`,
                { data: { value: String(step) } },
                'application/merge-patch+json',
              );
              if (patched.status !== 200) throw new Error(`patch answered ${patched.status}`);
              counters.set(writer, step);
              acknowledged += 2;
              if (acknowledged >= 600) resolve();
            } catch {
              return; // the server is gone
            }
          }
        });
        void Promise.all(loops);
      });
      await enough;
      // Writes are still in flight: kill without warning.
      assert.equal(await first.stop('SIGKILL'), null);
      client.close();
      const acknowledgedCreates = [...created];
      const acknowledgedCounters = new Map(counters);
      assert.ok(acknowledgedCreates.length >= 300);

      const second = await spawnApiServer({ kubeconfig, dataDir });
      servers.push(second);
      // The data dir keeps the CA and the token: clients configured before the crash still connect.
      assert.deepEqual(credentials(), firstCredentials);
      const after = clientFor(second);
      const list = await after.send('GET', configmaps);
      assert.equal(list.status, 200);
      const stored = new Map(
        (list.body.items as Array<{ metadata: { name: string }; data: Record<string, string> }>).map((item) => [
          item.metadata.name,
          item.data,
        ]),
      );
      const missing = acknowledgedCreates.filter((name) => !stored.has(name));
      assert.deepEqual(missing, [], `acknowledged creates lost: ${missing.length} of ${acknowledgedCreates.length}`);
      for (const [writer, step] of acknowledgedCounters) {
        const value = Number(stored.get(`counter-${writer}`)?.value ?? -1);
        // The write in flight at the kill may or may not have become durable; an acknowledged one must have.
        assert.ok(value >= step, `counter-${writer} is ${value}, but ${step} was acknowledged`);
      }
      // The restarted server takes writes again.
      assert.equal(
        (
          await after.send('POST', configmaps, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'after-crash' },
          })
        ).status,
        201,
      );
      after.close();
      assert.equal(await second.stop('SIGINT'), 0);
      assert.match(second.output(), /received SIGINT, stopping/);
    },
  );
});
