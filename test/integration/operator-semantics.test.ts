// Operator semantics in one process (embedded API server + ARM emulator + operator over HTTPS):
// - a change to a dependency (owner Ready, referenced object, Secret, ConfigMap, export destination) requeues its
//   dependents at once: the operator runs on a clock that never fires, so no retry or backoff can do it instead;
// - exports are written before Ready, and a Secret someone else owns is a conflict, retried when it goes away;
// - deleting only the owner: Kubernetes garbage-collects the children, which let go of Azure (it went with the owner,
//   or was detached with it); nothing is (re)created while the owner goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { FakeClock } from '../../src/operator/internal/fake-clock.js';
import {
  eventually,
  readyOf,
  startEnvironment,
  subscriptionId,
  waitForGone,
  waitForReady,
  type Environment,
} from './operator-helpers.js';

const ref = (group: string, version: string, plural: string) => ({ group, version, plural, namespace: 'default' });
const rg = ref('resources.azure.com', 'v1api20200601', 'resourcegroups');
const sa = ref('storage.azure.com', 'v1api20230101', 'storageaccounts');
const blob = ref('storage.azure.com', 'v1api20230101', 'storageaccountsblobservices');
const container = ref('storage.azure.com', 'v1api20230101', 'storageaccountsblobservicescontainers');
const vnet = ref('network.azure.com', 'v1api20201101', 'virtualnetworks');
const subnet = ref('network.azure.com', 'v1api20201101', 'virtualnetworkssubnets');
const nsg = ref('network.azure.com', 'v1api20201101', 'networksecuritygroups');
const pg = ref('dbforpostgresql.azure.com', 'v1api20250801', 'flexibleservers');
const ra = ref('authorization.azure.com', 'v1api20220401', 'roleassignments');
const identity = ref('managedidentity.azure.com', 'v1api20181130', 'userassignedidentities');
const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const kinds: Record<string, string> = {
  resourcegroups: 'ResourceGroup',
  storageaccounts: 'StorageAccount',
  storageaccountsblobservices: 'StorageAccountsBlobService',
  storageaccountsblobservicescontainers: 'StorageAccountsBlobServicesContainer',
  virtualnetworks: 'VirtualNetwork',
  virtualnetworkssubnets: 'VirtualNetworksSubnet',
  networksecuritygroups: 'NetworkSecurityGroup',
  flexibleservers: 'FlexibleServer',
  roleassignments: 'RoleAssignment',
  userassignedidentities: 'UserAssignedIdentity',
};

async function create(
  environment: Environment,
  where: ReturnType<typeof ref>,
  name: string,
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  await environment.custom.createNamespacedCustomObject({
    ...where,
    body: {
      apiVersion: `${where.group}/${where.version}`,
      kind: kinds[where.plural],
      metadata: { name, ...metadata },
      spec,
    },
  });
}

