/**
 * Leader election on a coordination.k8s.io/v1 Lease (as controller-runtime does it): acquire when the Lease is free
 * or expired, renew before it expires, give it up on stop. Only one operator instance reconciles at a time.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './queue.js';
import { reuseConnections, statusOf } from './kube.js';

/** Options of `electLeader`. Defaults: lease `azo-operator-leader`, 15 s duration, renew every 5 s, retry every 2 s. */
export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  identity: string;
  leaseName?: string;
  leaseDurationMs?: number;
  renewIntervalMs?: number;
  retryIntervalMs?: number;
  clock?: Clock;
  logger: Logger;
  /** Called once if leadership is lost after it was held (the caller should stop working and exit). */
  onLost?: () => void;
}

/** Held leadership. */
export interface Leadership {
  /** Stops renewing and releases the Lease so another instance takes over at once. */
  release(): Promise<void>;
}

/** Resolves once this instance holds the Lease. */
export async function electLeader(options: LeaderElectionOptions): Promise<Leadership> {
  const api = reuseConnections(options.kubeConfig).makeApiClient(CoordinationV1Api);
  const clock = options.clock ?? systemClock;
  const name = options.leaseName ?? 'azo-operator-leader';
  const durationMs = options.leaseDurationMs ?? 15_000;
  const renewMs = options.renewIntervalMs ?? 5_000;
  const retryMs = options.retryIntervalMs ?? 2_000;
  const { namespace, identity, logger } = options;
  let lastRenew = 0;

  const tryAcquire = async (): Promise<boolean> => {
    const now = new Date(clock.now());
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const spec = { holderIdentity: identity, leaseDurationSeconds: Math.max(1, Math.ceil(durationMs / 1000)), renewTime: now as never };
    if (lease === undefined) {
      await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { ...spec, acquireTime: now as never, leaseTransitions: 0 } } });
      return true;
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const renewed = lease.spec?.renewTime === undefined ? 0 : new Date(lease.spec.renewTime as unknown as string).getTime();
    const expired = holder === '' || renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 < clock.now();
    if (holder !== identity && !expired) return false;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    await api.replaceNamespacedLease({
      name, namespace,
      body: { ...lease, spec: { ...lease.spec, ...spec, leaseTransitions: transitions, ...(holder === identity ? {} : { acquireTime: now as never }) } },
    });
    return true;
  };

  for (;;) {
    try {
      if (await tryAcquire()) break;
    } catch (error) {
      logger.debug({ error: (error as Error).message }, 'leader election attempt failed');
    }
    await new Promise<void>((resolve) => clock.setTimer(resolve, retryMs, { keepAlive: true }));
  }
  lastRenew = clock.now();
  logger.info({ lease: `${namespace}/${name}`, identity }, 'became the leader');

  let stopped = false;
  let timer: unknown;
  const renew = async () => {
    if (stopped) return;
    try {
      if (await tryAcquire()) lastRenew = clock.now();
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'could not renew the leader lease');
    }
    if (stopped) return;
    if (clock.now() - lastRenew > durationMs) {
      stopped = true;
      logger.error({ lease: `${namespace}/${name}` }, 'lost the leader lease');
      options.onLost?.();
      return;
    }
    timer = clock.setTimer(() => void renew(), renewMs, { keepAlive: true });
  };
  timer = clock.setTimer(() => void renew(), renewMs, { keepAlive: true });

  return {
    release: async () => {
      stopped = true;
      clock.clearTimer(timer);
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity === identity) {
          await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } } });
        }
      } catch (error) {
        logger.debug({ error: (error as Error).message }, 'could not release the leader lease');
      }
    },
  };
}
