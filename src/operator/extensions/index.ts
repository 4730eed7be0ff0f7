/**
 * The registry of kind extensions, keyed `group/Kind`. A kind model's `hooks` names must match these keys' hook names.
 */
import type { ResourceHooks } from '../internal/hooks.js';
import { roleAssignmentHooks } from './authorization.azure.com/RoleAssignment.js';
import { roleDefinitionHooks } from './authorization.azure.com/RoleDefinition.js';
import { sqlRoleAssignmentHooks } from './documentdb.azure.com/SqlRoleAssignment.js';
import { vaultHooks } from './keyvault.azure.com/Vault.js';
import { virtualNetworkHooks } from './network.azure.com/VirtualNetwork.js';

/** Extensions by `group/Kind`. */
export const extensions: Record<string, ResourceHooks> = {
  'authorization.azure.com/RoleAssignment': roleAssignmentHooks,
  'authorization.azure.com/RoleDefinition': roleDefinitionHooks,
  'documentdb.azure.com/SqlRoleAssignment': sqlRoleAssignmentHooks,
  'keyvault.azure.com/Vault': vaultHooks,
  'network.azure.com/VirtualNetwork': virtualNetworkHooks,
};

/** The hooks for a kind (empty for a regular kind). */
export function hooksFor(group: string, kind: string): ResourceHooks[] {
  const hooks = extensions[`${group}/${kind}`];
  return hooks === undefined ? [] : [hooks];
}
