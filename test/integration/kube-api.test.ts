/** The API server's REST verbs on built-in kinds, over real HTTPS: CRUD, errors, selectors, paging, deletion, GC. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { call, eventually } from './kube-helpers.js';

let server: RunningApiServer;

/** A length-delimited protobuf field. */
function field(number: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

/** The Kubernetes protobuf envelope: magic, then runtime.Unknown{typeMeta, raw}. */
function kubernetesProtobuf(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([0x6b, 0x38, 0x73, 0x00]),
    field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])),
    field(2, raw),
  ]);
}
before(async () => {
  server = await startApiServer({ port: 0 });
});
after(async () => {
  await server.close();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

describe('authentication and discovery', () => {
  it('rejects requests without the token with a 401 Status', async () => {
    const response = await call(server, 'GET', '/api/v1/namespaces', { token: null });
    assert.equal(response.status, 401);
    assert.equal(response.body.kind, 'Status');
    assert.equal(response.body.reason, 'Unauthorized');
    assert.equal((await call(server, 'GET', '/api/v1/namespaces', { token: 'wrong' })).status, 401);
  });

  it('serves /version, /api, /apis and resource lists', async () => {
    assert.equal((await call(server, 'GET', '/version')).body.minor, '30');
    assert.deepEqual((await call(server, 'GET', '/api')).body.versions, ['v1']);
    const core = await call(server, 'GET', '/api/v1');
    const names = core.body.resources.map((resource: { name: string }) => resource.name);
    for (const name of [
      'namespaces',
      'namespaces/status',
      'namespaces/finalize',
      'configmaps',
      'secrets',
      'events',
      'serviceaccounts',
    ])
      assert.ok(names.includes(name), name);
    const groups = (await call(server, 'GET', '/apis')).body.groups.map((group: { name: string }) => group.name);
    for (const group of ['apiextensions.k8s.io', 'coordination.k8s.io', 'events.k8s.io'])
      assert.ok(groups.includes(group), group);
    const leases = await call(server, 'GET', '/apis/coordination.k8s.io/v1');
    assert.equal(leases.body.resources[0].name, 'leases');
    assert.equal((await call(server, 'GET', '/apis/nothing.example.com/v1')).status, 404);
  });

  it('answers /openapi/v2 with an empty protobuf document and /openapi/v3 with per-group documents', async () => {
    const v2 = await call(server, 'GET', '/openapi/v2', {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    assert.equal(v2.status, 200);
    assert.match(String(v2.headers['content-type']), /protobuf/);
    assert.equal(v2.text, '');
    const root = await call(server, 'GET', '/openapi/v3');
    const url = root.body.paths['api/v1'].serverRelativeURL as string;
    const document = await call(server, 'GET', url);
    const patch = document.body.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.ok(patch.parameters.some((parameter: { name: string }) => parameter.name === 'fieldValidation'));
    assert.ok('application/strategic-merge-patch+json' in patch.requestBody.content);
  });

  it('negotiates content: 406 for protobuf-only Accept, JSON when JSON is also accepted', async () => {
    assert.equal(
      (await call(server, 'GET', '/api/v1/namespaces/default', { accept: 'application/vnd.kubernetes.protobuf' }))
        .status,
      406,
    );
    const both = await call(server, 'GET', '/api/v1/namespaces/default', {
      accept: 'application/vnd.kubernetes.protobuf, application/json',
    });
    assert.equal(both.status, 200);
    assert.equal(both.body.kind, 'Namespace');
    const garbage = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
      raw: 'x',
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(garbage.status, 400);
    const pod = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
      raw: kubernetesProtobuf('v1', 'Pod', Buffer.alloc(0)),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(pod.status, 415);
  });

  it('decodes protobuf bodies of the built-in kinds kubectl 1.30+ sends that way', async () => {
    const metadata = field(
      1,
      Buffer.concat([field(1, 'from-protobuf'), field(11, Buffer.concat([field(1, 'app'), field(2, 'x')]))]),
    );
    const body = Buffer.concat([metadata, field(2, Buffer.concat([field(1, 'key'), field(2, 'value')]))]);
    const created = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
      raw: kubernetesProtobuf('v1', 'ConfigMap', body),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.data, { key: 'value' });
    assert.deepEqual(created.body.metadata.labels, { app: 'x' });
  });
});

describe('namespaces', () => {
  it('pre-creates default, kube-system, kube-public and kube-node-lease', async () => {
    const list = await call(server, 'GET', '/api/v1/namespaces');
    const names = list.body.items.map((item: { metadata: { name: string } }) => item.metadata.name);
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.equal(list.body.items[0].status.phase, 'Active');
    assert.deepEqual(list.body.items[0].spec.finalizers, ['kubernetes']);
  });

  it('deleting a namespace deletes its contents, refuses new content, then disappears', async () => {
    assert.equal(
      (
        await call(server, 'POST', '/api/v1/namespaces', {
          body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } },
        })
      ).status,
      201,
    );
    await call(server, 'POST', '/api/v1/namespaces/doomed/configmaps', { body: cm('c1') });
    await call(server, 'POST', '/api/v1/namespaces/doomed/configmaps', {
      body: { ...cm('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    const deleted = await call(server, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.status.phase, 'Terminating');
    const refused = await call(server, 'POST', '/api/v1/namespaces/doomed/configmaps', { body: cm('late') });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.details.causes[0].reason, 'NamespaceTerminating');
    await eventually(async () => (await call(server, 'GET', '/api/v1/namespaces/doomed/configmaps/c1')).status === 404);
    const held = await call(server, 'GET', '/api/v1/namespaces/doomed/configmaps/held');
    assert.ok(held.body.metadata.deletionTimestamp);
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/doomed')).status, 200);
    await call(server, 'PATCH', '/api/v1/namespaces/doomed/configmaps/held', {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(async () => (await call(server, 'GET', '/api/v1/namespaces/doomed')).status === 404);
  });

  it('returns 404 for objects in a namespace that does not exist', async () => {
    const response = await call(server, 'POST', '/api/v1/namespaces/nope/configmaps', { body: cm('c') });
    assert.equal(response.status, 404);
    assert.equal(response.body.message, 'namespaces "nope" not found');
  });
});

describe('create, get, update', () => {
  it('creates with server-set metadata, rejects duplicates with 409 AlreadyExists', async () => {
    const created = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('crud') });
    assert.equal(created.status, 201);
    const metadata = created.body.metadata;
    assert.match(metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(metadata.resourceVersion, /^\d+$/);
    assert.match(metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('crud') });
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    assert.equal(again.body.message, 'configmaps "crud" already exists');
    const got = await call(server, 'GET', '/api/v1/namespaces/default/configmaps/crud');
    assert.deepEqual(got.body, created.body);
    const missing = await call(server, 'GET', '/api/v1/namespaces/default/configmaps/none');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.reason, 'NotFound');
    assert.equal(missing.body.message, 'configmaps "none" not found');
  });

  it('generates names from generateName', async () => {
    const created = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } },
    });
    assert.equal(created.status, 201);
    assert.match(created.body.metadata.name, /^gen-[a-z0-9]{5}$/);
  });

  it('updates with optimistic concurrency: 409 Conflict on a stale resourceVersion', async () => {
    const created = (await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('occ') })).body;
    const first = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', {
      body: { ...created, data: { a: '2' } },
    });
    assert.equal(first.status, 200);
    assert.ok(Number(first.body.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    const stale = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', {
      body: { ...created, data: { a: '3' } },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(
      stale.body.message,
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
    const unconditional = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', {
      body: { ...cm('occ', { a: '4' }) },
    });
    assert.equal(unconditional.status, 200);
    assert.equal(unconditional.body.metadata.uid, created.metadata.uid);
    assert.equal(
      (await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/nothing', { body: cm('nothing') })).status,
      404,
    );
  });

  it('rejects mismatched names, namespaces, kinds and a resourceVersion on create', async () => {
    assert.equal(
      (await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', { body: cm('other') })).status,
      400,
    );
    assert.equal(
      (
        await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
          body: { ...cm('x'), metadata: { name: 'x', namespace: 'kube-system' } },
        })
      ).status,
      400,
    );
    assert.equal(
      (await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: { ...cm('x'), kind: 'Secret' } }))
        .status,
      400,
    );
    assert.equal(
      (
        await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
          body: { ...cm('x'), metadata: { name: 'x', resourceVersion: '5' } },
        })
      ).status,
      400,
    );
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/x')).status, 404);
  });
});

