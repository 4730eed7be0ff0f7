/**
 * Key Vault soft-delete, as Azure does it: deleting a vault (directly or with its resource group) keeps it as
 * `/subscriptions/{s}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}`, which reserves the
 * name. A PUT of a vault with that name then fails with 409 `ConflictError` unless it says
 * `properties.createMode: recover` (which brings the vault back with its secrets and access policies); a POST
 * `purge` on the deleted vault (refused under purge protection) frees the name. Vaults with
 * `enableSoftDelete: false` are deleted outright.
 */
import { ArmError } from './errors.js';
import { isObject } from './http.js';
import type { StoredResource } from './state.js';

export const deletedVaultType = 'Microsoft.KeyVault/locations/deletedVaults';
const vaultType = 'microsoft.keyvault/vaults';
const retentionDaysDefault = 90;

/** A deleted vault as stored: its GET body, and the vault with everything under it as they were. */
export interface DeletedVault extends StoredResource {
  softDeleted: StoredResource[];
}

export function isDeletedVaultType(fullType: string): boolean {
  return fullType.toLowerCase() === deletedVaultType.toLowerCase();
}

/** true for the collection `/subscriptions/{s}/providers/Microsoft.KeyVault/deletedVaults`. */
export function isDeletedVaultsCollection(fullType: string): boolean {
  return fullType.toLowerCase() === 'microsoft.keyvault/deletedvaults';
}

export function isDeletedVault(resource: StoredResource | undefined): resource is DeletedVault {
  return (
    resource !== undefined &&
    isDeletedVaultType(resource.fullType) &&
    Array.isArray((resource as Partial<DeletedVault>).softDeleted)
  );
}

/**
 * The deleted-vault records for the resources a delete removes (`removed`: the deleted resource and everything
 * under it): one per vault that has soft-delete on, keeping the vault and its own descendants.
 */
export function softDeletedVaults(removed: StoredResource[], now: number): DeletedVault[] {
  const records: DeletedVault[] = [];
  for (const vault of removed) {
    if (vault.fullType.toLowerCase() !== vaultType || vault.subscriptionId === undefined) continue;
    const properties = isObject(vault.body.properties) ? vault.body.properties : {};
    if (properties.enableSoftDelete === false) continue;
    const location = typeof vault.body.location === 'string' ? vault.body.location : 'global';
    const locationId = `/subscriptions/${vault.subscriptionId}/providers/Microsoft.KeyVault/locations/${location}`;
    const id = `${locationId}/deletedVaults/${vault.name}`;
    const retentionDays =
      typeof properties.softDeleteRetentionInDays === 'number'
        ? properties.softDeleteRetentionInDays
        : retentionDaysDefault;
    const inside = `${vault.key}/`;
    records.push({
      id,
      key: id.toLowerCase(),
      fullType: deletedVaultType,
      name: vault.name,
      subscriptionId: vault.subscriptionId,
      // A child of the (never stored) location, so that generic resource lists leave it out, as ARM's do.
      parentKey: locationId.toLowerCase(),
      body: {
        id,
        name: vault.name,
        type: deletedVaultType,
        properties: {
          vaultId: vault.id,
          location,
          deletionDate: new Date(now).toISOString(),
          scheduledPurgeDate: new Date(now + retentionDays * 86_400_000).toISOString(),
          ...(isObject(vault.body.tags) ? { tags: vault.body.tags } : {}),
          purgeProtectionEnabled: properties.enablePurgeProtection === true,
        },
      },
      softDeleted: removed
        .filter((resource) => resource === vault || resource.key.startsWith(inside))
        .map((resource) => structuredClone(resource)),
    });
  }
  return records;
}

/** The deleted vault named `name` in the subscription (a vault name is reserved in every location). */
export function findDeletedVault(
  resources: Iterable<StoredResource>,
  subscriptionId: string,
  name: string,
): DeletedVault | undefined {
  const subscription = subscriptionId.toLowerCase();
  const wanted = name.toLowerCase();
  for (const resource of resources) {
    if (
      isDeletedVault(resource) &&
      resource.subscriptionId?.toLowerCase() === subscription &&
      resource.name.toLowerCase() === wanted
    )
      return resource;
  }
  return undefined;
}

/**
 * Checks a vault PUT against the deleted vaults before anything changes. Returns the deleted vault a
 * `createMode: recover` brings back (the caller restores its descendants and drops the record), else undefined.
 */
export function checkVaultCreate(
  resources: Iterable<StoredResource>,
  vault: {
    subscriptionId: string | undefined;
    name: string;
    fullType: string;
    exists: boolean;
    body: Record<string, unknown>;
  },
): DeletedVault | undefined {
  if (vault.fullType.toLowerCase() !== vaultType || vault.subscriptionId === undefined) return undefined;
  const createMode = isObject(vault.body.properties) ? vault.body.properties.createMode : undefined;
  const recover = typeof createMode === 'string' && createMode.toLowerCase() === 'recover';
  if (vault.exists) return undefined;
  const deleted = findDeletedVault(resources, vault.subscriptionId, vault.name);
  if (deleted === undefined) {
    if (recover)
      throw new ArmError(
        404,
        'SoftDeletedVaultDoesNotExist',
        `A soft deleted vault with the name '${vault.name}' does not exist in this subscription: create it ` +
          `with createMode 'default'.`,
        { target: 'properties.createMode' },
      );
    return undefined;
  }
  if (!recover) {
    throw new ArmError(
      409,
      'ConflictError',
      `A vault with the same name already exists in deleted state. You need to either recover or purge ` +
        `existing key vault '${vault.name}' (createMode 'recover', or POST ${deleted.id}/purge).`,
    );
  }
  return deleted;
}

export function deletedVaultNotFound(name: string, location: string): ArmError {
  return new ArmError(404, 'ResourceNotFound', `The deleted vault '${name}' was not found in location '${location}'.`);
}

/** Refuses a purge under purge protection. */
export function checkPurge(deleted: DeletedVault): void {
  const properties = isObject(deleted.body.properties) ? deleted.body.properties : {};
  if (properties.purgeProtectionEnabled === true) {
    throw new ArmError(
      409,
      'ConflictError',
      `The vault '${deleted.name}' has purge protection enabled: it cannot be purged before ` +
        `${String(properties.scheduledPurgeDate)}.`,
    );
  }
}
