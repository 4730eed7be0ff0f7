// ASO's FAQ workflows as tests: move resources between clusters (two API servers, one emulator) and between
// namespaces with `skip`; active-passive; an Argo CD-style replace that drops the finalizer and operator annotations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startEmulator } from '../../src/emulator/index.js';
import { listKindModels } from '../../src/model/index.js';
import { armRequests, eventually, startEnvironment, subscriptionId, waitForReady, type Environment } from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups' };
const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const skip = { 'serviceoperator.azure.com/reconcile-policy': 'skip' };
const body = (name: string, namespace: string, tags: Record<string, string>, annotations: Record<string, string> = {}) => ({
  apiVersion: `${rg.group}/${rg.version}`, kind: 'ResourceGroup', metadata: { name, namespace, annotations }, spec: { location: 'westus', tags },
});

async function gone(environment: Environment, namespace: string, name: string): Promise<boolean> {
  try {
    await environment.custom.getNamespacedCustomObject({ ...rg, namespace, name });
    return false;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return true;
    throw error;
  }
}

async function ensureNamespace(environment: Environment, name: string, annotations: Record<string, string> = {}): Promise<void> {
  await environment.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, annotations } } });
}

test('FAQ workflows', async (t) => {
  const emulator = await startEmulator({ models: await listKindModels() });
  const a = await startEnvironment({}, { emulator });
  const b = await startEnvironment({}, { emulator });
  t.after(async () => {
    await a.close();
    await b.close();
    await emulator.close();
  });

  await t.test('move from cluster A to cluster B: skip on A, adopt in B, delete in A leaves Azure alone', async () => {
    await a.custom.createNamespacedCustomObject({ ...rg, namespace: 'default', body: body('rg-move', 'default', { owner: 'a' }) });
    await waitForReady(a, { ...rg, namespace: 'default', name: 'rg-move' });
    await a.custom.patchNamespacedCustomObject({ ...rg, namespace: 'default', name: 'rg-move', body: { metadata: { annotations: skip } } }, merge);
    await b.custom.createNamespacedCustomObject({ ...rg, namespace: 'default', body: body('rg-move', 'default', { owner: 'a' }) });
    await waitForReady(b, { ...rg, namespace: 'default', name: 'rg-move' });
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-move')), 1, 'B adopted without writing');
    await a.custom.deleteNamespacedCustomObject({ ...rg, namespace: 'default', name: 'rg-move' });
    await eventually(async () => ((await gone(a, 'default', 'rg-move')) ? true : undefined), 'rg-move gone from A');
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-move')), 0);
    await b.custom.patchNamespacedCustomObject({ ...rg, namespace: 'default', name: 'rg-move', body: { spec: { tags: { owner: 'b' } } } }, merge);
    await eventually(async () => (armRequests(emulator, 'PUT', rgPath('rg-move')) === 2 ? true : undefined), 'B writes the change');
  });

  await t.test('move between namespaces the same way', async () => {
    await ensureNamespace(a, 'ns-old');
    await ensureNamespace(a, 'ns-new');
    await a.custom.createNamespacedCustomObject({ ...rg, namespace: 'ns-old', body: body('rg-ns', 'ns-old', { v: '1' }) });
    await waitForReady(a, { ...rg, namespace: 'ns-old', name: 'rg-ns' });
    await a.custom.patchNamespacedCustomObject({ ...rg, namespace: 'ns-old', name: 'rg-ns', body: { metadata: { annotations: skip } } }, merge);
    await a.custom.createNamespacedCustomObject({ ...rg, namespace: 'ns-new', body: body('rg-ns', 'ns-new', { v: '1' }) });
    await waitForReady(a, { ...rg, namespace: 'ns-new', name: 'rg-ns' });
    await a.custom.deleteNamespacedCustomObject({ ...rg, namespace: 'ns-old', name: 'rg-ns' });
    await eventually(async () => ((await gone(a, 'ns-old', 'rg-ns')) ? true : undefined), 'old object gone');
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-ns')), 0);
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-ns')), 1);
  });

  await t.test('active-passive: the passive cluster (namespace skip) reports and never writes; removing skip activates it', async () => {
    await ensureNamespace(b, 'passive', skip);
    await a.custom.createNamespacedCustomObject({ ...rg, namespace: 'default', body: body('rg-ap', 'default', { side: 'active' }) });
    await waitForReady(a, { ...rg, namespace: 'default', name: 'rg-ap' });
    await b.custom.createNamespacedCustomObject({ ...rg, namespace: 'passive', body: body('rg-ap', 'passive', { side: 'passive' }) });
    const passive = await waitForReady(b, { ...rg, namespace: 'passive', name: 'rg-ap' }) as { status?: { tags?: Record<string, string> } };
    assert.deepEqual(passive.status?.tags, { side: 'active' }, 'the passive side reports what Azure has');
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-ap')), 1);
    await a.custom.patchNamespacedCustomObject({ ...rg, namespace: 'default', name: 'rg-ap', body: { metadata: { annotations: skip } } }, merge);
    await b.kubeConfig.makeApiClient(CoreV1Api).patchNamespace({ name: 'passive', body: { metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': null } } } }, merge);
    await eventually(async () => (armRequests(emulator, 'PUT', rgPath('rg-ap')) === 2 ? true : undefined), 'the newly active side writes its spec');
  });

  await t.test('an Argo CD-style replace dropping the finalizer and annotations is healed without delete or duplicate create', async () => {
    await a.custom.createNamespacedCustomObject({ ...rg, namespace: 'default', body: body('rg-argo', 'default', { app: 'argo' }) });
    await waitForReady(a, { ...rg, namespace: 'default', name: 'rg-argo' });
    const live = await a.custom.getNamespacedCustomObject({ ...rg, namespace: 'default', name: 'rg-argo' }) as { metadata: { resourceVersion: string } };
    await a.custom.replaceNamespacedCustomObject({
      ...rg, namespace: 'default', name: 'rg-argo',
      body: { ...body('rg-argo', 'default', { app: 'argo' }), metadata: { name: 'rg-argo', namespace: 'default', resourceVersion: live.metadata.resourceVersion } },
    });
    await eventually(async () => {
      const object = await a.custom.getNamespacedCustomObject({ ...rg, namespace: 'default', name: 'rg-argo' }) as { metadata: { finalizers?: string[]; annotations?: Record<string, string> } };
      return object.metadata.finalizers?.includes('serviceoperator.azure.com/finalizer') && object.metadata.annotations?.['serviceoperator.azure.com/resource-id'] !== undefined ? true : undefined;
    }, 'finalizer and resource-id restored');
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-argo')), 1);
    assert.equal(armRequests(emulator, 'DELETE', rgPath('rg-argo')), 0);
  });
});
