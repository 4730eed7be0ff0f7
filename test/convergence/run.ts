// Runs the convergence checker: random sequences of user actions (fast-check's model-based testing), each against a
// fresh system, checked at every quiet point. A failure is reported with the seed and path that replay it, the
// (shrunk, when asked) sequence of actions, and the broken invariant.
import fc from 'fast-check';
import { commandArbitraries, preludeArbitrary, runSequence } from './commands.js';

/** Options of `checkConvergence`. */
export interface CheckOptions {
  seed: number;
  runs: number;
  /** Actions per run at most (default 12). */
  maxCommands?: number;
  /** Operator sync period (default `2s`: drift checks and slow retries come soon). */
  syncPeriod?: string;
  /** Shrink a failing sequence to a minimal one (slow: every attempt runs a fresh system). Default false. */
  shrink?: boolean;
  /** Replays one failing case (`path` from an earlier report). */
  path?: string;
  /** Operator log level, for debugging (default silent). */
  logLevel?: string;
  /** Called with each action as it starts. */
  onAction?: (action: string) => void;
  /** Called after each run with its number and duration. */
  onRun?: (run: number, ms: number) => void;
}

/** Runs the checker; resolves when every run passed, rejects with fast-check's report otherwise. */
export async function checkConvergence(options: CheckOptions): Promise<void> {
  let run = 0;
  const actions = fc.commands(commandArbitraries, { maxCommands: options.maxCommands ?? 12, size: 'max' });
  const property = fc.asyncProperty(preludeArbitrary, actions, async (prelude, sequence) => {
    const started = Date.now();
    try {
      await runSequence([...prelude, ...sequence], {
        syncPeriod: options.syncPeriod ?? '2s',
        ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
        ...(options.onAction !== undefined ? { onAction: options.onAction } : {}),
      });
    } finally {
      options.onRun?.(++run, Date.now() - started);
    }
  });
  await fc.assert(property, {
    seed: options.seed,
    numRuns: options.runs,
    endOnFailure: options.shrink !== true,
    // The broken invariant in the message itself: a test runner prints the message, not the error's cause.
    includeErrorInReport: true,
    ...(options.path !== undefined ? { path: options.path } : {}),
  });
}
