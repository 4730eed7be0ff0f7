/**
 * Vault: ASO's operator-only create modes. `createOrRecover` recovers a soft-deleted vault of the same name, else
 * creates; `purgeThenCreate` purges a soft-deleted vault first. Neither value is sent to ARM as is, and createMode is
 * never compared (Azure does not return it).
 */
import type { ResourceHooks } from '../../internal/hooks.js';

const createModePath = (body: Record<string, unknown>): Record<string, unknown> | undefined => {
  const properties = body['properties'];
  return typeof properties === 'object' && properties !== null && !Array.isArray(properties)
    ? (properties as Record<string, unknown>)
    : undefined;
};

export const vaultHooks = {
  reason: 'Key Vault soft-delete: ASO createMode createOrRecover / purgeThenCreate',
  desiredBody({ body }, next) {
    const properties = createModePath(body);
    if (properties === undefined || properties['createMode'] === undefined) return next(body);
    const { createMode: _createMode, ...rest } = properties;
    return next({ ...body, properties: rest });
  },
  async beforePut({ object, body, existing, arm, armId, model }, next) {
    const specProperties = (object.spec?.['properties'] ?? {}) as Record<string, unknown>;
    const mode = specProperties['createMode'] ?? object.spec?.['createMode'];
    const properties = createModePath(body) ?? {};
    if (existing !== undefined || (mode !== 'createOrRecover' && mode !== 'purgeThenCreate')) {
      if (mode !== 'createOrRecover' && mode !== 'purgeThenCreate' && typeof mode === 'string')
        return next({ ...body, properties: { ...properties, createMode: mode } });
      return next(body);
    }
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(armId)?.[1] ?? '';
    const location = typeof body['location'] === 'string' ? body['location'].replace(/\s+/g, '').toLowerCase() : '';
    const name = armId.split('/').pop() ?? '';
    const deletedId =
      `/subscriptions/${subscription}/providers/Microsoft.KeyVault/locations/${location}/deletedVaults/` + `${name}`;
    const deleted = await arm.tryGet(deletedId, model.apiVersion);
    if (deleted === undefined) return next({ ...body, properties: { ...properties, createMode: 'default' } });
    if (mode === 'createOrRecover') return next({ ...body, properties: { ...properties, createMode: 'recover' } });
    await arm.post(deletedId, 'purge', model.apiVersion);
    return next({ ...body, properties: { ...properties, createMode: 'default' } });
  },
} satisfies ResourceHooks;
