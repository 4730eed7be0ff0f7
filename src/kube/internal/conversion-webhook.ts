/**
 * CRD conversion through a webhook (`spec.conversion.strategy: Webhook`), as kube-apiserver calls one: a
 * ConversionReview (apiextensions.k8s.io/v1) POSTed over HTTPS, trusting only the CRD's `caBundle`, and the answer
 * checked (same uid, Success, one object per object sent, each at the desired apiVersion, with the same kind, name,
 * namespace and uid). Any failure is a 500 naming the webhook, as kube-apiserver reports it.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { ApiError } from './errors.js';
import type { KubeObject } from './types.js';
import { isObject, metadataOf } from './types.js';

/** A CRD's `spec.conversion.webhook.clientConfig`. */
export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  /** Base64 PEM bundle; absent → the system's trusted CAs. */
  caBundle?: string;
}

/** Maps a Service reference to `host:port` (kube-apiserver's ServiceResolver); undefined when it cannot. */
export type ServiceResolver = (service: { namespace: string; name: string; port: number }) => string | undefined;

const timeoutMs = 30_000;

/** Reads `clientConfig` from a CRD's `spec.conversion` when its strategy is Webhook. */
export function webhookClientConfigOf(conversion: unknown): WebhookClientConfig | undefined {
  if (!isObject(conversion) || conversion.strategy !== 'Webhook') return undefined;
  const webhook = isObject(conversion.webhook) ? conversion.webhook : {};
  const config = isObject(webhook.clientConfig) ? webhook.clientConfig : {};
  const service = isObject(config.service) ? config.service : undefined;
  return {
    ...(typeof config.url === 'string' ? { url: config.url } : {}),
    ...(service !== undefined
      ? {
          service: {
            namespace: String(service.namespace ?? ''),
            name: String(service.name ?? ''),
            ...(typeof service.path === 'string' ? { path: service.path } : {}),
            ...(typeof service.port === 'number' ? { port: service.port } : {}),
          },
        }
      : {}),
    ...(typeof config.caBundle === 'string' && config.caBundle !== '' ? { caBundle: config.caBundle } : {}),
  };
}

/** Where to send the review: the URL, and the TLS server name to verify. */
function targetOf(
  config: WebhookClientConfig,
  resolveService: ServiceResolver | undefined,
): { url: URL; servername: string } {
  if (config.url !== undefined) {
    const url = new URL(config.url);
    return { url, servername: url.hostname.replace(/^\[|\]$/g, '') };
  }
  const service = config.service;
  if (service === undefined) throw new Error('clientConfig has neither url nor service');
  const port = service.port ?? 443;
  const address = resolveService?.({ namespace: service.namespace, name: service.name, port });
  if (address === undefined) {
    throw new Error(
      `service "${service.name}" in namespace "${service.namespace}" cannot be reached from this server ` +
        `(no cluster network); use clientConfig.url`,
    );
  }
  return {
    url: new URL(`https://${address}${service.path ?? '/'}`),
    servername: `${service.name}.${service.namespace}.svc`,
  };
}

function post(
  url: URL,
  servername: string,
  ca: string | undefined,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const isIp = /^[\d.]+$|:/.test(servername);
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
        ...(ca !== undefined ? { ca } : {}),
        ...(isIp ? {} : { servername }),
        timeout: timeoutMs,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Converts `objects` to `desiredApiVersion` through the webhook of `config`. Objects already at that version are
 * not sent. Throws a 500 ApiError on any failure.
 */
export async function convertThroughWebhook(options: {
  config: WebhookClientConfig;
  resolveService: ServiceResolver | undefined;
  groupKind: string;
  objects: KubeObject[];
  desiredApiVersion: string;
}): Promise<KubeObject[]> {
  const { objects, desiredApiVersion } = options;
  const pending = objects
    .map((object, index) => ({ object, index }))
    .filter(({ object }) => object.apiVersion !== desiredApiVersion);
  if (pending.length === 0) return objects;
  const fail = (message: string) =>
    new ApiError(500, 'InternalError', `conversion webhook for ${options.groupKind} failed: ${message}`, {});
  const uid = randomUUID();
  const review = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    request: { uid, desiredAPIVersion: desiredApiVersion, objects: pending.map(({ object }) => object) },
  };
  let answer: { status: number; text: string };
  try {
    const { url, servername } = targetOf(options.config, options.resolveService);
    const ca =
      options.config.caBundle === undefined
        ? undefined
        : Buffer.from(options.config.caBundle, 'base64').toString('utf8');
    answer = await post(url, servername, ca, JSON.stringify(review));
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  if (answer.status !== 200) throw fail(`the webhook answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    throw fail('the answer is not JSON');
  }
  const response = isObject(parsed) && isObject(parsed.response) ? parsed.response : undefined;
  if (response === undefined) throw fail('the answer has no response');
  if (response.uid !== uid)
    throw fail(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid)}`);
  const result = isObject(response.result) ? response.result : {};
  if (result.status !== 'Success')
    throw fail(typeof result.message === 'string' ? result.message : 'the webhook did not succeed');
  const converted = Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
  if (converted.length !== pending.length)
    throw fail(`expected ${pending.length} converted objects, got ${converted.length}`);
  const out = [...objects];
  pending.forEach(({ object, index }, position) => {
    const candidate = converted[position];
    if (!isObject(candidate)) throw fail(`converted object ${position} is not an object`);
    if (candidate.apiVersion !== desiredApiVersion)
      throw fail(`converted object ${position} is at ${String(candidate.apiVersion)}, not ${desiredApiVersion}`);
    if (candidate.kind !== object.kind) throw fail(`converted object ${position} changed kind`);
    const before = metadataOf(object);
    const after = metadataOf(candidate);
    for (const key of ['name', 'namespace', 'uid', 'resourceVersion', 'generation']) {
      if (before[key] !== after[key]) throw fail(`converted object ${position} changed metadata.${key}`);
    }
    // Only labels and annotations may change in metadata; everything else is kept as the server stored it.
    out[index] = {
      ...candidate,
      metadata: {
        ...before,
        ...(after.labels !== undefined ? { labels: after.labels } : {}),
        ...(after.annotations !== undefined ? { annotations: after.annotations } : {}),
      },
    };
  });
  return out;
}
