// AZURE_TARGET_NAMESPACES limits what is watched; CRDs installed after start are served too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiextensionsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { armRequests, readCrds, startEnvironment, subscriptionId, waitForReady, waitForReconciles } from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups' };

test('targeting and late CRDs', async (t) => {
  const environment = await startEnvironment({ AZURE_TARGET_NAMESPACES: 'team-a' });
  t.after(() => environment.close());
  const { custom, emulator, operator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  for (const name of ['team-a', 'team-b']) await core.createNamespace({ body: { metadata: { name } } });

  await t.test('only the target namespace is reconciled', async () => {
    await custom.createNamespacedCustomObject({ ...rg, namespace: 'team-b', body: { apiVersion: `${rg.group}/${rg.version}`, kind: 'ResourceGroup', metadata: { name: 'rg-b' }, spec: { location: 'westus' } } });
    await custom.createNamespacedCustomObject({ ...rg, namespace: 'team-a', body: { apiVersion: `${rg.group}/${rg.version}`, kind: 'ResourceGroup', metadata: { name: 'rg-a' }, spec: { location: 'westus' } } });
    await waitForReady(environment, { ...rg, namespace: 'team-a', name: 'rg-a' });
    const since = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, since, 1);
    assert.equal(armRequests(emulator, 'PUT', `/subscriptions/${subscriptionId}/resourceGroups/rg-b`), 0);
    const untouched = await custom.getNamespacedCustomObject({ ...rg, namespace: 'team-b', name: 'rg-b' }) as { metadata: { finalizers?: string[] }; status?: unknown };
    assert.equal(untouched.metadata.finalizers, undefined);
    assert.equal(untouched.status, undefined);
  });

  await t.test('a CRD installed after start is served', async () => {
    assert.ok(!operator.servedKinds().includes('network.azure.com/PrivateDnsZone'));
    const [crd] = readCrds(['privatednszones.network.azure.com']);
    assert.ok(crd);
    await environment.kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
    const zones = { group: 'network.azure.com', version: 'v1api20180901', plural: 'privatednszones', namespace: 'team-a' };
    await custom.createNamespacedCustomObject({ ...rg, namespace: 'team-a', body: { apiVersion: `${rg.group}/${rg.version}`, kind: 'ResourceGroup', metadata: { name: 'rg-dns' }, spec: { location: 'westus' } } });
    await waitForReady(environment, { ...rg, namespace: 'team-a', name: 'rg-dns' });
    let created = false;
    for (let i = 0; i < 100 && !created; i++) {
      try {
        await custom.createNamespacedCustomObject({ ...zones, body: { apiVersion: `${zones.group}/${zones.version}`, kind: 'PrivateDnsZone', metadata: { name: 'zone1' }, spec: { location: 'global', azureName: 'privatelink.example.com', owner: { name: 'rg-dns' } } } });
        created = true;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await waitForReady(environment, { ...zones, name: 'zone1' });
    assert.ok(operator.servedKinds().includes('network.azure.com/PrivateDnsZone'));
  });
});

test('the global credential from the aso-controller-settings Secret', async (t) => {
  const environment = await startEnvironment({ AZURE_CLIENT_SECRET: '', POD_NAMESPACE: 'azo-system' });
  t.after(() => environment.close());
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  await environment.custom.createNamespacedCustomObject({ ...rg, namespace: 'default', body: { apiVersion: `${rg.group}/${rg.version}`, kind: 'ResourceGroup', metadata: { name: 'rg-global' }, spec: { location: 'westus' } } });
  await waitForReady(environment, { ...rg, namespace: 'default', name: 'rg-global' }, 'False', 'CredentialInvalid');
  await core.createNamespace({ body: { metadata: { name: 'azo-system' } } });
  await core.createNamespacedSecret({ namespace: 'azo-system', body: { metadata: { name: 'aso-controller-settings' }, stringData: { AZURE_SUBSCRIPTION_ID: subscriptionId, AZURE_TENANT_ID: environment.emulator.tenantId, AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000c5e7', AZURE_CLIENT_SECRET: 'from-settings' } } });
  await waitForReady(environment, { ...rg, namespace: 'default', name: 'rg-global' });
  assert.equal(armRequests(environment.emulator, 'PUT', `/subscriptions/${subscriptionId}/resourceGroups/rg-global`), 1);
});
