// Shared setup of the operator's integration tests: an embedded API server, the ARM emulator and the operator, in
// one process, talking over real HTTPS. Nothing here is mocked.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { pino } from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { listKindModels } from '../../src/model/index.js';
import { startOperator, type Clock, type OperatorMetrics, type RunningOperator } from '../../src/operator/index.js';

export const subscriptionId = '00000000-0000-0000-0000-00000000a201';
export const clientId = '00000000-0000-0000-0000-00000000c201';
export const clientSecret = 'integration-client-secret-1';

/** CRD file names (generated/crds/<plural>.<group>.yaml) used by the tests. */
export const testCrds = [
  'resourcegroups.resources.azure.com',
  'storageaccounts.storage.azure.com',
  'storageaccountsblobservices.storage.azure.com',
  'storageaccountsblobservicescontainers.storage.azure.com',
  'userassignedidentities.managedidentity.azure.com',
  'virtualnetworks.network.azure.com',
  'virtualnetworkssubnets.network.azure.com',
  'flexibleservers.dbforpostgresql.azure.com',
  'networksecuritygroups.network.azure.com',
  'roleassignments.authorization.azure.com',
];

/** Reads generated CRDs by name. */
export function readCrds(names: string[] = testCrds): V1CustomResourceDefinition[] {
  return names.map(
    (name) => parse(readFileSync(join('generated', 'crds', `${name}.yaml`), 'utf8')) as V1CustomResourceDefinition,
  );
}

/** A running environment. */
export interface Environment {
  apiServer: RunningApiServer;
  emulator: RunningEmulator;
  operator: RunningOperator;
  kubeConfig: KubeConfig;
  custom: CustomObjectsApi;
  /** `METHOD path?query` of every request the operator sent to the API server (with `recordKubeRequests`). */
  kubeRequests: string[];
  close(): Promise<void>;
}

/** Options of `startEnvironment`. */
export interface EnvironmentOptions {
  /** Share an emulator between environments (two clusters, one Azure). */
  emulator?: RunningEmulator;
  /** The operator's clock (a `FakeClock` never fires retries or polls by itself). */
  clock?: Clock;
  /** Route the operator's Kubernetes traffic through a recording proxy (see `Environment.kubeRequests`). */
  recordKubeRequests?: boolean;
  /** CRDs the operator installs (default `readCrds()`). */
  installCrds?: V1CustomResourceDefinition[];
  /** Metrics the operator records into. */
  metrics?: OperatorMetrics;
}

/** Starts API server + emulator + operator (CRDs installed by the operator, as `--crd-pattern` does). */
export async function startEnvironment(
  env: Record<string, string> = {},
  options: EnvironmentOptions = {},
): Promise<Environment> {
  const apiServer = await startApiServer({ port: 0 });
  const emulator = options.emulator ?? (await startEmulator({ models: await listKindModels() }));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const kubeRequests: string[] = [];
  const proxy = options.recordKubeRequests === true ? await startRecordingProxy(apiServer, kubeRequests) : undefined;
  const operatorKubeConfig = proxy === undefined ? kubeConfig : proxy.kubeConfig;
  const operator = await startOperator({
    kubeConfig: operatorKubeConfig,
    installCrds: options.installCrds ?? readCrds(),
    armCaCertPem: emulator.caCertPem,
    logger: pino({ level: process.env['AZO_TEST_LOG_LEVEL'] ?? 'silent' }),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    env: {
      AZURE_SUBSCRIPTION_ID: subscriptionId,
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_SECRET: clientSecret,
      AZURE_RESOURCE_MANAGER_ENDPOINT: emulator.url,
      AZURE_AUTHORITY_HOST: emulator.url,
      AZURE_SYNC_PERIOD: 'never',
      AZURE_GRAPH_ENDPOINT: emulator.url,
      MAX_CONCURRENT_RECONCILES: '4',
      ...env,
    },
  });
  return {
    apiServer,
    emulator,
    operator,
    kubeConfig,
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    kubeRequests,
    close: async () => {
      await operator.stop();
      await proxy?.close();
      if (options.emulator === undefined) await emulator.close();
      await apiServer.close();
    },
  };
}

