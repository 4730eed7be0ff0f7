/**
 * The `LeaseLock` of leader election on a coordination.k8s.io/v1 Lease. Every call takes an AbortSignal
 * (`kube-http.ts`); updates send the resourceVersion read, so a concurrent write fails with 409 instead of being
 * overwritten. The election uses connections of its own, apart from the operator's.
 */
import { type ClusterAccess, KubeHttp } from './kube-http.js';
import type { Lease } from './kube-types.js';
import type { LeaseRecord, LeaseSnapshot } from './lease-decision.js';
import type { LeaseLock } from './leader-elector.js';
import { seg, statusOf } from './kube.js';

/** The Lease `namespace/name` as a `LeaseLock`. */
export function kubeLeaseLock(options: { kubeConfig: ClusterAccess; namespace: string; name: string }): LeaseLock {
  const { namespace, name } = options;
  const http = new KubeHttp(options.kubeConfig);
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${seg(namespace)}/leases`;
  const path = `${collection}/${seg(name)}`;
  // The last Lease read or written: an update keeps its metadata (labels, annotations), as client-go does.
  let last: Lease | undefined;
  const remember = (lease: Lease): LeaseSnapshot => {
    last = lease;
    return { record: recordOf(lease), resourceVersion: lease.metadata?.resourceVersion ?? '' };
  };
  const kind = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
  return {
    description: `${namespace}/${name}`,
    get: async (signal) => {
      try {
        return remember(await http.request<Lease>({ method: 'GET', path, signal }));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    create: async (record, signal) => {
      const body: Lease = { ...kind, metadata: { name, namespace }, spec: specOf(record) };
      return remember(await http.request<Lease>({ method: 'POST', path: collection, body, signal }));
    },
    update: async (record, resourceVersion, signal) => {
      const metadata = { ...(last?.metadata ?? {}), name, namespace, resourceVersion };
      const body: Lease = { ...kind, metadata, spec: specOf(record) };
      return remember(await http.request<Lease>({ method: 'PUT', path, body, signal }));
    },
  };
}

function recordOf(lease: Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const record: LeaseRecord = {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
  const acquireTime = timeText(spec.acquireTime);
  const renewTime = timeText(spec.renewTime);
  if (acquireTime !== undefined) record.acquireTime = acquireTime;
  if (renewTime !== undefined) record.renewTime = renewTime;
  return record;
}

function specOf(record: LeaseRecord): NonNullable<Lease['spec']> {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
    ...(record.acquireTime !== undefined ? { acquireTime: microTime(record.acquireTime) } : {}),
    ...(record.renewTime !== undefined ? { renewTime: microTime(record.renewTime) } : {}),
  };
}

function timeText(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A MicroTime as the API server parses it (six fractional digits; `toISOString` gives three). */
function microTime(time: string): string {
  return time.replace(/\.(\d{3})Z$/, '.$1000Z');
}
