/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go and controller-runtime do it (`leader-elector.ts`
 * runs it, `lease-lock.ts` talks to the API server): only one operator instance works at a time. The leader's
 * `fence` is called before every request the operator sends (`fencedKubeConfig`, and the ARM client's guard), so
 * an instance that is no longer sure to hold the Lease sends nothing more, even before its own timers have run.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './queue.js';
import { type ElectionTiming, LeaderElector } from './leader-elector.js';
import type { ClusterAccess } from './kube-http.js';
import { kubeLeaseLock } from './lease-lock.js';

export { defaultElectionTiming, type ElectionTiming, checkElectionTiming, NotLeaderError } from './leader-elector.js';

/** The Lease's default name. */
export const defaultLeaseName = 'azo-operator-leader';

/**
 * Options of `electLeader`. Defaults: Lease `azo-operator-leader`; client-go's timing (lease duration 15 s, renew
 * deadline 10 s, retry period 2 s; each call times out after half the renew deadline); a monotonic clock.
 */
export interface LeaderElectionOptions extends Partial<ElectionTiming> {
  kubeConfig: ClusterAccess;
  namespace: string;
  identity: string;
  leaseName?: string;
  /** Timers and local durations (default: `setTimeout` and the monotonic `performance.now`). */
  clock?: Clock;
  /** The time written into the Lease, for people (default `Date.now`). */
  wallClock?: () => number;
  logger: Logger;
  /** Called once if leadership is lost after it was held, with a one-line reason: stop working and exit. */
  onLost?: (reason: string) => void;
  /** Gives up waiting: `electLeader` rejects. */
  signal?: AbortSignal;
}

/** Held leadership. */
export interface Leadership {
  /** Throws unless this instance holds the Lease right now (past the renew deadline it also reports it lost). */
  fence(): void;
  /** true while this instance holds the Lease. */
  isLeader(): boolean;
  /** Stops renewing and releases the Lease so another instance takes over at once. */
  release(): Promise<void>;
}

/** The system clock with a monotonic `now`: a stepped wall clock must not shorten or stretch a lease. */
const monotonicClock: Clock = { ...systemClock, now: () => performance.now() };

/** Resolves once this instance holds the Lease; it is renewed until `release`, or lost (`onLost`). */
export async function electLeader(options: LeaderElectionOptions): Promise<Leadership> {
  const { kubeConfig, namespace, identity, logger } = options;
  const lock = kubeLeaseLock({ kubeConfig, namespace, name: options.leaseName ?? defaultLeaseName });
  const elector = new LeaderElector({
    ...options,
    lock,
    identity,
    logger,
    clock: options.clock ?? monotonicClock,
    onLost: options.onLost ?? (() => undefined),
  });
  const acquired = elector.acquire();
  options.signal?.addEventListener('abort', () => elector.stop(), { once: true });
  await acquired;
  return {
    fence: () => elector.fence(),
    isLeader: () => elector.isLeader(),
    release: () => elector.release(),
  };
}

/**
 * A view of `kubeConfig` whose every request (API calls, watches) first calls `fence`: a throw refuses the request
 * before it is sent. Give it to the operator so that a leader past its renew deadline writes nothing more. A
 * client-node KubeConfig's own request hooks are fenced too (`applySecurityAuthentication`, `applyToFetchOptions`).
 */
export function fencedKubeConfig<T extends ClusterAccess>(kubeConfig: T, fence: () => void): T {
  const view = Object.create(kubeConfig) as T;
  const hooks = view as unknown as Record<string, unknown>;
  const original = kubeConfig as unknown as Record<string, unknown>;
  for (const hook of ['applyToHTTPSOptions', 'applySecurityAuthentication', 'applyToFetchOptions']) {
    const method = original[hook];
    if (typeof method !== 'function') continue;
    hooks[hook] = async (...args: unknown[]) => {
      fence();
      return (method as (...parameters: unknown[]) => unknown).apply(kubeConfig, args);
    };
  }
  return view;
}
