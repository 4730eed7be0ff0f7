/**
 * The pure half of leader election (client-go's `tryAcquireOrRenew`): given the Lease just read and what this candidate
 * remembers of it, decide whether to create, renew, take over or wait. Expiry is judged only by the LOCAL time at
 * which this candidate last saw the record change, never by comparing the holder's `renewTime` with the local clock:
 * the holder's clock may be hours ahead or behind, and only durations measured on one clock are compared.
 */

/** The election's part of a coordination.k8s.io/v1 Lease spec. Times are RFC 3339 strings, for people to read. */
export interface LeaseRecord {
  /** '' when nobody holds the Lease (it was released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

/** A Lease as read from (or written to) the API server. */
export interface LeaseSnapshot {
  record: LeaseRecord;
  resourceVersion: string;
}

/** What a candidate remembers: the last record it saw, and the local time (its own clock) it first saw it so. */
export interface Observation {
  record: LeaseRecord;
  observedAt: number;
}

/** The next step of one attempt. */
export type LeaseAction =
  | { kind: 'create'; record: LeaseRecord }
  | { kind: 'update'; record: LeaseRecord; resourceVersion: string; takeover: boolean }
  | { kind: 'wait'; holder: string; expiresInMs: number };

/** Input of `decideLeaseAction`. */
export interface LeaseDecisionInput {
  identity: string;
  /** Local time (the candidate's own clock, any origin) when the Lease was read. */
  now: number;
  /** The time to write into `acquireTime`/`renewTime` (RFC 3339). */
  timestamp: string;
  /** This candidate's lease duration (written into the Lease it holds). */
  leaseDurationMs: number;
  /** The Lease just read; undefined when it does not exist. */
  current: LeaseSnapshot | undefined;
  /** What this candidate saw before this read (`observeLease` of the previous reads). */
  observation: Observation | undefined;
}

/** true when two records are the same (any change of any field restarts the expiry countdown). */
export function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** The observation after reading `record` at local time `now`: unchanged records keep their first sighting. */
export function observeLease(previous: Observation | undefined, record: LeaseRecord, now: number): Observation {
  return previous !== undefined && sameRecord(previous.record, record) ? previous : { record, observedAt: now };
}

/** The lease duration a holder declared (ours when the record has none). */
export function declaredDurationMs(record: LeaseRecord, fallbackMs: number): number {
  return record.leaseDurationSeconds > 0 ? record.leaseDurationSeconds * 1000 : fallbackMs;
}

/** Whole seconds for `leaseDurationSeconds`, rounded up so that others never wait less than we asked. */
export function leaseSeconds(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs / 1000));
}

/** Decides one attempt. Pure: the caller reads, calls this, then writes what it says. */
export function decideLeaseAction(input: LeaseDecisionInput): LeaseAction {
  const { identity, now, timestamp, current } = input;
  const leaseDurationSeconds = leaseSeconds(input.leaseDurationMs);
  if (current === undefined) {
    const record = { holderIdentity: identity, leaseDurationSeconds, acquireTime: timestamp, renewTime: timestamp };
    return { kind: 'create', record: { ...record, leaseTransitions: 0 } };
  }
  const old = current.record;
  const holder = old.holderIdentity;
  if (holder !== '' && holder !== identity) {
    const observation = observeLease(input.observation, old, now);
    const expiresAt = observation.observedAt + declaredDurationMs(old, input.leaseDurationMs);
    if (now < expiresAt) return { kind: 'wait', holder, expiresInMs: expiresAt - now };
  }
  const takeover = holder !== identity;
  const record: LeaseRecord = {
    holderIdentity: identity,
    leaseDurationSeconds,
    renewTime: timestamp,
    acquireTime: takeover ? timestamp : (old.acquireTime ?? timestamp),
    leaseTransitions: takeover ? old.leaseTransitions + 1 : old.leaseTransitions,
  };
  return { kind: 'update', record, resourceVersion: current.resourceVersion, takeover };
}

/** The record a holder writes to give the Lease up at once (client-go's release). */
export function releasedRecord(held: LeaseRecord, timestamp: string): LeaseRecord {
  return { ...held, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: timestamp, renewTime: timestamp };
}
