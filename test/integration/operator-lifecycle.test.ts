// The operator end to end in one process (embedded API server + ARM emulator + operator over HTTPS): ResourceGroup and
// StorageAccount reach Ready; re-apply and resync make zero PUTs; a spec change makes exactly one; delete under each
// policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  armRequests,
  eventually,
  readyOf,
  startEnvironment,
  subscriptionId,
  waitForReady,
  waitForReconciles,
} from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const sa = { group: 'storage.azure.com', version: 'v1api20230101', plural: 'storageaccounts', namespace: 'default' };
const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;

test('operator lifecycle against the emulator', async (t) => {
  const environment = await startEnvironment();
  t.after(() => environment.close());
  const { custom, emulator, operator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);

  await t.test('ResourceGroup reaches Ready with one PUT and the operator annotations', async () => {
    await custom.createNamespacedCustomObject({
      ...rg,
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'rg-life' },
        spec: { location: 'westus', tags: { env: 'test' } },
      },
    });
    const object = await waitForReady(environment, { ...rg, name: 'rg-life' });
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-life')), 1);
    assert.deepEqual(object.metadata.finalizers, ['serviceoperator.azure.com/finalizer']);
    assert.equal(object.metadata.annotations?.['serviceoperator.azure.com/resource-id'], rgPath('rg-life'));
    assert.equal(object.metadata.annotations?.['serviceoperator.azure.com/latest-reconciled-generation'], '1');
    const put = emulator.requestLog().find((entry) => entry.method === 'PUT' && entry.path === rgPath('rg-life'));
    assert.deepEqual((put?.body as { location?: string; tags?: unknown }).tags, { env: 'test' });
  });

  await t.test('StorageAccount owned by the ResourceGroup reaches Ready and exports its key to a Secret', async () => {
    await custom.createNamespacedCustomObject({
      ...sa,
      body: {
        apiVersion: `${sa.group}/${sa.version}`,
        kind: 'StorageAccount',
        metadata: { name: 'salife1' },
        spec: {
          location: 'westus',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          owner: { name: 'rg-life' },
          // TODO(emulator): once it returns primaryEndpoints, also export blobEndpoint to a ConfigMap here.
          operatorSpec: { secrets: { key1: { name: 'salife1-secret', key: 'key1' } } },
        },
      },
    });
    const object = await waitForReady(environment, { ...sa, name: 'salife1' });
    assert.equal(
      object.metadata.annotations?.['serviceoperator.azure.com/resource-id'],
      `${rgPath('rg-life')}/providers/Microsoft.Storage/storageAccounts/salife1`,
    );
    assert.equal(armRequests(emulator, 'PUT', '/storageAccounts/salife1'), 1);
    const owners =
      (object.metadata as { ownerReferences?: Array<{ kind: string; name: string }> }).ownerReferences ?? [];
    assert.deepEqual(
      owners.map((owner) => `${owner.kind}/${owner.name}`),
      ['ResourceGroup/rg-life'],
      'children carry an ownerReference to their owner',
    );
    const secret = await core.readNamespacedSecret({ namespace: 'default', name: 'salife1-secret' });
    assert.ok((secret.data?.['key1'] ?? '') !== '');
    assert.equal(secret.metadata?.ownerReferences?.[0]?.name, 'salife1');
  });

  await t.test('a forced resync makes zero PUTs and no status writes', async () => {
    const before = emulator.requestLog().filter((entry) => entry.method === 'PUT').length;
    const objectBefore = (await custom.getNamespacedCustomObject({ ...rg, name: 'rg-life' })) as {
      metadata: { resourceVersion: string };
    };
    const since = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, since, 2);
    assert.equal(emulator.requestLog().filter((entry) => entry.method === 'PUT').length, before);
    const objectAfter = (await custom.getNamespacedCustomObject({ ...rg, name: 'rg-life' })) as {
      metadata: { resourceVersion: string };
    };
    assert.equal(
      objectAfter.metadata.resourceVersion,
      objectBefore.metadata.resourceVersion,
      'no Kubernetes write for an up-to-date object',
    );
  });

  await t.test('a spec change makes exactly one PUT', async () => {
    await custom.patchNamespacedCustomObject(
      { ...rg, name: 'rg-life', body: { spec: { tags: { env: 'prod' } } } },
      mergePatchOptions(),
    );
    await eventually(async () => {
      const object = (await custom.getNamespacedCustomObject({ ...rg, name: 'rg-life' })) as Parameters<
        typeof readyOf
      >[0];
      return object.metadata.generation === 2 &&
        readyOf(object)?.observedGeneration === 2 &&
        readyOf(object)?.status === 'True'
        ? true
        : undefined;
    }, 'generation 2 Ready');
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-life')), 2);
  });

  await t.test('delete under detach-on-delete keeps the Azure resource', async () => {
    await custom.createNamespacedCustomObject({
      ...rg,
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: {
          name: 'rg-detach',
          annotations: { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' },
        },
        spec: { location: 'westus' },
      },
    });
    await waitForReady(environment, { ...rg, name: 'rg-detach' });
    await custom.deleteNamespacedCustomObject({ ...rg, name: 'rg-detach' });
    await eventually(
      async () => ((await exists(environment, 'rg-detach')) ? undefined : true),
      'rg-detach gone from Kubernetes',
    );
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-detach')), 0);
  });

  await t.test('skip only reads: an existing resource is reported, never written, and kept on delete', async () => {
    const puts = armRequests(emulator, 'PUT', rgPath('rg-detach'));
    await custom.createNamespacedCustomObject({
      ...rg,
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'rg-detach', annotations: { 'serviceoperator.azure.com/reconcile-policy': 'skip' } },
        spec: { location: 'westus', tags: { different: 'yes' } },
      },
    });
    await waitForReady(environment, { ...rg, name: 'rg-detach' });
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-detach')), puts);
    await custom.createNamespacedCustomObject({
      ...rg,
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'rg-missing', annotations: { 'serviceoperator.azure.com/reconcile-policy': 'skip' } },
        spec: { location: 'westus' },
      },
    });
    await waitForReady(environment, { ...rg, name: 'rg-missing' }, 'False', 'AzureResourceNotFound');
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-missing')), 0);
    await custom.deleteNamespacedCustomObject({ ...rg, name: 'rg-detach' });
    await custom.deleteNamespacedCustomObject({ ...rg, name: 'rg-missing' });
    await eventually(
      async () =>
        (await exists(environment, 'rg-detach')) || (await exists(environment, 'rg-missing')) ? undefined : true,
      'skip objects gone',
    );
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-detach')), 0);
  });

  await t.test('a user finalizer blocks the Azure delete until it is removed', async () => {
    await custom.createNamespacedCustomObject({
      ...rg,
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'rg-guarded', finalizers: ['example.com/protect'] },
        spec: { location: 'westus' },
      },
    });
    await waitForReady(environment, { ...rg, name: 'rg-guarded' });
    await custom.deleteNamespacedCustomObject({ ...rg, name: 'rg-guarded' });
    await waitForReady(environment, { ...rg, name: 'rg-guarded' }, 'False', 'DeletionBlockedByFinalizer');
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-guarded')), 0);
    const object = (await custom.getNamespacedCustomObject({ ...rg, name: 'rg-guarded' })) as {
      metadata: { finalizers: string[] };
    };
    await custom.patchNamespacedCustomObject(
      {
        ...rg,
        name: 'rg-guarded',
        body: { metadata: { finalizers: object.metadata.finalizers.filter((f) => f !== 'example.com/protect') } },
      },
      mergePatchOptions(),
    );
    await eventually(async () => ((await exists(environment, 'rg-guarded')) ? undefined : true), 'rg-guarded deleted');
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-guarded')), 1);
  });

  await t.test('delete under manage deletes in Azure: a child on its own, then its owner', async () => {
    await custom.deleteNamespacedCustomObject({ ...sa, name: 'salife1' });
    await eventually(async () => ((await existsAs(environment, sa, 'salife1')) ? undefined : true), 'salife1 deleted');
    assert.equal(armRequests(emulator, 'DELETE', '/storageAccounts/salife1'), 1);
    await custom.deleteNamespacedCustomObject({ ...rg, name: 'rg-life' });
    await eventually(async () => ((await exists(environment, 'rg-life')) ? undefined : true), 'rg-life deleted');
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-life')), 1);
  });
});

async function exists(
  environment: { custom: { getNamespacedCustomObject: (ref: never) => Promise<unknown> } },
  name: string,
): Promise<boolean> {
  return existsAs(environment, rg, name);
}

async function existsAs(
  environment: { custom: { getNamespacedCustomObject: (ref: never) => Promise<unknown> } },
  where: typeof rg,
  name: string,
): Promise<boolean> {
  try {
    await environment.custom.getNamespacedCustomObject({ ...where, name } as never);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

function mergePatchOptions() {
  return setHeaderOptionsMerge;
}

import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
const setHeaderOptionsMerge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
