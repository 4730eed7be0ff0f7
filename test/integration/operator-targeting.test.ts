// AZURE_TARGET_NAMESPACES limits what is watched (custom objects, Secrets, ConfigMaps: never the whole cluster's);
// CRDs installed after start are served too; CRDs the operator installs are created or upgraded, never deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startApiServer } from '../../src/kube/index.js';
import { startOperator } from '../../src/operator/index.js';
import {
  armRequests,
  readCrds,
  startEnvironment,
  subscriptionId,
  waitForReady,
  waitForReconciles,
} from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups' };

test('targeting and late CRDs', async (t) => {
  const environment = await startEnvironment({ AZURE_TARGET_NAMESPACES: 'team-a' }, { recordKubeRequests: true });
  t.after(() => environment.close());
  const { custom, emulator, operator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  for (const name of ['team-a', 'team-b']) await core.createNamespace({ body: { metadata: { name } } });

  await t.test('only the target namespace is reconciled', async () => {
    await custom.createNamespacedCustomObject({
      ...rg,
      namespace: 'team-b',
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'rg-b' },
        spec: { location: 'westus' },
      },
    });
    await custom.createNamespacedCustomObject({
      ...rg,
      namespace: 'team-a',
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'rg-a' },
        spec: { location: 'westus' },
      },
    });
    await waitForReady(environment, { ...rg, namespace: 'team-a', name: 'rg-a' });
    const since = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, since, 1);
    assert.equal(armRequests(emulator, 'PUT', `/subscriptions/${subscriptionId}/resourceGroups/rg-b`), 0);
    const untouched = (await custom.getNamespacedCustomObject({ ...rg, namespace: 'team-b', name: 'rg-b' })) as {
      metadata: { finalizers?: string[] };
      status?: unknown;
    };
    assert.equal(untouched.metadata.finalizers, undefined);
    assert.equal(untouched.status, undefined);
  });

  await t.test('Secrets, ConfigMaps and custom objects are listed and watched only in the target namespace', () => {
    const paths = environment.kubeRequests
      .map((line) => line.split(' ')[1] ?? '')
      .map((url) => url.split('?')[0] ?? '');
    for (const plural of ['secrets', 'configmaps']) {
      assert.ok(!paths.includes(`/api/v1/${plural}`), `no cluster-wide ${plural} list or watch`);
      assert.ok(paths.includes(`/api/v1/namespaces/team-a/${plural}`), `${plural} watched in team-a`);
      assert.ok(!paths.some((path) => path.startsWith('/api/v1/namespaces/team-b/')), 'nothing read in team-b');
    }
    assert.ok(
      !paths.some((path) => /^\/apis\/[^/]+\.azure\.com\/[^/]+\/[^/]+$/.test(path)),
      'no cluster-wide list or watch of a kind',
    );
    assert.ok(
      paths.includes(`/apis/${rg.group}/${rg.version}/namespaces/team-a/resourcegroups`) ||
        paths.some((path) => path.endsWith('/namespaces/team-a/resourcegroups')),
    );
  });

  await t.test('a CRD installed after start is served', async () => {
    assert.ok(!operator.servedKinds().includes('network.azure.com/PrivateDnsZone'));
    const [crd] = readCrds(['privatednszones.network.azure.com']);
    assert.ok(crd);
    await environment.kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
    const zones = {
      group: 'network.azure.com',
      version: 'v1api20180901',
      plural: 'privatednszones',
      namespace: 'team-a',
    };
    await custom.createNamespacedCustomObject({
      ...rg,
      namespace: 'team-a',
      body: {
        apiVersion: `${rg.group}/${rg.version}`,
        kind: 'ResourceGroup',
        metadata: { name: 'rg-dns' },
        spec: { location: 'westus' },
      },
    });
    await waitForReady(environment, { ...rg, namespace: 'team-a', name: 'rg-dns' });
    let created = false;
    for (let i = 0; i < 100 && !created; i++) {
      try {
        await custom.createNamespacedCustomObject({
          ...zones,
          body: {
            apiVersion: `${zones.group}/${zones.version}`,
            kind: 'PrivateDnsZone',
            metadata: { name: 'zone1' },
            spec: { location: 'global', azureName: 'privatelink.example.com', owner: { name: 'rg-dns' } },
          },
        });
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
  await environment.custom.createNamespacedCustomObject({
    ...rg,
    namespace: 'default',
    body: {
      apiVersion: `${rg.group}/${rg.version}`,
      kind: 'ResourceGroup',
      metadata: { name: 'rg-global' },
      spec: { location: 'westus' },
    },
  });
  await waitForReady(environment, { ...rg, namespace: 'default', name: 'rg-global' }, 'False', 'CredentialInvalid');
  // Run outside a cluster, the operator created its namespace to keep the digest key in.
  assert.equal(
    (await core.readNamespacedSecret({ namespace: 'azo-system', name: 'azo-digest-key' })).metadata?.name,
    'azo-digest-key',
  );
  await core.createNamespacedSecret({
    namespace: 'azo-system',
    body: {
      metadata: { name: 'aso-controller-settings' },
      stringData: {
        AZURE_SUBSCRIPTION_ID: subscriptionId,
        AZURE_TENANT_ID: environment.emulator.tenantId,
        AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000c5e7',
        AZURE_CLIENT_SECRET: 'from-settings',
      },
    },
  });
  await waitForReady(environment, { ...rg, namespace: 'default', name: 'rg-global' });
  assert.equal(
    armRequests(environment.emulator, 'PUT', `/subscriptions/${subscriptionId}/resourceGroups/rg-global`),
    1,
  );
});

test('CRDs the operator is told to install are created or upgraded; other CRDs are never deleted', async (t) => {
  const apiServer = await startApiServer({ port: 0 });
  t.after(() => apiServer.close());
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const crds = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const [resourceGroups, zones] = readCrds(['resourcegroups.resources.azure.com', 'privatednszones.network.azure.com']);
  assert.ok(resourceGroups && zones);
  const outdated = structuredClone(resourceGroups);
  const firstVersion = outdated.spec.versions[0];
  assert.ok(firstVersion?.schema?.openAPIV3Schema);
  firstVersion.schema.openAPIV3Schema.description = 'an outdated CRD';
  await crds.createCustomResourceDefinition({ body: outdated });
  await crds.createCustomResourceDefinition({ body: zones });
  const description = async () =>
    (await crds.readCustomResourceDefinition({ name: 'resourcegroups.resources.azure.com' })).spec.versions[0]?.schema
      ?.openAPIV3Schema?.description;
  assert.equal(await description(), 'an outdated CRD');
  const env = {
    AZURE_SUBSCRIPTION_ID: subscriptionId,
    AZURE_TENANT_ID: 't',
    AZURE_CLIENT_ID: 'c',
    AZURE_CLIENT_SECRET: 's',
    AZURE_SYNC_PERIOD: 'never',
  };
  for (const installCrds of [[resourceGroups], []]) {
    const operator = await startOperator({ kubeConfig, installCrds, env, logger: pino({ level: 'silent' }) });
    const names = (await crds.listCustomResourceDefinition()).items.map((crd) => crd.metadata?.name).sort();
    assert.deepEqual(
      names,
      ['privatednszones.network.azure.com', 'resourcegroups.resources.azure.com'],
      'nothing deleted',
    );
    assert.equal(
      await description(),
      resourceGroups.spec.versions[0]?.schema?.openAPIV3Schema?.description,
      'the selected CRD was upgraded',
    );
    assert.deepEqual(
      operator.servedKinds().sort(),
      ['network.azure.com/PrivateDnsZone', 'resources.azure.com/ResourceGroup'],
      'every installed kind is served',
    );
    await operator.stop();
  }
});

test('a CRD the operator installs keeps every schema keyword (enum, default, x-kubernetes-*)', async (t) => {
  const apiServer = await startApiServer({ port: 0 });
  t.after(() => apiServer.close());
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const [storage] = readCrds(['storageaccounts.storage.azure.com']);
  assert.ok(storage);
  const keywords = (value: unknown, counts = new Map<string, number>()): Map<string, number> => {
    if (Array.isArray(value)) for (const item of value) keywords(item, counts);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'enum' || key === 'default' || key.startsWith('x-kubernetes-'))
          counts.set(key, (counts.get(key) ?? 0) + 1);
        keywords(item, counts);
      }
    }
    return counts;
  };
  const expected = keywords(storage.spec);
  assert.ok((expected.get('enum') ?? 0) > 10, 'the StorageAccount CRD has enums to lose');
  const env = {
    AZURE_SUBSCRIPTION_ID: subscriptionId,
    AZURE_TENANT_ID: 't',
    AZURE_CLIENT_ID: 'c',
    AZURE_CLIENT_SECRET: 's',
    AZURE_SYNC_PERIOD: 'never',
  };
  for (const round of ['installed', 'upgraded']) {
    const operator = await startOperator({
      kubeConfig,
      installCrds: [storage],
      env,
      logger: pino({ level: 'silent' }),
    });
    await operator.stop();
    const stored = (await kubeConfig.makeApiClient(CustomObjectsApi).getClusterCustomObject({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      plural: 'customresourcedefinitions',
      name: 'storageaccounts.storage.azure.com',
    })) as { spec: unknown };
    assert.deepEqual(
      keywords(stored.spec),
      expected,
      `the ${round} CRD has the same schema keywords as the generated one`,
    );
  }
});
