/**
 * ARM's request limits as a schedule. ARM counts requests per (subscription, or tenant for tenant-level calls) ×
 * principal × class (reads, writes, deletes) in token buckets; this keeps the same buckets on the client side, lowered
 * by ARM's `x-ms-ratelimit-remaining-*` headers and blocked by a 429's `Retry-After`, so that the operator stays
 * inside them instead of being refused.
 *
 * A request that finds no token waits for one (`acquire`): never an error, never a condition. Waiters are served by
 * priority, with reservation: `user` (a user's change, its retries and polls) may take the last token; `dependency`
 * (a wake-up because something an object depends on changed) leaves a reserve of the burst for users; `drift` (the
 * periodic re-check against Azure) may only use the bucket above a larger reserve, and at most its share of the read
 * rate, so a drift sweep can never delay a user's change by more than one token's time. A shared bound on requests in
 * flight keeps a burst from opening hundreds of connections. The clock is injected.
 */

/** ARM's three request classes. */
export type RequestClass = 'reads' | 'writes' | 'deletes';

/** Why a request is made, highest priority first. */
export type RequestPriority = 'user' | 'dependency' | 'drift';

/** One bucket's size and refill rate. */
export interface BucketLimits {
  burst: number;
  perSecond: number;
}

/** A timer source (defaults to `setTimeout`, unref'd). */
export interface SchedulerClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The part of an abort signal the scheduler uses (DOM's and @azure/abort-controller's both fit). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Options of `RequestScheduler`. Defaults: ARM's limits (reads 250 burst / 25 s⁻¹, writes and deletes 200 / 10 s⁻¹),
 * drift checks at most half the read rate and only above half of any bucket, dependency wake-ups above 10 % of it,
 * 64 requests in flight.
 */
export interface RequestSchedulerOptions {
  limits?: Partial<Record<RequestClass, BucketLimits>>;
  /** Share of the read rate (and of each bucket) drift checks may use, 0 < share ≤ 1. */
  driftShare?: number;
  /** Share of each bucket kept for users' requests when a dependency wake-up asks, 0 ≤ share < 1. */
  dependencyReserve?: number;
  /** Requests in flight at once, over every bucket. */
  maxInFlight?: number;
  clock?: SchedulerClock;
}

/** What a request asks for. */
export interface AcquireRequest {
  /** `subscription:<id>` or `tenant:<id>`: where ARM counts the request. */
  scope: string;
  /** The identity making it (tenant/client id): ARM counts per principal. */
  principal: string;
  requestClass: RequestClass;
  priority?: RequestPriority;
  signal?: AbortSignalLike | undefined;
}

/** A granted request: call `release` when its response has arrived (frees its slot in flight). */
export interface Grant {
  waitedMs: number;
  release(): void;
}

/** Levels of one bucket, for metrics and tests. */
export interface BucketState {
  scope: string;
  principal: string;
  requestClass: RequestClass;
  tokens: number;
  waiting: number;
}

/** ARM's default limits. */
export const defaultArmLimits: Record<RequestClass, BucketLimits> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
  deletes: { burst: 200, perSecond: 10 },
};

const rank: Record<RequestPriority, number> = { user: 0, dependency: 1, drift: 2 };

interface Waiter {
  priority: RequestPriority;
  order: number;
  grant(): void;
}

interface Bucket {
  key: string;
  scope: string;
  principal: string;
  requestClass: RequestClass;
  tokens: number;
  /** Drift checks' own allowance (reads only). */
  driftTokens: number;
  updatedAt: number;
  blockedUntil: number;
  waiters: Waiter[];
  timer: unknown;
}

/** The class of an HTTP method: GET/HEAD read, DELETE delete, everything else writes. */
export function requestClassOf(method: string): RequestClass {
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD') return 'reads';
  if (upper === 'DELETE') return 'deletes';
  return 'writes';
}

/** Token buckets per (scope, principal, class) and the bound on requests in flight. Share one per process. */
export class RequestScheduler {
  private readonly limits: Record<RequestClass, BucketLimits>;
  private readonly driftShare: number;
  private readonly dependencyReserve: number;
  private readonly clock: SchedulerClock;
  private readonly buckets = new Map<string, Bucket>();
  private readonly flight: InFlight;
  private order = 0;

