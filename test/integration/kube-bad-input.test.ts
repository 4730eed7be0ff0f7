/**
 * Bad input over real HTTPS: malformed bodies, wrong types, invalid objects and oversized bodies get a Status with
 * the right code naming the problem, and nothing is stored (the server's resourceVersion does not move).
 */
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { call, widgetCrd, type ClientResponse, type RequestOptions } from './kube-helpers.js';

let server: RunningApiServer;
before(async () => {
  server = await startApiServer({ port: 0 });
  assert.equal(
    (await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: widgetCrd() }))
      .status,
    201,
  );
  await call(server, 'POST', configmaps, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'existing' }, data: { a: '1' } },
  });
  await call(server, 'POST', widgets, {
    body: {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'existing' },
      spec: { color: 'red', replicas: 1 },
    },
  });
});
after(async () => {
  await server.close();
});

const configmaps = '/api/v1/namespaces/default/configmaps';
const widgets = '/apis/example.com/v1/namespaces/default/widgets';

async function serverRv(): Promise<string> {
  return (await call(server, 'GET', `${configmaps}?limit=1`)).body.metadata.resourceVersion as string;
}

/** Sends a request that must be refused with `status`; checks the Status object and that nothing was written. */
async function refused(
  method: string,
  path: string,
  options: RequestOptions,
  status: number,
  reason: string,
): Promise<ClientResponse> {
  const rvBefore = await serverRv();
  const configmapBefore = (await call(server, 'GET', `${configmaps}/existing`)).body;
  const widgetBefore = (await call(server, 'GET', `${widgets}/existing`)).body;
  const response = await call(server, method, path, options);
  assert.equal(response.status, status, response.text);
  assert.equal(response.body?.kind, 'Status', response.text);
  assert.equal(response.body.status, 'Failure');
  assert.equal(response.body.code, status);
  assert.equal(response.body.reason, reason);
  assert.equal(await serverRv(), rvBefore, 'a refused request changed the store');
  assert.deepEqual((await call(server, 'GET', `${configmaps}/existing`)).body, configmapBefore);
  assert.deepEqual((await call(server, 'GET', `${widgets}/existing`)).body, widgetBefore);
  return response;
}

const fields = (response: ClientResponse): string[] =>
  (response.body.details?.causes ?? []).map((cause: { field?: string }) => cause.field ?? '').sort();

describe('malformed bodies → 400', () => {
  it('refuses JSON that does not parse on create, update and patch', async () => {
    const broken = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"';
    const created = await refused('POST', configmaps, { raw: broken }, 400, 'BadRequest');
    assert.match(created.body.message, /json parse error/);
    await refused('PUT', `${configmaps}/existing`, { raw: broken }, 400, 'BadRequest');
    await refused(
      'PATCH',
      `${configmaps}/existing`,
      { raw: '{"data":', contentType: 'application/merge-patch+json' },
      400,
      'BadRequest',
    );
    await refused(
      'PATCH',
      `${widgets}/existing`,
      { raw: '[{"op":', contentType: 'application/json-patch+json' },
      400,
      'BadRequest',
    );
    await refused(
      'PATCH',
      `${widgets}/existing?fieldManager=me`,
      { raw: 'spec: [unclosed', contentType: 'application/apply-patch+yaml' },
      400,
      'BadRequest',
    );
    assert.equal((await call(server, 'GET', `${configmaps}/broken`)).status, 404);
  });

  it('refuses bodies that are not objects, empty bodies and JSON patches that are not lists', async () => {
    await refused('POST', configmaps, { raw: '[]' }, 400, 'BadRequest');
    await refused('POST', configmaps, { raw: '"a string"' }, 400, 'BadRequest');
    const empty = await refused('POST', configmaps, { raw: ' ' }, 400, 'BadRequest');
    assert.match(empty.body.message, /empty/);
    await refused(
      'PATCH',
      `${configmaps}/existing`,
      { body: { op: 'add' }, contentType: 'application/json-patch+json' },
      400,
      'BadRequest',
    );
    await refused(
      'PATCH',
      `${configmaps}/existing`,
      { body: [{ path: '/data/x', value: '1' }], contentType: 'application/json-patch+json' },
      400,
      'BadRequest',
    );
  });

  it('refuses unknown and duplicate fields under fieldValidation=Strict, naming them', async () => {
    const unknown = await refused(
      'POST',
      `${configmaps}?fieldValidation=Strict`,
      { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict', labelz: {} }, data: {}, bogus: 1 } },
      400,
      'BadRequest',
    );
    assert.match(unknown.body.message, /unknown field "bogus"/);
    assert.match(unknown.body.message, /unknown field "metadata.labelz"/);
    const duplicate = await refused(
      'POST',
      `${widgets}?fieldValidation=Strict`,
      {
        raw: '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"dup"},"spec":{"color":"red","replicas":1,"replicas":2}}',
      },
      400,
      'BadRequest',
    );
    assert.match(duplicate.body.message, /duplicate field "spec.replicas"/);
  });
});

describe('wrong types', () => {
  it('refuses wrong JSON types in built-in kinds with 400 naming the field', async () => {
    const lease = await refused(
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/default/leases',
      {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'typed' },
          spec: { holderIdentity: 'a', leaseDurationSeconds: '15' },
        },
      },
      400,
      'BadRequest',
    );
    assert.match(
      lease.body.message,
      /^Lease in version "v1" cannot be handled as a Lease: spec\.leaseDurationSeconds: Invalid value: "15": spec\.leaseDurationSeconds in body must be of type integer: "string"/,
    );
    assert.deepEqual(fields(lease), ['spec.leaseDurationSeconds']);
    const configmap = await refused(
      'POST',
      configmaps,
      { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed', labels: 'app=x' }, data: ['a'] } },
      400,
      'BadRequest',
    );
    assert.deepEqual(fields(configmap), ['data', 'metadata.labels']);
    const update = await refused(
      'PATCH',
      `${configmaps}/existing`,
      { body: { data: { a: 1 } }, contentType: 'application/merge-patch+json' },
      400,
      'BadRequest',
    );
    assert.deepEqual(fields(update), ['data.a']);
  });

  it('refuses wrong types in custom resources with 422 naming each field, on create and on patch', async () => {
    const created = await refused(
      'POST',
      widgets,
      {
        body: {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'typed' },
          spec: { color: 7, replicas: 'three' },
        },
      },
      422,
      'Invalid',
    );
    assert.deepEqual(fields(created), ['spec.color', 'spec.replicas']);
    assert.match(created.body.message, /^Widget\.example\.com "typed" is invalid: \[/);
    assert.match(
      created.body.message,
      /spec\.replicas: Invalid value: "three": spec\.replicas in body must be of type integer: "string"/,
    );
    const patched = await refused(
      'PATCH',
      `${widgets}/existing`,
      { body: [{ op: 'replace', path: '/spec/replicas', value: -1 }], contentType: 'application/json-patch+json' },
      422,
      'Invalid',
    );
    assert.deepEqual(fields(patched), ['spec.replicas']);
    const spec = await refused(
      'PATCH',
      `${widgets}/existing`,
      { body: { spec: 'red' }, contentType: 'application/merge-patch+json' },
      422,
      'Invalid',
    );
    assert.deepEqual(fields(spec), ['spec']);
  });
});

