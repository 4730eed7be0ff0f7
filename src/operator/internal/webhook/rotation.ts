/**
 * When the conversion webhook's certificates change, decided purely from their validity periods:
 * - the serving certificate is re-issued once two thirds of its life have passed (or it has expired);
 * - the CA is replaced once two thirds of its life have passed; the old one stays in the CA bundle (so clients
 *   still trust certificates it signed) until it expires;
 * - after a CA rotation the new CA signs the served certificate only once it has been in the bundle for the overlap
 *   period (a fifth of its life, counted from its backdated start), time for API servers to pick the bundle up. A
 *   serving certificate due within the overlap is signed by the previous CA. The caller writes the bundle into the
 *   CRDs before it serves a certificate the new CA signed.
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
  /** The certificate the webhook serves, and which of the two CAs signed it (`other`: neither). */
  serving: Validity & { signer: Signer };
}

/** Which CA signs (or signed) a serving certificate. */
export type Signer = 'ca' | 'previousCa' | 'other';

/**
 * One change to make; the caller applies it and asks again until there is none. `createCa` makes the CA and the
 * serving certificate; `issueServing` signs a new serving certificate with `signer`.
 */
export type RotationStep =
  | { kind: 'createCa' }
  | { kind: 'rotateCa' }
  | { kind: 'dropPreviousCa' }
  | { kind: 'issueServing'; signer: 'ca' | 'previousCa' };

/** The share of a certificate's life after which it is renewed. */
export const renewalShare = 2 / 3;
/**
 * The share of a CA's validity (backdated start to end) after which it signs the served certificate. src/tls
 * backdates by up to a tenth of the life, so a new CA spends at least a tenth of its life in the bundle first.
 */
export const overlapShare = 1 / 5;

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
  const caTrusted = previousCa === undefined || now >= trustedFrom(ca);
  switch (serving.signer) {
    case 'ca':
      return servingDue ? { kind: 'issueServing', signer: 'ca' } : undefined;
    case 'previousCa':
      if (caTrusted) return { kind: 'issueServing', signer: 'ca' };
      return servingDue ? { kind: 'issueServing', signer: 'previousCa' } : undefined;
    case 'other':
      // Signed by a CA no longer in the bundle (edited by hand, or its CA expired): replace it at once.
      return { kind: 'issueServing', signer: caTrusted ? 'ca' : 'previousCa' };
  }
}

/** How often to look at the certificates: often enough to act within a twentieth of the shorter life. */
export function checkIntervalMs(validity: { caMs: number; servingMs: number }): number {
  return Math.max(100, Math.min(validity.caMs / 20, validity.servingMs / 20, 600_000));
}
