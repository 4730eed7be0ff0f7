/**
 * Leader election the way client-go runs it, over any `LeaseLock` and an injected `Clock`:
 * - a candidate tries every retry period; it takes the Lease over when it is free, or when the record has not
 *   changed for the holder's lease duration by the candidate's OWN clock (`lease-decision.ts`);
 * - the leader renews every retry period; if no renewal succeeded for the renew deadline (counted from the START of
 *   the last successful attempt), it has lost: `onLost` is called once and `fence` refuses all work from then on;
 * - every call to the lock gets an AbortSignal that fires after `callTimeoutMs`, and the wait for it ends then
 *   even if the lock ignores the signal, so a hung connection cannot freeze the election;
 * - writes carry the resourceVersion read (optimistic concurrency); a takeover increments `leaseTransitions`;
 * - `release` gives the Lease up at once (holder '', duration 1 s) so a standby takes over without waiting.
 * Why it is safe: a standby saw the leader's last write no earlier than the leader sent it, so it waits at least the
 * lease duration from that moment; the leader stops after the renew deadline from that moment, which is shorter.
 */
import type { Logger } from 'pino';
import type { Clock } from './queue.js';
import {
  type LeaseRecord,
  type LeaseSnapshot,
  type Observation,
  decideLeaseAction,
  observeLease,
  releasedRecord,
} from './lease-decision.js';

/** Where the Lease lives. Each call must give up when `signal` aborts; writes must check `resourceVersion`. */
export interface LeaseLock {
  /** `namespace/name`, for messages. */
  readonly description: string;
  /** The Lease, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<LeaseSnapshot | undefined>;
  /** Creates the Lease; fails if it exists. */
  create(record: LeaseRecord, signal: AbortSignal): Promise<LeaseSnapshot>;
  /** Replaces the record if the Lease still has `resourceVersion`; fails (409) otherwise. */
  update(record: LeaseRecord, resourceVersion: string, signal: AbortSignal): Promise<LeaseSnapshot>;
}

/** Timing of the election (client-go's names). Defaults: 15 s, 10 s, 2 s; calls time out after half the deadline. */
export interface ElectionTiming {
  /** How long a standby waits, after it last saw the Lease change, before it takes the Lease over. */
  leaseDurationMs: number;
  /** The leader stops if it could not renew for this long. Must be shorter than the lease duration. */
  renewDeadlineMs: number;
  /** How often a standby tries to acquire, and the leader renews. Must be shorter than the renew deadline. */
  retryPeriodMs: number;
  /** Timeout of each API call (default: half the renew deadline). */
  callTimeoutMs?: number;
}

/** client-go's defaults. */
export const defaultElectionTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
} as const;

/** Options of `LeaderElector` (timing: `defaultElectionTiming` for what is not given). */
export interface LeaderElectorOptions extends Partial<ElectionTiming> {
  lock: LeaseLock;
  identity: string;
  /** Timers and the local durations; give it a monotonic `now` (the system clock's `now` may be stepped). */
  clock: Clock;
  /** Milliseconds since the epoch written into `acquireTime`/`renewTime` (for people); default `Date.now`. */
  wallClock?: () => number;
  logger: Logger;
  /** Called once when leadership held is lost, with a one-line reason. */
  onLost: (reason: string) => void;
}

/** Thrown by `fence` when this candidate may not act as the leader. */
export class NotLeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotLeaderError';
  }
}

/** Throws unless `timing` is consistent: lease duration > renew deadline > retry period > 0. */
export function checkElectionTiming(timing: ElectionTiming): void {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timing;
  if (!(retryPeriodMs > 0)) throw new Error(`the retry period must be positive (got ${retryPeriodMs} ms)`);
  if (!(renewDeadlineMs > retryPeriodMs)) {
    throw new Error(
      `the renew deadline (${renewDeadlineMs} ms) must be longer than the retry period (${retryPeriodMs} ms)`,
    );
  }
  if (!(leaseDurationMs > renewDeadlineMs)) {
    throw new Error(
      `the lease duration (${leaseDurationMs} ms) must be longer than the renew deadline (${renewDeadlineMs} ms)`,
    );
  }
}

