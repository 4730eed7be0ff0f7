/** `ConditionError`: a problem the reconciler reports in the Ready condition, with whether retrying can help. */

/** What `ConditionError` carries. */
export interface ConditionErrorInit {
  reason: string;
  message: string;
  severity: 'Info' | 'Warning' | 'Error';
  retryable: boolean;
  retryAfterMs?: number;
}

/** A problem for the Ready condition. */
export class ConditionError extends Error {
  readonly reason: string;
  readonly severity: 'Info' | 'Warning' | 'Error';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: ConditionErrorInit) {
    super(init.message);
    this.name = 'ConditionError';
    this.reason = init.reason;
    this.severity = init.severity;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Type guard for `ConditionError`. */
export function isConditionError(value: unknown): value is ConditionError {
  return value instanceof ConditionError;
}

/**
 * The abort reason of a reconcile cut short because the operator is stopping (SIGTERM). Such a reconcile writes no
 * condition: it did not fail, and the next process picks it up.
 */
export class OperatorStopping extends Error {
  constructor() {
    super('the operator is stopping');
    this.name = 'OperatorStopping';
  }
}

/** true when `signal` was aborted because the operator is stopping. */
export function stoppedBy(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof OperatorStopping;
}
