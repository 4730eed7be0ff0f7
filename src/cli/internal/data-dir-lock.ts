/**
 * One `azo dev` per data directory: two processes writing the same store would corrupt each other's state, so the
 * second one stops with a message naming the first. A lock left by a process that no longer runs is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './user-error.js';

/** A held lock; `release` removes it (idempotent). */
export interface DataDirLock {
  file: string;
  release(): void;
}

/** Takes `DIR/azo.pid` for this process, or throws naming the live process that holds it. */
export function lockDataDir(dataDir: string, command: string): DataDirLock {
  const file = join(dataDir, 'azo.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        file,
        release: () => {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
        throw new UserError(
          `another azo process (pid ${holder}) is using ${dataDir}; stop it first, or give ${command} another ` +
            `--data-dir`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${file}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