type Attempt = { ok: true; startedAt: number } | { ok: false; holder?: string; error?: string };

/** One candidate. See the module comment. */
export class LeaderElector {
  private observation: Observation | undefined;
  private held: LeaseSnapshot | undefined;
  private leading = false;
  private lostReason: string | undefined;
  private stopped = false;
  /** Local time until which this candidate may act as the leader. */
  private validUntil = Number.NEGATIVE_INFINITY;
  private renewTimer: unknown;
  private deadlineTimer: unknown;
  private lastError: string | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  private abandonAcquire: (() => void) | undefined;
  private readonly wallClock: () => number;
  private readonly timing: Required<ElectionTiming>;

  constructor(private readonly options: LeaderElectorOptions) {
    const renewDeadlineMs = options.renewDeadlineMs ?? defaultElectionTiming.renewDeadlineMs;
    this.timing = {
      leaseDurationMs: options.leaseDurationMs ?? defaultElectionTiming.leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? defaultElectionTiming.retryPeriodMs,
      callTimeoutMs: options.callTimeoutMs ?? renewDeadlineMs / 2,
    };
    checkElectionTiming(this.timing);
    this.wallClock = options.wallClock ?? Date.now;
  }

  /** true while this candidate leads and its last renewal is within the renew deadline. */
  isLeader(): boolean {
    return this.leading && this.lostReason === undefined && this.options.clock.now() < this.validUntil;
  }

  /**
   * Call synchronously before any work a leader does: throws `NotLeaderError` unless this candidate leads right now.
   * Past the renew deadline it also declares the lease lost (`onLost`) — a process resumed after a pause (SIGSTOP, a
   * stalled VM) stops at its first action, even before its own timers ran.
   */
  fence(): void {
    const { clock, lock } = this.options;
    if (this.leading && this.lostReason === undefined && clock.now() >= this.validUntil) {
      this.lose(this.expiredReason());
    }
    if (!this.isLeader())
      throw new NotLeaderError(this.lostReason ?? `not the leader of the Lease ${lock.description}`);
  }