test('a dependency change requeues its dependents at once (the operator clock never fires)', async (t) => {
  const clock = new FakeClock();
  const environment = await startEnvironment({}, { clock });
  t.after(() => environment.close());
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);

  await t.test('retries go through that clock (so below, only dependency changes can make progress)', async () => {
    await create(environment, sa, 'sanever1', {
      location: 'westus',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      owner: { name: 'rg-never' },
    });
    await waitForReady(environment, { ...sa, name: 'sanever1' }, 'False', 'WaitingForOwner');
    await eventually(async () => (clock.pending > 0 ? true : undefined), 'a retry timer on the fake clock');
  });

  await t.test('owner becomes Ready → the waiting child is written', async () => {
    await create(environment, sa, 'sadep1', {
      location: 'westus',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      owner: { name: 'rg-dep' },
    });
    await waitForReady(environment, { ...sa, name: 'sadep1' }, 'False', 'WaitingForOwner');
    await create(environment, rg, 'rg-dep', { location: 'westus' });
    await waitForReady(environment, { ...sa, name: 'sadep1' });
  });

  await t.test('referenced object gets its ARM ID → the referencing object is written with it', async () => {
    await create(environment, vnet, 'vnet-dep', {
      location: 'westus',
      owner: { name: 'rg-dep' },
      addressSpace: { addressPrefixes: ['10.2.0.0/16'] },
    });
    await create(environment, subnet, 'subnet-dep', {
      owner: { name: 'vnet-dep' },
      addressPrefix: '10.2.0.0/24',
      networkSecurityGroup: {
        reference: { group: 'network.azure.com', kind: 'NetworkSecurityGroup', name: 'nsg-dep' },
      },
    });
    await waitForReady(environment, { ...subnet, name: 'subnet-dep' }, 'False', 'ReferenceNotFound');
    await create(environment, nsg, 'nsg-dep', { location: 'westus', owner: { name: 'rg-dep' } });
    await waitForReady(environment, { ...subnet, name: 'subnet-dep' });
    const put = environment.emulator
      .requestLog()
      .find((entry) => entry.method === 'PUT' && entry.path.endsWith('/subnets/subnet-dep'));
    assert.deepEqual((put?.body as { properties: { networkSecurityGroup: unknown } }).properties.networkSecurityGroup, {
      id: `${rgPath('rg-dep')}/providers/Microsoft.Network/networkSecurityGroups/nsg-dep`,
    });
  });

  await t.test('Secret created → the waiting server is written', async () => {
    await create(environment, pg, 'pg-dep', {
      location: 'westus',
      owner: { name: 'rg-dep' },
      version: '16',
      administratorLogin: 'azoadmin',
      administratorLoginPassword: { name: 'pg-dep-secret', key: 'password' },
      sku: { name: 'Standard_B1ms', tier: 'Burstable' },
    });
    await waitForReady(environment, { ...pg, name: 'pg-dep' }, 'False', 'SecretNotFound');
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'pg-dep-secret' }, stringData: { password: 'Dep3ndency-Pa55' } },
    });
    await waitForReady(environment, { ...pg, name: 'pg-dep' });
  });

  await t.test('ConfigMap exported by an identity → the role assignment reading it is written', async () => {
    await create(environment, ra, 'ra-dep', {
      owner: { group: 'resources.azure.com', kind: 'ResourceGroup', name: 'rg-dep' },
      principalIdFromConfig: { name: 'dep-identity', key: 'principalId' },
      roleDefinitionReference: { wellKnownName: 'Reader' },
    });
    await waitForReady(environment, { ...ra, name: 'ra-dep' }, 'False', 'ConfigMapNotFound');
    const operatorSpec = {
      configMaps: { principalId: { name: 'dep-identity', key: 'principalId' } },
      secrets: { subscriptionId: { name: 'dep-identity', key: 'subscriptionId' } },
    };
    await create(environment, identity, 'id-dep', { location: 'westus', owner: { name: 'rg-dep' }, operatorSpec });
    await waitForReady(environment, { ...identity, name: 'id-dep' });
    await waitForReady(environment, { ...ra, name: 'ra-dep' });
    const configMap = await core.readNamespacedConfigMap({ namespace: 'default', name: 'dep-identity' });
    const put = environment.emulator
      .requestLog()
      .find((entry) => entry.method === 'PUT' && entry.path.includes('/roleAssignments/'));
    assert.equal(
      (put?.body as { properties: { principalId: string } }).properties.principalId,
      configMap.data?.['principalId'],
    );
    // The subscription ID is no body property: it is read from the identity's ARM ID.
    const secret = await core.readNamespacedSecret({ namespace: 'default', name: 'dep-identity' });
    const identityPut = environment.emulator
      .requestLog()
      .find((entry) => entry.method === 'PUT' && entry.path.includes('/userAssignedIdentities/id-dep'));
    const subscriptionId = /\/subscriptions\/([^/]+)\//.exec(identityPut?.path ?? '')?.[1];
    assert.equal(Buffer.from(secret.data?.['subscriptionId'] ?? '', 'base64').toString(), subscriptionId);
  });

  await t.test('a conflicting export destination removed → the export is written, and only then Ready', async () => {
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'taken-secret' }, stringData: { key1: 'someone else' } },
    });
    await create(environment, sa, 'saexport1', {
      location: 'westus',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      owner: { name: 'rg-dep' },
      operatorSpec: { secrets: { key1: { name: 'taken-secret', key: 'key1' } } },
    });
    const refused = await waitForReady(
      environment,
      { ...sa, name: 'saexport1' },
      'False',
      'AdditionalKubernetesObjectWriteFailure',
    );
    assert.equal(readyOf(refused)?.severity, 'Error');
    assert.match(readyOf(refused)?.message ?? '', /taken-secret .*not owned/);
    const untouched = await core.readNamespacedSecret({ namespace: 'default', name: 'taken-secret' });
    assert.equal(
      Buffer.from(untouched.data?.['key1'] ?? '', 'base64').toString(),
      'someone else',
      "the other writer's Secret is left alone",
    );
    await core.deleteNamespacedSecret({ namespace: 'default', name: 'taken-secret' });
    await waitForReady(environment, { ...sa, name: 'saexport1' });
    const written = await core.readNamespacedSecret({ namespace: 'default', name: 'taken-secret' });
    assert.ok(
      (written.data?.['key1'] ?? '') !== '' &&
        Buffer.from(written.data?.['key1'] ?? '', 'base64').toString() !== 'someone else',
    );
    assert.equal(written.metadata?.ownerReferences?.[0]?.name, 'saexport1');
  });

  await t.test('no time passed: the object nobody fixed still waits for its (never firing) retry', async () => {
    assert.equal(clock.now(), 0);
    assert.ok(clock.pending > 0);
    const waiting = await environment.custom.getNamespacedCustomObject({ ...sa, name: 'sanever1' });
    assert.equal(readyOf(waiting as Parameters<typeof readyOf>[0])?.reason, 'WaitingForOwner');
  });
});