/** A plain-HTTP proxy in front of the API server that records each request line (watches stream through). */
async function startRecordingProxy(
  apiServer: RunningApiServer,
  requests: string[],
): Promise<{ kubeConfig: KubeConfig; close(): Promise<void> }> {
  const target = new URL(apiServer.url);
  const server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method ?? ''} ${incoming.url ?? ''}`);
    const upstream = httpsRequest(
      {
        host: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: { ...incoming.headers, host: target.host },
        ca: apiServer.caCertPem,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        outgoing.flushHeaders(); // a watch sends its headers long before its first event
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'proxy', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'admin', token: apiServer.token }],
    contexts: [{ name: 'proxy', cluster: 'proxy', user: 'admin' }],
    currentContext: 'proxy',
  });
  return {
    kubeConfig,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` every 50 ms until it returns a value (not a timed assertion: the test runner's timeout bounds it). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, attempts = 600): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

type Obj = {
  metadata: { annotations?: Record<string, string>; finalizers?: string[]; generation?: number };
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason: string;
      severity?: string;
      message?: string;
      observedGeneration?: number;
    }>;
  };
};

/** Where objects of a custom kind live: the group, version and plural of their URL, and the namespace. */
export interface KindRef {
  group: string;
  version: string;
  plural: string;
  namespace: string;
}

/** Creates the object `kind`/`name` with `spec` (and annotations, if any) at `where`'s group and version. */
export function createCustom(
  custom: CustomObjectsApi,
  where: KindRef,
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): Promise<unknown> {
  const metadata = { name, ...(annotations !== undefined ? { annotations } : {}) };
  return custom.createNamespacedCustomObject({
    ...where,
    body: { apiVersion: `${where.group}/${where.version}`, kind, metadata, spec },
  });
}

/** The Ready condition of an object. */
export function readyOf(
  object: Obj,
): { status: string; reason: string; severity?: string; message?: string; observedGeneration?: number } | undefined {
  return object.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/** Waits until the object's Ready condition matches (status and, if given, reason) for its current generation. */
export async function waitForReady(
  environment: Environment,
  ref: { group: string; version: string; plural: string; namespace: string; name: string },
  status = 'True',
  reason?: string,
): Promise<Obj> {
  let lastSeen: ReturnType<typeof readyOf>;
  try {
    return await eventually(
      async () => {
        const object = (await environment.custom.getNamespacedCustomObject(ref)) as Obj;
        const ready = readyOf(object);
        lastSeen = ready;
        return ready !== undefined &&
          ready.status === status &&
          (reason === undefined || ready.reason === reason) &&
          ready.observedGeneration === object.metadata.generation
          ? object
          : undefined;
      },
      `${ref.plural}/${ref.name} Ready=${status}${reason !== undefined ? ` (${reason})` : ''}`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last Ready seen: ${JSON.stringify(lastSeen) ?? 'none'}`);
  }
}

/** Waits until reading the object fails (it is gone: its finalizer released and the API server removed it). */
export async function waitForGone(
  environment: Environment,
  ref: { group: string; version: string; plural: string; namespace: string; name: string },
): Promise<void> {
  await eventually(async () => {
    try {
      await environment.custom.getNamespacedCustomObject(ref);
      return undefined;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return true;
      throw error; // any other failure is not "gone": retried, and reported if it lasts
    }
  }, `${ref.plural}/${ref.name} gone`);
}

/** ARM writes (PUT/PATCH/DELETE/POST) in the emulator's log whose path ends with `suffix` (case-insensitive). */
export function armRequests(emulator: RunningEmulator, method: string, suffix: string): number {
  return emulator
    .requestLog()
    .filter((entry) => entry.method === method && entry.path.toLowerCase().endsWith(suffix.toLowerCase())).length;
}

/** Waits until the operator has no queued work and `extra` reconciles happened since `since`. */
export async function waitForReconciles(operator: RunningOperator, since: number, extra: number): Promise<void> {
  await eventually(
    async () => (operator.stats().reconciles >= since + extra && operator.stats().queued === 0 ? true : undefined),
    `${extra} reconciles`,
  );
}
