// The checker's model of what the user asked for, and what that implies for Azure: which objects must become Ready,
// what Azure must then hold, which DELETEs the user's actions asked for, and which PUTs a step may cause. It knows
// nothing of how the operator works, only ASO's contract (docs/reconcile-policies.md, docs/operator.md).
import { subscriptionId } from './world.js';

/** The objects of the universe, all in one namespace. */
export const objectNames = ['rg1', 'sa1', 'pg1', 'nsg1', 'nsg2', 'vnet1', 'sn1'] as const;
export type ObjectName = (typeof objectNames)[number];

/** What the reconcile-policy annotation says (`none`: no annotation); the last two are misspellings. */
export type PolicyValue = 'none' | 'manage' | 'skip' | 'detach-on-delete' | 'Skip' | 'Detach-On-Delete';
export type Tags = Record<string, string>;
export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export const namespace = 'conv';
export const passwordSecret = 'pg1-password';
const rgId = `/subscriptions/${subscriptionId}/resourceGroups/conv-rg`;

/** How to address each object in Kubernetes and in Azure. */
export interface ObjectKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
  apiVersion: string;
  armId: string;
  owner?: ObjectName;
}

export const universe: Record<ObjectName, ObjectKind> = {
  rg1: {
    group: 'resources.azure.com',
    version: 'v20200601',
    plural: 'resourcegroups',
    kind: 'ResourceGroup',
    apiVersion: '2020-06-01',
    armId: rgId,
  },
  sa1: {
    group: 'storage.azure.com',
    version: 'v20230101',
    plural: 'storageaccounts',
    kind: 'StorageAccount',
    apiVersion: '2023-01-01',
    owner: 'rg1',
    armId: `${rgId}/providers/Microsoft.Storage/storageAccounts/convsa1`,
  },
  pg1: {
    group: 'dbforpostgresql.azure.com',
    version: 'v20250801',
    plural: 'flexibleservers',
    kind: 'FlexibleServer',
    apiVersion: '2025-08-01',
    owner: 'rg1',
    armId: `${rgId}/providers/Microsoft.DBforPostgreSQL/flexibleServers/conv-pg1`,
  },
  nsg1: {
    group: 'network.azure.com',
    version: 'v20201101',
    plural: 'networksecuritygroups',
    kind: 'NetworkSecurityGroup',
    apiVersion: '2020-11-01',
    owner: 'rg1',
    armId: `${rgId}/providers/Microsoft.Network/networkSecurityGroups/nsg1`,
  },
  nsg2: {
    group: 'network.azure.com',
    version: 'v20201101',
    plural: 'networksecuritygroups',
    kind: 'NetworkSecurityGroup',
    apiVersion: '2020-11-01',
    owner: 'rg1',
    armId: `${rgId}/providers/Microsoft.Network/networkSecurityGroups/nsg2`,
  },
  vnet1: {
    group: 'network.azure.com',
    version: 'v20201101',
    plural: 'virtualnetworks',
    kind: 'VirtualNetwork',
    apiVersion: '2020-11-01',
    owner: 'rg1',
    armId: `${rgId}/providers/Microsoft.Network/virtualNetworks/vnet1`,
  },
  sn1: {
    group: 'network.azure.com',
    version: 'v20201101',
    plural: 'virtualnetworkssubnets',
    kind: 'VirtualNetworksSubnet',
    apiVersion: '2020-11-01',
    owner: 'vnet1',
    armId: `${rgId}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/sn1`,
  },
};

/** The user's manifest of one object (the fields the checker varies). */
export interface Desired {
  policy: PolicyValue;
  tags?: Tags;
  /** StorageAccount `minimumTlsVersion` (undefined: left out of the manifest). */
  tls?: 'TLS1_0' | 'TLS1_2';
  /** StorageAccount: export the blob endpoint to a ConfigMap (operatorSpec only). */
  exportEndpoint?: boolean;
  /** Subnet: which NSG it references. */
  nsg?: 'nsg1' | 'nsg2';
  /** A label (metadata only). */
  label?: string;
}

/** The name of an ARM path's object, if it is one of the universe's. */
export function objectOfArmPath(path: string): ObjectName | undefined {
  return objectNames.find((name) => universe[name].armId.toLowerCase() === path.toLowerCase());
}

/** The object's owners, nearest first. */
export function ownersOf(name: ObjectName): ObjectName[] {
  const owner = universe[name].owner;
  return owner === undefined ? [] : [owner, ...ownersOf(owner)];
}

/** Objects whose owner chain contains `name`. */
export function descendantsOf(name: ObjectName): ObjectName[] {
  return objectNames.filter((candidate) => ownersOf(candidate).includes(name));
}

