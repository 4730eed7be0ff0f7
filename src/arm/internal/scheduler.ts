/**
 * ARM's request limits on the client side: a token bucket per subscription and request class (reads, writes,
 * deletes), refilled over time, lowered by ARM's `x-ms-ratelimit-remaining-subscription-*` headers and blocked by a
 * 429's `Retry-After`. It never sleeps: a request that finds no token is refused with the time to wait, and the
 * caller (the operator's queue) retries it then. The clock is injected.
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
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RequestSchedulerOptions = {}) {
    this.limits = { ...defaultArmLimits, ...options.limits };
    this.now = options.now ?? Date.now;
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

/** The subscription an ARM URL or ID addresses (`/subscriptions/{id}/...`), or `''` for tenant-level requests. */
export function subscriptionOf(pathOrUrl: string): string {
  const match = /\/subscriptions\/([^/?#]+)/i.exec(pathOrUrl);
  return match?.[1] ?? '';
}
