import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceSubnetId, networkInterfaceFor, nextPrivateAddress } from './private-endpoints.js';
import type { StoredResource } from './state.js';

const subnet = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a';
const endpoint: StoredResource = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe',
  key: '/subscriptions/s/resourcegroups/rg/providers/microsoft.network/privateendpoints/pe',
  fullType: 'Microsoft.Network/privateEndpoints',
  name: 'pe',
  body: { location: 'westus', properties: { subnet: { id: subnet } } },
};

test('private addresses: Azure keeps the first four of a subnet; each new interface takes the next', () => {
  assert.equal(nextPrivateAddress('10.7.3.0/24', 0), '10.7.3.4');
  assert.equal(nextPrivateAddress('10.7.3.0/24', 1), '10.7.3.5');
  assert.equal(nextPrivateAddress('10.0.0.0/16', 300), '10.0.1.48', 'carries into the next octet');
  assert.equal(nextPrivateAddress(undefined, 0), '10.0.0.4');
});

test("an endpoint's interface: in its resource group, in its subnet, pointing back at it, stable name", () => {
  const nic = networkInterfaceFor(endpoint, '10.7.3.4');
  assert.match(
    nic.id,
    /^\/subscriptions\/s\/resourceGroups\/rg\/providers\/Microsoft\.Network\/networkInterfaces\/pe\.nic\./,
  );
  assert.equal(networkInterfaceFor(endpoint, '10.7.3.4').name, nic.name, 'the same endpoint gets the same name');
  const stored: StoredResource = {
    id: nic.id,
    key: nic.id.toLowerCase(),
    fullType: 'x',
    name: nic.name,
    body: nic.body,
  };
  assert.equal(interfaceSubnetId(stored), subnet);
  const properties = nic.body['properties'] as { privateEndpoint: { id: string } };
  assert.equal(properties.privateEndpoint.id, endpoint.id);
});
