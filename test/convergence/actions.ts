// What a user does, through the Kubernetes API (as `kubectl apply`, `kubectl delete --cascade=…`, and Secret
// updates do), and what someone changing Azure outside Kubernetes does.
import type { KubernetesObject } from '@kubernetes/client-node';
import { type Desired, namespace, type ObjectName, passwordSecret, type Propagation, universe } from './model.js';
import type { World } from './world.js';

const policyAnnotation = 'serviceoperator.azure.com/reconcile-policy';
const checkerLabel = 'convergence.azo/touch';

/** The spec of `name` for `desired`. */
export function specOf(name: ObjectName, desired: Desired): Record<string, unknown> {
  const tags = desired.tags !== undefined && Object.keys(desired.tags).length > 0 ? { tags: desired.tags } : {};
  const owner = universe[name].owner;
  const owned = owner === undefined ? {} : { owner: { name: owner } };
  switch (name) {
    case 'rg1':
      return { azureName: 'conv-rg', location: 'westus', ...tags };
    case 'sa1':
      return {
        azureName: 'convsa1',
        location: 'westus',
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
        ...owned,
        ...tags,
        ...(desired.tls !== undefined ? { minimumTlsVersion: desired.tls } : {}),
        ...(desired.exportEndpoint === true
          ? { operatorSpec: { configMaps: { blobEndpoint: { name: 'sa1-endpoints', key: 'blob' } } } }
          : {}),
      };
    case 'pg1':
      return {
        azureName: 'conv-pg1',
        location: 'westus',
        ...owned,
        version: '16',
        administratorLogin: 'convadmin',
        administratorLoginPassword: { name: passwordSecret, key: 'password' },
        sku: { name: 'Standard_B1ms', tier: 'Burstable' },
      };
    case 'nsg1':
    case 'nsg2':
      return { location: 'westus', ...owned };
    case 'vnet1':
      return { location: 'westus', ...owned, addressSpace: { addressPrefixes: ['10.1.0.0/16'] } };
    case 'sn1':
      return {
        ...owned,
        addressPrefix: '10.1.0.0/24',
        networkSecurityGroup: {
          reference: { group: 'network.azure.com', kind: 'NetworkSecurityGroup', name: desired.nsg ?? 'nsg1' },
        },
      };
  }
}

function refOf(name: ObjectName) {
  const { group, version, plural } = universe[name];
  return { group, version, plural, namespace, name };
}

/**
 * `kubectl apply` of one object: creates it, or replaces its spec, policy annotation and label (removing what the
 * manifest lacks).
 */
export async function applyObject(world: World, name: ObjectName, desired: Desired): Promise<void> {
  const { kind, group, version } = universe[name];
  for (let attempt = 0; attempt < 20; attempt++) {
    const existing = await readObject(world, name);
    const annotations = { ...(existing?.metadata?.annotations ?? {}) };
    const labels = { ...(existing?.metadata?.labels ?? {}) };
    delete annotations[policyAnnotation];
    delete labels[checkerLabel];
    if (desired.policy !== 'none') annotations[policyAnnotation] = desired.policy;
    if (desired.label !== undefined) labels[checkerLabel] = desired.label;
    const body = {
      apiVersion: `${group}/${version}`,
      kind,
      metadata: { ...(existing?.metadata ?? {}), name, namespace, annotations, labels },
      spec: specOf(name, desired),
    };
    try {
      if (existing === undefined) await world.custom.createNamespacedCustomObject({ ...refOf(name), body });
      else await world.custom.replaceNamespacedCustomObject({ ...refOf(name), body });
      return;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
  }
  throw new Error(`could not apply ${name}: conflicts`);
}

/** `kubectl delete --cascade=…` of one object (does not wait). */
export async function deleteObject(world: World, name: ObjectName, propagation: Propagation): Promise<void> {
  try {
    await world.custom.deleteNamespacedCustomObject({ ...refOf(name), propagationPolicy: propagation });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/** The object as the API server has it (undefined: gone). */
export async function readObject(world: World, name: ObjectName): Promise<KubeObject | undefined> {
  try {
    return (await world.custom.getNamespacedCustomObject(refOf(name))) as KubeObject;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Creates or updates the password Secret. */
export async function applySecret(world: World, password: string): Promise<void> {
  const body = { metadata: { name: passwordSecret, namespace }, stringData: { password } };
  try {
    await world.core.replaceNamespacedSecret({ name: passwordSecret, namespace, body });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    await world.core.createNamespacedSecret({ namespace, body });
  }
}

/** Deletes the namespace, waits until it is gone (every object's finalizer released), and creates it again. */
export async function recreateNamespace(world: World): Promise<void> {
  await world.core.deleteNamespace({ name: namespace });
  for (let attempt = 0; ; attempt++) {
    try {
      await world.core.readNamespace({ name: namespace });
    } catch (error) {
      if (statusOf(error) === 404) break;
      throw error;
    }
    if (attempt > 600) throw new Error(`namespace ${namespace} was not deleted within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await createNamespace(world);
}

export async function createNamespace(world: World): Promise<void> {
  await world.core.createNamespace({ body: { metadata: { name: namespace } } });
}

/** Someone changes the resource's tags in Azure (the portal, a script): drift. */
export async function driftInAzure(world: World, name: ObjectName): Promise<boolean> {
  const { armId, apiVersion } = universe[name];
  const current = await world.armGet(armId, apiVersion);
  if (current.status !== 200) return false;
  const body = current.body as Record<string, unknown>;
  const { id: _id, name: _name, type: _type, etag: _etag, systemData: _systemData, ...rest } = body;
  const tags = { ...((rest['tags'] as Record<string, string> | undefined) ?? {}), drift: 'outside' };
  const put = await world.armPut(armId, apiVersion, { ...rest, tags });
  if (put.status >= 300) throw new Error(`drift PUT of ${name} failed: ${put.status} ${JSON.stringify(put.body)}`);
  return true;
}

/** A custom object as the checker reads it. */
export interface KubeObject extends KubernetesObject {
  metadata?: KubernetesObject['metadata'] & { generation?: number };
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      severity?: string;
      message?: string;
      observedGeneration?: number;
    }>;
  };
}

export function statusOf(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : 0;
}
