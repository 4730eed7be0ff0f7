/**
 * The conversion webhook: HTTPS `POST /convert` answering apiextensions.k8s.io/v1 ConversionReviews with a
 * `VersionConverter`. It serves the certificate from the Secret `azo-webhook-tls` (creating it on first start),
 * writes the CA bundle into the CRDs, and checks the certificates on a timer: a renewed serving certificate is
 * served from the next TLS handshake on, and a changed bundle is written into the CRDs before any certificate it
 * adds signs the served one (rotation.ts).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterAccess } from '../kube-http.js';
import type { Logger } from 'pino';
import type { VersionConverter } from '../../../model/index.js';
import { KubeAccess } from '../kube.js';
import { type Clock, systemClock } from '../queue.js';
import type { CertificatePolicy, WebhookCertificates } from './certificates.js';
import { reviewConversion } from './conversion-review.js';
import { conversionPath, type WebhookEndpoint, writeConversionToCrds } from './crd-conversion.js';
import { checkIntervalMs } from './rotation.js';

/** The path the webhook serves. */
export { conversionPath };

/** Options of `startConversionWebhook`. */
export interface ConversionWebhookOptions {
  kubeConfig: ClusterAccess;
  /** Where the Secret lives (the operator's namespace). */
  namespace: string;
  /** Port to listen on (0: any free one). */
  port: number;
  /** Interface to listen on (default: every interface). */
  host?: string;
  /** How API servers reach the webhook; written into the CRDs. */
  endpoint: WebhookEndpoint;
  /** Validity of new certificates; host names are derived from the endpoint. */
  caValidityMs: number;
  servingValidityMs: number;
  convert: VersionConverter;
  logger: Logger;
  clock?: Clock;
}

/** A running conversion webhook. */
export interface RunningConversionWebhook {
  port: number;
  /** The CA bundle (PEM) written into the CRDs. */
  caBundle(): string;
  /** The serving certificate (PEM) served now. */
  servingCertificate(): string;
  /** Writes the conversion stanza into CRDs that lack it now (e.g. just installed by `--crd-pattern`). */
  refreshCrds(): Promise<void>;
  close(): Promise<void>;
}

/** The names the serving certificate must carry for `endpoint` (a Service's DNS names, or the URL's host). */
export function hostNamesFor(endpoint: WebhookEndpoint): string[] {
  if ('url' in endpoint) {
    const host = new URL(endpoint.url).hostname.replace(/^\[|\]$/g, '');
    // IP addresses 127.0.0.1 and ::1 are always in the certificate; other hosts go in as DNS names.
    return /^[\d.]+$|:/.test(host) ? ['localhost'] : [host, 'localhost'];
  }
  const { name, namespace } = endpoint.service;
  return [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`, `${name}.${namespace}`, name];
}

/** How often the CRDs are checked for a missing or stale bundle even when the bundle has not changed. */
const crdRecheckMs = 300_000;
const maxReviewBytes = 64 * 1024 * 1024;

/** Starts the webhook; resolves once it listens and the CRDs carry its CA bundle. */
export async function startConversionWebhook(options: ConversionWebhookOptions): Promise<RunningConversionWebhook> {
  const { logger, endpoint } = options;
  const clock = options.clock ?? systemClock;
  const kube = new KubeAccess(options.kubeConfig);
  const policy: CertificatePolicy = {
    caValidityMs: options.caValidityMs,
    servingValidityMs: options.servingValidityMs,
    hostNames: hostNamesFor(endpoint),
  };
  // Loaded only when the webhook runs: its X.509 library costs the operator ~20 MiB of memory.
  const { caBundleOf, ensureWebhookCertificates } = await import('./certificates.js');
  const ensure = () =>
    ensureWebhookCertificates({ kube, namespace: options.namespace, policy, logger, now: () => clock.now() });
  let certificates: WebhookCertificates = (await ensure()).certificates;
  let bundle = caBundleOf(certificates);
  await writeConversionToCrds({ kube, endpoint, caBundlePem: bundle, logger });
  let crdsCheckedAt = clock.now();

  const server: Server = createServer(
    { cert: certificates.serving.certPem, key: certificates.serving.keyPem },
    (request, response) => void handle(request, response, options.convert, logger),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let timer: unknown;
  let closed = false;
  const interval = checkIntervalMs({ caMs: options.caValidityMs, servingMs: options.servingValidityMs });
  const check = async () => {
    const next = (await ensure()).certificates;
    const nextBundle = caBundleOf(next);
    // The bundle goes into the CRDs before a certificate signed by a CA it adds is served.
    if (nextBundle !== bundle || clock.now() - crdsCheckedAt >= crdRecheckMs) {
      await writeConversionToCrds({ kube, endpoint, caBundlePem: nextBundle, logger });
      bundle = nextBundle;
      crdsCheckedAt = clock.now();
    }
    if (next.serving.certPem !== certificates.serving.certPem) {
      server.setSecureContext({ cert: next.serving.certPem, key: next.serving.keyPem });
      logger.info('serving a renewed conversion webhook certificate');
    }
    certificates = next;
  };
  const schedule = () => {
    timer = clock.setTimer(() => {
      check()
        .catch((error: unknown) =>
          logger.warn(
            { error: error instanceof Error ? error.message : String(error) },
            'webhook certificate check failed',
          ),
        )
        .finally(() => {
          if (!closed) schedule();
        });
    }, interval);
  };
  schedule();
  logger.info({ port, endpoint }, 'conversion webhook listening');
  return {
    port,
    caBundle: () => bundle,
    refreshCrds: async () => {
      await writeConversionToCrds({ kube, endpoint, caBundlePem: bundle, logger });
    },
    servingCertificate: () => certificates.serving.certPem,
    close: async () => {
      closed = true;
      clock.clearTimer(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  convert: VersionConverter,
  logger: Logger,
): Promise<void> {
  const reply = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
  };
  const path = new URL(request.url ?? '/', 'https://webhook').pathname;
  if (path !== conversionPath) {
    request.resume();
    return reply(404, { message: `not found: ${path} (the conversion webhook serves POST ${conversionPath})` });
  }
  if (request.method !== 'POST') {
    request.resume();
    return reply(405, { message: `${request.method ?? ''} is not allowed; POST a ConversionReview` });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxReviewBytes) return reply(413, { message: 'the ConversionReview is too large' });
    chunks.push(chunk as Buffer);
  }
  let review: unknown;
  try {
    review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    return reply(400, { message: `the body is not JSON: ${(error as Error).message}` });
  }
  const answer = await reviewConversion(review, convert);
  if (answer.response.result.status === 'Failure') {
    logger.warn({ uid: answer.response.uid, message: answer.response.result.message }, 'conversion failed');
  }
  reply(200, answer);
}
