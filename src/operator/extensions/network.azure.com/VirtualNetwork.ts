/**
 * VirtualNetwork: subnets are usually separate `VirtualNetworksSubnet` objects. A VNet PUT without `subnets` would
 * delete them in Azure, so an update keeps Azure's current subnets unless the spec lists its own. The subnets are
 * listed from their own collection (authoritative, and it works whether or not the VNet body embeds them); a list
 * that needs paging falls back to the subnets embedded in the VNet's GET body.
 */
import type { ResourceHooks } from '../../internal/hooks.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const virtualNetworkHooks = {
  reason: 'a VNet PUT without subnets would delete separately managed subnets',
  async beforePut({ body, existing, arm, armId, model }, next) {
    const properties = isRecord(body['properties']) ? body['properties'] : {};
    if (existing === undefined || properties['subnets'] !== undefined) return next(body);
    const listed = await arm.tryGet(`${armId}/subnets`, model.apiVersion);
    const embedded =
      isRecord(existing) && isRecord(existing['properties']) ? existing['properties']['subnets'] : undefined;
    const subnets =
      isRecord(listed) && Array.isArray(listed['value']) && listed['nextLink'] === undefined
        ? listed['value']
        : embedded;
    if (!Array.isArray(subnets) || subnets.length === 0) return next(body);
    const kept = subnets
      .filter(isRecord)
      .map(({ name, id, properties: subnetProperties }) => ({ name, id, properties: subnetProperties }));
    return next({ ...body, properties: { ...properties, subnets: kept } });
  },
} satisfies ResourceHooks;
