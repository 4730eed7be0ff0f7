/** The `--latency` flag of `azo emulator` and `azo dev`: milliseconds, or `realistic` with `--latency-factor`. */
import { UserError } from './user-error.js';

/** Default `--latency-factor` of `--latency realistic`: a PostgreSQL server's 8 minutes become about 5 s. */
export const defaultLatencyFactor = 0.01;

/** Parses `--latency` (and `--latency-factor`) into the emulator's `latencyMs` or `latencyFactor`. */
export function parseLatency(value: string, factor?: string): { latencyMs: number; latencyFactor?: number } {
  if (value === 'realistic') {
    const latencyFactor = factor === undefined ? defaultLatencyFactor : Number(factor);
    if (!Number.isFinite(latencyFactor) || latencyFactor < 0)
      throw new UserError(`--latency-factor must be a non-negative number, got ${factor}`);
    return { latencyMs: 0, latencyFactor };
  }
  const latencyMs = Number(value);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new UserError(`--latency must be a non-negative number of milliseconds or 'realistic', got ${value}`);
  }
  return { latencyMs };
}