describe('bad input', () => {
  it('answers malformed JSON with 400 and stores nothing', async () => {
    const response = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
      raw: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"',
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.reason, 'BadRequest');
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/broken')).status, 404);
  });

  it('answers bodies over 3 MiB with 413', async () => {
    const big = cm('big', { a: 'x'.repeat(3 * 1024 * 1024 + 10) });
    const response = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: big });
    assert.equal(response.status, 413);
    assert.equal(response.body.reason, 'RequestEntityTooLarge');
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/big')).status, 404);
  });

  it('answers invalid objects with 422 naming each bad field', async () => {
    const response = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'Bad_Name', labels: { 'bad key!': 'v' } },
        data: { 'no/slash': 'x' },
      },
    });
    assert.equal(response.status, 422);
    assert.equal(response.body.reason, 'Invalid');
    const fields = response.body.details.causes.map((cause: { field: string }) => cause.field);
    assert.ok(fields.includes('metadata.name'));
    assert.ok(fields.includes('metadata.labels'));
    assert.ok(fields.includes('data'));
    assert.match(response.body.message, /^ConfigMap "Bad_Name" is invalid: \[/);
  });

  it('rejects unknown patch content types with 415 and SMP on custom resources is covered in the CRD tests', async () => {
    const response = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/occ', {
      raw: '{}',
      contentType: 'text/plain',
    });
    assert.equal(response.status, 415);
  });

  it('answers unknown paths and methods with 404 and 405', async () => {
    assert.equal((await call(server, 'GET', '/api/v1/widgets')).status, 404);
    assert.equal((await call(server, 'POST', '/api/v1/namespaces/default/configmaps/occ', { body: {} })).status, 405);
  });
});

