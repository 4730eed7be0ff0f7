import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadKindModel, type KindModel } from '../../model/index.js';
import type { InstalledKind, ListedObject } from './cluster-objects.js';
import { describeObject, type DetailSources } from './object-detail.js';

const resourceId = 'serviceoperator.azure.com/resource-id';
const rg = '/subscriptions/s/resourceGroups/rg';

async function listed(group: string, kind: string, object: ListedObject['object']): Promise<ListedObject> {
  const model = (await loadKindModel(group, kind)) as KindModel;
  const installed: InstalledKind = { model, version: model.versions[0] ?? '', plural: kind.toLowerCase() };
  return { model, kind: installed, object };
}

const sources = (objects: ListedObject[], azure?: unknown): DetailSources => ({
  objects,
  subscriptionId: 's',
  configMapValue: async () => undefined,
  readAzure: async () => azure,
});

test('the ARM body resolves references from recorded ARM IDs and never shows a secret value', async () => {
  const nsgId = `${rg}/providers/Microsoft.Network/networkSecurityGroups/guard`;
  const nsg = await listed('network.azure.com', 'NetworkSecurityGroup', {
    metadata: { name: 'guard', namespace: 'ns', annotations: { [resourceId]: nsgId } },
    spec: {},
  });
  const subnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/net/subnets/app-subnet`;
  const subnet = await listed('network.azure.com', 'VirtualNetworksSubnet', {
    metadata: { name: 'app', namespace: 'ns', annotations: { [resourceId]: subnetId } },
    spec: {
      owner: { name: 'net' },
      addressPrefix: '10.0.0.0/24',
      networkSecurityGroup: { reference: { group: 'network.azure.com', kind: 'NetworkSecurityGroup', name: 'guard' } },
    },
  });
  const azure = { id: subnetId, properties: { addressPrefix: '10.0.0.0/24' } };
  const detail = await describeObject(subnet, sources([nsg, subnet], azure));
  assert.deepEqual(detail.armBody, {
    name: 'app-subnet',
    properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: nsgId } },
  });
  assert.deepEqual(detail.azure, azure);

  const server = await listed('dbforpostgresql.azure.com', 'FlexibleServer', {
    metadata: { name: 'pg', namespace: 'ns' },
    spec: { owner: { name: 'rg' }, location: 'westeurope', administratorLoginPassword: { name: 'creds', key: 'pw' } },
  });
  const serverDetail = await describeObject(server, sources([server]));
  const properties = (serverDetail.armBody as { properties: Record<string, unknown> }).properties;
  assert.equal(properties['administratorLoginPassword'], '<secret: value of key pw in Secret creds>');
  assert.match(serverDetail.azureError ?? '', /not created in Azure yet/);
});

test('a reference to an object without an ARM ID yet, and a resource Azure does not have, are said so', async () => {
  const subnet = await listed('network.azure.com', 'VirtualNetworksSubnet', {
    metadata: { name: 'app', namespace: 'ns', annotations: { [resourceId]: `${rg}/providers/X/y/z` } },
    spec: {
      networkSecurityGroup: { reference: { group: 'network.azure.com', kind: 'NetworkSecurityGroup', name: 'x' } },
    },
  });
  const detail = await describeObject(subnet, sources([subnet], undefined));
  assert.equal(detail.armBody, undefined);
  assert.match(detail.armBodyError ?? '', /spec\.networkSecurityGroup\.reference/);
  assert.match(detail.azureError ?? '', /does not exist in Azure/);
});
