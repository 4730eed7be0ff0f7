/**
 * Run by emulator-sdk.test.ts in a child process (NODE_EXTRA_CA_CERTS set): the current official Azure SDK packages
 * for JavaScript, unchanged and at their own api-versions, against an emulator at default flags. Prints one JSON line.
 */
import { ClientSecretCredential } from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { NetworkManagementClient } from '@azure/arm-network';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';

const url = process.env.EMULATOR_URL ?? '';
const tenantId = process.env.EMULATOR_TENANT ?? '';
const subscriptionId = process.env.SUBSCRIPTION_ID ?? '';
const scopes = ['https://management.azure.com/.default'];
const credential = new ClientSecretCredential(tenantId, '33333333-2222-3333-4444-555555555555', 'a-secret', {
  authorityHost: url,
  disableInstanceDiscovery: true,
});
// Modular clients take `credentials.scopes`, classic ones (arm-msi) `credentialScopes`.
const options = { endpoint: url, credentials: { scopes }, credentialScopes: scopes };
const resources = new ResourceManagementClient(credential, subscriptionId, options);
const storage = new StorageManagementClient(credential, subscriptionId, options);
const network = new NetworkManagementClient(credential, subscriptionId, options);
const msi = new ManagedServiceIdentityClient(credential, subscriptionId, options);
const keyvault = new KeyVaultManagementClient(credential, subscriptionId, options);
const fast = { updateIntervalInMs: 50 };
const out: Record<string, unknown> = {};
const failure = (error: unknown) => ({
  code: (error as { code?: string }).code,
  status: (error as { statusCode?: number }).statusCode,
});

out.tokenParts = (await credential.getToken(scopes)).token.split('.').length;
const group = await resources.resourceGroups.createOrUpdate('sdk-current', { location: 'westeurope' });
out.group = { name: group.name, location: group.location };
out.exists = (await resources.resourceGroups.checkExistence('sdk-current')).body;
out.missingExists = (await resources.resourceGroups.checkExistence('sdk-missing')).body;
const names: string[] = [];
for await (const item of resources.resourceGroups.list()) names.push(item.name ?? '');
out.groups = names.includes('sdk-current');

const accountName = `sdkcur${process.pid}`;
out.nameFree = (
  await storage.storageAccounts.checkNameAvailability({ name: accountName, type: 'Microsoft.Storage/storageAccounts' })
).nameAvailable;
const account = await storage.storageAccounts.create(
  'sdk-current',
  accountName,
  { location: 'westeurope', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
  fast,
);
out.account = { name: account.name, state: account.provisioningState, blob: account.primaryEndpoints?.blob };
const taken = await storage.storageAccounts.checkNameAvailability({
  name: accountName,
  type: 'Microsoft.Storage/storageAccounts',
});
out.nameTaken = { available: taken.nameAvailable, reason: taken.reason };
const keys = await storage.storageAccounts.listKeys('sdk-current', accountName);
out.keys = keys.keys?.length;
const container = await storage.blobContainers.create('sdk-current', accountName, 'reports', {});
out.container = container.name;
try {
  await storage.storageAccounts.create(
    'sdk-current',
    'Not_Valid',
    { location: 'westeurope', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
    fast,
  );
  out.badName = 'accepted';
} catch (error) {
  out.badName = failure(error);
}

const identity = await msi.userAssignedIdentities.createOrUpdate('sdk-current', 'sdk-identity', {
  location: 'westeurope',
});
out.identity = { name: identity.name, hasClientId: typeof identity.clientId === 'string' };

const vnet = await network.virtualNetworks.createOrUpdate(
  'sdk-current',
  'sdk-vnet',
  {
    location: 'westeurope',
    addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
    subnets: [{ name: 's1', addressPrefix: '10.0.1.0/24' }],
  },
  fast,
);
out.vnetSubnets = vnet.subnets?.map((subnet) => subnet.name);
const subnet = await network.subnets.get('sdk-current', 'sdk-vnet', 's1');
out.subnet = { name: subnet.name, prefix: subnet.addressPrefix, id: subnet.id };
await network.subnets.createOrUpdate('sdk-current', 'sdk-vnet', 's2', { addressPrefix: '10.0.2.0/24' }, fast);
out.vnetAfterChild = (await network.virtualNetworks.get('sdk-current', 'sdk-vnet')).subnets
  ?.map((item) => item.name)
  .sort();

const vaultName = `sdkkv${process.pid}`;
out.vaultNameFree = (
  await keyvault.vaults.checkNameAvailability({ name: vaultName, type: 'Microsoft.KeyVault/vaults' })
).nameAvailable;
const vault = await keyvault.vaults.createOrUpdate(
  'sdk-current',
  vaultName,
  {
    location: 'westeurope',
    properties: { tenantId, sku: { family: 'A', name: 'standard' }, accessPolicies: [] },
  },
  fast,
);
out.vault = { name: vault.name, uri: vault.properties?.vaultUri };

const listed: string[] = [];
for await (const item of resources.resources.listByResourceGroup('sdk-current')) listed.push(item.type ?? '');
out.listedTypes = [...new Set(listed)].sort();
try {
  await storage.storageAccounts.getProperties('sdk-current', 'nosuchaccount1');
} catch (error) {
  out.notFound = failure(error);
}
try {
  await resources.resourceGroups.createOrUpdate('sdk-mars', { location: 'marsnorth' });
} catch (error) {
  out.badLocation = failure(error);
}
await resources.resourceGroups.delete('sdk-current', fast);
out.existsAfterDelete = (await resources.resourceGroups.checkExistence('sdk-current')).body;
try {
  await storage.storageAccounts.getProperties('sdk-current', accountName);
} catch (error) {
  out.accountAfterDelete = failure(error);
}
console.log(JSON.stringify(out));
