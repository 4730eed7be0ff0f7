/**
 * ARM's request throttling: a token bucket per (subscription or tenant) × principal × operation class, refilled
 * continuously. Defaults are ARM's documented limits (reads 250 burst / 25 per s, writes and deletes 200 / 10 per s).
 */

/** Bucket sizes and refill rates per operation class. */
export interface ThrottlingLimits {
  readsBurst: number;
  readsPerSecond: number;
  writesBurst: number;
  writesPerSecond: number;
  deletesBurst: number;
  deletesPerSecond: number;
}

/** ARM's current limits per subscription and principal. */
export const armLimits: ThrottlingLimits = {
  readsBurst: 250,
  readsPerSecond: 25,
  writesBurst: 200,
  writesPerSecond: 10,
  deletesBurst: 200,
  deletesPerSecond: 10,
};

/** reads (GET/HEAD), writes (PUT/PATCH/POST) or deletes (DELETE). */
export type OperationClass = 'reads' | 'writes' | 'deletes';

/** The outcome of taking one token: allowed with the tokens left, or refused with the seconds to wait. */
export type ThrottleDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** Classifies an HTTP method the way ARM counts it. */
export function classify(method: string): OperationClass {
  if (method === 'GET' || method === 'HEAD') return 'reads';
  if (method === 'DELETE') return 'deletes';
  return 'writes';
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** All buckets of one emulator. `now` is injectable for tests. */
export class Throttler {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: ThrottlingLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token from the bucket of `scopeKey` (subscription or tenant + principal) for `operation`. */
  take(scopeKey: string, operation: OperationClass): ThrottleDecision {
    const burst = this.limits[`${operation}Burst`];
    const rate = this.limits[`${operation}PerSecond`];
    const key = `${scopeKey}|${operation}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = rate > 0 ? Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) : 60;
      return { allowed: false, retryAfterSeconds };
    }
    bucket.tokens -= 1;
    return { allowed: true, remaining: Math.floor(bucket.tokens) };
  }
}
