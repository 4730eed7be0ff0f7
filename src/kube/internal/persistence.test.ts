import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { FilePersistence, type LoadedState, type LogRecord } from './persistence.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'azo-persistence-'));
  dirs.push(dir);
  return dir;
}

/** Fails instead of hanging when a promise never settles (a lost flush). */
function settles<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} never settled`)), 10_000);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** A store-like state the persistence snapshots from, kept in step with the records written. */
function trackedState(): { state: LoadedState; apply(record: LogRecord): void } {
  const state: LoadedState = { rv: 0, buckets: new Map() };
  return {
    state,
    apply(record) {
      state.rv = record.rv;
      let bucket = state.buckets.get(record.bucket);
      if (!bucket) {
        bucket = new Map();
        state.buckets.set(record.bucket, bucket);
      }
      if (record.object) bucket.set(record.key, record.object);
      else bucket.delete(record.key);
    },
  };
}

const put = (rv: number, name: string, value = String(rv)): LogRecord => ({
  rv,
  bucket: '/configmaps',
  key: `default/${name}`,
  object: { metadata: { name, resourceVersion: String(rv) }, data: { value } },
});

describe('FilePersistence', () => {
  it('acknowledges writes appended while a flush is in flight, and writes after it', async () => {
    const dir = freshDir();
    const persistence = new FilePersistence({ dataDir: dir, logger });
    persistence.load();
    const first = persistence.append(put(1, 'a'));
    // Appends arriving on later turns, while the first batch is being written and synced.
    const during: Array<Promise<void>> = [];
    for (let index = 0; index < 20; index += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      during.push(persistence.append(put(2 + index, `b${index}`)));
    }
    await settles(Promise.all([first, ...during]), 'appends during a flush');
    await settles(persistence.append(put(100, 'later')), 'an append after the flushes went quiet');
    await persistence.close();
    const loaded = new FilePersistence({ dataDir: dir, logger }).load();
    assert.equal(loaded.rv, 100);
    assert.equal(loaded.buckets.get('/configmaps')?.size, 22);
  });

  it('replays the log and ignores (and truncates) a torn last record', async () => {
    const dir = freshDir();
    const persistence = new FilePersistence({ dataDir: dir, logger });
    persistence.load();
    await persistence.append(put(1, 'kept'));
    await persistence.append({ rv: 2, bucket: '/configmaps', key: 'default/kept' });
    await persistence.append(put(3, 'kept', 'again'));
    await persistence.close();
    const log = join(dir, 'store.log');
    const goodSize = statSync(log).size;
    appendFileSync(log, '{"rv":4,"bucket":"/configmaps","key":"default/torn","obj');
    const loaded = new FilePersistence({ dataDir: dir, logger }).load();
    assert.equal(loaded.rv, 3);
    assert.deepEqual(loaded.buckets.get('/configmaps')?.get('default/kept')?.data, { value: 'again' });
    assert.equal(loaded.buckets.get('/configmaps')?.has('default/torn'), false);
    assert.equal(statSync(log).size, goodSize);
  });

  it('compacts the log into a snapshot and loads the same state from it', async () => {
    const dir = freshDir();
    const persistence = new FilePersistence({ dataDir: dir, logger, compactBytes: 2048 });
    persistence.load();
    const tracked = trackedState();
    persistence.setSnapshotSource(() => tracked.state);
    for (let rv = 1; rv <= 200; rv += 1) {
      const record = rv % 7 === 0 ? { rv, bucket: '/configmaps', key: `default/c${rv - 1}` } : put(rv, `c${rv}`);
      tracked.apply(record);
      await persistence.append(record);
    }
    await persistence.close();
    assert.ok(existsSync(join(dir, 'snapshot.json')));
    assert.ok(statSync(join(dir, 'store.log')).size < 2048 + 512);
    const snapshot = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { rv: number };
    assert.ok(snapshot.rv > 0 && snapshot.rv <= 200);
    const loaded = new FilePersistence({ dataDir: dir, logger }).load();
    assert.equal(loaded.rv, 200);
    assert.deepEqual(
      [...(loaded.buckets.get('/configmaps')?.keys() ?? [])].sort(),
      [...(tracked.state.buckets.get('/configmaps')?.keys() ?? [])].sort(),
    );
  });
});

describe('FilePersistence on damaged files', () => {
  it('refuses to start on a damaged record followed by good ones, and on an unreadable snapshot, naming the file', async () => {
    const dir = freshDir();
    const persistence = new FilePersistence({ dataDir: dir, logger });
    persistence.load();
    await persistence.append(put(1, 'a'));
    await persistence.close();
    const log = join(dir, 'store.log');
    const good = readFileSync(log, 'utf8');
    writeFileSync(log, `${good}{"rv":2,garbage}\n${good.replace('"rv":1', '"rv":3')}`);
    assert.throws(
      () => new FilePersistence({ dataDir: dir, logger }).load(),
      /store log .*store\.log is damaged at byte \d+/,
    );
    writeFileSync(log, good);
    writeFileSync(join(dir, 'snapshot.json'), '{"rv":');
    assert.throws(() => new FilePersistence({ dataDir: dir, logger }).load(), /snapshot .*snapshot\.json/);
  });
});