describe('secrets and configmaps', () => {
  it('merges stringData into data and never returns it; defaults type Opaque', async () => {
    const created = await call(server, 'POST', '/api/v1/namespaces/default/secrets', {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's1' },
        data: { a: Buffer.from('x').toString('base64') },
        stringData: { b: 'hello' },
      },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.type, 'Opaque');
    assert.equal(created.body.stringData, undefined);
    assert.equal(Buffer.from(created.body.data.b, 'base64').toString(), 'hello');
  });

  it('rejects data that is not base64', async () => {
    const response = await call(server, 'POST', '/api/v1/namespaces/default/secrets', {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2' }, data: { a: 'not base64!' } },
    });
    assert.equal(response.status, 422);
    assert.equal(response.body.details.causes[0].field, 'data[a]');
  });

  it('keeps immutable data immutable', async () => {
    const created = (
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: { ...cm('frozen'), immutable: true },
      })
    ).body;
    const changed = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/frozen', {
      body: { ...created, data: { a: 'changed' } },
    });
    assert.equal(changed.status, 422);
    const labelled = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/frozen', {
      body: { ...created, metadata: { ...created.metadata, labels: { ok: 'yes' } } },
    });
    assert.equal(labelled.status, 200);
  });
});

describe('patch', () => {
  it('applies merge, JSON and strategic merge patches to built-ins', async () => {
    await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('patched', { a: '1', b: '2' }) });
    const merge = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', {
      body: { data: { b: null, c: '3' } },
      contentType: 'application/merge-patch+json',
    });
    assert.deepEqual(merge.body.data, { a: '1', c: '3' });
    const json = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', {
      body: [{ op: 'replace', path: '/data/a', value: '9' }],
      contentType: 'application/json-patch+json',
    });
    assert.deepEqual(json.body.data, { a: '9', c: '3' });
    const strategic = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', {
      body: { metadata: { labels: { x: 'y' } } },
      contentType: 'application/strategic-merge-patch+json',
    });
    assert.equal(strategic.status, 200);
    assert.deepEqual(strategic.body.metadata.labels, { x: 'y' });
    const failedTest = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', {
      body: [{ op: 'test', path: '/data/a', value: 'nope' }],
      contentType: 'application/json-patch+json',
    });
    assert.equal(failedTest.status, 422);
    const stale = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', {
      body: { metadata: { resourceVersion: '1' }, data: { z: 'z' } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(stale.status, 409);
    assert.equal(
      (
        await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/absent', {
          body: {},
          contentType: 'application/merge-patch+json',
        })
      ).status,
      404,
    );
  });

  it('server-side apply creates, then merges; needs a fieldManager', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } };
    const missingManager = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/applied', {
      body,
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(missingManager.status, 400);
    const created = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/applied?fieldManager=test', {
      body,
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(created.status, 201);
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "2"\n';
    const updated = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/applied?fieldManager=test', {
      raw: yaml,
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.data.a, '2');
  });
});

