/**
 * The work queue: the only place that owns time and retries in the operator. It deduplicates keys, never hands one
 * key to two workers, re-queues a key that changed while it was being reconciled, delays keys (`addAfter`) and rate
 * limits failures (per-key exponential backoff + a global token bucket, controller-runtime's default limiter). The
 * clock is injected; `setTimeout` appears only here (the default clock).
 */

/** A clock: the current time and one-shot timers. */
export interface Clock {
  now(): number;
  /** A one-shot timer; `keepAlive` keeps the process running while it is pending (default: it does not). */
  setTimer(callback: () => void, delayMs: number, options?: { keepAlive?: boolean }): unknown;
  clearTimer(handle: unknown): void;
}

/** The real clock (`Date.now`, `setTimeout`, unref'd so a pending requeue never keeps the process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs, options) => {
    const handle = setTimeout(callback, delayMs);
    if (options?.keepAlive !== true) handle.unref();
    return handle;
  },
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Options of the failure rate limiter. Defaults: backoff 1 s doubling to 5 min; global bucket 10/s, burst 100. */
export interface RateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  bucketPerSecond?: number;
  bucketBurst?: number;
}

/** Per-key exponential backoff combined with a global token bucket (the larger delay wins). */
export class RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly base: number;
  private readonly max: number;
  private readonly perSecond: number;
  private readonly burst: number;
  private tokens: number;
  private updatedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    options: RateLimiterOptions = {},
  ) {
    this.base = options.baseDelayMs ?? 1000;
    this.max = options.maxDelayMs ?? 300_000;
    this.perSecond = options.bucketPerSecond ?? 10;
    this.burst = options.bucketBurst ?? 100;
    this.tokens = this.burst;
  }

  /** The delay before `key` may be retried after one more failure. */
  when(key: string): number {
    const count = this.failures.get(key) ?? 0;
    this.failures.set(key, count + 1);
    const backoff = Math.min(this.max, this.base * 2 ** Math.min(count, 30));
    return Math.max(backoff, this.reserveToken());
  }

  /** Failures so far for `key`. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Forgets `key`'s failures (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  private reserveToken(): number {
    const now = this.clock.now();
    if (this.updatedAt !== undefined)
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}

/** What a reconcile returns: `requeueAfterMs` asks for another pass after that delay (e.g. polling, resync). */
export interface ReconcileResult {
  requeueAfterMs?: number;
  /** Why the next pass comes (default `poll`): a periodic re-check is `drift`. */
  requeueReason?: QueueReason;
}

/**
 * Why a key is queued, best first: `user` (the object itself changed), `poll` (following a write under way), `retry`
 * (after a failure), `dependency` (something it depends on changed), `drift` (the periodic re-check). A key queued
 * for several reasons keeps the best.
 */
export type QueueReason = 'user' | 'poll' | 'retry' | 'dependency' | 'drift';

const reasonRank: Record<QueueReason, number> = { user: 0, poll: 1, retry: 2, dependency: 3, drift: 4 };

const lanesInOrder: readonly QueueReason[] = ['user', 'poll', 'retry', 'dependency', 'drift'];

function better(a: QueueReason | undefined, b: QueueReason): QueueReason {
  return a === undefined || reasonRank[b] < reasonRank[a] ? b : a;
}

/** Thrown by a handler: record and stop retrying this key until it changes. */
export class TerminalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerminalError';
  }
}

/**
 * Thrown by a handler whose failure may pass by itself (a server unreachable, an owner not there yet): retried with
 * the queue's growing backoff, never sooner than `minDelayMs`.
 */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** Type guard for `TerminalError`. */
export function isTerminalError(value: unknown): value is TerminalError {
  return value instanceof TerminalError;
}

/** What a work queue reports, for metrics (controller-runtime's workqueue metrics). */
export interface QueueObserver {
  /** A key entered the queue, for `reason` (not counted when it was already waiting or already marked dirty). */
  added(reason: QueueReason): void;
  /** A key was handed to a worker after waiting `seconds` in the queue. */
  handedOut(seconds: number): void;
  /** A key was scheduled again after a failure. */
  retried(): void;
}

/** Options of `WorkQueue`. */
export interface WorkQueueOptions {
  clock?: Clock;
  rateLimiter?: RateLimiter;
  /** Hears adds, hand-outs and retries (default: nobody). */
  observer?: QueueObserver;
}

/**
 * A deduplicating, delaying, rate-limited work queue of string keys, with a lane per reason served best first: a
 * user's change goes before polls and retries, those before dependency wake-ups, and those before periodic drift
 * checks — so a sweep of thousands of drift checks never stands between a user and their change.
 */
