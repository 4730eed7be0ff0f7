/** Wires the API server together: credentials, store, registry, controllers, HTTPS listener and kubeconfig. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pino, type Logger } from 'pino';
import { stringify } from 'yaml';
import { loadOrCreateServerCredentials } from '../../tls/index.js';
import { builtinTypes, initialNamespaces } from './builtins.js';
import { Controllers } from './controllers.js';
import type { ServiceResolver } from './conversion-webhook.js';
import { crdBucket, crdResourceType } from './crd.js';
import { RequestHandler } from './handler.js';
import { OpenApiCache } from './openapi.js';
import { Operations, type VersionConverter } from './operations.js';
import { FilePersistence, MemoryPersistence } from './persistence.js';
import { Registry } from './registry.js';
import { Store } from './store.js';

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Directory for durable state, the CA and the token; absent → everything in memory. */
  dataDir?: string;
  /** Where to write a kubeconfig for this server (optional). */
  kubeconfigPath?: string;
  /** Logger (default: silent unless AZO_LOG_LEVEL is set). */
  logger?: Logger;
  /** Seconds between watch BOOKMARK events (default 60). */
  bookmarkIntervalSeconds?: number;
  /** Watch history size in events (default 20,000). */
  watchHistory?: number;
  /**
   * Converts custom objects between the served versions of a CRD in-process (what a conversion webhook does in a
   * real cluster); absent → conversion strategy None (only apiVersion changes).
   */
  convert?: VersionConverter;
  /**
   * Where a conversion webhook named by a Service (`clientConfig.service`) is reached, as `host:port`; the
   * certificate is still checked against the Service's DNS name. Default: nowhere (such webhooks fail; use a URL).
   */
  resolveService?: ServiceResolver;
}

/** A running API server. */
export interface RunningApiServer {
  /** https://host:port */
  url: string;
  port: number;
  /** Bearer token accepted by the server. */
  token: string;
  caCertPem: string;
  /** kubeconfig YAML naming this server, its CA and token. */
  kubeconfig: string;
  /** Stops listening, ends watches, flushes the store. */
  close(): Promise<void>;
}

function loadOrCreateToken(dataDir: string | undefined): string {
  const file = dataDir ? join(dataDir, 'token') : undefined;
  if (file && existsSync(file)) {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  }
  const token = randomBytes(32).toString('hex');
  if (file) {
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  }
  return token;
}

/** Renders a kubeconfig for a server URL, CA and token. */
export function renderKubeconfig(options: {
  url: string;
  caCertPem: string;
  token: string;
  namespace?: string;
}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'azo',
        cluster: {
          server: options.url,
          'certificate-authority-data': Buffer.from(options.caCertPem).toString('base64'),
        },
      },
    ],
    users: [{ name: 'azo-admin', user: { token: options.token } }],
    contexts: [
      { name: 'azo', context: { cluster: 'azo', user: 'azo-admin', namespace: options.namespace ?? 'default' } },
    ],
    'current-context': 'azo',
    preferences: {},
  });
}

/** Starts the embedded Kubernetes-compatible API server. */
export async function startApiServer(options: ApiServerOptions = {}): Promise<RunningApiServer> {
  const logger = options.logger ?? pino({ level: process.env.AZO_LOG_LEVEL ?? 'silent' });
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const token = loadOrCreateToken(options.dataDir);
  const extraHosts =
    ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(host) || /^[\d.:]+$/.test(host) ? [] : [host];
  const credentials = await loadOrCreateServerCredentials({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    caName: 'azo apiserver CA',
    hostNames: extraHosts,
  });

  const persistence = options.dataDir
    ? new FilePersistence({ dataDir: options.dataDir, logger })
    : new MemoryPersistence();
  const store = new Store({ persistence, ...(options.watchHistory ? { historyCapacity: options.watchHistory } : {}) });
  const registry = new Registry();
  for (const type of builtinTypes()) registry.add(type);
  registry.add(crdResourceType(() => store.list(crdBucket)));
  const operations = new Operations(store, registry, logger, options.convert);
  const controllers = new Controllers(store, registry, operations, logger);
  controllers.start();
  const namespaceType = registry.find('', 'v1', 'namespaces');
  if (!namespaceType) throw new Error('namespaces are not registered');
  for (const name of initialNamespaces) {
    if (store.get('/namespaces', '', name)) continue;
    await operations.create(
      { ...namespaceType, namespace: '' },
      { value: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, duplicateFields: [] },
      { dryRun: false, defaultManager: 'azo-apiserver', fieldValidation: 'Ignore', warnings: [] },
    );
  }

  let address = '';
  const handler = new RequestHandler({
    operations,
    registry,
    store,
    openapi: new OpenApiCache(registry),
    logger,
    token,
    serverAddress: () => address,
    ...(options.bookmarkIntervalSeconds ? { bookmarkIntervalSeconds: options.bookmarkIntervalSeconds } : {}),
    ...(options.resolveService ? { resolveService: options.resolveService } : {}),
  });
  const server = createServer(
    { cert: credentials.certPem, key: credentials.keyPem, keepAliveTimeout: 65_000 },
    (request, response) => handler.handle(request, response),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const clientHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  address = `${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${port}`;
  const url = `https://${address}`;
  const kubeconfig = renderKubeconfig({ url, caCertPem: credentials.caCertPem, token });
  if (options.kubeconfigPath) {
    mkdirSync(dirname(options.kubeconfigPath), { recursive: true });
    writeFileSync(options.kubeconfigPath, kubeconfig, { mode: 0o600 });
  }
  logger.info({ url, dataDir: options.dataDir }, 'API server listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    token,
    caCertPem: credentials.caCertPem,
    kubeconfig,
    close() {
      closed ??= (async () => {
        controllers.stop();
        handler.closeWatches();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 200).unref();
        });
        await store.close();
        logger.info('API server stopped');
      })();
      return closed;
    },
  };
}
