// The soak's fleet: N objects of mixed kinds in "units", one resource group each, with owners and references as ASO's
// samples use them: storage accounts with a blob service and containers, managed identities exporting their
// principal ID to a ConfigMap that a role assignment reads, a network security group that a subnet references, a
// virtual network with subnets. Names are valid for Azure. Pure: manifests, ARM IDs and the owner tree.
import { subscriptionId } from '../e2e/operator-helpers.js';

/** The namespace every soak object lives in. */
export const namespace = 'soak';
export const location = 'westus';
/** The built-in Reader role, which every role assignment names by `wellKnownName`. */
export const readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

/** How each kind is addressed in Kubernetes and Azure. */
export const kinds = {
  rg: { apiVersion: 'resources.azure.com/v1api20200601', kind: 'ResourceGroup', tags: true },
  sa: { apiVersion: 'storage.azure.com/v1api20230101', kind: 'StorageAccount', tags: true },
  blob: { apiVersion: 'storage.azure.com/v1api20230101', kind: 'StorageAccountsBlobService', tags: false },
  container: {
    apiVersion: 'storage.azure.com/v1api20230101',
    kind: 'StorageAccountsBlobServicesContainer',
    tags: false,
  },
  identity: { apiVersion: 'managedidentity.azure.com/v1api20181130', kind: 'UserAssignedIdentity', tags: true },
  ra: { apiVersion: 'authorization.azure.com/v1api20220401', kind: 'RoleAssignment', tags: false },
  nsg: { apiVersion: 'network.azure.com/v1api20201101', kind: 'NetworkSecurityGroup', tags: true },
  vnet: { apiVersion: 'network.azure.com/v1api20201101', kind: 'VirtualNetwork', tags: true },
  subnet: { apiVersion: 'network.azure.com/v1api20201101', kind: 'VirtualNetworksSubnet', tags: false },
} as const;
export type KindName = keyof typeof kinds;

/** kubectl's name for a kind, group-qualified (`resourcegroup.resources.azure.com`). */
export function kubectlKind(kind: KindName): string {
  const { apiVersion, kind: name } = kinds[kind];
  return `${name.toLowerCase()}.${apiVersion.split('/')[0] ?? ''}`;
}

export type Tags = Record<string, string>;

/** One object of the fleet. */
export interface FleetObject {
  /** `kind/name`, unique in the fleet. */
  key: string;
  kind: KindName;
  name: string;
  unit: number;
  /** The owner's key (none for resource groups). */
  owner?: string;
  /** Its ARM ID. */
  armId: string;
  /** Subnets: the key of the NSG they reference. RoleAssignments: the key of the identity whose principal they name. */
  reference?: string;
  /** The manifest with these tags (ignored by kinds without tags). */
  manifest(tags: Tags): Record<string, unknown>;
}

/** The fleet: objects in dependency order (owners and referenced objects first), and lookups. */
export interface Fleet {
  objects: FleetObject[];
  byKey: Map<string, FleetObject>;
  /** Objects whose owner chain contains `key`, nearest first. */
  descendants(key: string): FleetObject[];
  /** `key` and its owners, nearest first. */
  ancestry(key: string): FleetObject[];
  units: number;
}

/** The initial tags of an object of `unit`. */
export function initialTags(unit: number): Tags {
  return { 'soak-unit': String(unit) };
}

/** Builds the fleet of exactly `size` objects (the last unit may be cut short, children last). */
export function buildFleet(size: number): Fleet {
  const objects: FleetObject[] = [];
  for (let unit = 0; objects.length < size; unit++) objects.push(...unitObjects(unit));
  objects.length = size;
  const byKey = new Map(objects.map((object) => [object.key, object]));
  const children = new Map<string, FleetObject[]>();
  for (const object of objects) {
    if (object.owner === undefined) continue;
    children.set(object.owner, [...(children.get(object.owner) ?? []), object]);
  }
  const descendants = (key: string): FleetObject[] =>
    (children.get(key) ?? []).flatMap((child) => [child, ...descendants(child.key)]);
  const ancestry = (key: string): FleetObject[] => {
    const object = byKey.get(key);
    if (object === undefined) return [];
    return [object, ...(object.owner === undefined ? [] : ancestry(object.owner))];
  };
  const units = new Set(objects.map((object) => object.unit)).size;
  return { objects, byKey, descendants, ancestry, units };
}

