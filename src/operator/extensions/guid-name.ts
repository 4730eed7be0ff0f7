/**
 * GUID names (ASO `$defaultAzureName: false`): Azure names these resources by GUID; without `spec.azureName` the
 * name is a UUIDv5 of the object's identity (kind, namespace, name, owner), stable across reconciles and restarts.
 * `spec.operatorSpec.namingConvention: random` (ASO's other choice) asks for a random GUID instead: it cannot be
 * derived again, so it is written into `spec.azureName` before the resource is created.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceHooks } from '../internal/hooks.js';
import { uuidV5 } from '../internal/uuid.js';

/** The hooks of a kind whose Azure name is a GUID; `reason` says why the kind needs them. */
export function guidNameHooks(reason: string): ResourceHooks {
  return {
    reason,
    persistedAzureName({ object }) {
      const operatorSpec = (object.spec?.['operatorSpec'] ?? {}) as Record<string, unknown>;
      return operatorSpec['namingConvention'] === 'random' ? randomUUID() : undefined;
    },
    azureName({ object, model }) {
      const owner = (object.spec?.['owner'] ?? {}) as Record<string, unknown>;
      const ownerPart =
        typeof owner['armId'] === 'string'
          ? owner['armId']
          : `${String(owner['group'] ?? '')}/${String(owner['kind'] ?? '')}/${String(owner['name'] ?? '')}`;
      return uuidV5(
        `${model.group}/${model.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}/${ownerPart}`,
      );
    },
  };
}
