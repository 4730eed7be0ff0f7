/** @kubernetes/client-node against the API server: typed calls, and an informer across restarts and 410 Gone. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type V1ConfigMap } from '@kubernetes/client-node';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { eventually } from './kube-helpers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'azo-kube-informer-'));
const servers: RunningApiServer[] = [];
after(async () => {
  for (const server of servers) await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port = 0, watchHistory?: number): Promise<RunningApiServer> {
  const server = await startApiServer({ port, dataDir, ...(watchHistory ? { watchHistory } : {}) });
  servers.push(server);
  return server;
}

function clientFor(server: RunningApiServer): { kc: KubeConfig; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api) };
}

interface Seen {
  events: string[];
  names(): string[];
  /** Stops the informer until `resume` (an error does not restart it meanwhile). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the informer for good (no restart after errors). */
  shutdown(): Promise<void>;
}

function track(informer: Informer<V1ConfigMap>): Seen {
  const events: string[] = [];
  const live = new Set<string>();
  informer.on('add', (object) => {
    events.push(`add:${object.metadata?.name ?? ''}`);
    live.add(object.metadata?.name ?? '');
  });
  informer.on('update', (object) => events.push(`update:${object.metadata?.name ?? ''}`));
  informer.on('delete', (object) => {
    events.push(`delete:${object.metadata?.name ?? ''}`);
    live.delete(object.metadata?.name ?? '');
  });
  let shutDown = false;
  let paused = false;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> = Promise.resolve();
  // As an application would: restart after an error (e.g. the server is unreachable), unless stopped on purpose.
  informer.on('error', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!shutDown && !paused) restarting = informer.start().catch(() => undefined);
    }, 100);
  });
  return {
    events,
    names: () => [...live].sort(),
    pause: async () => {
      paused = true;
      clearTimeout(timer);
      // A restart already under way would otherwise bring the informer back after stop().
      await restarting;
      await informer.stop();
    },
    resume: async () => {
      paused = false;
      await informer.start();
    },
    shutdown: async () => {
      shutDown = true;
      clearTimeout(timer);
      await restarting;
      await informer.stop();
    },
  };
}

describe('client-node', () => {
  it(
    'typed CRUD works and an informer sees ADDED/MODIFIED/DELETED, relisting after a restart and after 410 Gone',
    { timeout: 90_000 },
    async (t) => {
      let server = await start(0, 20);
      const port = server.port;
      let { kc, core } = clientFor(server);
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'before' }, data: { a: '1' } },
      });
      let lists = 0;
      const informer = makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => {
        lists += 1;
        return core.listNamespacedConfigMap({ namespace: 'default' });
      });
      const seen = track(informer);
      t.after(() => seen.shutdown());
      await informer.start();
      await eventually(() => seen.events.includes('add:before'));

      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'live' }, data: { a: '1' } },
      });
      await eventually(() => seen.events.includes('add:live'));
      await core.patchNamespacedConfigMap({
        namespace: 'default',
        name: 'live',
        body: [{ op: 'replace', path: '/data/a', value: '2' }],
      });
      await eventually(() => seen.events.includes('update:live'));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'live' });
      await eventually(() => seen.events.includes('delete:live'));

      // Restart: while the informer cannot reach the server, the state changes on a server at another port.
      await server.close();
      const elsewhere = await start(0);
      const other = clientFor(elsewhere).core;
      await other.deleteNamespacedConfigMap({ namespace: 'default', name: 'before' });
      await other.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'while-away' }, data: { a: '1' } },
      });
      await elsewhere.close();
      server = await start(port, 20);
      ({ kc, core } = clientFor(server));
      const listsBeforeRestart = lists;
      await eventually(() => seen.events.includes('add:while-away') && seen.events.includes('delete:before'), 20_000);
      assert.deepEqual(seen.names(), ['while-away']);
      // The restarted server's history starts after the informer's resourceVersion: 410, then a relist.
      assert.ok(lists > listsBeforeRestart, 'the informer did not relist after the restart');

      // Wait until the informer watches again (it sees a change), so that pausing it below stops that watch: a stop
      // while client-node is still opening a watch does not cancel the opening.
      await core.patchNamespacedConfigMap({
        namespace: 'default',
        name: 'while-away',
        body: [{ op: 'replace', path: '/data/a', value: '2' }],
      });
      await eventually(() => seen.events.includes('update:while-away'), 20_000);

      // 410 Gone: the informer stops, many changes push its resourceVersion out of the watch history, it restarts.
      await seen.pause();
      // The informer's resourceVersion is at most this one.
      const watchedRv = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
      for (let index = 0; index < 30; index += 1) {
        await core.createNamespacedConfigMap({
          namespace: 'default',
          body: { metadata: { name: `burst-${index}` }, data: { a: '1' } },
        });
      }
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'while-away' });
      const listsBeforeGone = lists;
      const gone = await core.listNamespacedConfigMap({ namespace: 'default' });
      assert.ok(
        Number(gone.metadata?.resourceVersion) - Number(watchedRv) > 20,
        `the changes did not outgrow the watch history: ${watchedRv} → ${String(gone.metadata?.resourceVersion)}`,
      );
      await seen.resume();
      await eventually(() => seen.names().length === 30 && !seen.names().includes('while-away'), 20_000);
      assert.ok(lists > listsBeforeGone, 'the informer did not relist after 410 Gone');
      assert.ok(seen.events.includes('delete:while-away'));
      await seen.shutdown();
    },
  );
});
