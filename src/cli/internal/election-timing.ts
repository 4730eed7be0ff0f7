/**
 * The timing flags of `azo operator --leader-election` (`--leader-election-lease-duration`, `-renew-deadline`,
 * `-retry-period`; durations such as `15s`, `500ms`, `1m`), checked as client-go checks them.
 */
import { type ElectionTiming, checkElectionTiming, parseDuration } from '../../operator/index.js';

/** The flags' values (commander's camel-case names); each already defaults to its variable or client-go's value. */
export interface ElectionTimingFlags {
  leaderElectionLeaseDuration: string;
  leaderElectionRenewDeadline: string;
  leaderElectionRetryPeriod: string;
}

/** Parses and checks the timing; throws a one-line message naming the flag (and its variable) at fault. */
export function parseElectionTiming(flags: ElectionTimingFlags): ElectionTiming {
  const parse = (name: string, text: string) => {
    let ms = Number.NaN;
    try {
      ms = parseDuration(text);
    } catch {
      // reported below
    }
    if (!(ms > 0)) {
      const variable = `AZO_LEADER_ELECTION_${name.toUpperCase().replace(/-/g, '_')}`;
      throw new Error(
        `--leader-election-${name} (or ${variable}): ${JSON.stringify(text)} is not a duration (15s, 500ms, 1m)`,
      );
    }
    return ms;
  };
  const timing = {
    leaseDurationMs: parse('lease-duration', flags.leaderElectionLeaseDuration),
    renewDeadlineMs: parse('renew-deadline', flags.leaderElectionRenewDeadline),
    retryPeriodMs: parse('retry-period', flags.leaderElectionRetryPeriod),
  };
  checkElectionTiming(timing);
  return timing;
}