  /** Resolves once this candidate holds the Lease (then renews it until `release`, or until it is lost). */
  acquire(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.abandonAcquire = () => reject(new Error('leader election stopped'));
      const tryOnce = async () => {
        if (this.stopped) return;
        const attempt = await this.attempt();
        if (this.stopped) return;
        if (!attempt.ok) {
          this.options.logger.debug({ holder: attempt.holder, error: attempt.error }, 'not the leader yet');
          this.renewTimer = this.options.clock.setTimer(() => void tryOnce(), this.timing.retryPeriodMs, {
            keepAlive: true,
          });
          return;
        }
        this.leading = true;
        this.abandonAcquire = undefined;
        this.renewed(attempt.startedAt);
        this.options.logger.info(
          { lease: this.options.lock.description, identity: this.options.identity },
          'became the leader',
        );
        resolve();
      };
      void tryOnce();
    });
  }

  /** Stops renewing and, if still the leader, gives the Lease up so that a standby takes over at once. */
  async release(): Promise<void> {
    const wasLeading = this.leading && this.lostReason === undefined;
    this.stop();
    await this.inFlight;
    const held = this.held;
    if (!wasLeading || held === undefined) return;
    const record = releasedRecord(held.record, new Date(this.wallClock()).toISOString());
    try {
      await this.call((signal) => this.options.lock.update(record, held.resourceVersion, signal));
      this.options.logger.info({ lease: this.options.lock.description }, 'released the leader Lease');
    } catch (error) {
      this.options.logger.warn(
        { error: messageOf(error) },
        'could not release the leader Lease (it expires by itself)',
      );
    }
  }

  /** Stops all timers without releasing (tests; a process that exits anyway). */
  stop(): void {
    this.stopped = true;
    this.leading = false;
    this.options.clock.clearTimer(this.renewTimer);
    this.options.clock.clearTimer(this.deadlineTimer);
    this.abandonAcquire?.();
    this.abandonAcquire = undefined;
  }

  /** One read-decide-write round. Never throws. */
  private attempt(): Promise<Attempt> {
    const run = async (): Promise<Attempt> => {
      const { lock, clock, identity } = this.options;
      const { leaseDurationMs } = this.timing;
      const startedAt = clock.now();
      try {
        const current = await this.call((signal) => lock.get(signal));
        if (current !== undefined) this.observation = observeLease(this.observation, current.record, clock.now());
        const timestamp = new Date(this.wallClock()).toISOString();
        const { observation } = this;
        const action = decideLeaseAction({
          identity,
          now: clock.now(),
          timestamp,
          leaseDurationMs,
          current,
          observation,
        });
        if (action.kind === 'wait') return { ok: false, holder: action.holder };
        const written = await this.call((signal) =>
          action.kind === 'create'
            ? lock.create(action.record, signal)
            : lock.update(action.record, action.resourceVersion, signal),
        );
        this.held = written;
        this.observation = { record: written.record, observedAt: clock.now() };
        return { ok: true, startedAt };
      } catch (error) {
        return { ok: false, error: messageOf(error) };
      }
    };
    const result = run();
    this.inFlight = result;
    return result;
  }

  /** The leader's loop: renew every retry period; lost at once if another holder shows up. */
  private renewLater(): void {
    this.renewTimer = this.options.clock.setTimer(() => void this.renew(), this.timing.retryPeriodMs, {
      keepAlive: true,
    });
  }

  private async renew(): Promise<void> {
    if (this.stopped || this.lostReason !== undefined) return;
    if (this.options.clock.now() >= this.validUntil) return this.lose(this.expiredReason());
    const attempt = await this.attempt();
    if (this.stopped || this.lostReason !== undefined) return;
    if (attempt.ok) {
      this.renewed(attempt.startedAt);
    } else if (attempt.holder !== undefined) {
      this.lose(`the Lease ${this.options.lock.description} is now held by ${attempt.holder}`);
    } else {
      this.lastError = attempt.error;
      this.options.logger.warn({ error: attempt.error }, 'could not renew the leader Lease; retrying');
      this.renewLater();
    }
  }

  private renewed(startedAt: number): void {
    const { clock } = this.options;
    const { renewDeadlineMs } = this.timing;
    this.lastError = undefined;
    this.validUntil = startedAt + renewDeadlineMs;
    clock.clearTimer(this.deadlineTimer);
    this.watchDeadline();
    this.renewLater();
  }

  /** Declares the Lease lost at the renew deadline (re-armed if the timer fires a little early, as real ones may). */
  private watchDeadline(): void {
    if (this.stopped || this.lostReason !== undefined) return;
    const { clock } = this.options;
    const left = this.validUntil - clock.now();
    if (left <= 0) return this.lose(this.expiredReason());
    this.deadlineTimer = clock.setTimer(() => this.watchDeadline(), Math.ceil(left));
  }

  private expiredReason(): string {
    const { lock, clock } = this.options;
    const { renewDeadlineMs } = this.timing;
    const since = ((clock.now() - (this.validUntil - renewDeadlineMs)) / 1000).toFixed(1);
    const cause = this.lastError === undefined ? '' : `; last error: ${this.lastError}`;
    const deadline = `${renewDeadlineMs / 1000} s; last renewal began ${since} s ago`;
    return `could not renew the Lease ${lock.description} within the renew deadline (${deadline})${cause}`;
  }

  private lose(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.stop();
    this.options.logger.error({ lease: this.options.lock.description, reason }, 'lost the leader Lease');
    this.options.onLost(reason);
  }

  /** Runs one lock call with its own AbortSignal; rejects when it times out even if the call ignores the signal. */
  private async call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timeoutMs = this.timing.callTimeoutMs;
    let timer: unknown;
    const timedOut = new Promise<never>((_, reject) => {
      timer = this.options.clock.setTimer(() => {
        const error = new Error(`no answer from the API server within ${timeoutMs / 1000} s`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      return await Promise.race([work(controller.signal), timedOut]);
    } finally {
      this.options.clock.clearTimer(timer);
    }
  }
}

function messageOf(error: unknown): string {
  const status = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof status === 'number'
    ? `HTTP ${status}: ${message.split('\n')[0] ?? ''}`
    : (message.split('\n')[0] ?? '');
}
