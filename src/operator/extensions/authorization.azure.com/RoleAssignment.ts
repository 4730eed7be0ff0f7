/** RoleAssignment: Azure requires a GUID name; without `spec.azureName` it is a UUIDv5 of the object's identity, stable across reconciles and operator restarts. */
import type { ResourceHooks } from '../../internal/hooks.js';
import { uuidV5 } from '../../internal/uuid.js';

export const roleAssignmentHooks = {
  reason: 'ARM names role assignments by GUID; ASO derives one from the object when azureName is unset',
  azureName({ object, model }) {
    const owner = (object.spec?.['owner'] ?? {}) as Record<string, unknown>;
    const ownerPart = typeof owner['armId'] === 'string' ? owner['armId'] : `${String(owner['group'] ?? '')}/${String(owner['kind'] ?? '')}/${String(owner['name'] ?? '')}`;
    return uuidV5(`${model.group}/${model.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}/${ownerPart}`);
  },
} satisfies ResourceHooks;
