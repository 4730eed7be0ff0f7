/**
 * Fan-out of committed changes to watchers, with a bounded history ring so a watch can resume from a
 * resourceVersion. A start point older than the ring (or newer than the server's counter) is "expired" (410).
 */
import type { KubeObject } from './types.js';

/** One committed change in a storage bucket. */
export interface ChangeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  bucket: string;
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  previous?: KubeObject;
}

/** A live subscription; call `close` to stop receiving events. */
export interface Subscription {
  close(): void;
}

/** Options for {@link WatchHub}. */
export interface WatchHubOptions {
  /** Events kept for resumption (default 20,000). */
  capacity?: number;
  /** resourceVersion before the first event this hub will see (events with rv > it are served). */
  startRv: number;
}

type Listener = (event: ChangeEvent) => void;

export class WatchHub {
  private readonly capacity: number;
  private readonly ring: Array<ChangeEvent | undefined>;
  private head = 0;
  private size = 0;
  private oldestServableRv: number;
  private latestRv: number;
  private readonly listeners = new Map<string, Set<{ fromRv: number; listener: Listener }>>();

  constructor(options: WatchHubOptions) {
    this.capacity = options.capacity ?? 20_000;
    this.ring = new Array<ChangeEvent | undefined>(this.capacity);
    this.oldestServableRv = options.startRv;
    this.latestRv = options.startRv;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestRv(): number {
    return this.oldestServableRv;
  }

  /** The resourceVersion of the latest published event (or the start point). */
  get latestPublishedRv(): number {
    return this.latestRv;
  }

  /** Records an event in the history and delivers it to the bucket's listeners. */
  publish(event: ChangeEvent): void {
    if (this.size === this.capacity) {
      const dropped = this.ring[this.head];
      if (dropped) this.oldestServableRv = dropped.rv;
      this.ring[this.head] = event;
      this.head = (this.head + 1) % this.capacity;
    } else {
      this.ring[(this.head + this.size) % this.capacity] = event;
      this.size += 1;
    }
    this.latestRv = Math.max(this.latestRv, event.rv);
    const listeners = this.listeners.get(event.bucket);
    if (!listeners) return;
    for (const entry of [...listeners]) {
      if (event.rv > entry.fromRv) entry.listener(event);
    }
  }

  /**
   * Replays events of `bucket` with rv > `fromRv` from history, then delivers live ones. Returns "expired" when
   * `fromRv` is older than the history or beyond `currentRv`.
   */
  subscribe(bucket: string, fromRv: number, currentRv: number, listener: Listener): Subscription | 'expired' {
    if (fromRv < this.oldestServableRv || fromRv > currentRv) return 'expired';
    for (let index = 0; index < this.size; index += 1) {
      const event = this.ring[(this.head + index) % this.capacity];
      if (event && event.rv > fromRv && event.bucket === bucket) listener(event);
    }
    const entry = { fromRv: Math.max(fromRv, this.latestRv), listener };
    let set = this.listeners.get(bucket);
    if (!set) {
      set = new Set();
      this.listeners.set(bucket, set);
    }
    set.add(entry);
    return {
      close: () => {
        set.delete(entry);
      },
    };
  }
}