/** The 17 objects of one unit. */
function unitObjects(unit: number): FleetObject[] {
  const n = String(unit).padStart(3, '0');
  const rgName = `soak-${n}`;
  const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${rgName}`;
  const objects: FleetObject[] = [];
  const add = (
    kind: KindName,
    name: string,
    spec: (tags: Tags) => Record<string, unknown>,
    extra: { armId: string; owner?: string; reference?: string; annotations?: Record<string, string> },
  ): string => {
    const key = `${kind}/${name}`;
    const { owner, armId, reference, annotations } = extra;
    objects.push({
      key,
      kind,
      name,
      unit,
      ...(owner !== undefined ? { owner } : {}),
      armId,
      ...(reference !== undefined ? { reference } : {}),
      manifest: (tags) => ({
        apiVersion: kinds[kind].apiVersion,
        kind: kinds[kind].kind,
        metadata: {
          name,
          namespace,
          labels: { 'soak-unit': String(unit) },
          ...(annotations !== undefined ? { annotations } : {}),
        },
        spec: { ...spec(tags), ...(kinds[kind].tags && Object.keys(tags).length > 0 ? { tags } : {}) },
      }),
    });
    return key;
  };
  const rg = add('rg', rgName, () => ({ location }), { armId: rgId });
  for (const letter of ['a', 'b']) {
    const saName = `soak${n}${letter}`;
    const saId = `${rgId}/providers/Microsoft.Storage/storageAccounts/${saName}`;
    const sa = add(
      'sa',
      saName,
      () => ({ location, kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { name: rgName } }),
      { owner: rg, armId: saId },
    );
    // As in ASO's sample: a blob service cannot be deleted on its own in Azure, only with its account.
    const blob = add('blob', `${saName}-blob`, () => ({ owner: { name: saName } }), {
      owner: sa,
      armId: `${saId}/blobServices/default`,
      annotations: { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' },
    });
    for (const container of ['c1', 'c2']) {
      const name = `${saName}-${container}`;
      add('container', name, () => ({ owner: { name: `${saName}-blob` } }), {
        owner: blob,
        armId: `${saId}/blobServices/default/containers/${name}`,
      });
    }
  }
  for (const index of [1, 2]) {
    const identityName = `soak-${n}-id${index}`;
    const settings = `${identityName}-settings`;
    const identity = add(
      'identity',
      identityName,
      () => ({
        location,
        owner: { name: rgName },
        operatorSpec: { configMaps: { principalId: { name: settings, key: 'principalId' } } },
      }),
      { owner: rg, armId: `${rgId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identityName}` },
    );
    // A GUID name of the soak's own (ASO derives one when azureName is unset), so the ARM ID is known in advance.
    const raName = `50a30000-0000-4000-8000-${String(unit).padStart(8, '0')}000${index}`;
    add(
      'ra',
      `soak-${n}-ra${index}`,
      () => ({
        azureName: raName,
        owner: { group: 'resources.azure.com', kind: 'ResourceGroup', name: rgName },
        principalIdFromConfig: { name: settings, key: 'principalId' },
        principalType: 'ServicePrincipal',
        roleDefinitionReference: { wellKnownName: 'Reader' },
      }),
      { owner: rg, reference: identity, armId: `${rgId}/providers/Microsoft.Authorization/roleAssignments/${raName}` },
    );
  }
  const nsgName = `soak-${n}-nsg`;
  const nsg = add('nsg', nsgName, () => ({ location, owner: { name: rgName } }), {
    owner: rg,
    armId: `${rgId}/providers/Microsoft.Network/networkSecurityGroups/${nsgName}`,
  });
  const vnetName = `soak-${n}-vnet`;
  const vnetId = `${rgId}/providers/Microsoft.Network/virtualNetworks/${vnetName}`;
  const vnet = add(
    'vnet',
    vnetName,
    () => ({ location, owner: { name: rgName }, addressSpace: { addressPrefixes: ['10.0.0.0/16'] } }),
    { owner: rg, armId: vnetId },
  );
  for (const index of [1, 2]) {
    const name = `soak-${n}-snet${index}`;
    const withNsg = index === 1;
    add(
      'subnet',
      name,
      () => ({
        owner: { name: vnetName },
        addressPrefix: `10.0.${index}.0/24`,
        ...(withNsg
          ? {
              networkSecurityGroup: {
                reference: { group: 'network.azure.com', kind: 'NetworkSecurityGroup', name: nsgName },
              },
            }
          : {}),
      }),
      { owner: vnet, armId: `${vnetId}/subnets/${name}`, ...(withNsg ? { reference: nsg } : {}) },
    );
  }
  return objects;
}

/** What the soak sets and checks of an object's Azure body (undefined: it matches). */
export function azureMismatch(
  object: FleetObject,
  body: Record<string, unknown>,
  tags: Tags,
  referenced: Record<string, unknown> | undefined,
): string | undefined {
  const properties = (body['properties'] ?? {}) as Record<string, unknown>;
  if (kinds[object.kind].tags) {
    const actual = JSON.stringify(sorted((body['tags'] ?? {}) as Tags));
    if (actual !== JSON.stringify(sorted(tags))) return `tags ${actual}, desired ${JSON.stringify(sorted(tags))}`;
  }
  if (['rg', 'sa', 'identity', 'nsg', 'vnet'].includes(object.kind) && body['location'] !== location)
    return `location ${String(body['location'])}`;
  if (object.kind === 'subnet') {
    const nsg = (properties['networkSecurityGroup'] as { id?: string } | undefined)?.id;
    const wanted = referenced === undefined ? undefined : String(referenced['id']);
    if ((nsg ?? '').toLowerCase() !== (wanted ?? '').toLowerCase())
      return `networkSecurityGroup ${nsg}, desired ${wanted}`;
  }
  if (object.kind === 'ra') {
    const principal = properties['principalId'];
    const wanted = ((referenced?.['properties'] ?? {}) as Record<string, unknown>)['principalId'];
    if (wanted === undefined || principal !== wanted)
      return `principalId ${String(principal)}, the identity's ${String(wanted)}`;
    if (!String(properties['roleDefinitionId']).endsWith(readerRoleId))
      return `roleDefinitionId ${String(properties['roleDefinitionId'])}`;
  }
  return undefined;
}

function sorted(tags: Tags): Tags {
  return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)));
}
