// ASO's FAQ workflows end to end: two `azo apiserver` processes (clusters A and B), one `azo emulator`, an
// `azo operator` per cluster, manifests applied with the real kubectl. Moving resources from cluster A to B and
// between namespaces (skip on the old side, then delete it: nothing deleted in Azure, the new side owns them);
// active-passive (the passive side reports and never writes until skip is lifted); an Argo CD-style replace that
// drops the finalizer and operator annotations is healed without a delete or a duplicate create.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  count,
  eventually,
  isGone,
  manifest,
  startE2e,
  storageAccount,
  subscriptionId,
  waitForReady,
} from './operator-helpers.js';

const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const resourceGroup = (
  name: string,
  namespace: string,
  tags: Record<string, string>,
) => `apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  location: westus
  tags: ${JSON.stringify(tags)}
`;
const roleAssignment = (name: string, owner: string) => `apiVersion: authorization.azure.com/v1api20220401
kind: RoleAssignment
metadata:
  name: ${name}
  namespace: default
spec:
  owner:
    group: resources.azure.com
    kind: ResourceGroup
    name: ${owner}
  principalId: 11111111-2222-3333-4444-555555555555
  roleDefinitionReference:
    wellKnownName: Reader
`;

test('FAQ workflows across two clusters', async (t) => {
  const environment = await startE2e({ clusters: 2 });
  t.after(() => environment.close());
  const [a, b] = environment.clusters;
  assert.ok(a && b);
  await Promise.all([a.startOperator(), b.startOperator()]);
  const writes = async (path: string) => {
    const log = await environment.armLog();
    return { puts: count(log, 'PUT', path), deletes: count(log, 'DELETE', path) };
  };
  const apiVersion = { rg: '2020-06-01', storage: '2023-01-01' };

  await t.test(
    'move from cluster A to cluster B: skip on A, apply to B, delete in A: Azure untouched, B owns them',
    async () => {
      const saPath = `${rgPath('rg-move')}/providers/Microsoft.Storage/storageAccounts/samove1`;
      const file = manifest(
        environment,
        'move.yaml',
        [resourceGroup('rg-move', 'default', { owner: 'a' }), storageAccount('samove1', 'default', 'rg-move')].join(
          '---\n',
        ),
      );
      await a.kubectl(['apply', '-f', file]);
      await waitForReady(a, 'storageaccount/samove1');
      await a.kubectl(['annotate', '-f', file, 'serviceoperator.azure.com/reconcile-policy=skip']);
      await b.kubectl(['apply', '-f', file]);
      await waitForReady(b, 'resourcegroup/rg-move');
      await waitForReady(b, 'storageaccount/samove1');
      assert.deepEqual(await writes(rgPath('rg-move')), { puts: 1, deletes: 0 }, 'B adopted the group without writing');
      assert.deepEqual(await writes(saPath), { puts: 1, deletes: 0 }, 'B adopted the account without writing');
      await a.kubectl(['delete', '-f', file, '--wait=true', '--timeout=60s']);
      assert.equal((await environment.armGet(rgPath('rg-move'), apiVersion.rg)).status, 200);
      assert.equal((await environment.armGet(saPath, apiVersion.storage)).status, 200);
      assert.deepEqual(await writes(saPath), { puts: 1, deletes: 0 });
      await b.kubectl(['patch', 'resourcegroup/rg-move', '--type=merge', '-p', '{"spec":{"tags":{"owner":"b"}}}']);
      await waitForReady(b, 'resourcegroup/rg-move');
      assert.deepEqual(await writes(rgPath('rg-move')), { puts: 2, deletes: 0 }, 'B manages the group now');
      assert.deepEqual(((await environment.armGet(rgPath('rg-move'), apiVersion.rg)).body as { tags: unknown }).tags, {
        owner: 'b',
      });
    },
  );

  await t.test('move between namespaces the same way', async () => {
    await a.kubectl(['create', 'namespace', 'ns-old']);
    await a.kubectl(['create', 'namespace', 'ns-new']);
    await a.kubectl([
      'apply',
      '-f',
      manifest(environment, 'ns-old.yaml', resourceGroup('rg-ns', 'ns-old', { v: '1' })),
    ]);
    await waitForReady(a, 'resourcegroup/rg-ns', 'True', undefined, 'ns-old');
    await a.kubectl([
      'annotate',
      '-n',
      'ns-old',
      'resourcegroup/rg-ns',
      'serviceoperator.azure.com/reconcile-policy=skip',
    ]);
    await a.kubectl([
      'apply',
      '-f',
      manifest(environment, 'ns-new.yaml', resourceGroup('rg-ns', 'ns-new', { v: '1' })),
    ]);
    await waitForReady(a, 'resourcegroup/rg-ns', 'True', undefined, 'ns-new');
    await a.kubectl(['delete', '-n', 'ns-old', 'resourcegroup/rg-ns', '--wait=true', '--timeout=60s']);
    assert.equal((await environment.armGet(rgPath('rg-ns'), apiVersion.rg)).status, 200);
    assert.deepEqual(await writes(rgPath('rg-ns')), { puts: 1, deletes: 0 });
    await a.kubectl([
      'patch',
      '-n',
      'ns-new',
      'resourcegroup/rg-ns',
      '--type=merge',
      '-p',
      '{"spec":{"tags":{"v":"2"}}}',
    ]);
    await waitForReady(a, 'resourcegroup/rg-ns', 'True', undefined, 'ns-new');
    assert.deepEqual(await writes(rgPath('rg-ns')), { puts: 2, deletes: 0 }, 'the new namespace manages it');
  });

  await t.test(
    'active-passive: the passive cluster (namespace skip) reports and never writes; removing skip makes it active',
    async () => {
      await b.kubectl(['create', 'namespace', 'passive']);
      await b.kubectl(['annotate', 'namespace/passive', 'serviceoperator.azure.com/reconcile-policy=skip']);
      await a.kubectl([
        'apply',
        '-f',
        manifest(environment, 'active.yaml', resourceGroup('rg-ap', 'default', { side: 'active' })),
      ]);
      await waitForReady(a, 'resourcegroup/rg-ap');
      await b.kubectl([
        'apply',
        '-f',
        manifest(environment, 'passive.yaml', resourceGroup('rg-ap', 'passive', { side: 'passive' })),
      ]);
      await waitForReady(b, 'resourcegroup/rg-ap', 'True', undefined, 'passive');
      const tags = await b.kubectl(['get', '-n', 'passive', 'resourcegroup/rg-ap', '-o', 'jsonpath={.status.tags}']);
      assert.deepEqual(JSON.parse(tags), { side: 'active' }, 'the passive side reports what Azure has');
      const finalizers = await b.kubectl([
        'get',
        '-n',
        'passive',
        'resourcegroup/rg-ap',
        '-o',
        'jsonpath={.metadata.finalizers}',
      ]);
      assert.equal(finalizers.trim(), '', 'skip adds no finalizer');
      assert.deepEqual(await writes(rgPath('rg-ap')), { puts: 1, deletes: 0 });
      // Fail over: A stands down (skip), B's namespace loses skip and B writes its own spec.
      await a.kubectl(['annotate', 'resourcegroup/rg-ap', 'serviceoperator.azure.com/reconcile-policy=skip']);
      await b.kubectl(['annotate', 'namespace/passive', 'serviceoperator.azure.com/reconcile-policy-']);
      await eventually(
        async () => ((await writes(rgPath('rg-ap'))).puts === 2 ? true : undefined),
        'the newly active side writes its spec',
      );
      await waitForReady(b, 'resourcegroup/rg-ap', 'True', undefined, 'passive');
      assert.deepEqual(((await environment.armGet(rgPath('rg-ap'), apiVersion.rg)).body as { tags: unknown }).tags, {
        side: 'passive',
      });
      assert.deepEqual(await writes(rgPath('rg-ap')), { puts: 2, deletes: 0 });
    },
  );

  await t.test(
    'an Argo CD-style replace dropping the finalizer and operator annotations is healed without delete or ' +
      'duplicate create',
    async () => {
      const file = manifest(
        environment,
        'argo.yaml',
        [resourceGroup('rg-argo', 'default', { app: 'argo' }), roleAssignment('ra-argo', 'rg-argo')].join('---\n'),
      );
      await a.kubectl(['apply', '-f', file]);
      await waitForReady(a, 'roleassignment/ra-argo');
      const before = await environment.armLog();
      const assignments = (log: typeof before) =>
        log
          .filter((entry) => entry.method === 'PUT' && entry.path.includes('/roleAssignments/'))
          .map((entry) => entry.path);
      assert.equal(assignments(before).length, 1);
      // `kubectl replace` sends the manifest as the whole object: finalizers and operator annotations are gone.
      const parts = [
        manifest(environment, 'argo-rg.yaml', resourceGroup('rg-argo', 'default', { app: 'argo' })),
        manifest(environment, 'argo-ra.yaml', roleAssignment('ra-argo', 'rg-argo')),
      ];
      for (const part of parts) {
        const item = JSON.parse(await a.kubectl(['replace', '-f', part, '-o', 'json'])) as {
          metadata: { finalizers?: string[]; annotations?: Record<string, string> };
        };
        assert.equal(item.metadata.finalizers, undefined, 'the replace dropped the finalizer');
        assert.equal(
          item.metadata.annotations?.['serviceoperator.azure.com/resource-id'],
          undefined,
          'the replace dropped the annotations',
        );
      }
      for (const resource of ['resourcegroup/rg-argo', 'roleassignment/ra-argo']) {
        await eventually(async () => {
          const metadata = JSON.parse(await a.kubectl(['get', resource, '-o', 'jsonpath={.metadata}'])) as {
            finalizers?: string[];
            annotations?: Record<string, string>;
          };
          return metadata.finalizers?.includes('serviceoperator.azure.com/finalizer') === true &&
            metadata.annotations?.['serviceoperator.azure.com/resource-id'] !== undefined
            ? true
            : undefined;
        }, `${resource} healed`);
        await waitForReady(a, resource);
      }
      const after = await environment.armLog();
      assert.deepEqual(assignments(after), assignments(before), 'no second role assignment');
      assert.deepEqual(await writes(rgPath('rg-argo')), { puts: 1, deletes: 0 });
      assert.equal(after.filter((entry) => entry.method === 'DELETE').length, 0);
      await a.kubectl(['delete', '-f', file, '--wait=true', '--timeout=60s']);
      assert.ok(await isGone(a, 'resourcegroup/rg-argo'));
      assert.equal(
        (await environment.armGet(rgPath('rg-argo'), apiVersion.rg)).status,
        404,
        'healed: the finalizer deletes it in Azure again',
      );
    },
  );
});