  constructor(options: RequestSchedulerOptions = {}) {
    this.limits = { ...defaultArmLimits, ...options.limits };
    this.driftShare = Math.min(1, Math.max(0.01, options.driftShare ?? 0.5));
    this.dependencyReserve = Math.min(0.99, Math.max(0, options.dependencyReserve ?? 0.1));
    this.clock = options.clock ?? systemTimers;
    this.flight = new InFlight(Math.max(1, options.maxInFlight ?? 64));
  }

  /** Waits for a token of the request's bucket (by priority), then for a slot in flight. */
  async acquire(request: AcquireRequest): Promise<Grant> {
    const started = this.clock.now();
    const priority = request.priority ?? 'user';
    await this.takeToken(this.bucket(request.scope, request.principal, request.requestClass), priority, request.signal);
    const release = await this.flight.enter(priority, request.signal);
    return { waitedMs: this.clock.now() - started, release };
  }

  /** ARM said how many requests remain: never hold more tokens than that. */
  observeRemaining(scope: string, principal: string, requestClass: RequestClass, remaining: number): void {
    if (!Number.isFinite(remaining) || remaining < 0) return;
    const bucket = this.refill(this.bucket(scope, principal, requestClass));
    bucket.tokens = Math.min(bucket.tokens, remaining);
  }

  /** ARM throttled us (429): no request of this bucket until `retryAfterMs` has passed; the bucket is emptied. */
  observeThrottled(scope: string, principal: string, requestClass: RequestClass, retryAfterMs: number): void {
    const bucket = this.refill(this.bucket(scope, principal, requestClass));
    bucket.tokens = 0;
    bucket.driftTokens = 0;
    bucket.blockedUntil = Math.max(bucket.blockedUntil, this.clock.now() + retryAfterMs);
  }

  /** Tokens currently available in a bucket. */
  available(scope: string, principal: string, requestClass: RequestClass): number {
    return Math.floor(this.refill(this.bucket(scope, principal, requestClass)).tokens);
  }

  /** Every bucket's level and waiters. */
  state(): BucketState[] {
    return [...this.buckets.values()].map((bucket) => ({
      scope: bucket.scope,
      principal: bucket.principal,
      requestClass: bucket.requestClass,
      tokens: Math.floor(this.refill(bucket).tokens),
      waiting: bucket.waiters.length,
    }));
  }

