/**
 * The `LeaseLock` of leader election on a coordination.k8s.io/v1 Lease, through @kubernetes/client-node. Every call
 * takes an AbortSignal (`kube-http.ts`); updates send the resourceVersion read, so a concurrent write fails
 * with 409 instead of being overwritten. The election uses connections of its own, apart from the operator's.
 */
import { CoordinationV1Api, type KubeConfig, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { makeLimitedApiClient } from './kube-http.js';
import type { LeaseRecord, LeaseSnapshot } from './lease-decision.js';
import type { LeaseLock } from './leader-elector.js';
import { reuseConnections, statusOf } from './kube.js';

/** The Lease `namespace/name` as a `LeaseLock`. */
export function kubeLeaseLock(options: { kubeConfig: KubeConfig; namespace: string; name: string }): LeaseLock {
  const { namespace, name } = options;
  const pooled = reuseConnections(options.kubeConfig);
  const api = (signal: AbortSignal) => makeLimitedApiClient(pooled, CoordinationV1Api, { signal });
  // The last Lease read or written: an update keeps its metadata (labels, annotations), as client-go does.
  let last: V1Lease | undefined;
  const remember = (lease: V1Lease): LeaseSnapshot => {
    last = lease;
    return { record: recordOf(lease), resourceVersion: lease.metadata?.resourceVersion ?? '' };
  };
  return {
    description: `${namespace}/${name}`,
    get: async (signal) => {
      try {
        return remember(await api(signal).readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    create: async (record, signal) =>
      remember(
        await api(signal).createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: specOf(record) },
        }),
      ),
    update: async (record, resourceVersion, signal) => {
      const metadata = { ...(last?.metadata ?? {}), name, namespace, resourceVersion };
      const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec: specOf(record) };
      return remember(await api(signal).replaceNamespacedLease({ name, namespace, body }));
    },
  };
}

function recordOf(lease: V1Lease): LeaseRecord {
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

function specOf(record: LeaseRecord): NonNullable<V1Lease['spec']> {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
    ...(record.acquireTime !== undefined ? { acquireTime: new V1MicroTime(record.acquireTime) } : {}),
    ...(record.renewTime !== undefined ? { renewTime: new V1MicroTime(record.renewTime) } : {}),
  };
}

/** client-node hands MicroTimes back as the server's strings (typed as dates). */
function timeText(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' && value !== '' ? value : undefined;
}
