/**
 * Ctrl-C and SIGTERM for the long-running commands, caught from the moment a command begins. While it starts, a
 * signal ends the process at once (exit 130 or 143), as it would without a handler, so a start that waits (for a leader
 * Lease, a port) can always be interrupted. Once the command hands over its `stop`, which it does before it prints
 * that it is up, a signal stops it cleanly: a reader who presses Ctrl-C the instant the ready line appears must
 * not kill it mid-write. A second signal while stopping ends the process at once.
 */
export interface StopSignals {
  /** From now on a signal runs `stop` once; resolves when it has (a failed stop sets exit code 1). */
  stopWith(stop: () => Promise<void>): Promise<void>;
}

export function catchStopSignals(): StopSignals {
  let onStop: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (onStop === undefined) {
      console.error(`received ${signal} while starting; exiting`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    onStop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopWith(stop) {
      return new Promise<void>((done) => {
        onStop = (signal) => {
          console.log(`received ${signal}, stopping`);
          stop().then(done, (error: unknown) => {
            console.error(error instanceof Error ? error.message : error);
            process.exitCode = 1;
            done();
          });
        };
      });
    },
  };
}