describe('list', () => {
  before(async () => {
    for (let index = 0; index < 7; index += 1) {
      await call(server, 'POST', '/api/v1/namespaces/kube-public/configmaps', {
        body: cm(`item-${index}`, { a: '1' }, { index: String(index), parity: index % 2 === 0 ? 'even' : 'odd' }),
      });
    }
  });

  it('filters by label selectors (equality and set-based)', async () => {
    const names = async (selector: string) =>
      (
        await call(
          server,
          'GET',
          `/api/v1/namespaces/kube-public/configmaps?labelSelector=${encodeURIComponent(selector)}`,
        )
      ).body.items.map((item: { metadata: { name: string } }) => item.metadata.name);
    assert.deepEqual(await names('parity=even,index!=0'), ['item-2', 'item-4', 'item-6']);
    assert.deepEqual(await names('index in (1,3)'), ['item-1', 'item-3']);
    assert.deepEqual(await names('index notin (0,1,2,3,4,5),parity'), ['item-6']);
    assert.deepEqual(await names('!parity'), []);
    assert.equal(
      (
        await call(
          server,
          'GET',
          `/api/v1/namespaces/kube-public/configmaps?labelSelector=${encodeURIComponent('a in (')}`,
        )
      ).status,
      400,
    );
  });

  it('filters by field selectors and rejects unsupported fields', async () => {
    const list = await call(server, 'GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Ditem-3');
    assert.deepEqual(
      list.body.items.map((item: { metadata: { namespace: string } }) => item.metadata.namespace),
      ['kube-public'],
    );
    const unsupported = await call(server, 'GET', '/api/v1/configmaps?fieldSelector=data.a%3D1');
    assert.equal(unsupported.status, 400);
    assert.match(unsupported.body.message, /field label not supported: data.a/);
  });

  it('pages with limit and continue', async () => {
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await call(
        server,
        'GET',
        `/api/v1/namespaces/kube-public/configmaps?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
      );
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 3);
      seen.push(...page.body.items.map((item: { metadata: { name: string } }) => item.metadata.name));
      token = page.body.metadata.continue ?? '';
      pages += 1;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6']);
    assert.equal(
      (await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps?limit=3&continue=garbage')).status,
      400,
    );
  });

  it('continues from a consistent snapshot of the first page, and answers a forgotten one with 410', async () => {
    const first = await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps?limit=2');
    assert.deepEqual(
      first.body.items.map((item: { metadata: { name: string } }) => item.metadata.name),
      ['item-0', 'item-1'],
    );
    assert.equal(first.body.metadata.remainingItemCount, 5);
    // Changes after the first page: a new object, a deleted one and an updated one are not seen by the next pages.
    await call(server, 'POST', '/api/v1/namespaces/kube-public/configmaps', { body: cm('item-2b') });
    await call(server, 'DELETE', '/api/v1/namespaces/kube-public/configmaps/item-5');
    await call(server, 'PATCH', '/api/v1/namespaces/kube-public/configmaps/item-3', {
      body: { data: { a: 'changed' } },
      contentType: 'application/merge-patch+json',
    });
    const rest = await call(
      server,
      'GET',
      `/api/v1/namespaces/kube-public/configmaps?continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    assert.equal(rest.status, 200, rest.text);
    assert.deepEqual(
      rest.body.items.map((item: { metadata: { name: string } }) => item.metadata.name),
      ['item-2', 'item-3', 'item-4', 'item-5', 'item-6'],
    );
    assert.equal(rest.body.items[1].data.a, '1');
    assert.equal(rest.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
    assert.equal(rest.body.metadata.continue, undefined);
    const now = await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps');
    assert.deepEqual(
      now.body.items.map((item: { metadata: { name: string } }) => item.metadata.name),
      ['item-0', 'item-1', 'item-2', 'item-2b', 'item-3', 'item-4', 'item-6'],
    );
    // Put the fixture back as the other tests expect it.
    await call(server, 'DELETE', '/api/v1/namespaces/kube-public/configmaps/item-2b');
    await call(server, 'POST', '/api/v1/namespaces/kube-public/configmaps', {
      body: cm('item-5', { a: '1' }, { index: '5', parity: 'odd' }),
    });
    await call(server, 'PATCH', '/api/v1/namespaces/kube-public/configmaps/item-3', {
      body: { data: { a: '1' } },
      contentType: 'application/merge-patch+json',
    });
    const forgotten = Buffer.from(
      JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: 'kube-public/item-1', snapshot: 'gone' }),
    ).toString('base64url');
    const gone = await call(server, 'GET', `/api/v1/namespaces/kube-public/configmaps?limit=2&continue=${forgotten}`);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.reason, 'Expired');
  });

  it('serves resourceVersion and resourceVersionMatch from the latest state, 410 for an exact old version', async () => {
    const rv = (await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps')).body.metadata
      .resourceVersion as string;
    assert.equal(
      (
        await call(
          server,
          'GET',
          `/api/v1/namespaces/kube-public/configmaps?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`,
        )
      ).status,
      200,
    );
    assert.equal(
      (
        await call(
          server,
          'GET',
          `/api/v1/namespaces/kube-public/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`,
        )
      ).status,
      200,
    );
    assert.equal(
      (await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps?resourceVersion=0')).status,
      200,
    );
    await call(server, 'PATCH', '/api/v1/namespaces/kube-public/configmaps/item-0', {
      body: { data: { a: '2' } },
      contentType: 'application/merge-patch+json',
    });
    const old = await call(
      server,
      'GET',
      `/api/v1/namespaces/kube-public/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`,
    );
    assert.equal(old.status, 410);
    assert.equal(old.body.reason, 'Expired');
    const future = await call(
      server,
      'GET',
      `/api/v1/namespaces/kube-public/configmaps?resourceVersion=${Number(rv) + 1000}`,
    );
    assert.equal(future.status, 504);
    assert.equal(
      (await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps?resourceVersionMatch=Exact')).status,
      400,
    );
    assert.equal(
      (
        await call(
          server,
          'GET',
          `/api/v1/namespaces/kube-public/configmaps?resourceVersion=${rv}&resourceVersionMatch=Sometime`,
        )
      ).status,
      400,
    );
  });

  it('answers Tables for kubectl', async () => {
    const table = await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps?limit=2', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    assert.equal(table.body.kind, 'Table');
    assert.deepEqual(
      table.body.columnDefinitions.map((column: { name: string }) => column.name),
      ['Name', 'Data', 'Age'],
    );
    assert.equal(table.body.rows.length, 2);
    assert.equal(table.body.rows[0].cells[0], 'item-0');
    assert.equal(table.body.rows[0].object.kind, 'PartialObjectMetadata');
    assert.ok(table.body.metadata.continue);
  });

  it('deletes collections by selector', async () => {
    const response = await call(
      server,
      'DELETE',
      '/api/v1/namespaces/kube-public/configmaps?labelSelector=parity%3Dodd',
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.items.length, 3);
    const left = await call(server, 'GET', '/api/v1/namespaces/kube-public/configmaps');
    assert.equal(left.body.items.length, 4);
  });
});

describe('dry run and field validation', () => {
  it('dryRun=All validates but stores nothing', async () => {
    const response = await call(server, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
      body: cm('dry'),
    });
    assert.equal(response.status, 201);
    assert.equal(response.body.metadata.name, 'dry');
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
    const invalid = await call(server, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: cm('DRY') });
    assert.equal(invalid.status, 422);
  });

  it('rejects unsupported dryRun and fieldValidation values', async () => {
    assert.equal(
      (await call(server, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=Some', { body: cm('dry2') })).status,
      400,
    );
    assert.equal(
      (await call(server, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Loose', { body: cm('dry2') }))
        .status,
      400,
    );
  });
});

describe('deletion, finalizers and garbage collection', () => {
  it('deletes immediately without finalizers; waits for finalizers with deletionTimestamp set', async () => {
    await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('gone') });
    const deleted = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/gone');
    assert.equal(deleted.status, 200);
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/gone')).status, 404);

    await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
      body: { ...cm('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    const marked = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/held');
    assert.equal(marked.status, 200);
    assert.ok(marked.body.metadata.deletionTimestamp);
    assert.equal((await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/held')).status, 200);
    const addFinalizer = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/held', {
      body: { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(addFinalizer.status, 422);
    const released = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/held', {
      body: { metadata: { finalizers: [] } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(released.status, 200);
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/held')).status, 404);
  });

  it('dry-run deletes check everything but remove nothing', async () => {
    await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('dry-delete') });
    const rv = (await call(server, 'GET', '/api/v1/namespaces/default/configmaps?limit=1')).body.metadata
      .resourceVersion;
    const response = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/dry-delete?dryRun=All');
    assert.equal(response.status, 200);
    assert.equal(response.body.metadata.name, 'dry-delete');
    const body = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/dry-delete', {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] },
    });
    assert.equal(body.status, 200);
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/dry-delete')).status, 200);
    assert.equal(
      (await call(server, 'GET', '/api/v1/namespaces/default/configmaps?limit=1')).body.metadata.resourceVersion,
      rv,
    );
  });

  it('checks delete preconditions', async () => {
    await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('pre') });
    const response = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/pre', {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'other' } },
    });
    assert.equal(response.status, 409);
    assert.match(response.body.message, /Precondition failed: UID in precondition: other/);
  });

  it('garbage-collects dependents in the background, orphans them on request, and deletes them first in the foreground', async () => {
    const owner = async (name: string) =>
      (await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm(name) })).body;
    const dependent = async (name: string, parent: { metadata: { name: string; uid: string } }) =>
      (
        await call(server, 'POST', '/api/v1/namespaces/default/secrets', {
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name,
              ownerReferences: [
                {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  name: parent.metadata.name,
                  uid: parent.metadata.uid,
                  blockOwnerDeletion: true,
                },
              ],
            },
          },
        })
      ).body;

    const background = await owner('owner-bg');
    await dependent('dep-bg', background);
    await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/owner-bg');
    await eventually(
      async () => (await call(server, 'GET', '/api/v1/namespaces/default/secrets/dep-bg')).status === 404,
    );

    const orphaning = await owner('owner-orphan');
    await dependent('dep-orphan', orphaning);
    await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/owner-orphan', {
      body: { propagationPolicy: 'Orphan' },
    });
    await eventually(
      async () => (await call(server, 'GET', '/api/v1/namespaces/default/configmaps/owner-orphan')).status === 404,
    );
    const kept = await call(server, 'GET', '/api/v1/namespaces/default/secrets/dep-orphan');
    assert.equal(kept.status, 200);
    assert.equal(kept.body.metadata.ownerReferences, undefined);

    const foreground = await owner('owner-fg');
    await dependent('dep-fg', foreground);
    const marked = await call(
      server,
      'DELETE',
      '/api/v1/namespaces/default/configmaps/owner-fg?propagationPolicy=Foreground',
    );
    assert.ok(marked.body.metadata.finalizers.includes('foregroundDeletion'));
    await eventually(
      async () => (await call(server, 'GET', '/api/v1/namespaces/default/configmaps/owner-fg')).status === 404,
    );
    assert.equal((await call(server, 'GET', '/api/v1/namespaces/default/secrets/dep-fg')).status, 404);
  });
});

