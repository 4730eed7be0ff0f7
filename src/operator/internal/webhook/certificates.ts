/**
 * The conversion webhook's CA and serving certificate, kept in the Secret `azo-webhook-tls` in the operator's
 * namespace so that restarts and replicas share them. `ensureWebhookCertificates` reads the Secret, applies the
 * rotation plan (rotation.ts) and writes the Secret back when something changed; a replica that loses the race
 * (409) reads the winner's certificates instead.
 */
import type { Secret } from '../kube-types.js';
import type { Logger } from 'pino';
import {
  createCertificateAuthority,
  describeCertificate,
  isSignedBy,
  issueServingCertificate,
  type KeyPairPem,
} from '../../../tls/index.js';
import { decodeSecretData } from '../credentials.js';
import { KubeError, type KubeAccess } from '../kube.js';
import { type CertificateView, nextRotationStep, type RotationStep, type Signer } from './rotation.js';
import { WEBHOOK_TLS_SECRET } from './secret-name.js';

/** The certificates the webhook serves and the CAs clients must trust. */
export interface WebhookCertificates {
  ca: KeyPairPem;
  previousCa?: KeyPairPem;
  serving: KeyPairPem;
}

/** Lifetimes of new certificates, and the names the serving certificate is for. */
export interface CertificatePolicy {
  caValidityMs: number;
  servingValidityMs: number;
  hostNames: string[];
}

