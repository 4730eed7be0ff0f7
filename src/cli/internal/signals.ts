/**
 * Keeps a long-running command alive until SIGINT or SIGTERM, then stops it once and reports a failed stop
 * through the exit code.
 */
export async function runUntilSignal(stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      console.log(`received ${signal}, stopping`);
      stop().then(done, (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
        done();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
