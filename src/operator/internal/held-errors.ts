/**
 * Errors that retrying cannot fix by itself (an ARM 400, an immutable field changed) still recover: they are retried
 * at once when anything they depend on changes, and otherwise on a slow backoff capped at the sync period — never a
 * hot loop, never stuck. This table remembers, per object, the last such error and the fingerprint of the inputs it
 * met (desired state and credential): while the inputs are the same and the retry is not due, the object is held
 * (no ARM request); new inputs or a due retry let the next reconcile try again. Memory only: a restarted operator
 * tries each once more.
 */

/** One held error. */
export interface HeldError {
  /** The object's uid (a new object of the same name starts afresh). */
  uid: string;
  /** The inputs' fingerprint; undefined when they could not be resolved (then nothing is held, only delayed). */
  fingerprint: string | undefined;
  reason: string;
  message: string;
  /** Failures in a row with the same inputs. */
  attempts: number;
  /** When the next attempt is due (ms since the epoch). */
  retryAt: number;
}

/** Options of `HeldErrors`. Defaults: first retry after 1 min, doubling, capped at 1 h. */
export interface HeldErrorsOptions {
  now?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** See the module comment. */
export class HeldErrors {
  private readonly entries = new Map<string, HeldError>();
  private readonly now: () => number;
  private readonly base: number;
  private readonly max: number;

  constructor(options: HeldErrorsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.max = Math.max(1, options.maxDelayMs ?? 3_600_000);
    this.base = Math.min(options.baseDelayMs ?? 60_000, this.max);
  }

  /** Records a failure; returns the delay before the next attempt. */
  record(
    key: string,
    failure: { uid: string; fingerprint: string | undefined; reason: string; message: string },
  ): number {
    const previous = this.entries.get(key);
    const sameInputs =
      previous !== undefined && previous.uid === failure.uid && previous.fingerprint === failure.fingerprint;
    const attempts = sameInputs ? previous.attempts + 1 : 1;
    const delay = Math.min(this.max, this.base * 2 ** Math.min(attempts - 1, 30));
    this.entries.set(key, { ...failure, attempts, retryAt: this.now() + delay });
    return delay;
  }

  /**
   * The error to keep showing instead of trying again, with the time left: only for the same object and the same
   * (known) inputs before the retry is due. Forgets an entry whose inputs changed.
   */
  held(
    key: string,
    uid: string,
    fingerprint: string | undefined,
  ): { reason: string; message: string; remainingMs: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.uid !== uid || entry.fingerprint !== fingerprint) {
      this.entries.delete(key);
      return undefined;
    }
    const remainingMs = entry.retryAt - this.now();
    if (fingerprint === undefined || remainingMs <= 0) return undefined;
    return { reason: entry.reason, message: entry.message, remainingMs };
  }

  /** Forgets `key` (after a success, or when the object is gone). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
