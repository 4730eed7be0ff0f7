/** RS256 JSON Web Tokens: the emulator signs the access tokens it issues and verifies them on every ARM request. */
import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  createPrivateKey,
  sign,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';

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
export function verifyJwt(
  key: SigningKey,
  token: string,
  nowSeconds: number,
): { claims: Record<string, unknown> } | { problem: JwtProblem } {
  const decoded = decodeJwt(token);
  if (!decoded) return { problem: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string];
  if (decoded.header.alg !== 'RS256' || decoded.header.kid !== key.kid) return { problem: 'signature' };
  const valid = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key.publicKey,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) return { problem: 'signature' };
  const exp = decoded.claims.exp;
  const nbf = decoded.claims.nbf;
  if (typeof exp !== 'number' || exp <= nowSeconds) return { problem: 'expired' };
  if (typeof nbf === 'number' && nbf > nowSeconds + 300) return { problem: 'notYetValid' };
  return { claims: decoded.claims };
}

/** Decodes a JWT's header and claims without verifying it; undefined when it is not a JWT. */
export function decodeJwt(
  token: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
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

/** A client certificate registered for an application: its public key and the thumbprints assertions name it by. */
export interface ClientCertificate {
  publicKey: KeyObject;
  /** base64url SHA-1 of the DER certificate (the `x5t` header). */
  x5t: string;
  /** base64url SHA-256 of the DER certificate (the `x5t#S256` header MSAL sends with PS256). */
  x5tS256: string;
}

/** Parses a PEM certificate; throws when it is not one. */
export function parseClientCertificate(pem: string): ClientCertificate {
  const certificate = new X509Certificate(pem);
  return {
    publicKey: certificate.publicKey,
    x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
  };
}

/**
 * Checks a certificate-signed client assertion (RS256 or PS256, the certificate named by `x5t#S256` or `x5t`):
 * 'unknownKey' when no certificate matches its thumbprint, 'signature' when the signature does not verify.
 */
export function verifyClientAssertion(
  token: string,
  certificates: ClientCertificate[],
): 'ok' | 'unknownKey' | 'signature' {
  const decoded = decodeJwt(token);
  if (!decoded) return 'signature';
  const thumbprint256 = decoded.header['x5t#S256'];
  const thumbprint1 = decoded.header.x5t;
  const certificate = certificates.find(
    (candidate) => candidate.x5tS256 === thumbprint256 || candidate.x5t === thumbprint1,
  );
  if (!certificate) return 'unknownKey';
  const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string];
  const data = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const alg = decoded.header.alg;
  if (alg === 'RS256') return verify('sha256', data, certificate.publicKey, signature) ? 'ok' : 'signature';
  if (alg === 'PS256') {
    const key = {
      key: certificate.publicKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    };
    return verify('sha256', data, key, signature) ? 'ok' : 'signature';
  }
  return 'signature';
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
