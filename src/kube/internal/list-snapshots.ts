/**
 * Consistent paging for list `limit`/`continue`: the first page of a list that does not fit remembers the matching
 * objects as they were (stored objects are immutable, so this is an array of references), and every later page is
 * cut from that snapshot, as the real server reads etcd at the first page's resourceVersion. Snapshots expire after
 * a while and only a bounded number are kept; continuing from a forgotten one is 410 Expired (clients relist).
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from './types.js';

/** A remembered list: its resourceVersion and the matching objects in key order. */
export interface ListSnapshot {
  rv: number;
  items: KubeObject[];
}

/** Options for {@link ListSnapshots}. */
export interface ListSnapshotsOptions {
  /** How long a snapshot can be continued (default 5 minutes, etcd's default compaction interval). */
  ttlMs?: number;
  /** Snapshots kept at most; the oldest goes first (default 32). */
  capacity?: number;
  /** Clock (tests). */
  now?: () => number;
}

export class ListSnapshots {
  private readonly entries = new Map<string, ListSnapshot & { expires: number }>();
  private readonly ttlMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(options: ListSnapshotsOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.capacity = options.capacity ?? 32;
    this.now = options.now ?? Date.now;
  }

  /** Remembers a snapshot and returns its id. */
  remember(snapshot: ListSnapshot): string {
    this.evictExpired();
    while (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    const id = randomBytes(9).toString('base64url');
    this.entries.set(id, { ...snapshot, expires: this.now() + this.ttlMs });
    return id;
  }

  /** The snapshot with this id, or undefined once it expired or was evicted. */
  find(id: string): ListSnapshot | undefined {
    this.evictExpired();
    return this.entries.get(id);
  }

  private evictExpired(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expires <= now) this.entries.delete(id);
  }
}
