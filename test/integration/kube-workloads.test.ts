/**
 * Kinds the API server stores and validates without acting on them (apps/v1 Deployment, RBAC), so installation
 * manifests apply as they would to a cluster: discovery, schema validation, and strategic merge by Kubernetes' keys.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { call } from './kube-helpers.js';

let server: RunningApiServer;
before(async () => {
  server = await startApiServer({ port: 0 });
});
after(async () => {
  await server.close();
});

const deployments = '/apis/apps/v1/namespaces/default/deployments';
const deployment = (containers: unknown[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
  },
});

test('apps/v1 and rbac.authorization.k8s.io/v1 are discoverable', async () => {
  const apps = await call(server, 'GET', '/apis/apps/v1');
  assert.equal(apps.status, 200);
  assert.ok(
    (apps.body.resources as Array<{ name: string }>).some((resource) => resource.name === 'deployments/status'),
  );
  const rbac = await call(server, 'GET', '/apis/rbac.authorization.k8s.io/v1');
  assert.deepEqual(
    (rbac.body.resources as Array<{ name: string; namespaced: boolean }>)
      .map((resource) => [resource.name, resource.namespaced])
      .sort(),
    [
      ['clusterrolebindings', false],
      ['clusterroles', false],
      ['rolebindings', true],
      ['roles', true],
    ],
  );
});

test('a Deployment is validated against the Kubernetes schema and merged by container name', async () => {
  const typo = await call(server, 'POST', `${deployments}?fieldValidation=Strict`, {
    body: deployment([{ name: 'web', image: 'nginx', imagee: 'x' }]),
  });
  assert.equal(typo.status, 400);
  assert.match(typo.body.message, /unknown field "spec\.template\.spec\.containers\[0\]\.imagee"/);
  const missing = await call(server, 'POST', deployments, { body: { ...deployment([]), spec: { template: {} } } });
  assert.equal(missing.status, 422);
  assert.match(JSON.stringify(missing.body.details.causes), /spec\.selector/);
  assert.equal((await call(server, 'GET', deployments)).body.items.length, 0, 'nothing stored from rejected requests');

  const created = await call(server, 'POST', deployments, {
    body: deployment([
      {
        name: 'web',
        image: 'nginx',
        env: [{ name: 'A', value: '1' }],
        resources: { requests: { cpu: 1, memory: '64Mi' } },
      },
    ]),
  });
  assert.equal(created.status, 201, created.text);
  const patched = await call(server, 'PATCH', `${deployments}/web`, {
    contentType: 'application/strategic-merge-patch+json',
    body: {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', env: [{ name: 'B', value: '2' }] },
              { name: 'sidecar', image: 'busybox' },
            ],
          },
        },
      },
    },
  });
  assert.equal(patched.status, 200, patched.text);
  const containers = patched.body.spec.template.spec.containers as Array<{
    name: string;
    image: string;
    env?: unknown[];
  }>;
  assert.deepEqual(
    containers.map((container) => container.name),
    ['web', 'sidecar'],
    'containers merge by name',
  );
  assert.equal(containers[0]?.image, 'nginx');
  assert.deepEqual(
    containers[0]?.env,
    [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ],
    'env merges by name',
  );
});

test('RBAC objects need their required fields', async () => {
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'b', namespace: 'default' },
    subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'default' }],
  };
  const refused = await call(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
    body: binding,
  });
  assert.equal(refused.status, 422);
  assert.match(JSON.stringify(refused.body.details.causes), /roleRef/);
  const accepted = await call(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
    body: { ...binding, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } },
  });
  assert.equal(accepted.status, 201, accepted.text);
  const role = await call(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
      rules: [{ apiGroups: [''], resources: ['secrets'] }],
    },
  });
  assert.equal(role.status, 422, 'a rule without verbs is refused');
});

test('the rendered built-in schemas are current (npm run generate rewrites them)', async () => {
  const { renderKubeSchemas } = await import('../../scripts/render-kube-schemas.js');
  const { readFileSync } = await import('node:fs');
  const committed = readFileSync(
    new URL('../../src/kube/internal/schema/rendered-builtins.ts', import.meta.url),
    'utf8',
  );
  assert.equal(committed, renderKubeSchemas(), 'run npm run generate after upgrading @kubernetes/client-node');
});
