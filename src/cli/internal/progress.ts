/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI). Nothing on stdout,
 * which may carry the command's output.
 */
export interface Progress {
  update(done: number, total: number, what: string): void;
  done(): void;
}

/** A progress reporter for `stream` (a bar only when it is a TTY). */
export function progressOn(stream: NodeJS.WriteStream, label: string): Progress {
  if (stream.isTTY !== true) {
    return {
      update: (done, total, what) => stream.write(`${label}: ${done}/${total} ${what}\n`),
      done: () => undefined,
    };
  }
  let drawn = false;
  return {
    update: (done, total, what) => {
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const columns = stream.columns ?? 100;
      const line = `${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${what}`;
      stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
      drawn = true;
    },
    done: () => {
      if (drawn) stream.write('\n');
    },
  };
}