describe('invalid objects → 422', () => {
  it('names every bad metadata field', async () => {
    const response = await refused(
      'POST',
      configmaps,
      {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: `${'x'.repeat(254)}`,
            labels: { 'a/b/c': 'v', ok: 'not valid!' },
            finalizers: ['Bad Finalizer'],
            ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o' }],
          },
        },
      },
      422,
      'Invalid',
    );
    assert.deepEqual(fields(response), [
      'metadata.finalizers[0]',
      'metadata.labels',
      'metadata.labels',
      'metadata.name',
      'metadata.ownerReferences[0].uid',
    ]);
  });

  it('refuses a custom resource missing a required field and a value outside the schema', async () => {
    const response = await refused(
      'POST',
      widgets,
      {
        body: {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'invalid' },
          spec: { replicas: 1, owner: 'x', extra: true },
        },
      },
      422,
      'Invalid',
    );
    assert.deepEqual(fields(response), ['spec.color']);
    assert.match(response.body.message, /spec\.color: Required value/);
    const enumValue = await refused(
      'PUT',
      `${widgets}/existing`,
      {
        body: {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'existing' },
          spec: { color: 'green' },
        },
      },
      422,
      'Invalid',
    );
    assert.match(enumValue.body.message, /Unsupported value: "green": supported values: "red", "blue"/);
  });

  it('refuses a non-structural CRD, naming the schema field', async () => {
    const crd = widgetCrd({ names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' } });
    (crd.metadata as Record<string, unknown>).name = 'gadgets.example.com';
    const version = (crd.spec as { versions: Array<{ schema: { openAPIV3Schema: Record<string, unknown> } }> })
      .versions[0];
    if (version)
      version.schema.openAPIV3Schema = {
        type: 'object',
        properties: { spec: { properties: { size: { type: 'integer' } } } },
      };
    const response = await refused(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      { body: crd },
      422,
      'Invalid',
    );
    assert.ok(
      fields(response).includes('spec.versions[0].schema.openAPIV3Schema.properties[spec].type'),
      fields(response).join(', '),
    );
    assert.equal(
      (await call(server, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com')).status,
      404,
    );
  });
});

describe('oversized bodies → 413', () => {
  it('refuses a body over 3 MiB announced by Content-Length', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big' },
      data: { a: 'x'.repeat(3 * 1024 * 1024) },
    };
    const response = await refused('POST', configmaps, { body }, 413, 'RequestEntityTooLarge');
    assert.match(response.body.message, /limit is 3145728 bytes/);
  });

  it('refuses a chunked body once it passes 3 MiB', async () => {
    const rvBefore = await serverRv();
    const response = await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = httpsRequest(
        new URL(configmaps, server.url),
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
          ca: server.caCertPem,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            }),
          );
        },
      );
      req.on('error', reject);
      req.write('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"chunked"},"data":{"a":"');
      const chunk = 'y'.repeat(256 * 1024);
      for (let index = 0; index < 13; index += 1) req.write(chunk);
      req.end('"}}');
    });
    assert.equal(response.status, 413);
    assert.equal(response.body.reason, 'RequestEntityTooLarge');
    assert.equal(await serverRv(), rvBefore);
    assert.equal((await call(server, 'GET', `${configmaps}/chunked`)).status, 404);
  });
});
