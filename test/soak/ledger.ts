// The whole ARM request log of a soak. The emulator keeps only its last 10,000 requests, so the ledger reads the log
// every few seconds from where it left off (`GET /_emulator/requests?since=N`, N its last sequence number) and keeps
// everything. A read whose first entry is not the next number means the emulator trimmed entries the ledger never saw.

/** One request as the emulator logged it (`time` is when it arrived, `seq` its place in the log). */
export interface LoggedRequest {
  seq: number;
  time: string;
  method: string;
  path: string;
  status: number;
  durationMs?: number;
  clientRequestId?: string;
  faultId?: string;
  body?: unknown;
}

/** Accumulates the emulator's request log. */
export class RequestLedger {
  readonly entries: LoggedRequest[] = [];
  /** Entries the emulator dropped before the ledger read them. */
  missed = 0;
  private lastSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  /** `read(since)`: the emulator's entries after sequence number `since`, in order. */
  constructor(private readonly read: (since: number) => Promise<LoggedRequest[]>) {}

  /** Reads the log once and appends the new entries. */
  collect(): Promise<void> {
    this.running = this.running.then(() => this.collectOnce()).catch(() => undefined);
    return this.running;
  }

  /** Collects every `intervalMs` until `stop`. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.collect(), intervalMs);
  }

  /** Stops collecting and reads the log a last time. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.collect();
  }

  /** The sequence number of the last entry read. */
  get lastSequence(): number {
    return this.lastSeq;
  }

  /** ARM requests (token requests left out) with arrival times in milliseconds. */
  armRequests(): Array<LoggedRequest & { at: number }> {
    return this.entries
      .filter((entry) => entry.path.startsWith('/subscriptions/'))
      .map((entry) => ({ ...entry, at: Date.parse(entry.time) }));
  }

  /** ARM requests per second over the last `windowMs` (from the end of the ledger, which is in completion order). */
  armRate(windowMs: number): number {
    const since = Date.now() - windowMs;
    let count = 0;
    for (let index = this.entries.length - 1; index >= 0; index--) {
      const entry = this.entries[index];
      if (entry === undefined || Date.parse(entry.time) < since) break;
      if (entry.path.startsWith('/subscriptions/')) count++;
    }
    return (count * 1000) / windowMs;
  }

  private async collectOnce(): Promise<void> {
    const fresh = await this.read(this.lastSeq);
    const first = fresh[0];
    if (first !== undefined && first.seq > this.lastSeq + 1) this.missed += first.seq - this.lastSeq - 1;
    this.entries.push(...fresh);
    this.lastSeq = fresh.at(-1)?.seq ?? this.lastSeq;
  }
}
