/**
 * VirtualNetwork: subnets are usually separate `VirtualNetworksSubnet` objects. A VNet PUT without `subnets` would
 * delete them in Azure, so an update keeps Azure's current subnets unless the spec lists its own.
 */
import type { ResourceHooks } from '../../internal/hooks.js';

export const virtualNetworkHooks = {
  reason: 'a VNet PUT without subnets would delete separately managed subnets',
  async beforePut({ body, existing }, next) {
    const properties = (body['properties'] ?? {}) as Record<string, unknown>;
    const existingProperties = (existing as { properties?: Record<string, unknown> } | undefined)?.properties;
    const subnets = existingProperties?.['subnets'];
    if (properties['subnets'] !== undefined || !Array.isArray(subnets) || subnets.length === 0) return next(body);
    const kept = subnets.map((subnet: unknown) => {
      const { name, id, properties: subnetProperties } = (subnet ?? {}) as Record<string, unknown>;
      return { name, id, properties: subnetProperties };
    });
    return next({ ...body, properties: { ...properties, subnets: kept } });
  },
} satisfies ResourceHooks;