export class WorkQueue {
  private readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  private readonly lanes: Record<QueueReason, string[]> = { user: [], poll: [], retry: [], dependency: [], drift: [] };
  /** The lane each waiting key is in. */
  private readonly queued = new Map<string, QueueReason>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; handle: unknown; reason: QueueReason }>();
  /** Why each waiting, dirty or processing key is queued. */
  private readonly reasons = new Map<string, QueueReason>();
  private readonly handedOut = new Map<string, QueueReason>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  /** When each waiting (or dirty) key entered the queue. */
  private readonly addedAt = new Map<string, number>();
  private readonly observer: QueueObserver | undefined;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? new RateLimiter(this.clock);
    this.observer = options.observer;
  }

  private noteAdded(key: string, reason: QueueReason): void {
    if (this.addedAt.has(key)) return;
    this.addedAt.set(key, this.clock.now());
    this.observer?.added(reason);
  }

  /**
   * Adds `key` now, in the lane of its best reason (a waiting key moves up when the new reason is better; a key being
   * processed is marked dirty). Cancels a later timer. `reason` default `user`.
   */
  add(key: string, reason: QueueReason = 'user'): void {
    this.enqueue(key, reason);
  }

  private enqueue(key: string, reason: QueueReason): void {
    if (this.shuttingDown) return;
    const timer = this.timers.get(key);
    if (timer !== undefined) {
      this.clock.clearTimer(timer.handle);
      this.timers.delete(key);
      reason = better(timer.reason, reason);
    }
    const best = better(this.reasons.get(key), reason);
    this.reasons.set(key, best);
    if (this.processing.has(key)) {
      if (!this.dirty.has(key)) this.noteAdded(key, reason);
      this.dirty.add(key);
      return;
    }
    const lane = this.queued.get(key);
    if (lane !== undefined) {
      if (lane === best) return;
      const waiting = this.lanes[lane];
      waiting.splice(waiting.indexOf(key), 1);
      this.lanes[best].push(key);
      this.queued.set(key, best);
      return;
    }
    this.noteAdded(key, reason);
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.handOut(key);
      waiter(key);
      return;
    }
    this.queued.set(key, best);
    this.lanes[best].push(key);
  }

  /** Adds `key` after `delayMs` (an earlier pending time wins). `reason` default `retry`. */
  addAfter(key: string, delayMs: number, reason: QueueReason = 'retry'): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.enqueue(key, reason);
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) {
        existing.reason = better(existing.reason, reason);
        return;
      }
      this.clock.clearTimer(existing.handle);
      reason = better(existing.reason, reason);
    }
    const handle = this.clock.setTimer(() => {
      const current = this.timers.get(key);
      if (current === undefined || current.handle !== handle) return;
      this.timers.delete(key);
      this.enqueue(key, current.reason);
    }, delayMs);
    this.timers.set(key, { at, handle, reason });
  }

  /** Adds `key` after its rate-limited delay (at least `minDelayMs`, e.g. ARM's Retry-After). Returns the delay. */
  addRateLimited(key: string, minDelayMs = 0): number {
    const delay = Math.max(minDelayMs, this.rateLimiter.when(key));
    this.observer?.retried();
    this.addAfter(key, delay, 'retry');
    return delay;
  }

  /** Why `key`, handed out by `get`, is being processed (until `done`). */
  reasonOf(key: string): QueueReason {
    return this.handedOut.get(key) ?? 'user';
  }

  /** Clears `key`'s failure count. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** The next key to process, marked processing; `undefined` once shut down. */
  get(): Promise<string | undefined> {
    const lane = lanesInOrder.find((reason) => this.lanes[reason].length > 0);
    const key = lane === undefined ? undefined : this.lanes[lane].shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.handOut(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private handOut(key: string): void {
    const addedAt = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (addedAt !== undefined) this.observer?.handedOut((this.clock.now() - addedAt) / 1000);
    this.processing.add(key);
    this.handedOut.set(key, this.reasons.get(key) ?? 'user');
    this.reasons.delete(key);
  }

  /** Marks `key` finished; if it changed meanwhile, it is queued again (for the reason it changed). */
  done(key: string): void {
    this.processing.delete(key);
    this.handedOut.delete(key);
    if (this.dirty.delete(key)) this.enqueue(key, this.reasons.get(key) ?? 'user');
  }

  /** Keys waiting to be handed out (not on a timer, not processing). */
  get length(): number {
    return lanesInOrder.reduce((total, reason) => total + this.lanes[reason].length, 0);
  }

  /** Keys being processed now. */
  get processingCount(): number {
    return this.processing.size;
  }

  /** true when `key` waits, is being processed, or has a pending timer. */
  has(key: string): boolean {
    return this.queued.has(key) || this.processing.has(key) || this.timers.has(key);
  }

  /** Stops handing out keys and cancels timers; waiting `get`s resolve with `undefined`. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.timers.values()) this.clock.clearTimer(handle);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}

/** Options of `runWorkers`. */
export interface RunWorkersOptions {
  queue: WorkQueue;
  /** Number of concurrent workers; default 1. */
  concurrency?: number;
  /**
   * Reconciles one key (`reason`: why it was queued). Throw to retry with backoff (an error's numeric `retryAfterMs` is
   * a minimum delay; with `retryExactly: true` it is the delay, the backoff left alone); throw `TerminalError` to
   * stop.
   */
  handle: (key: string, reason: QueueReason) => Promise<ReconcileResult>;
  /** Called once per failed reconcile (the one place errors are logged). */
  onError?: (key: string, error: unknown, retryInMs: number | undefined) => void;
}

/** Runs workers until the queue shuts down; resolves when all have stopped. */
export async function runWorkers(options: RunWorkersOptions): Promise<void> {
  const { queue, handle } = options;
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await handle(key, queue.reasonOf(key));
        queue.forget(key);
        if (result.requeueAfterMs !== undefined)
          queue.addAfter(key, result.requeueAfterMs, result.requeueReason ?? 'poll');
      } catch (error) {
        if (isTerminalError(error)) {
          queue.forget(key);
          options.onError?.(key, error, undefined);
        } else {
          const { retryAfterMs, retryExactly } = (error ?? {}) as { retryAfterMs?: unknown; retryExactly?: unknown };
          let delay: number;
          if (retryExactly === true && typeof retryAfterMs === 'number') {
            // The handler keeps its own schedule for this failure (a slow retry capped at the sync period).
            queue.addAfter(key, retryAfterMs);
            delay = retryAfterMs;
          } else {
            delay = queue.addRateLimited(key, typeof retryAfterMs === 'number' ? retryAfterMs : 0);
          }
          options.onError?.(key, error, delay);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => worker()));
}
