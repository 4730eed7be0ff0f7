import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lockDataDir } from './data-dir-lock.js';

test('a data dir is locked once; a live holder is named, a dead one is taken over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'azo-lock-'));
  try {
    const lock = lockDataDir(dir, 'azo dev');
    assert.ok(existsSync(lock.file));
    writeFileSync(lock.file, `${process.ppid}\n`); // a live process other than this one
    assert.throws(() => lockDataDir(dir, 'azo dev'), new RegExp(`pid ${process.ppid}.*another --data-dir`));
    const exited = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(lock.file, exited.stdout);
    const taken = lockDataDir(dir, 'azo dev');
    taken.release();
    taken.release();
    assert.equal(existsSync(taken.file), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
