/** CustomResourceDefinitions and custom resources over real HTTPS. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { call, eventually, widgetCrd } from './kube-helpers.js';

let server: RunningApiServer;
before(async () => {
  server = await startApiServer({ port: 0 });
  const created = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    body: widgetCrd(),
  });
  assert.equal(created.status, 201, created.text);
});
after(async () => {
  await server.close();
});

const widgets = '/apis/example.com/v1/namespaces/default/widgets';
const widget = (name: string, spec: Record<string, unknown> = { color: 'red', replicas: 2 }) => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name },
  spec,
});

describe('CRD lifecycle', () => {
  it('writes Established and NamesAccepted, storedVersions and the cleanup finalizer right away', async () => {
    const crd = (
      await call(server, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')
    ).body;
    const conditions = Object.fromEntries(
      crd.status.conditions.map((condition: { type: string; status: string }) => [condition.type, condition.status]),
    );
    assert.equal(conditions.Established, 'True');
    assert.equal(conditions.NamesAccepted, 'True');
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.equal(crd.status.acceptedNames.kind, 'Widget');
    assert.equal(crd.spec.names.listKind, 'WidgetList');
    assert.ok(crd.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
  });

  it('advertises the resource in discovery with short names, categories and the status subresource', async () => {
    const groups = (await call(server, 'GET', '/apis')).body.groups.map((group: { name: string }) => group.name);
    assert.ok(groups.includes('example.com'));
    const list = (await call(server, 'GET', '/apis/example.com/v1')).body;
    const main = list.resources.find((resource: { name: string }) => resource.name === 'widgets');
    assert.deepEqual(main.shortNames, ['wd']);
    assert.deepEqual(main.categories, ['all']);
    assert.ok(main.verbs.includes('watch'));
    assert.ok(list.resources.some((resource: { name: string }) => resource.name === 'widgets/status'));
  });

  it('publishes the schema in OpenAPI v3 with the GVK and fieldValidation on PATCH', async () => {
    const root = (await call(server, 'GET', '/openapi/v3')).body;
    const document = (await call(server, 'GET', root.paths['apis/example.com/v1'].serverRelativeURL)).body;
    const schema = document.components.schemas['com.example.v1.Widget'];
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [
      { group: 'example.com', version: 'v1', kind: 'Widget' },
    ]);
    assert.ok(schema.properties.spec.properties.replicas);
    const patch = document.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.ok(patch.parameters.some((parameter: { name: string }) => parameter.name === 'fieldValidation'));
    assert.ok(!('application/strategic-merge-patch+json' in patch.requestBody.content));
  });

  it('rejects invalid CRDs with 422 and stores nothing', async () => {
    const wrongName = widgetCrd();
    (wrongName.metadata as Record<string, unknown>).name = 'gadgets.example.com';
    const response = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: wrongName,
    });
    assert.equal(response.status, 422);
    assert.ok(response.body.details.causes.some((cause: { field: string }) => cause.field === 'metadata.name'));
    const noStorage = widgetCrd({
      versions: [{ name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }],
    });
    (noStorage.metadata as Record<string, unknown>).name = 'widgets.example.com';
    const second = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: {
        ...noStorage,
        metadata: { name: 'things.example.org' },
        spec: { ...(noStorage.spec as object), group: 'example.org', names: { plural: 'things', kind: 'Thing' } },
      },
    });
    assert.equal(second.status, 422);
    assert.ok(second.body.details.causes.some((cause: { field: string }) => cause.field === 'spec.versions'));
    assert.equal(
      (await call(server, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.example.org')).status,
      404,
    );
  });
});

describe('custom resources', () => {
  it('creates, lists with the listKind and serves Tables with printer columns', async () => {
    const created = await call(server, 'POST', widgets, { body: widget('w1') });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.metadata.generation, 1);
    const list = await call(server, 'GET', widgets);
    assert.equal(list.body.kind, 'WidgetList');
    assert.equal(list.body.apiVersion, 'example.com/v1');
    await call(server, 'PUT', `${widgets}/w1/status`, {
      body: { ...created.body, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    });
    const table = await call(server, 'GET', widgets, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.deepEqual(
      table.body.columnDefinitions.map((column: { name: string }) => column.name),
      ['Name', 'Replicas', 'Ready'],
    );
    assert.deepEqual(table.body.rows[0].cells, ['w1', 2, 'True']);
  });

  it('follows /status rules: the main endpoint ignores status, /status ignores the rest; generation follows spec', async () => {
    const created = (await call(server, 'POST', widgets, { body: { ...widget('w2'), status: { phase: 'Ignored' } } }))
      .body;
    assert.equal(created.status, undefined);
    const status = await call(server, 'PUT', `${widgets}/w2/status`, {
      body: { ...created, spec: { color: 'blue' }, status: { phase: 'Running' } },
    });
    assert.equal(status.status, 200);
    assert.equal(status.body.status.phase, 'Running');
    assert.equal(status.body.spec.color, 'red');
    assert.equal(status.body.metadata.generation, 1);
    const labelled = await call(server, 'PATCH', `${widgets}/w2`, {
      body: { metadata: { labels: { a: 'b' } }, status: { phase: 'Nope' } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(labelled.body.metadata.generation, 1);
    assert.equal(labelled.body.status.phase, 'Running');
    const specChange = await call(server, 'PATCH', `${widgets}/w2`, {
      body: { spec: { replicas: 5 } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(specChange.body.metadata.generation, 2);
    const statusPatch = await call(server, 'PATCH', `${widgets}/w2/status`, {
      body: { status: { phase: 'Done' } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(statusPatch.body.status.phase, 'Done');
    assert.equal(statusPatch.body.metadata.generation, 2);
  });

  it('refuses strategic merge patches on custom resources with 415', async () => {
    const response = await call(server, 'PATCH', `${widgets}/w1`, {
      body: { spec: { replicas: 1 } },
      contentType: 'application/strategic-merge-patch+json',
    });
    assert.equal(response.status, 415);
    assert.match(
      response.body.message,
      /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/,
    );
  });

  it('server-side applies custom resources', async () => {
    const applied = await call(server, 'PATCH', `${widgets}/w-ssa?fieldManager=me`, {
      body: widget('w-ssa', { color: 'blue' }),
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(applied.status, 201);
    const again = await call(server, 'PATCH', `${widgets}/w-ssa?fieldManager=me`, {
      body: widget('w-ssa', { color: 'red' }),
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.spec.color, 'red');
  });
});

describe('schema pruning, defaulting and validation', () => {
  it('defaults absent fields', async () => {
    const created = await call(server, 'POST', widgets, { body: widget('w-default', { color: 'red' }) });
    assert.equal(created.body.spec.replicas, 1);
  });

  it('prunes unknown fields with a warning (Warn) or rejects them (Strict)', async () => {
    const warned = await call(server, 'POST', `${widgets}?fieldValidation=Warn`, {
      body: widget('w-warn', { color: 'red', extra: 1 }),
    });
    assert.equal(warned.status, 201);
    assert.equal(warned.body.spec.extra, undefined);
    assert.match(String(warned.headers.warning), /unknown field \\"spec.extra\\"/);
    const strict = await call(server, 'POST', `${widgets}?fieldValidation=Strict`, {
      body: widget('w-strict', { color: 'red', extra: 1 }),
    });
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'strict decoding error: unknown field "spec.extra"');
    assert.equal((await call(server, 'GET', `${widgets}/w-strict`)).status, 404);
    const duplicate = await call(server, 'POST', `${widgets}?fieldValidation=Strict`, {
      raw: '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w-dup"},"spec":{"color":"red","color":"blue"}}',
    });
    assert.equal(duplicate.status, 400);
    assert.match(duplicate.body.message, /duplicate field/);
  });

  it('answers invalid values with 422 naming each field', async () => {
    const response = await call(server, 'POST', widgets, {
      body: widget('w-bad', { color: 'green', replicas: 'three' }),
    });
    assert.equal(response.status, 422);
    const fields = response.body.details.causes.map((cause: { field: string }) => cause.field).sort();
    assert.deepEqual(fields, ['spec.color', 'spec.replicas']);
    const missing = await call(server, 'POST', widgets, { body: widget('w-missing', { replicas: 1 }) });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.details.causes[0].field, 'spec.color');
    assert.equal((await call(server, 'GET', `${widgets}/w-bad`)).status, 404);
  });
});

describe('CRD updates and schema extensions', () => {
  it('adds a storage version on update: storedVersions grows, both versions serve the same objects', async () => {
    const schema = {
      openAPIV3Schema: {
        type: 'object',
        properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
      },
    };
    const created = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'boxes.example.org' },
        spec: {
          group: 'example.org',
          scope: 'Namespaced',
          names: { plural: 'boxes', kind: 'Box' },
          versions: [{ name: 'v1', served: true, storage: true, schema }],
        },
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(
      (
        await call(server, 'POST', '/apis/example.org/v1/namespaces/default/boxes', {
          body: { apiVersion: 'example.org/v1', kind: 'Box', metadata: { name: 'b1' }, spec: { size: 1 } },
        })
      ).status,
      201,
    );
    const crd = created.body;
    crd.spec.versions = [
      { name: 'v1', served: true, storage: false, schema },
      {
        name: 'v2',
        served: true,
        storage: true,
        schema,
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
      },
    ];
    const updated = await call(
      server,
      'PUT',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/boxes.example.org',
      { body: crd },
    );
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body.status.storedVersions, ['v1', 'v2']);
    const asV2 = await call(server, 'GET', '/apis/example.org/v2/namespaces/default/boxes/b1');
    assert.equal(asV2.status, 200);
    assert.equal(asV2.body.apiVersion, 'example.org/v2');
    const table = await call(server, 'GET', '/apis/example.org/v2/namespaces/default/boxes', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    assert.deepEqual(table.body.rows[0].cells, ['b1', 1]);
    const dropStored = {
      ...updated.body,
      spec: { ...updated.body.spec, versions: [{ name: 'v2', served: true, storage: true, schema }] },
    };
    const refused = await call(
      server,
      'PUT',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/boxes.example.org',
      { body: dropStored },
    );
    assert.equal(refused.status, 422);
    assert.ok(refused.body.details.causes.some((cause: { field: string }) => cause.field === 'status.storedVersions'));
  });

  it('honours int-or-string, preserve-unknown-fields and embedded resources', async () => {
    const schema = {
      openAPIV3Schema: {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              port: { 'x-kubernetes-int-or-string': true },
              settings: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              template: {
                type: 'object',
                'x-kubernetes-embedded-resource': true,
                properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        },
      },
    };
    const created = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'shapes.example.org' },
        spec: {
          group: 'example.org',
          scope: 'Namespaced',
          names: { plural: 'shapes', kind: 'Shape' },
          versions: [{ name: 'v1', served: true, storage: true, schema }],
        },
      },
    });
    assert.equal(created.status, 201, created.text);
    const shapes = '/apis/example.org/v1/namespaces/default/shapes';
    const shape = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'example.org/v1',
      kind: 'Shape',
      metadata: { name },
      spec,
    });
    const template = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'inner', bogus: 1 },
      spec: { anything: { goes: true } },
    };
    const good = await call(server, 'POST', shapes, {
      body: shape('s1', { port: 'http', settings: { free: { form: [1, 2] } }, template }),
    });
    assert.equal(good.status, 201, good.text);
    assert.deepEqual(good.body.spec.settings, { free: { form: [1, 2] } });
    assert.deepEqual(good.body.spec.template, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'inner' },
      spec: { anything: { goes: true } },
    });
    assert.equal((await call(server, 'POST', shapes, { body: shape('s2', { port: 8080 }) })).status, 201);
    const badPort = await call(server, 'POST', shapes, { body: shape('s3', { port: true }) });
    assert.equal(badPort.status, 422);
    assert.equal(badPort.body.details.causes[0].field, 'spec.port');
    const badTemplate = await call(server, 'POST', shapes, {
      body: shape('s4', { template: { metadata: { name: 'x' } } }),
    });
    assert.equal(badTemplate.status, 422);
    assert.deepEqual(badTemplate.body.details.causes.map((cause: { field: string }) => cause.field).sort(), [
      'spec.template.apiVersion',
      'spec.template.kind',
    ]);
  });
});

describe('versions and deletion', () => {
  it('serves several versions from one storage version (conversion strategy None)', async () => {
    const schema = {
      openAPIV3Schema: {
        type: 'object',
        properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    };
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.example.net' },
      spec: {
        group: 'example.net',
        scope: 'Cluster',
        names: { plural: 'gizmos', kind: 'Gizmo' },
        versions: [
          { name: 'v1', served: true, storage: true, schema },
          { name: 'v2', served: true, storage: false, schema },
          { name: 'v3', served: false, storage: false, schema },
        ],
      },
    };
    assert.equal(
      (await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status,
      201,
    );
    const created = await call(server, 'POST', '/apis/example.net/v2/gizmos', {
      body: { apiVersion: 'example.net/v2', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { a: 1 } },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.apiVersion, 'example.net/v2');
    assert.equal(created.headers.warning, undefined);
    const asV1 = await call(server, 'GET', '/apis/example.net/v1/gizmos/g1');
    assert.equal(asV1.body.apiVersion, 'example.net/v1');
    assert.deepEqual(asV1.body.spec, { a: 1 });
    assert.equal((await call(server, 'GET', '/apis/example.net/v3/gizmos/g1')).status, 404);
    const group = (await call(server, 'GET', '/apis/example.net')).body;
    assert.equal(group.preferredVersion.version, 'v2');
  });

  it('a Webhook strategy is validated, and a webhook that cannot be reached fails conversions with a 500', async () => {
    const schema = {
      openAPIV3Schema: {
        type: 'object',
        properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    };
    const crd = (conversion: unknown) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'sprockets.example.net' },
      spec: {
        group: 'example.net',
        scope: 'Cluster',
        names: { plural: 'sprockets', kind: 'Sprocket' },
        conversion,
        versions: [
          { name: 'v1', served: true, storage: true, schema },
          { name: 'v2', served: true, storage: false, schema },
        ],
      },
    });
    const refused = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: crd({
        strategy: 'Webhook',
        webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'http://127.0.0.1:1/convert' } },
      }),
    });
    assert.equal(refused.status, 422);
    assert.match(JSON.stringify(refused.body), /https/);
    const unreachable = {
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:1/convert' } },
    };
    assert.equal(
      (
        await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
          body: crd(unreachable),
        })
      ).status,
      201,
    );
    await eventually(async () => (await call(server, 'GET', '/apis/example.net/v1/sprockets')).status === 200);
    // The storage version needs no conversion; another version does, and fails as kube-apiserver reports it.
    assert.equal(
      (
        await call(server, 'POST', '/apis/example.net/v1/sprockets', {
          body: { apiVersion: 'example.net/v1', kind: 'Sprocket', metadata: { name: 's1' } },
        })
      ).status,
      201,
    );
    const asV2 = await call(server, 'GET', '/apis/example.net/v2/sprockets/s1');
    assert.equal(asV2.status, 500);
    assert.match(String(asV2.body.message), /conversion webhook for sprockets\.example\.net failed/);
    assert.equal(
      (await call(server, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sprockets.example.net'))
        .status,
      200,
    );
  });

  it('deleting a CRD deletes its objects first, then its endpoints', async () => {
    assert.equal(
      (await call(server, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.net'))
        .status,
      200,
    );
    await eventually(
      async () =>
        (await call(server, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.net'))
          .status === 404,
    );
    assert.equal((await call(server, 'GET', '/apis/example.net/v1/gizmos')).status, 404);
    const recreated = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gizmos.example.net' },
        spec: {
          group: 'example.net',
          scope: 'Cluster',
          names: { plural: 'gizmos', kind: 'Gizmo' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
        },
      },
    });
    assert.equal(recreated.status, 201);
    assert.deepEqual((await call(server, 'GET', '/apis/example.net/v1/gizmos')).body.items, []);
  });

  it('marks a CRD whose kind clashes with another as not accepted', async () => {
    const clash = widgetCrd({ names: { plural: 'widgets2', singular: 'widget2', kind: 'Widget' } });
    (clash.metadata as Record<string, unknown>).name = 'widgets2.example.com';
    const created = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: clash,
    });
    assert.equal(created.status, 201);
    const names = created.body.status.conditions.find(
      (condition: { type: string }) => condition.type === 'NamesAccepted',
    );
    assert.equal(names.status, 'False');
    assert.equal((await call(server, 'GET', '/apis/example.com/v1/namespaces/default/widgets2')).status, 404);
  });
});
