/**
 * When the conversion webhook's certificates change, decided purely from their validity periods:
 * - the serving certificate is re-issued once two thirds of its life have passed (or it has expired);
 * - the CA is replaced once two thirds of its life have passed; the old one stays in the CA bundle (so clients
 *   still trust certificates it signed) until it expires;
 * - after a CA rotation the serving certificate moves to the new CA once the new CA has been in the bundle for
 *   the overlap period (a tenth of the CA's life), or earlier when it is due anyway. The caller writes the bundle
 *   into the CRDs before it serves a certificate the new CA signed.
 */

/** A certificate's validity, in epoch milliseconds. */
export interface Validity {
  notBefore: number;
  notAfter: number;
}

/** The facts the plan needs about the current certificates. */
export interface CertificateView {
  /** The CA that signs new serving certificates. */
  ca: Validity;
  /** The CA it replaced, still in the bundle until it expires. */
  previousCa?: Validity;
  /** The certificate the webhook serves, and whether `ca` (rather than `previousCa`) signed it. */
  serving: Validity & { signedByCa: boolean };
}

/**
 * One change to make; the caller applies it and asks again until there is none. `createCa` makes the CA and the
 * serving certificate; `issueServing` signs a new serving certificate with the current CA.
 */
export type RotationStep =
  { kind: 'createCa' } | { kind: 'rotateCa' } | { kind: 'dropPreviousCa' } | { kind: 'issueServing' };

/** The share of a certificate's life after which it is renewed. */
export const renewalShare = 2 / 3;
/** The share of the CA's life a new CA spends in the bundle before it signs the served certificate. */
export const overlapShare = 1 / 10;

/** The moment `validity` is due for renewal. */
export function renewalTime(validity: Validity): number {
  return validity.notBefore + (validity.notAfter - validity.notBefore) * renewalShare;
}

/** The moment a CA may start signing the served certificate. */
export function trustedFrom(ca: Validity): number {
  return ca.notBefore + (ca.notAfter - ca.notBefore) * overlapShare;
}

/** The next change to make at `now`, or undefined when the certificates are fine as they are. */
export function nextRotationStep(view: CertificateView | undefined, now: number): RotationStep | undefined {
  if (view === undefined) return { kind: 'createCa' };
  const { ca, previousCa, serving } = view;
  if (previousCa !== undefined && now >= previousCa.notAfter) return { kind: 'dropPreviousCa' };
  if (now >= ca.notAfter || (previousCa === undefined && now >= renewalTime(ca))) return { kind: 'rotateCa' };
  const servingDue = now >= renewalTime(serving) || now >= serving.notAfter || now < serving.notBefore;
  if (servingDue || (!serving.signedByCa && now >= trustedFrom(ca))) return { kind: 'issueServing' };
  return undefined;
}

/** How often to look at the certificates: often enough to act within a twentieth of the shorter life. */
export function checkIntervalMs(validity: { caMs: number; servingMs: number }): number {
  return Math.max(100, Math.min(validity.caMs / 20, validity.servingMs / 20, 600_000));
}
