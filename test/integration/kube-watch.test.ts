/**
 * Watch over real HTTPS: initial events, resumption from a resourceVersion, 410 Expired, selectors, bookmarks,
 * timeouts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { call, openWatch } from './kube-helpers.js';

let server: RunningApiServer;
before(async () => {
  server = await startApiServer({ port: 0, watchHistory: 50, bookmarkIntervalSeconds: 1 });
});
after(async () => {
  await server.close();
});

const path = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data: { a: '1' },
});
type Meta = { name: string; resourceVersion: string };
const meta = (object: Record<string, unknown>) => object.metadata as Meta;

describe('watch', () => {
  it('sends ADDED for existing objects, then live ADDED/MODIFIED/DELETED', async () => {
    await call(server, 'POST', path, { body: cm('w-existing') });
    const watch = await openWatch(server, `${path}?fieldSelector=metadata.name%3Dw-existing`);
    assert.equal(watch.status, 200);
    const initial = await watch.next();
    assert.equal(initial.type, 'ADDED');
    assert.equal(meta(initial.object).name, 'w-existing');
    await call(server, 'PATCH', `${path}/w-existing`, {
      body: { data: { a: '2' } },
      contentType: 'application/merge-patch+json',
    });
    const modified = await watch.next();
    assert.equal(modified.type, 'MODIFIED');
    await call(server, 'DELETE', `${path}/w-existing`);
    const deleted = await watch.next();
    assert.equal(deleted.type, 'DELETED');
    assert.ok(Number(meta(deleted.object).resourceVersion) > Number(meta(modified.object).resourceVersion));
    watch.close();
  });

  it('resumes from a resourceVersion and sends only later changes', async () => {
    const created = (await call(server, 'POST', path, { body: cm('w-resume') })).body;
    await call(server, 'PATCH', `${path}/w-resume`, {
      body: { data: { a: '3' } },
      contentType: 'application/merge-patch+json',
    });
    const watch = await openWatch(
      server,
      `${path}?resourceVersion=${created.metadata.resourceVersion}&fieldSelector=metadata.name%3Dw-resume`,
    );
    const event = await watch.next();
    assert.equal(event.type, 'MODIFIED');
    assert.equal((event.object.data as Record<string, string>).a, '3');
    watch.close();
  });

  it('turns label changes into ADDED and DELETED for a selector', async () => {
    await call(server, 'POST', path, { body: cm('w-label', { team: 'a' }) });
    const watch = await openWatch(server, `${path}?labelSelector=team%3Db`);
    await call(server, 'PATCH', `${path}/w-label`, {
      body: { metadata: { labels: { team: 'b' } } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal((await watch.next()).type, 'ADDED');
    await call(server, 'PATCH', `${path}/w-label`, {
      body: { metadata: { labels: { team: 'c' } } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal((await watch.next()).type, 'DELETED');
    watch.close();
  });

  it('answers a too old resourceVersion with an in-stream 410 Expired ERROR and closes', async () => {
    const first = (await call(server, 'POST', path, { body: cm('w-old') })).body;
    for (let index = 0; index < 60; index += 1) {
      await call(server, 'PATCH', `${path}/w-old`, {
        body: { data: { a: String(index) } },
        contentType: 'application/merge-patch+json',
      });
    }
    const watch = await openWatch(server, `${path}?resourceVersion=${first.metadata.resourceVersion}`);
    assert.equal(watch.status, 200);
    const event = await watch.next();
    assert.equal(event.type, 'ERROR');
    assert.equal(event.object.code, 410);
    assert.equal(event.object.reason, 'Expired');
    await watch.ended;
  });

  it('sends bookmarks when allowed and closes after timeoutSeconds', async () => {
    const watch = await openWatch(
      server,
      `${path}?allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion=` +
        `${(await call(server, 'GET', path)).body.metadata.resourceVersion}`,
    );
    await watch.ended;
    const bookmarks = watch.events.filter((event) => event.type === 'BOOKMARK');
    assert.ok(bookmarks.length >= 1);
    assert.match(meta(bookmarks[0]?.object ?? {}).resourceVersion, /^\d+$/);
  });

  it('rejects sendInitialEvents explicitly with a 4xx Status', async () => {
    const response = await call(
      server,
      'GET',
      `${path}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
    );
    assert.ok(response.status >= 400 && response.status < 500);
    assert.equal(response.body.kind, 'Status');
  });

  it('streams Table rows when kubectl asks for Tables', async () => {
    await call(server, 'POST', path, { body: cm('w-table') });
    const watch = await openWatch(
      server,
      `${path}?fieldSelector=metadata.name%3Dw-table`,
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    );
    const event = await watch.next();
    assert.equal(event.object.kind, 'Table');
    const rows = event.object.rows as Array<{ cells: unknown[] }>;
    assert.equal(rows[0]?.cells[0], 'w-table');
    watch.close();
  });
});