describe('events and leases', () => {
  it('serves core and events.k8s.io events from one store', async () => {
    const created = await call(server, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'e1' },
        eventTime: '2024-05-01T10:00:00.123456Z',
        reportingController: 'azo',
        reportingInstance: 'azo-1',
        action: 'Reconcile',
        reason: 'Created',
        note: 'made it',
        type: 'Normal',
        regarding: { kind: 'Widget', name: 'w1', namespace: 'default', uid: 'u-1' },
      },
    });
    assert.equal(created.status, 201);
    const core = await call(
      server,
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dw1,involvedObject.kind%3DWidget',
    );
    assert.equal(core.body.items.length, 1);
    assert.equal(core.body.items[0].message, 'made it');
    assert.equal(core.body.items[0].reportingComponent, 'azo');
    assert.equal(core.body.items[0].eventTime, '2024-05-01T10:00:00.123456Z');
    const v1 = await call(server, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events/e1');
    assert.equal(v1.body.note, 'made it');
    assert.equal(v1.body.regarding.name, 'w1');
  });

  it('round-trips lease MicroTimes byte-exact and enforces resourceVersion conflicts', async () => {
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'leader' },
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        acquireTime: '2024-05-01T10:00:00.123456Z',
        renewTime: '2024-05-01T10:00:01.000000Z',
        leaseTransitions: 0,
      },
    };
    const created = (await call(server, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', { body }))
      .body;
    assert.equal(created.spec.acquireTime, '2024-05-01T10:00:00.123456Z');
    assert.equal(created.spec.renewTime, '2024-05-01T10:00:01.000000Z');
    const renewed = await call(server, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/leader', {
      body: { ...created, spec: { ...created.spec, renewTime: '2024-05-01T10:00:05.000001Z' } },
    });
    assert.equal(renewed.status, 200);
    const loser = await call(server, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/leader', {
      body: { ...created, spec: { ...created.spec, holderIdentity: 'b' } },
    });
    assert.equal(loser.status, 409);
  });

  it('serves serviceaccounts', async () => {
    const created = await call(server, 'POST', '/api/v1/namespaces/default/serviceaccounts', {
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1' } },
    });
    assert.equal(created.status, 201);
  });
});
