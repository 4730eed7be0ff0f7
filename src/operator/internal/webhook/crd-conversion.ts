/**
 * Points azo's CRDs at the conversion webhook: every CRD of an azo kind (group `*.azure.com`) with more than one
 * version gets `spec.conversion` strategy Webhook with the webhook's address and CA bundle. Single-version CRDs
 * never convert and are left alone; a CRD already pointing at the same address with the same bundle is not written.
 */
import type { CustomResourceDefinition } from '../kube-types.js';
import type { Logger } from 'pino';
import { KubeError, type KubeAccess } from '../kube.js';
import { conversionReviewApiVersion } from './conversion-review.js';

/** Where API servers reach the webhook: a Service in the cluster, or a URL (an operator outside the cluster). */
export type WebhookEndpoint =
  { service: { namespace: string; name: string; port: number; path: string } } | { url: string };

const azoGroup = /\.azure\.com$/i;

/**
 * The `spec.conversion` an azo CRD gets for `endpoint` and the PEM `caBundle` (deploy/ renders it without one: the
 * operator writes the bundle at start).
 */
export function conversionFor(endpoint: WebhookEndpoint, caBundlePem?: string): Record<string, unknown> {
  const caBundle = caBundlePem === undefined ? undefined : Buffer.from(caBundlePem).toString('base64');
  return {
    strategy: 'Webhook',
    webhook: {
      conversionReviewVersions: [conversionReviewApiVersion.split('/')[1]],
      clientConfig: { ...endpoint, ...(caBundle !== undefined ? { caBundle } : {}) },
    },
  };
}

/** The path the operator serves ConversionReviews on. */
export const conversionPath = '/convert';

/** The Service through which API servers reach the operator's conversion webhook in deploy/ (webhook-service.yaml). */
export const deployWebhookEndpoint: WebhookEndpoint = {
  service: { namespace: 'azureserviceoperator-system', name: 'azo-webhook', port: 443, path: conversionPath },
};

/** A CRD as deploy/ installs it: converted through the webhook when it has more than one version. */
export function withWebhookConversion(crd: Record<string, unknown>): Record<string, unknown> {
  const spec = crd['spec'] as { versions: unknown[] };
  if (spec.versions.length < 2) return crd;
  return { ...crd, spec: { ...spec, conversion: conversionFor(deployWebhookEndpoint) } };
}

/** Whether the conversion webhook converts this CRD's objects. */
export function convertsThroughWebhook(crd: CustomResourceDefinition): boolean {
  return azoGroup.test(crd.spec.group) && crd.spec.versions.length > 1;
}

function sameConversion(crd: CustomResourceDefinition, wanted: Record<string, unknown>): boolean {
  const conversion = crd.spec.conversion;
  const webhook = wanted['webhook'] as { clientConfig: Record<string, unknown> };
  const clientConfig = conversion?.webhook?.clientConfig;
  return (
    conversion?.strategy === 'Webhook' &&
    JSON.stringify(conversion.webhook?.conversionReviewVersions) === JSON.stringify(['v1']) &&
    clientConfig?.caBundle === webhook.clientConfig['caBundle'] &&
    JSON.stringify(clientConfig?.service ?? null) === JSON.stringify(webhook.clientConfig['service'] ?? null) &&
    (clientConfig?.url ?? null) === (webhook.clientConfig['url'] ?? null)
  );
}

/**
 * Writes the conversion stanza into every azo CRD that needs it. Returns how many CRDs were written. A CRD that
 * changed or vanished meanwhile is skipped (the next check writes it).
 */
export async function writeConversionToCrds(options: {
  kube: KubeAccess;
  endpoint: WebhookEndpoint;
  caBundlePem: string;
  logger: Logger;
}): Promise<number> {
  const { kube, endpoint, caBundlePem, logger } = options;
  const wanted = conversionFor(endpoint, caBundlePem);
  const clientConfig = (wanted['webhook'] as { clientConfig: Record<string, unknown> }).clientConfig;
  // A merge patch keeps keys it does not name: clear the other kind of address explicitly.
  const patchConfig = 'url' in endpoint ? { ...clientConfig, service: null } : { ...clientConfig, url: null };
  let written = 0;
  for (const crd of (await kube.listCrds()).items) {
    if (!convertsThroughWebhook(crd) || sameConversion(crd, wanted)) continue;
    const name = crd.metadata?.name ?? '';
    try {
      await kube.patchCrd(name, {
        metadata: { resourceVersion: crd.metadata?.resourceVersion },
        spec: { conversion: { ...wanted, webhook: { ...(wanted['webhook'] as object), clientConfig: patchConfig } } },
      });
      written++;
    } catch (error) {
      if (error instanceof KubeError && (error.statusCode === 409 || error.statusCode === 404)) continue;
      throw error;
    }
  }
  if (written > 0) logger.info({ crds: written }, 'wrote the conversion webhook and its CA bundle into the CRDs');
  return written;
}