/** The PEM bundle clients must trust: the current CA and, during a rotation, the previous one. */
export function caBundleOf(certificates: WebhookCertificates): string {
  return [certificates.ca.certPem, certificates.previousCa?.certPem]
    .filter((pem): pem is string => pem !== undefined)
    .map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`))
    .join('');
}

const keys = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  previousCaCert: 'previous-ca.crt',
  previousCaKey: 'previous-ca.key',
  servingCert: 'tls.crt',
  servingKey: 'tls.key',
  bundle: 'ca-bundle.crt',
} as const;

function fromSecretData(data: Record<string, string>): WebhookCertificates | undefined {
  const pair = (cert: string, key: string): KeyPairPem | undefined => {
    const certPem = data[cert];
    const keyPem = data[key];
    return certPem !== undefined && keyPem !== undefined && certPem !== '' && keyPem !== ''
      ? { certPem, keyPem }
      : undefined;
  };
  const ca = pair(keys.caCert, keys.caKey);
  const serving = pair(keys.servingCert, keys.servingKey);
  if (ca === undefined || serving === undefined) return undefined;
  const previousCa = pair(keys.previousCaCert, keys.previousCaKey);
  return { ca, serving, ...(previousCa !== undefined ? { previousCa } : {}) };
}

function toSecretData(certificates: WebhookCertificates): Record<string, string> {
  const data: Record<string, string> = {
    [keys.caCert]: certificates.ca.certPem,
    [keys.caKey]: certificates.ca.keyPem,
    [keys.servingCert]: certificates.serving.certPem,
    [keys.servingKey]: certificates.serving.keyPem,
    [keys.bundle]: caBundleOf(certificates),
  };
  if (certificates.previousCa !== undefined) {
    data[keys.previousCaCert] = certificates.previousCa.certPem;
    data[keys.previousCaKey] = certificates.previousCa.keyPem;
  }
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
}

async function signerOf(certificates: WebhookCertificates): Promise<Signer> {
  const { serving, ca, previousCa } = certificates;
  if (await isSignedBy(serving.certPem, ca.certPem)) return 'ca';
  if (previousCa !== undefined && (await isSignedBy(serving.certPem, previousCa.certPem))) return 'previousCa';
  return 'other';
}

async function viewOf(certificates: WebhookCertificates): Promise<CertificateView> {
  const validity = (pem: string) => {
    const { notBefore, notAfter } = describeCertificate(pem);
    return { notBefore, notAfter };
  };
  return {
    ca: validity(certificates.ca.certPem),
    ...(certificates.previousCa !== undefined ? { previousCa: validity(certificates.previousCa.certPem) } : {}),
    serving: { ...validity(certificates.serving.certPem), signer: await signerOf(certificates) },
  };
}

/** Applies one rotation step. */
async function apply(
  step: RotationStep,
  current: WebhookCertificates | undefined,
  policy: CertificatePolicy,
  now: number,
): Promise<WebhookCertificates> {
  const newCa = () =>
    createCertificateAuthority({ name: 'azo conversion webhook CA', validityMs: policy.caValidityMs, now });
  const issue = (ca: KeyPairPem) =>
    issueServingCertificate({ ca, hostNames: policy.hostNames, validityMs: policy.servingValidityMs, now });
  if (step.kind === 'createCa') {
    const ca = await newCa();
    return { ca, serving: await issue(ca) };
  }
  if (current === undefined) throw new Error(`cannot ${step.kind} without certificates`);
  switch (step.kind) {
    case 'rotateCa':
      return { ca: await newCa(), previousCa: current.ca, serving: current.serving };
    case 'dropPreviousCa':
      return { ca: current.ca, serving: current.serving };
    case 'issueServing': {
      const signer = step.signer === 'previousCa' ? current.previousCa : current.ca;
      if (signer === undefined) throw new Error('cannot sign with a previous CA that is gone');
      return { ...current, serving: await issue(signer) };
    }
  }
}

/** What `ensureWebhookCertificates` found or made. */
export interface EnsuredCertificates {
  certificates: WebhookCertificates;
  /** The rotation steps this call applied (and stored). */
  steps: RotationStep['kind'][];
}

/**
 * Reads the certificates from the Secret, rotates what is due and stores the result. Returns the certificates to
 * serve. `now` is injectable for tests.
 */
export async function ensureWebhookCertificates(options: {
  kube: KubeAccess;
  namespace: string;
  policy: CertificatePolicy;
  logger: Logger;
  now?: () => number;
}): Promise<EnsuredCertificates> {
  const { kube, namespace, policy, logger } = options;
  const now = options.now ?? Date.now;
  let namespaceCreated = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    const secret = await kube.getSecret(namespace, WEBHOOK_TLS_SECRET, { fresh: true });
    const stored = secret === undefined ? undefined : fromSecretData(decodeSecretData(secret));
    let certificates = stored;
    const steps: RotationStep['kind'][] = [];
    for (let step = nextRotationStep(certificates && (await viewOf(certificates)), now()); step !== undefined;) {
      certificates = await apply(step, certificates, policy, now());
      steps.push(step.kind);
      if (steps.length > 4) throw new Error(`certificate rotation does not settle: ${steps.join(', ')}`);
      step = nextRotationStep(await viewOf(certificates), now());
    }
    if (certificates === undefined) throw new Error('no webhook certificates');
    if (steps.length === 0) return { certificates, steps };
    const body: Secret = {
      metadata: {
        name: WEBHOOK_TLS_SECRET,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'azo-operator' },
        ...(secret?.metadata?.resourceVersion !== undefined
          ? { resourceVersion: secret.metadata.resourceVersion }
          : {}),
      },
      type: 'Opaque',
      data: toSecretData(certificates),
    };
    try {
      if (secret === undefined) await kube.createSecret(namespace, body);
      else await kube.replaceSecret(namespace, WEBHOOK_TLS_SECRET, body);
      logger.info(
        { secret: `${namespace}/${WEBHOOK_TLS_SECRET}`, steps },
        'stored the conversion webhook certificates',
      );
      return { certificates, steps };
    } catch (error) {
      if (error instanceof KubeError && error.statusCode === 409) continue; // another replica wrote first: use theirs
      if (error instanceof KubeError && error.statusCode === 404 && secret === undefined && !namespaceCreated) {
        // Outside a cluster (against `azo apiserver`, say) the operator's namespace may not exist yet.
        namespaceCreated = true;
        await kube
          .createNamespace(namespace, { 'app.kubernetes.io/managed-by': 'azo-operator' })
          .catch(() => undefined);
        continue;
      }
      throw error;
    }
  }
  throw new Error(`Secret ${namespace}/${WEBHOOK_TLS_SECRET} changed under every attempt to update it`);
}
