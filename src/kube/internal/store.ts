/**
 * The object store: buckets of objects keyed "namespace/name", one global resourceVersion counter bumped on every
 * write, persistence before acknowledgement, and publication of each change to the watch hub once durable.
 */
import type { Persistence } from './persistence.js';
import type { ChangeEvent } from './watch-hub.js';
import { WatchHub } from './watch-hub.js';
import type { KubeObject } from './types.js';
import { metadataOf } from './types.js';

/** Options for {@link Store}. */
export interface StoreOptions {
  persistence: Persistence;
  /** Watch history size (events). */
  historyCapacity?: number;
}

/** The result of a write: the stored object and a promise resolved once it is durable and published. */
export interface WriteResult {
  object: KubeObject;
  durable: Promise<void>;
}

export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class Store {
  readonly hub: WatchHub;
  private readonly buckets: Map<string, Map<string, KubeObject>>;
  private rv: number;
  private readonly persistence: Persistence;
  private readonly changeListeners: Array<(event: ChangeEvent) => void> = [];

  constructor(options: StoreOptions) {
    this.persistence = options.persistence;
    const loaded = this.persistence.load();
    this.buckets = loaded.buckets;
    // Never reuse a resourceVersion: continue after the persisted one, and after the clock so that a memory-only
    // server restarted under a client's feet hands out versions the client has not seen.
    this.rv = Math.max(loaded.rv, Date.now());
    this.hub = new WatchHub({
      startRv: this.rv,
      ...(options.historyCapacity ? { capacity: options.historyCapacity } : {}),
    });
    this.persistence.setSnapshotSource(() => ({ rv: this.rv, buckets: this.buckets }));
  }

  /** The current (latest assigned) resourceVersion. */
  currentRv(): number {
    return this.rv;
  }

  /** Registers a synchronous listener called for every change right after it is applied in memory. */
  onChange(listener: (event: ChangeEvent) => void): void {
    this.changeListeners.push(listener);
  }

  get(bucket: string, namespace: string, name: string): KubeObject | undefined {
    return this.buckets.get(bucket)?.get(objectKey(namespace, name));
  }

  /** Objects of a bucket (in one namespace when given), sorted by namespace/name. */
  list(bucket: string, namespace?: string): KubeObject[] {
    const objects = this.buckets.get(bucket);
    if (!objects) return [];
    const entries = [...objects.entries()];
    const selected = namespace ? entries.filter(([key]) => key.startsWith(`${namespace}/`)) : entries;
    selected.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return selected.map(([, object]) => object);
  }

  /** Number of objects in a bucket. */
  count(bucket: string): number {
    return this.buckets.get(bucket)?.size ?? 0;
  }

  /** Every bucket name with objects. */
  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /** Stores `object` (created or replaced), assigning the next resourceVersion. */
  put(bucket: string, object: KubeObject): WriteResult {
    const metadata = metadataOf(object);
    const key = objectKey(typeof metadata.namespace === 'string' ? metadata.namespace : '', String(metadata.name));
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    const previous = objects.get(key);
    this.rv += 1;
    const rv = this.rv;
    const stored: KubeObject = { ...object, metadata: { ...metadata, resourceVersion: String(rv) } };
    objects.set(key, stored);
    const event: ChangeEvent = {
      type: previous ? 'MODIFIED' : 'ADDED',
      rv,
      bucket,
      object: stored,
      ...(previous ? { previous } : {}),
    };
    return { object: stored, durable: this.commit(event, { rv, bucket, key, object: stored }) };
  }

  /** Removes an object; the DELETED event carries its last state with a new resourceVersion. */
  remove(bucket: string, namespace: string, name: string): WriteResult | undefined {
    const objects = this.buckets.get(bucket);
    const key = objectKey(namespace, name);
    const previous = objects?.get(key);
    if (!objects || !previous) return undefined;
    objects.delete(key);
    this.rv += 1;
    const rv = this.rv;
    const last: KubeObject = { ...previous, metadata: { ...metadataOf(previous), resourceVersion: String(rv) } };
    const event: ChangeEvent = { type: 'DELETED', rv, bucket, object: last, previous };
    return { object: last, durable: this.commit(event, { rv, bucket, key }) };
  }

  private commit(
    event: ChangeEvent,
    record: { rv: number; bucket: string; key: string; object?: KubeObject },
  ): Promise<void> {
    for (const listener of this.changeListeners) listener(event);
    const durable = this.persistence.append(record).then(() => this.hub.publish(event));
    durable.catch(() => undefined);
    return durable;
  }

  async close(): Promise<void> {
    await this.persistence.close();
  }
}
