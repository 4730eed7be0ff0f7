// Issue 12's end-to-end check: one object of each of 20 kinds from 10 groups, applied with kubectl at an older
// version than the kind's hub (owners and a reference among them), is read back at the hub version converted, and
// reaches Ready against the emulator (which validates every PUT body with the hub version's model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKindModel } from '../../src/model/index.js';
import { startE2e, waitForReady } from './operator-helpers.js';

const owner = (name: string) => `  owner:\n    name: ${name}\n`;
const object = (apiVersion: string, kind: string, name: string, spec: string) =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;

/** [apiVersion, kind, name, spec] of each object; every apiVersion is older than its kind's hub. */
const objects: Array<[string, string, string, string]> = [
  [
    'cache.azure.com/v1api20201201',
    'Redis',
    'kinds-redis',
    `  location: westus\n  sku:\n    name: Basic\n    family: C\n    capacity: 0\n${owner('kinds-rg')}`,
  ],
  [
    'cache.azure.com/v20201201',
    'RedisFirewallRule',
    'kinds-redis-fw',
    `  startIP: 10.0.0.1\n  endIP: 10.0.0.2\n${owner('kinds-redis')}`,
  ],
  [
    'cdn.azure.com/v1api20210601',
    'Profile',
    'kinds-cdn',
    `  location: Global\n  sku:\n    name: Standard_Microsoft\n${owner('kinds-rg')}`,
  ],
  [
    'documentdb.azure.com/v1api20210515',
    'DatabaseAccount',
    'kinds-cosmos',
    `  location: westus\n  databaseAccountOfferType: Standard\n  locations:\n  - locationName: westus\n` +
      `${owner('kinds-rg')}`,
  ],
  [
    'documentdb.azure.com/v20210515',
    'SqlDatabase',
    'kinds-cosmos-db',
    `  resource:\n    id: kinds-cosmos-db\n${owner('kinds-cosmos')}`,
  ],
  [
    'storage.azure.com/v1api20210401',
    'StorageAccount',
    'kindssa',
    `  location: westus\n  kind: StorageV2\n  sku:\n    name: Standard_LRS\n${owner('kinds-rg')}`,
  ],
  ['storage.azure.com/v20220901', 'StorageAccountsBlobService', 'kindssa-blob', owner('kindssa')],
  [
    'storage.azure.com/v1api20210401',
    'StorageAccountsBlobServicesContainer',
    'kindssa-container',
    owner('kindssa-blob'),
  ],
  [
    'managedidentity.azure.com/v1api20181130',
    'UserAssignedIdentity',
    'kinds-identity',
    `  location: westus\n${owner('kinds-rg')}`,
  ],
  [
    'managedidentity.azure.com/v1api20220131preview',
    'FederatedIdentityCredential',
    'kinds-fic',
    `  audiences:\n  - api://AzureADTokenExchange\n  issuer: https://issuer.example.com\n  subject: ` +
      `system:serviceaccount:default:app\n${owner('kinds-identity')}`,
  ],
  ['network.azure.com/v1api20201101', 'NetworkSecurityGroup', 'kinds-nsg', `  location: westus\n${owner('kinds-rg')}`],
  [
    'network.azure.com/v1api20201101',
    'VirtualNetwork',
    'kinds-vnet',
    `  location: westus\n  addressSpace:\n    addressPrefixes:\n    - 10.0.0.0/16\n${owner('kinds-rg')}`,
  ],
  [
    'network.azure.com/v20201101',
    'VirtualNetworksSubnet',
    'kinds-subnet',
    `  addressPrefix: 10.0.0.0/24\n  networkSecurityGroup:\n    reference:\n      group: ` +
      `network.azure.com\n      kind: NetworkSecurityGroup\n      name: kinds-nsg\n${owner('kinds-vnet')}`,
  ],
  [
    'network.azure.com/v1api20201101',
    'PublicIPAddress',
    'kinds-ip',
    `  location: westus\n  sku:\n    name: Standard\n  publicIPAllocationMethod: Static\n${owner('kinds-rg')}`,
  ],
  [
    'servicebus.azure.com/v1api20210101preview',
    'Namespace',
    'kinds-sbns',
    `  location: westus\n  sku:\n    name: Standard\n${owner('kinds-rg')}`,
  ],
  ['servicebus.azure.com/v20211101', 'NamespacesQueue', 'kinds-sb-queue', owner('kinds-sbns')],
  [
    'eventhub.azure.com/v1api20211101',
    'Namespace',
    'kinds-ehns',
    `  location: westus\n  sku:\n    name: Standard\n${owner('kinds-rg')}`,
  ],
  [
    'eventhub.azure.com/v20211101',
    'NamespacesEventhub',
    'kinds-eh-hub',
    `  messageRetentionInDays: 1\n  partitionCount: 1\n${owner('kinds-ehns')}`,
  ],
  [
    'containerregistry.azure.com/v1api20210901',
    'Registry',
    'kindsacr',
    `  location: westus\n  sku:\n    name: Basic\n  adminUserEnabled: false\n${owner('kinds-rg')}`,
  ],
  [
    'compute.azure.com/v1api20200930',
    'Disk',
    'kinds-disk',
    `  location: westus\n  creationData:\n    createOption: Empty\n  diskSizeGB: 4\n  sku:\n    name: ` +
      `Standard_LRS\n${owner('kinds-rg')}`,
  ],
];

test('20 kinds applied at an older version are read at the hub version and reach Ready against the emulator', async (t) => {
  assert.equal(new Set(objects.map(([apiVersion, kind]) => `${apiVersion.split('/')[0]}/${kind}`)).size, 20);
  assert.equal(new Set(objects.map(([apiVersion]) => apiVersion.split('/')[0])).size, 10);
  const environment = await startE2e();
  t.after(() => environment.close());
  const pattern = [
    'resources.azure.com/ResourceGroup',
    ...objects.map(([apiVersion, kind]) => `${apiVersion.split('/')[0]}/${kind}`),
  ].join(';');
  await environment.startOperator({}, ['--crd-pattern', pattern]);
  const resourceGroup = object(
    'resources.azure.com/v1api20200601',
    'ResourceGroup',
    'kinds-rg',
    '  location: westus\n',
  );
  await environment.kubectl(
    ['apply', '-f', '-'],
    [resourceGroup, ...objects.map((entry) => object(...entry))].join('---\n'),
  );
  for (const [apiVersion, kind, name] of objects) {
    const [group = '', version = ''] = apiVersion.split('/');
    const hub = await loadKindModel(group, kind);
    assert.ok(hub, `${group}/${kind}`);
    assert.notEqual(
      hub.versions[0],
      version.replace(/^v1api/, 'v'),
      `${kind} is applied at an older version than its hub`,
    );
    const resource = `${kind.toLowerCase()}.${hub.versions[0]}.${group}/${name}`;
    await waitForReady(environment, resource);
    const atHub = JSON.parse(await environment.kubectl(['get', resource, '-n', 'default', '-o', 'json'])) as {
      apiVersion: string;
      spec: { owner?: unknown };
    };
    assert.equal(atHub.apiVersion, `${group}/${hub.versions[0]}`, `${kind} read at its hub version`);
    assert.ok(atHub.spec.owner, `${kind}: the spec survives conversion`);
    const atOwn = JSON.parse(
      await environment.kubectl([
        'get',
        `${kind.toLowerCase()}.${version}.${group}/${name}`,
        '-n',
        'default',
        '-o',
        'json',
      ]),
    ) as { apiVersion: string };
    assert.equal(atOwn.apiVersion, apiVersion, `${kind} read back at the version it was written at`);
  }
});