  private takeToken(bucket: Bucket, priority: RequestPriority, signal: AbortSignalLike | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortedError());
    if (bucket.waiters.length === 0 && this.tryTake(bucket, priority)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        order: this.order++,
        grant: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
      };
      const abort = () => {
        bucket.waiters = bucket.waiters.filter((other) => other !== waiter);
        reject(abortedError());
      };
      signal?.addEventListener('abort', abort, { once: true });
      bucket.waiters.push(waiter);
      bucket.waiters.sort((a, b) => rank[a.priority] - rank[b.priority] || a.order - b.order);
      this.pump(bucket);
    });
  }

  /** Grants what the bucket allows, best priority first; sets a timer for the next grant. */
  private pump(bucket: Bucket): void {
    for (const waiter of [...bucket.waiters]) {
      if (!this.tryTake(bucket, waiter.priority)) continue;
      bucket.waiters = bucket.waiters.filter((other) => other !== waiter);
      waiter.grant();
    }
    if (bucket.timer !== undefined) {
      this.clock.clearTimer(bucket.timer);
      bucket.timer = undefined;
    }
    const next = bucket.waiters[0];
    if (next === undefined) return;
    const delay = Math.max(1, Math.min(...bucket.waiters.map((waiter) => this.waitFor(bucket, waiter.priority))));
    bucket.timer = this.clock.setTimer(() => {
      bucket.timer = undefined;
      this.pump(bucket);
    }, delay);
  }

  private tryTake(bucket: Bucket, priority: RequestPriority): boolean {
    this.refill(bucket);
    if (bucket.blockedUntil > this.clock.now()) return false;
    if (bucket.tokens - 1 < this.reserve(bucket, priority)) return false;
    if (priority === 'drift' && bucket.requestClass === 'reads' && bucket.driftTokens < 1) return false;
    bucket.tokens -= 1;
    if (priority === 'drift' && bucket.requestClass === 'reads') bucket.driftTokens -= 1;
    return true;
  }

  /** Milliseconds until a request of `priority` could take a token. */
  private waitFor(bucket: Bucket, priority: RequestPriority): number {
    const now = this.clock.now();
    const { perSecond } = this.limits[bucket.requestClass];
    if (perSecond <= 0) return 60_000;
    const blocked = Math.max(0, bucket.blockedUntil - now);
    const missing = Math.max(0, this.reserve(bucket, priority) + 1 - bucket.tokens);
    // Tokens keep refilling while the bucket is blocked: the later of the two is when the request can go.
    let wait = Math.max(blocked, (missing / perSecond) * 1000);
    if (priority === 'drift' && bucket.requestClass === 'reads') {
      wait = Math.max(wait, (Math.max(0, 1 - bucket.driftTokens) / (perSecond * this.driftShare)) * 1000);
    }
    return Math.ceil(wait);
  }

  /** Tokens a request of `priority` must leave in the bucket. */
  private reserve(bucket: Bucket, priority: RequestPriority): number {
    const { burst } = this.limits[bucket.requestClass];
    if (priority === 'user') return 0;
    if (priority === 'dependency') return burst * this.dependencyReserve;
    return burst * Math.max(this.dependencyReserve, 1 - this.driftShare);
  }

  private bucket(scope: string, principal: string, requestClass: RequestClass): Bucket {
    const key = `${scope.toLowerCase()}|${principal.toLowerCase()}|${requestClass}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const { burst } = this.limits[requestClass];
      bucket = {
        key,
        scope,
        principal,
        requestClass,
        tokens: burst,
        driftTokens: burst * this.driftShare,
        updatedAt: this.clock.now(),
        blockedUntil: 0,
        waiters: [],
        timer: undefined,
      };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private refill(bucket: Bucket): Bucket {
    const { burst, perSecond } = this.limits[bucket.requestClass];
    const now = this.clock.now();
    const seconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(burst, bucket.tokens + seconds * perSecond);
    bucket.driftTokens = Math.min(burst * this.driftShare, bucket.driftTokens + seconds * perSecond * this.driftShare);
    bucket.updatedAt = now;
    return bucket;
  }
}

/** The bound on requests in flight: a counting semaphore whose waiters are served by priority. */
class InFlight {
  private active = 0;
  private order = 0;
  private waiters: Array<Waiter & { abort?: () => void }> = [];

  constructor(private readonly limit: number) {}

  enter(priority: RequestPriority, signal: AbortSignalLike | undefined): Promise<() => void> {
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        order: this.order++,
        grant: () => {
          signal?.removeEventListener('abort', abort);
          this.active++;
          resolve(this.releaser());
        },
      };
      const abort = () => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        reject(abortedError());
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiters.push(waiter);
      this.waiters.sort((a, b) => rank[a.priority] - rank[b.priority] || a.order - b.order);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const next = this.waiters.shift();
      next?.grant();
    };
  }
}

function abortedError(): Error {
  return Object.assign(new Error('the request was aborted while waiting for its turn with ARM'), {
    name: 'AbortError',
  });
}

const systemTimers: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => {
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return handle;
  },
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Where ARM counts a request to this URL or ARM ID: its subscription, or the principal's tenant. */
export function scopeOf(pathOrUrl: string, tenantId: string): string {
  const match = /\/subscriptions\/([^/?#]+)/i.exec(pathOrUrl);
  return match?.[1] !== undefined ? `subscription:${match[1]}` : `tenant:${tenantId}`;
}

/** The subscription an ARM URL or ID addresses (`/subscriptions/{id}/...`), or `''` for tenant-level requests. */
export function subscriptionOf(pathOrUrl: string): string {
  const match = /\/subscriptions\/([^/?#]+)/i.exec(pathOrUrl);
  return match?.[1] ?? '';
}
