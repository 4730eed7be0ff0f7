/**
 * Well-known names a reference may use instead of an ARM ID (ASO `wellKnownName`): Azure's built-in role definitions.
 */

/** Built-in role definition GUIDs by role name (the same in every subscription). */
export const builtInRoleIds: Record<string, string> = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
};

/** The ARM ID a `wellKnownName` reference stands for in a subscription (a built-in role), or undefined. */
export function wellKnownArmId(name: string, subscriptionId: string): string | undefined {
  const id = builtInRoleIds[name];
  return id === undefined
    ? undefined
    : `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
}