/** The policy the operator must apply: a misspelled value is read as skip. */
export function effectivePolicy(value: PolicyValue): 'manage' | 'skip' | 'detach-on-delete' {
  if (value === 'none') return 'manage';
  if (value === 'manage' || value === 'skip' || value === 'detach-on-delete') return value;
  return 'skip';
}

/** The model: the user's side of the world, and what Azure must look like. */
export class Model {
  /** The objects that exist in Kubernetes, with their manifests. */
  readonly objects = new Map<ObjectName, Desired>();
  /** The password Secret's value (undefined: no Secret). */
  password: string | undefined;
  /** Objects that must exist in Azure (created by the operator, kept by a detach or skip, or never deleted). */
  readonly inAzure = new Set<ObjectName>();
  /** Objects a managed delete removed from Azure: they must be gone until something creates them again. */
  readonly goneFromAzure = new Set<ObjectName>();
  /** DELETEs the current step's user actions asked for. */
  readonly allowedDeletes = new Set<ObjectName>();
  /** Objects the current step may write for a reason besides a changed manifest (create, drift, fault). */
  readonly mayWrite = new Set<ObjectName>();
  /**
   * Objects created in Kubernetes that have not converged yet: the first write is theirs to make whenever their owner
   * allows (a create, or an adoption that must send write-only values).
   */
  readonly fresh = new Set<ObjectName>();
  /** Objects whose Azure copy was changed outside Kubernetes and not yet corrected. */
  readonly drifted = new Set<ObjectName>();
  /** The fingerprint of each object's desired state when it last converged under manage/detach-on-delete. */
  readonly applied = new Map<ObjectName, string>();
  /** The operator's latest successful PUT body of each object (the only view of write-only values). */
  readonly lastPut = new Map<ObjectName, unknown>();
  /** The commands so far (for failure reports). */
  readonly history: string[] = [];

  /** What the operator must send for `name` (only ARM-relevant parts: policy, labels and exports are not). */
  fingerprint(name: ObjectName): string {
    const desired = this.objects.get(name);
    if (desired === undefined) return '';
    switch (name) {
      case 'rg1':
        return JSON.stringify({ tags: desired.tags ?? {} });
      case 'sa1':
        return JSON.stringify({ tags: desired.tags ?? {}, tls: desired.tls ?? null });
      case 'pg1':
        return JSON.stringify({ password: this.password ?? null });
      case 'sn1':
        return JSON.stringify({ nsg: desired.nsg });
      default:
        return '{}';
    }
  }

  /**
   * true when the object exists and the operator must bring it to Ready=True (manage or detach-on-delete, all it needs
   * there).
   */
  mustBeReady(name: ObjectName): boolean {
    const desired = this.objects.get(name);
    if (desired === undefined || effectivePolicy(desired.policy) === 'skip') return false;
    return this.hasArmId(universe[name].owner) && this.inputsPresent(name);
  }

  /** true when an object has (or will have) its ARM ID recorded: a child of it can be created. */
  hasArmId(name: ObjectName | undefined): boolean {
    if (name === undefined) return true;
    const desired = this.objects.get(name);
    if (desired === undefined) return false;
    if (effectivePolicy(desired.policy) === 'skip')
      return this.inAzure.has(name) && this.hasArmId(universe[name].owner);
    return this.mustBeReady(name);
  }

  /** References and Secrets the object's body needs. */
  private inputsPresent(name: ObjectName): boolean {
    if (name === 'pg1') return this.password !== undefined;
    if (name === 'sn1') {
      const nsg = this.objects.get('sn1')?.nsg;
      return nsg !== undefined && this.hasArmId(nsg);
    }
    return true;
  }

  /** A user's delete of `name` (and, unless orphaned, of what it owns), as Kubernetes and ASO carry it out. */
  delete(name: ObjectName, propagation: Propagation, namespaceDeletion = false): void {
    const removed =
      propagation === 'Orphan' ? [name] : [name, ...descendantsOf(name).filter((child) => this.objects.has(child))];
    for (const object of removed) {
      const desired = this.objects.get(object);
      if (desired === undefined) continue;
      // Only an object that is not covered by its owner's deletion deletes itself in Azure.
      const owner = universe[object].owner;
      const ownerGoing =
        owner !== undefined && (!this.objects.has(owner) || removed.includes(owner) || namespaceDeletion);
      if (effectivePolicy(desired.policy) === 'manage' && !ownerGoing) {
        this.allowedDeletes.add(object);
        for (const gone of [object, ...descendantsOf(object)]) {
          this.inAzure.delete(gone);
          this.goneFromAzure.add(gone);
          this.applied.delete(gone);
          this.drifted.delete(gone);
        }
      }
    }
    for (const object of removed) {
      this.objects.delete(object);
      this.fresh.delete(object);
    }
  }
}
