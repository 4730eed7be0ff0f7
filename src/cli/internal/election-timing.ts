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

/** Parses and checks the timing; throws a message naming the flag at fault. */
export function parseElectionTiming(flags: ElectionTimingFlags): ElectionTiming {
  const parse = (flag: string, text: string) => {
    try {
      return parseDuration(text);
    } catch (error) {
      throw new Error(`--${flag}: ${(error as Error).message}`);
    }
  };
  const timing = {
    leaseDurationMs: parse('leader-election-lease-duration', flags.leaderElectionLeaseDuration),
    renewDeadlineMs: parse('leader-election-renew-deadline', flags.leaderElectionRenewDeadline),
    retryPeriodMs: parse('leader-election-retry-period', flags.leaderElectionRetryPeriod),
  };
  checkElectionTiming(timing);
  return timing;
}
