/**
 * ARM's request limits on the client side: a token bucket per subscription and request class (reads, writes,
 * deletes), refilled over time, lowered by ARM's `x-ms-ratelimit-remaining-subscription-*` headers and blocked by a
 * 429's `Retry-After`. A request that finds no token waits for one (`acquire`): client-side throttling is a wait,
 * never an error. The clock and the wait are injected.
 */

/** ARM's three request classes. */
export type RequestClass = 'reads' | 'writes' | 'deletes';

/** One bucket's size and refill rate. */
export interface BucketLimits {
  burst: number;
  perSecond: number;
}

/** Options of `RequestScheduler`. Defaults: ARM's limits per subscription, reads 250/25 s⁻¹, writes 200/10, deletes 200/10. */
export interface RequestSchedulerOptions {
  limits?: Partial<Record<RequestClass, BucketLimits>>;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** Waits `ms` (default: a timer that does not keep the process alive). */
  sleep?: (ms: number, signal?: AbortSignalLike) => Promise<void>;
}

/** The part of an abort signal the scheduler uses (DOM's and @azure/abort-controller's both fit). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** ARM's default limits. */
export const defaultArmLimits: Record<RequestClass, BucketLimits> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
  deletes: { burst: 200, perSecond: 10 },
};

interface Bucket {
  tokens: number;
  updatedAt: number;
  blockedUntil: number;
}

/** The class of an HTTP method: GET/HEAD read, DELETE delete, everything else writes. */
export function requestClassOf(method: string): RequestClass {
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD') return 'reads';
  if (upper === 'DELETE') return 'deletes';
  return 'writes';
}

/** Token buckets per subscription and class. Share one instance across every ARM client of a process. */
export class RequestScheduler {
  private readonly limits: Record<RequestClass, BucketLimits>;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignalLike) => Promise<void>;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RequestSchedulerOptions = {}) {
    this.limits = { ...defaultArmLimits, ...options.limits };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepUnref;
  }

  /** Takes a token, waiting for one as long as it takes (or until `signal` aborts). Resolves with the time waited. */
  async acquire(subscription: string, requestClass: RequestClass, signal?: AbortSignalLike): Promise<number> {
    const started = this.now();
    for (;;) {
      if (signal?.aborted === true) throw new Error('the request was aborted while waiting for an ARM token');
      const waitMs = this.tryAcquire(subscription, requestClass);
      if (waitMs === 0) return this.now() - started;
      await this.sleep(waitMs, signal);
    }
  }

  /** Takes a token; returns 0 when granted, else the milliseconds to wait before trying again. */
  tryAcquire(subscription: string, requestClass: RequestClass): number {
    const bucket = this.refill(subscription, requestClass);
    const now = this.now();
    if (bucket.blockedUntil > now) return bucket.blockedUntil - now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    const { perSecond } = this.limits[requestClass];
    return Math.max(1, Math.ceil(((1 - bucket.tokens) / perSecond) * 1000));
  }

  /** ARM said how many requests remain (`x-ms-ratelimit-remaining-subscription-*`): never hold more tokens than that. */
  observeRemaining(subscription: string, requestClass: RequestClass, remaining: number): void {
    if (!Number.isFinite(remaining) || remaining < 0) return;
    const bucket = this.refill(subscription, requestClass);
    bucket.tokens = Math.min(bucket.tokens, remaining);
  }

  /** ARM throttled us (429): no request of this class until `retryAfterMs` has passed; the bucket is emptied. */
  observeThrottled(subscription: string, requestClass: RequestClass, retryAfterMs: number): void {
    const bucket = this.refill(subscription, requestClass);
    bucket.tokens = 0;
    bucket.blockedUntil = Math.max(bucket.blockedUntil, this.now() + retryAfterMs);
  }

  /** Tokens currently available (for tests and metrics). */
  available(subscription: string, requestClass: RequestClass): number {
    return Math.floor(this.refill(subscription, requestClass).tokens);
  }

  private refill(subscription: string, requestClass: RequestClass): Bucket {
    const key = `${subscription.toLowerCase()}/${requestClass}`;
    const limits = this.limits[requestClass];
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: limits.burst, updatedAt: now, blockedUntil: 0 };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(limits.burst, bucket.tokens + (elapsed / 1000) * limits.perSecond);
    bucket.updatedAt = now;
    return bucket;
  }
}

function sleepUnref(ms: number, signal?: AbortSignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    timer.unref();
    const abort = () => {
      clearTimeout(timer);
      reject(new Error('the request was aborted while waiting for an ARM token'));
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** The subscription an ARM URL or ID addresses (`/subscriptions/{id}/...`), or `''` for tenant-level requests. */
export function subscriptionOf(pathOrUrl: string): string {
  const match = /\/subscriptions\/([^/?#]+)/i.exec(pathOrUrl);
  return match?.[1] ?? '';
}
