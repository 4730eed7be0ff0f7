/**
 * Durable storage for `--data-dir`: an append-only log of changes (one JSON line each, fsync'd in batches before
 * the writes are acknowledged) compacted now and then into a snapshot (written to a temporary file, fsync'd,
 * renamed). Loading replays the log over the snapshot and ignores a torn last record.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KubeObject } from './types.js';

/** One change: a put (object present) or a delete. */
export interface LogRecord {
  rv: number;
  bucket: string;
  key: string;
  object?: KubeObject;
}

/** The state found on disk. */
export interface LoadedState {
  rv: number;
  buckets: Map<string, Map<string, KubeObject>>;
}

/** Where committed changes go; `append` resolves once the record is durable. */
export interface Persistence {
  load(): LoadedState;
  append(record: LogRecord): Promise<void>;
  /** Tells the persistence how to read the whole current state when it compacts the log into a snapshot. */
  setSnapshotSource(source: () => LoadedState): void;
  close(): Promise<void>;
}

/** No persistence: everything lives in memory. */
export class MemoryPersistence implements Persistence {
  load(): LoadedState {
    return { rv: 0, buckets: new Map() };
  }
  append(): Promise<void> {
    return Promise.resolve();
  }
  setSnapshotSource(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Batch {
  lines: string[];
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/** Options for {@link FilePersistence}. */
export interface FilePersistenceOptions {
  dataDir: string;
  logger: Logger;
  /** Compact once the log grows past this many bytes (default 32 MiB). */
  compactBytes?: number;
}

export class FilePersistence implements Persistence {
  private readonly logFile: string;
  private readonly snapshotFile: string;
  private handle: FileHandle | undefined;
  private logBytes = 0;
  private pending: Batch = { lines: [], waiters: [] };
  private flushing: Promise<void> | undefined;
  /** A flush is scheduled (setImmediate) but not started. */
  private scheduled = false;
  private failed: unknown;
  private snapshotSource: (() => LoadedState) | undefined;

  constructor(private readonly options: FilePersistenceOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.logFile = join(options.dataDir, 'store.log');
    this.snapshotFile = join(options.dataDir, 'snapshot.json');
  }

  load(): LoadedState {
    const state: LoadedState = { rv: 0, buckets: new Map() };
    if (existsSync(this.snapshotFile)) {
      let snapshot: { rv: number; buckets: Record<string, Record<string, KubeObject>> };
      try {
        snapshot = JSON.parse(readFileSync(this.snapshotFile, 'utf8')) as typeof snapshot;
      } catch (error) {
        throw new Error(
          `cannot read the API server's snapshot ${this.snapshotFile}: ` +
            `${error instanceof Error ? error.message : String(error)}; restore it from a backup, or move the ` +
            `data dir away to start empty`,
        );
      }
      state.rv = snapshot.rv;
      for (const [bucket, objects] of Object.entries(snapshot.buckets))
        state.buckets.set(bucket, new Map(Object.entries(objects)));
    }
    const snapshotRv = state.rv;
    let goodBytes = 0;
    if (existsSync(this.logFile)) {
      const content = readFileSync(this.logFile);
      let start = 0;
      while (start < content.length) {
        const end = content.indexOf(0x0a, start);
        if (end < 0) break; // torn last record: never acknowledged
        let record: LogRecord;
        try {
          record = JSON.parse(content.subarray(start, end).toString('utf8')) as LogRecord;
        } catch {
          // A write torn by a crash can only be the log's tail; a bad record with good ones after it is damage, and
          // truncating there would drop acknowledged writes.
          if (content.indexOf(0x0a, end + 1) >= 0) {
            throw new Error(
              `the API server's store log ${this.logFile} is damaged at byte ${start} (records follow it); restore ` +
                `it from a backup, or move the data dir away to start empty`,
            );
          }
          this.options.logger.warn({ offset: start }, 'ignoring a torn record at the end of the store log');
          break;
        }
        start = end + 1;
        goodBytes = start;
        if (record.rv <= snapshotRv) continue;
        let bucket = state.buckets.get(record.bucket);
        if (!bucket) {
          bucket = new Map();
          state.buckets.set(record.bucket, bucket);
        }
        if (record.object) bucket.set(record.key, record.object);
        else bucket.delete(record.key);
        state.rv = Math.max(state.rv, record.rv);
      }
      if (goodBytes < content.length) {
        const fd = openSync(this.logFile, 'r+');
        ftruncateSync(fd, goodBytes);
        fsyncSync(fd);
        closeSync(fd);
      }
    }
    this.logBytes = goodBytes;
    return state;
  }

  append(record: LogRecord): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.lines.push(`${JSON.stringify(record)}\n`);
      this.pending.waiters.push({ resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Starts a flush on the next turn of the event loop (so that the writes of one turn share an fdatasync) unless
   * one is running or scheduled; a running flush takes whatever is appended meanwhile, and re-schedules itself if
   * records arrive after its last look.
   */
  private scheduleFlush(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startFlush();
    });
  }

  private startFlush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const flushing = this.flushAll().finally(() => {
      this.flushing = undefined;
      if (this.pending.lines.length > 0) this.scheduleFlush();
    });
    this.flushing = flushing;
    return flushing;
  }

  /** Writes and syncs batches until nothing is pending. The only writer of the log file. */
  private async flushAll(): Promise<void> {
    while (this.pending.lines.length > 0) {
      const batch = this.pending;
      this.pending = { lines: [], waiters: [] };
      if (this.failed) {
        for (const waiter of batch.waiters) waiter.reject(this.failed);
        continue;
      }
      try {
        this.handle ??= await open(this.logFile, 'a');
        const data = batch.lines.join('');
        await this.handle.write(data);
        await this.handle.datasync();
        this.logBytes += Buffer.byteLength(data);
      } catch (error) {
        this.failed = error;
        this.options.logger.error({ err: error }, 'store log write failed; refusing further writes');
        for (const waiter of batch.waiters) waiter.reject(error);
        continue;
      }
      for (const waiter of batch.waiters) waiter.resolve();
      if (this.logBytes > (this.options.compactBytes ?? 32 * 1024 * 1024)) {
        try {
          await this.compact();
        } catch (error) {
          // The log still holds every acknowledged write; compaction is retried after the next batch.
          this.options.logger.warn({ err: error }, 'store compaction failed; keeping the log');
        }
      }
    }
  }

  setSnapshotSource(source: () => LoadedState): void {
    this.snapshotSource = source;
  }

  /** Writes the current state as a snapshot and empties the log. Runs inside the flush loop (the only writer). */
  private async compact(): Promise<void> {
    const source = this.snapshotSource;
    if (!source) return;
    const state = source();
    const buckets: Record<string, Record<string, KubeObject>> = {};
    for (const [bucket, objects] of state.buckets) buckets[bucket] = Object.fromEntries(objects);
    const temporary = `${this.snapshotFile}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    writeSync(fd, JSON.stringify({ rv: state.rv, buckets }));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.snapshotFile);
    const dir = openSync(this.options.dataDir, 'r');
    fsyncSync(dir);
    closeSync(dir);
    // Everything up to state.rv is in the snapshot (pending records with rv <= state.rv are skipped on replay).
    await this.handle?.close();
    this.handle = undefined;
    const log = openSync(this.logFile, 'w');
    fsyncSync(log);
    closeSync(log);
    this.logBytes = 0;
    this.options.logger.debug({ rv: state.rv }, 'store compacted into a snapshot');
  }

  async close(): Promise<void> {
    while (this.flushing || this.pending.lines.length > 0) await this.startFlush();
    await this.handle?.close();
    this.handle = undefined;
  }
}