test('deleting only the owner: Kubernetes garbage-collects the children, which let go without deleting in Azure (as ASO)', async (t) => {
  const environment = await startEnvironment();
  t.after(() => environment.close());
  const tree = async (group: string, account: string, policy?: string) => {
    await create(environment, rg, group, { location: 'westus' });
    await create(
      environment,
      sa,
      account,
      { location: 'westus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { name: group } },
      policy === undefined ? {} : { annotations: { 'serviceoperator.azure.com/reconcile-policy': policy } },
    );
    await create(
      environment,
      blob,
      `${account}-blob`,
      { owner: { name: account } },
      { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' } },
    );
    await create(environment, container, `${account}-container`, { owner: { name: `${account}-blob` } });
    await waitForReady(environment, { ...container, name: `${account}-container` });
  };
  const gone = async (pairs: Array<[ReturnType<typeof ref>, string]>) => {
    for (const [where, name] of pairs) await waitForGone(environment, { ...where, name });
  };

  await t.test(
    'manage: the group is deleted in Azure (with everything in it), nothing else is deleted or recreated',
    async () => {
      await tree('rg-gc', 'sagc1');
      environment.emulator.resetRequestLog();
      await environment.custom.deleteNamespacedCustomObject({ ...rg, name: 'rg-gc' });
      await gone([
        [rg, 'rg-gc'],
        [sa, 'sagc1'],
        [blob, 'sagc1-blob'],
        [container, 'sagc1-container'],
      ]);
      const writes = environment.emulator
        .requestLog()
        .filter((entry) => entry.method !== 'GET' && entry.path.startsWith('/subscriptions/'));
      assert.deepEqual(
        writes.map((entry) => `${entry.method} ${entry.path}`),
        [`DELETE ${rgPath('rg-gc')}`],
        'one DELETE; no PUT while the owner went away',
      );
    },
  );

  await t.test('detach-on-delete: the detached account keeps its container in Azure', async () => {
    await tree('rg-gc2', 'sagc2', 'detach-on-delete');
    environment.emulator.resetRequestLog();
    await environment.custom.deleteNamespacedCustomObject({ ...sa, name: 'sagc2' });
    await gone([
      [sa, 'sagc2'],
      [blob, 'sagc2-blob'],
      [container, 'sagc2-container'],
    ]);
    const writes = environment.emulator
      .requestLog()
      .filter((entry) => entry.method !== 'GET' && entry.path.startsWith('/subscriptions/'));
    assert.deepEqual(
      writes.map((entry) => `${entry.method} ${entry.path}`),
      [],
      'nothing deleted in Azure',
    );
  });
});
