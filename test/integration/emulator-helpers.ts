/**
 * Helpers of the emulator's integration tests: raw HTTPS requests trusting the emulator's CA, tokens, certificates,
 * child scenarios.
 */
import 'reflect-metadata'; // required by @peculiar/x509
import { spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';

export const subscriptionId = '00000000-1111-2222-3333-444444444444';
export const clientId = '11111111-2222-3333-4444-555555555555';

/** A raw HTTP response. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** Starts an emulator with a temporary data dir (so `caFile` exists); `cleanup` closes it and removes the dir. */
export async function startTestEmulator(
  options: EmulatorOptions = {},
): Promise<{ emulator: RunningEmulator; dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'azo-emulator-test-'));
  const emulator = await startEmulator({ ...options, dataDir });
  return {
    emulator,
    dataDir,
    cleanup: async () => {
      await emulator.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sends one HTTPS request to the emulator, trusting its CA. `body` objects are sent as JSON, strings/Buffers as-is. */
export function call(
  emulator: RunningEmulator,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const url = new URL(path, emulator.url);
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string' || Buffer.isBuffer(options.body)
        ? Buffer.from(options.body as string)
        : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(payload ? { 'content-type': 'application/json' } : {}),
    ...(options.headers ?? {}),
  };
  if (payload && headers['transfer-encoding'] === undefined) headers['content-length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, ca: emulator.caCertPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Gets an ARM token with the client-secret flow (raw form POST). */
export async function armToken(
  emulator: RunningEmulator,
  options: { tenant?: string; scope?: string; client?: string } = {},
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: options.client ?? clientId,
    client_secret: 'secret',
    scope: options.scope ?? 'https://management.azure.com/.default',
  });
  const response = await call(emulator, 'POST', `/${options.tenant ?? emulator.tenantId}/oauth2/v2.0/token`, {
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.text}`);
  return String(response.json.access_token);
}

/**
 * Runs `test/integration/<script>` in a child Node process with the emulator's CA in NODE_EXTRA_CA_CERTS; returns its
 * JSON output.
 */
export async function runScenario(
  emulator: RunningEmulator,
  script: string,
  env: Record<string, string> = {},
): Promise<unknown> {
  if (!emulator.caFile) throw new Error('the emulator needs a data dir for its CA file');
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
      EMULATOR_URL: emulator.url,
      EMULATOR_TENANT: emulator.tenantId,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const stdout = Buffer.concat(out).toString('utf8');
  if (code !== 0) throw new Error(`${script} exited with ${code}:\n${stdout}\n${Buffer.concat(err).toString('utf8')}`);
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(lastLine) as unknown;
}

/** A self-signed RSA certificate for client-certificate authentication: the certificate and its PKCS#8 key, as PEM. */
export async function createClientCertificate(commonName: string): Promise<{ certPem: string; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: algorithm,
    keys,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem =
    `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE ` + `KEY-----\n`;
  return { certPem: certificate.toString('pem'), keyPem };
}
