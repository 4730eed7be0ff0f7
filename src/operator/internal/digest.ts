/**
 * The desired-state digest: a keyed digest (HMAC-SHA256) of everything the operator would send to Azure for one
 * object — the ARM ID and the whole desired ARM body, with Secret and ConfigMap values and resolved references in it.
 * It is recorded on the object after each successful write, so the next reconcile knows whether the desired state
 * changed since (a removed field, a rotated Secret, a changed reference) without keeping the body anywhere. Because
 * it is keyed, the annotation never reveals a secret value, nor lets anyone test guesses of one.
 *
 * A recorded digest reads `v1.<key id>.<base64url HMAC>`; the key id names the key of the keyring that made it, so
 * keys can be rotated without a write to Azure (see docs/operator.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The keys digests are made and checked with. `current` makes new digests; the others only check old ones. */
export interface DigestKeyring {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** How a recorded digest relates to the desired state. */
export type DigestCheck =
  /** Made from the same desired state (`resign`: with a key that is no longer current). */
  | { status: 'match'; resign: boolean }
  /** Made from another desired state: something changed since the last write. */
  | { status: 'differs' }
  /** Nothing recorded, or made with a key this operator does not have (another cluster, a lost key). */
  | { status: 'none' };

const version = 'v1';

/** The digest of `state` (`{armId, body}`) with the keyring's current key. */
export function makeDigest(keyring: DigestKeyring, state: unknown): string {
  const key = keyring.keys.get(keyring.current);
  if (key === undefined) throw new Error(`the digest keyring has no key ${JSON.stringify(keyring.current)}`);
  return `${version}.${keyring.current}.${hmac(key, state)}`;
}

/** Compares a recorded digest (the annotation's value, or undefined) with `state`. */
export function checkDigest(keyring: DigestKeyring, recorded: string | undefined, state: unknown): DigestCheck {
  if (recorded === undefined || recorded === '') return { status: 'none' };
  const [recordedVersion, keyId, mac, ...rest] = recorded.split('.');
  if (recordedVersion !== version || keyId === undefined || mac === undefined || rest.length > 0)
    return { status: 'none' };
  const key = keyring.keys.get(keyId);
  if (key === undefined) return { status: 'none' };
  const expected = Buffer.from(hmac(key, state));
  const given = Buffer.from(mac);
  const same = expected.length === given.length && timingSafeEqual(expected, given);
  return same ? { status: 'match', resign: keyId !== keyring.current } : { status: 'differs' };
}

/**
 * JSON with object keys sorted at every level (array order kept: it is part of what is sent), so the same state
 * always gives the same text. `undefined` members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function hmac(key: Buffer, state: unknown): string {
  return createHmac('sha256', key).update(canonicalJson(state)).digest('base64url');
}
