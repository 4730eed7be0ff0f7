/**
 * The network interface Azure creates for a private endpoint: `<endpoint>.nic.<guid>` in the endpoint's resource group,
 * one IP configuration with a private address from the endpoint's subnet, listed in the endpoint's
 * `properties.networkInterfaces` and deleted with it. ASO exports that address (`primaryNicPrivateIpAddress`).
 */
import { isObject } from './http.js';
import { stableUuid } from './jwt.js';
import type { StoredResource } from './state.js';

/** true for a resource that gets a network interface of its own. */
export function needsNetworkInterface(resource: StoredResource): boolean {
  return resource.fullType.toLowerCase() === 'microsoft.network/privateendpoints';
}

/** The subnet ARM ID the endpoint is placed in, if its body names one. */
export function subnetIdOf(endpoint: StoredResource): string | undefined {
  const properties = isObject(endpoint.body.properties) ? endpoint.body.properties : {};
  const subnet = isObject(properties.subnet) ? properties.subnet : {};
  return typeof subnet.id === 'string' ? subnet.id : undefined;
}

/** The subnet ARM ID of a network interface's first IP configuration, if any. */
export function interfaceSubnetId(nic: StoredResource): string | undefined {
  const properties = isObject(nic.body.properties) ? nic.body.properties : {};
  const [first] = Array.isArray(properties.ipConfigurations) ? properties.ipConfigurations : [];
  const configuration = isObject(first) && isObject(first.properties) ? first.properties : {};
  return isObject(configuration.subnet) && typeof configuration.subnet.id === 'string'
    ? configuration.subnet.id
    : undefined;
}

/**
 * The address a new interface gets in a subnet with `prefix` (`10.0.1.0/24`): Azure keeps the first four addresses,
 * so the first interface gets .4, the next .5, and so on (`taken` interfaces are in the subnet already).
 */
export function nextPrivateAddress(prefix: string | undefined, taken: number): string {
  const [base = '10.0.0.0'] = (prefix ?? '10.0.0.0/24').split('/');
  const octets = base.split('.').map(Number);
  const value = octets.reduce((sum, octet) => sum * 256 + (Number.isFinite(octet) ? octet : 0), 0) + 4 + taken;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The interface of `endpoint` (not stored yet): its ID, name and body. */
export function networkInterfaceFor(
  endpoint: StoredResource,
  address: string,
): { id: string; name: string; body: Record<string, unknown> } {
  const name = `${endpoint.name}.nic.${stableUuid(`nic:${endpoint.key}`)}`;
  const group = endpoint.id.slice(0, endpoint.id.toLowerCase().indexOf('/providers/'));
  const id = `${group}/providers/Microsoft.Network/networkInterfaces/${name}`;
  const subnetId = subnetIdOf(endpoint);
  const ipConfiguration = {
    name: `privateEndpointIpConfig.${stableUuid(`ipconfig:${endpoint.key}`)}`,
    id: `${id}/ipConfigurations/privateEndpointIpConfig`,
    properties: {
      provisioningState: 'Succeeded',
      privateIPAddress: address,
      privateIPAllocationMethod: 'Dynamic',
      privateIPAddressVersion: 'IPv4',
      primary: true,
      ...(subnetId ? { subnet: { id: subnetId } } : {}),
    },
  };
  return {
    id,
    name,
    body: {
      id,
      name,
      type: 'Microsoft.Network/networkInterfaces',
      ...(typeof endpoint.body.location === 'string' ? { location: endpoint.body.location } : {}),
      properties: {
        provisioningState: 'Succeeded',
        ipConfigurations: [ipConfiguration],
        privateEndpoint: { id: endpoint.id },
        nicType: 'Standard',
      },
    },
  };
}
