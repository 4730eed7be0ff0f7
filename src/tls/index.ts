/**
 * Certificates for azo's HTTPS servers (the embedded API server, the ARM emulator, the conversion webhook).
 *
 * Each server keeps a certificate authority in its data directory (or in memory without one) and issues
 * itself a server certificate for localhost and 127.0.0.1 from it. Clients trust the CA: the API server writes
 * it into the kubeconfig, the emulator into `ca.pem` for `NODE_EXTRA_CA_CERTS`.
 */
import 'reflect-metadata'; // required by @peculiar/x509's dependency injection
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** PEM-encoded key material for one HTTPS server, and the CA that signed it. */
export interface ServerCredentials {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

/** Options for {@link loadOrCreateServerCredentials}. */
export interface ServerCredentialsOptions {
  /** Directory that keeps `ca.pem`/`ca-key.pem` across restarts; omitted → a fresh CA in memory. */
  dataDir?: string;
  /** Common name of the CA, e.g. "azo apiserver CA". */
  caName: string;
  /** Extra DNS names for the server certificate; localhost, 127.0.0.1 and ::1 are always included. */
  hostNames?: string[];
}

const signingAlgorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * Loads the CA from `dataDir` (creating and saving it on first use) and issues a new server certificate from it.
 * The server certificate is not persisted: it is cheap to issue and never outlives the process.
 */
export async function loadOrCreateServerCredentials(options: ServerCredentialsOptions): Promise<ServerCredentials> {
  const ca = await loadOrCreateCa(options);
  const serverKeys = (await webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const hostNames = ['localhost', ...(options.hostNames ?? [])];
  const ipAddresses = ['127.0.0.1', '::1'];
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=localhost',
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 24 * 3600_000),
    signingAlgorithm,
    publicKey: serverKeys.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...hostNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return {
    caCertPem: ca.cert.toString('pem'),
    certPem: cert.toString('pem'),
    keyPem: await exportKeyPem(serverKeys.privateKey),
  };
}

interface CertificateAuthority {
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

async function loadOrCreateCa(options: ServerCredentialsOptions): Promise<CertificateAuthority> {
  const certFile = options.dataDir ? join(options.dataDir, 'ca.pem') : undefined;
  const keyFile = options.dataDir ? join(options.dataDir, 'ca-key.pem') : undefined;
  if (certFile && keyFile && existsSync(certFile) && existsSync(keyFile)) {
    const cert = new x509.X509Certificate(readFileSync(certFile, 'utf8'));
    const privateKey = await importKeyPem(readFileSync(keyFile, 'utf8'));
    return { cert, privateKey };
  }
  const keys = (await webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${options.caName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  if (certFile && keyFile && options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileAtomic(keyFile, await exportKeyPem(keys.privateKey), 0o600);
    writeFileAtomic(certFile, cert.toString('pem'), 0o644);
  }
  return { cert, privateKey: keys.privateKey };
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, signingAlgorithm, true, ['sign']);
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function writeFileAtomic(file: string, content: string, mode: number): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, file);
}

/** A PEM certificate and its PEM (PKCS#8) private key. */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

/** Options of {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
  /** Common name, e.g. "azo webhook CA". */
  name: string;
  /** How long the CA is valid from now. */
  validityMs: number;
  /** Reference time (default: now). */
  now?: number;
}

/** Creates a self-signed CA (ECDSA P-256) valid for `validityMs` (it never signs beyond that). */
export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = options.now ?? Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${options.name}`,
    notBefore: new Date(now - backdateMs(options.validityMs)),
    notAfter: new Date(now + options.validityMs),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** Options of {@link issueServingCertificate}. */
export interface ServingCertificateOptions {
  /** The signing CA. */
  ca: KeyPairPem;
  /** DNS names (the first is the common name); 127.0.0.1 and ::1 are always included as IP addresses. */
  hostNames: string[];
  /** How long the certificate is valid from now, cut to the CA's own expiry. */
  validityMs: number;
  /** Reference time (default: now). */
  now?: number;
}

/** Issues a TLS server certificate from `ca` for `hostNames`. */
export async function issueServingCertificate(options: ServingCertificateOptions): Promise<KeyPairPem> {
  const caCert = new x509.X509Certificate(options.ca.certPem);
  const caKey = await importKeyPem(options.ca.keyPem);
  const keys = (await webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = options.now ?? Date.now();
  const notAfter = Math.min(now + options.validityMs, caCert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${options.hostNames[0] ?? 'localhost'}`,
    issuer: caCert.subject,
    notBefore: new Date(now - backdateMs(notAfter - now)),
    notAfter: new Date(notAfter),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...options.hostNames.map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip' as const, value: '127.0.0.1' },
        { type: 'ip' as const, value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** How far before now a certificate starts (for clocks behind ours): a minute, or a tenth of a short life. */
function backdateMs(lifeMs: number): number {
  return Math.max(0, Math.min(60_000, lifeMs / 10));
}

/** What {@link describeCertificate} reads from a PEM certificate. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: number;
  notAfter: number;
}

/** Reads the subject, issuer, serial number and validity (epoch ms) of the first certificate in `pem`. */
export function describeCertificate(pem: string): CertificateFacts {
  const cert = new x509.X509Certificate(pem);
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.getTime(),
    notAfter: cert.notAfter.getTime(),
  };
}

/** Whether `certPem` is signed by the CA certificate `caPem`. */
export async function isSignedBy(certPem: string, caPem: string): Promise<boolean> {
  const cert = new x509.X509Certificate(certPem);
  const ca = new x509.X509Certificate(caPem);
  if (cert.issuer !== ca.subject) return false;
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
}
