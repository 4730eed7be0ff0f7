// An instance failover group's ARM type is Microsoft.Sql/locations/instanceFailoverGroups: its owner is a location
// given by armId (no Kubernetes object stands for it), and its instance pairs are references to ManagedInstances by
// Kubernetes name. The operator builds the ID under the location, resolves the references to ARM IDs in the body,
// reaches Ready and deletes the group (only the group) when the object goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { armToken, call } from './emulator-helpers.js';
import { readCrds, startEnvironment, subscriptionId, testCrds, waitForGone, waitForReady } from './operator-helpers.js';

const namespace = 'default';
const at = (group: string, version: string, plural: string) => ({ group, version, plural, namespace });
const rg = at('resources.azure.com', 'v1api20200601', 'resourcegroups');
const instance = at('sql.azure.com', 'v20250101', 'managedinstances');
const failoverGroup = at('sql.azure.com', 'v20250101', 'instancefailovergroups');
const kinds: Record<string, string> = {
  resourcegroups: 'ResourceGroup',
  managedinstances: 'ManagedInstance',
  instancefailovergroups: 'InstanceFailoverGroup',
};

test('InstanceFailoverGroup, owned by a location given by armId, pairs two ManagedInstances and reaches Ready', async (t) => {
  const environment = await startEnvironment(
    {},
    {
      installCrds: readCrds([...testCrds, 'managedinstances.sql.azure.com', 'instancefailovergroups.sql.azure.com']),
    },
  );
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  const create = (where: ReturnType<typeof at>, name: string, spec: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({
      ...where,
      body: { apiVersion: `${where.group}/${where.version}`, kind: kinds[where.plural], metadata: { name }, spec },
    });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: 'mi-secret' }, stringData: { adminPassword: 'S3cure-enough-Passw0rd!' } },
  });
  const resourceGroupId = `/subscriptions/${subscriptionId}/resourceGroups/rg-fog`;
  await create(rg, 'rg-fog', { location: 'westeurope' });
  const managedInstance = (name: string, location: string) =>
    create(instance, name, {
      owner: { name: 'rg-fog' },
      location,
      administratorLogin: 'miadmin',
      administratorLoginPassword: { name: 'mi-secret', key: 'adminPassword' },
      subnetReference: {
        armId: `${resourceGroupId}/providers/Microsoft.Network/virtualNetworks/vnet-${location}/subnets/mi`,
      },
      sku: { name: 'GP_Gen5', tier: 'GeneralPurpose' },
      vCores: 4,
      storageSizeInGB: 32,
    });
  await managedInstance('mi-primary', 'westeurope');
  await managedInstance('mi-secondary', 'germanywestcentral');
  await create(failoverGroup, 'fog', {
    owner: { armId: `${resourceGroupId}/providers/Microsoft.Sql/locations/westeurope` },
    azureName: 'fog-azure',
    secondaryType: 'Geo',
    partnerRegions: [{ location: 'germanywestcentral' }],
    managedInstancePairs: [
      {
        primaryManagedInstanceReference: { group: 'sql.azure.com', kind: 'ManagedInstance', name: 'mi-primary' },
        partnerManagedInstanceReference: { group: 'sql.azure.com', kind: 'ManagedInstance', name: 'mi-secondary' },
      },
    ],
    readWriteEndpoint: { failoverPolicy: 'Automatic', failoverWithDataLossGracePeriodMinutes: 60 },
  });
  const ready = await waitForReady(environment, { ...failoverGroup, name: 'fog' });

  const groupPath = `${resourceGroupId}/providers/Microsoft.Sql/locations/westeurope/instanceFailoverGroups/fog-azure`;
  const annotations = (ready as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations;
  assert.equal(annotations?.['serviceoperator.azure.com/resource-id'], groupPath, 'the ID is built under the location');
  const puts = emulator
    .requestLog()
    .filter((entry) => entry.method === 'PUT' && entry.path.split('?')[0] === groupPath);
  assert.equal(puts.length, 1, 'one PUT of the group at its location-scoped ID');
  const token = await armToken(emulator);
  const stored = await call(emulator, 'GET', `${groupPath}?api-version=2025-01-01`, { token });
  assert.equal(stored.status, 200);
  const properties = (stored.json as { properties?: Record<string, unknown> }).properties ?? {};
  const instanceId = (name: string) => `${resourceGroupId}/providers/Microsoft.Sql/managedInstances/${name}`;
  assert.deepEqual(
    properties['managedInstancePairs'],
    [{ primaryManagedInstanceId: instanceId('mi-primary'), partnerManagedInstanceId: instanceId('mi-secondary') }],
    'the references became the instances’ ARM IDs',
  );
  assert.deepEqual(properties['partnerRegions'], [{ location: 'germanywestcentral' }]);

  await custom.deleteNamespacedCustomObject({ ...failoverGroup, name: 'fog' });
  await waitForGone(environment, { ...failoverGroup, name: 'fog' });
  const deletes = emulator.requestLog().filter((entry) => entry.method === 'DELETE');
  assert.deepEqual(
    deletes.map((entry) => entry.path.split('?')[0]),
    [groupPath],
    'only the group is deleted in Azure',
  );
  const after = await call(emulator, 'GET', `${groupPath}?api-version=2025-01-01`, { token });
  assert.equal(after.status, 404);
  const primary = await call(emulator, 'GET', `${instanceId('mi-primary')}?api-version=2025-01-01`, { token });
  assert.equal(primary.status, 200, 'the instances stay');
});
