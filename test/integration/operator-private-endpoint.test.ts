// A private endpoint's IP address, exported as ASO's extension does (`$manualConfigs` primaryNicPrivateIpAddress):
// the emulator creates the endpoint's network interface as Azure does, the operator reads the address there and
// writes it to the ConfigMap; deleting the endpoint takes the interface with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { armToken, call } from './emulator-helpers.js';
import { readCrds, startEnvironment, subscriptionId, testCrds, waitForGone, waitForReady } from './operator-helpers.js';

const namespace = 'default';
const at = (group: string, version: string, plural: string) => ({ group, version, plural, namespace });
const rg = at('resources.azure.com', 'v1api20200601', 'resourcegroups');
const vnet = at('network.azure.com', 'v20240301', 'virtualnetworks');
const subnet = at('network.azure.com', 'v20240301', 'virtualnetworkssubnets');
const account = at('storage.azure.com', 'v20230101', 'storageaccounts');
const endpoint = at('network.azure.com', 'v20250301', 'privateendpoints');
const kinds: Record<string, string> = {
  resourcegroups: 'ResourceGroup',
  virtualnetworks: 'VirtualNetwork',
  virtualnetworkssubnets: 'VirtualNetworksSubnet',
  storageaccounts: 'StorageAccount',
  privateendpoints: 'PrivateEndpoint',
};

test('PrivateEndpoint exports the private IP address of the network interface Azure made for it', async (t) => {
  const environment = await startEnvironment(
    {},
    { installCrds: readCrds([...testCrds, 'privateendpoints.network.azure.com']) },
  );
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  const create = (where: ReturnType<typeof at>, name: string, spec: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({
      ...where,
      body: { apiVersion: `${where.group}/${where.version}`, kind: kinds[where.plural], metadata: { name }, spec },
    });
  await create(rg, 'rg-pe', { location: 'westus2' });
  await create(vnet, 'vnet-pe', {
    location: 'westus2',
    owner: { name: 'rg-pe' },
    addressSpace: { addressPrefixes: ['10.7.0.0/16'] },
  });
  await create(subnet, 'subnet-pe', { owner: { name: 'vnet-pe' }, addressPrefix: '10.7.3.0/24' });
  await create(account, 'stpe1', {
    location: 'westus2',
    owner: { name: 'rg-pe' },
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
  });
  await create(endpoint, 'pe1', {
    location: 'westus2',
    owner: { name: 'rg-pe' },
    privateLinkServiceConnections: [
      {
        name: 'blob',
        groupIds: ['blob'],
        privateLinkServiceReference: { group: 'storage.azure.com', kind: 'StorageAccount', name: 'stpe1' },
      },
    ],
    subnet: { reference: { group: 'network.azure.com', kind: 'VirtualNetworksSubnet', name: 'subnet-pe' } },
    operatorSpec: { configMaps: { primaryNicPrivateIpAddress: { name: 'pe1-settings', key: 'ip' } } },
  });
  await waitForReady(environment, { ...endpoint, name: 'pe1' });
  const configMap = await core.readNamespacedConfigMap({ namespace, name: 'pe1-settings' });
  assert.equal(configMap.data?.['ip'], '10.7.3.4', "the subnet's first free address (Azure keeps .0 to .3)");

  const nicGets = emulator
    .requestLog()
    .filter((entry) => entry.method === 'GET' && /\/networkInterfaces\/pe1\.nic\./.test(entry.path));
  assert.ok(nicGets.length >= 1, 'the operator read the network interface the endpoint lists');
  const nicPath = (nicGets[0]?.path ?? '').split('?')[0] ?? '';
  assert.match(
    nicPath,
    new RegExp(`^/subscriptions/${subscriptionId}/resourceGroups/rg-pe/providers/Microsoft.Network/`),
  );

  await custom.deleteNamespacedCustomObject({ ...endpoint, name: 'pe1' });
  await waitForGone(environment, { ...endpoint, name: 'pe1' });
  const token = await armToken(emulator);
  const nic = await call(emulator, 'GET', `${nicPath}?api-version=2024-03-01`, { token });
  assert.equal(nic.status, 404, 'the interface went with the endpoint');
});
