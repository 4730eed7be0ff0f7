// The operator's own Kubernetes client against the embedded API server: its kubeconfig (token and CA) read from a
// file, LISTs in pages (limit/continue), and an informer that lists, watches, resumes and relists after 410 Gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/kube/index.js';
import { Informer } from '../../src/operator/internal/informer.js';
import { KubeAccess } from '../../src/operator/internal/kube.js';
import type { ConfigMap } from '../../src/operator/internal/kube-types.js';
import { loadKubeconfigFiles } from '../../src/operator/internal/kubeconfig.js';
import { systemClock } from '../../src/operator/internal/queue.js';
import { LastingWatch, slimForCache } from '../../src/operator/internal/watch.js';
import { eventually } from './kube-helpers.js';

test('paged LISTs, and an informer across watch ends and 410 Gone', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azo-operator-informer-'));
  const apiServer = await startApiServer({ port: 0, watchHistory: 5 });
  t.after(async () => {
    await apiServer.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, apiServer.kubeconfig);
  const config = loadKubeconfigFiles([file]);
  const kube = new KubeAccess(config, { listPageSize: 3 });
  const namespace = 'informer';
  await kube.createNamespace(namespace);
  const create = (name: string) => kube.createConfigMap(namespace, { metadata: { name }, data: { value: name } });
  for (let i = 0; i < 7; i++) await create(`cm-${i}`);

  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  const pages: number[] = [];
  const listed = await kube.listPages<ConfigMap>(path, {}, (items) => pages.push(items.length));
  assert.deepEqual(pages, [3, 3, 1], 'three pages of at most 3');
  assert.match(listed.resourceVersion ?? '', /^\d+$/);
  assert.equal((await kube.list(path)).items.length, 7);

  const watch = new LastingWatch(config, { clock: systemClock });
  t.after(() => watch.close());
  let lists = 0;
  const informer = new Informer<ConfigMap>(path, watch, (onPage) => {
    lists++;
    return kube.listPages<ConfigMap>(path, {}, (items) => {
      for (const item of items) slimForCache(item);
      onPage(items);
    });
  });
  const events: string[] = [];
  const errors: unknown[] = [];
  informer.on('add', (object) => events.push(`add:${object.metadata?.name}`));
  informer.on('update', (object) => events.push(`update:${object.metadata?.name}`));
  informer.on('delete', (object) => events.push(`delete:${object.metadata?.name}`));
  informer.on('error', (error) => errors.push(error));
  await informer.start();
  assert.equal(events.length, 7);
  assert.equal(informer.get('cm-3', namespace)?.data?.['value'], 'cm-3');
  assert.equal(informer.get('cm-3', namespace)?.metadata?.managedFields, undefined, 'cached without managedFields');

  const current = await kube.getConfigMap(namespace, 'cm-0', { fresh: true });
  await kube.replaceConfigMap(namespace, 'cm-0', { ...current, data: { value: 'changed' } });
  await kube.http.request({ method: 'DELETE', path: `${path}/cm-1` });
  await eventually(async () => events.includes('update:cm-0') && events.includes('delete:cm-1'));
  assert.equal(informer.get('cm-0', namespace)?.data?.['value'], 'changed');
  assert.equal(informer.get('cm-1', namespace), undefined);

  // Stopped, it misses more changes than the watch history holds: resuming gets 410 Gone, and the relist reports
  // what changed meanwhile, deletions included.
  await informer.stop();
  events.length = 0;
  for (let i = 7; i < 14; i++) await create(`cm-${i}`);
  await kube.http.request({ method: 'DELETE', path: `${path}/cm-2` });
  const listsBefore = lists;
  await informer.start();
  await eventually(async () => lists > listsBefore && events.includes('delete:cm-2'));
  for (let i = 7; i < 14; i++) assert.ok(events.includes(`add:cm-${i}`), `add:cm-${i}`);
  assert.equal(informer.get('cm-2', namespace), undefined);
  assert.equal(informer.get('cm-13', namespace)?.data?.['value'], 'cm-13');
  assert.deepEqual(errors, [], 'a 410 is not an error');
  await informer.stop();
});
