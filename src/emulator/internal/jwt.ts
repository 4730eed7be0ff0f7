/** RS256 JSON Web Tokens: the emulator signs the access tokens it issues and verifies them on every ARM request. */
import { createHash, createPublicKey, generateKeyPairSync, createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';

/** A signing key and its JWKS entry. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
  /** PKCS#8 PEM of the private key (for persistence). */
  pem: string;
}

/** Creates a fresh RSA signing key. */
export function createSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** Loads a signing key from its PKCS#8 PEM. */
export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(String(jwk.n)).digest('base64url').slice(0, 27);
  return { privateKey, publicKey, kid, pem };
}

/** The JWKS document (`{"keys":[…]}`) publishing the key. */
export function jwksOf(key: SigningKey): { keys: Array<Record<string, unknown>> } {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { keys: [{ kty: 'RSA', use: 'sig', alg: 'RS256', kid: key.kid, x5t: key.kid, n: jwk.n, e: jwk.e }] };
}

/** Signs `claims` as an RS256 JWT. */
export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid };
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** Why a token was rejected. */
export type JwtProblem = 'malformed' | 'signature' | 'expired' | 'notYetValid';

/** Verifies signature and time window; returns the claims or the problem found. */
export function verifyJwt(key: SigningKey, token: string, nowSeconds: number): { claims: Record<string, unknown> } | { problem: JwtProblem } {
  const decoded = decodeJwt(token);
  if (!decoded) return { problem: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string];
  if (decoded.header.alg !== 'RS256' || decoded.header.kid !== key.kid) return { problem: 'signature' };
  const valid = verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key.publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!valid) return { problem: 'signature' };
  const exp = decoded.claims.exp;
  const nbf = decoded.claims.nbf;
  if (typeof exp !== 'number' || exp <= nowSeconds) return { problem: 'expired' };
  if (typeof nbf === 'number' && nbf > nowSeconds + 300) return { problem: 'notYetValid' };
  return { claims: decoded.claims };
}

/** Decodes a JWT's header and claims without verifying it; undefined when it is not a JWT. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as unknown;
    if (!isRecord(header) || !isRecord(claims)) return undefined;
    return { header, claims };
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A stable UUID-shaped value derived from `text` (the object ID of an application). */
export function stableUuid(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
