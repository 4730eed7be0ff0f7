// Shared setup of the operator's integration tests: an embedded API server, the ARM emulator and the operator, in
// one process, talking over real HTTPS. Nothing here is mocked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { pino } from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { listKindModels } from '../../src/model/index.js';
import { startOperator, type RunningOperator } from '../../src/operator/index.js';

export const subscriptionId = '00000000-0000-0000-0000-00000000a201';
export const clientId = '00000000-0000-0000-0000-00000000c201';
export const clientSecret = 'integration-client-secret-1';

/** CRD file names (generated/crds/<plural>.<group>.yaml) used by the tests. */
export const testCrds = [
  'resourcegroups.resources.azure.com', 'storageaccounts.storage.azure.com', 'storageaccountsblobservices.storage.azure.com',
  'storageaccountsblobservicescontainers.storage.azure.com', 'userassignedidentities.managedidentity.azure.com',
  'virtualnetworks.network.azure.com', 'virtualnetworkssubnets.network.azure.com', 'flexibleservers.dbforpostgresql.azure.com',
];

/** Reads generated CRDs by name. */
export function readCrds(names: string[] = testCrds): V1CustomResourceDefinition[] {
  return names.map((name) => parse(readFileSync(join('generated', 'crds', `${name}.yaml`), 'utf8')) as V1CustomResourceDefinition);
}

/** A running environment. */
export interface Environment {
  apiServer: RunningApiServer;
  emulator: RunningEmulator;
  operator: RunningOperator;
  kubeConfig: KubeConfig;
  custom: CustomObjectsApi;
  close(): Promise<void>;
}

/** Starts API server + emulator + operator (CRDs installed by the operator, as `--crd-pattern` does). */
export async function startEnvironment(env: Record<string, string> = {}, shared?: { emulator: RunningEmulator }): Promise<Environment> {
  const apiServer = await startApiServer({ port: 0 });
  const emulator = shared?.emulator ?? await startEmulator({ models: await listKindModels() });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const operator = await startOperator({
    kubeConfig,
    installCrds: readCrds(),
    armCaCertPem: emulator.caCertPem,
    logger: pino({ level: process.env['AZO_TEST_LOG_LEVEL'] ?? 'silent' }),
    env: {
      AZURE_SUBSCRIPTION_ID: subscriptionId, AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: clientSecret,
      AZURE_RESOURCE_MANAGER_ENDPOINT: emulator.url, AZURE_AUTHORITY_HOST: emulator.url, AZURE_SYNC_PERIOD: 'never',
      MAX_CONCURRENT_RECONCILES: '4', ...env,
    },
  });
  return {
    apiServer, emulator, operator, kubeConfig, custom: kubeConfig.makeApiClient(CustomObjectsApi),
    close: async () => {
      await operator.stop();
      if (shared === undefined) await emulator.close();
      await apiServer.close();
    },
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

type Obj = { metadata: { annotations?: Record<string, string>; finalizers?: string[]; generation?: number }; status?: { conditions?: Array<{ type: string; status: string; reason: string; severity?: string; message?: string; observedGeneration?: number }> } };

/** The Ready condition of an object. */
export function readyOf(object: Obj): { status: string; reason: string; severity?: string; message?: string; observedGeneration?: number } | undefined {
  return object.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/** Waits until the object's Ready condition matches (status and, if given, reason) for its current generation. */
export async function waitForReady(environment: Environment, ref: { group: string; version: string; plural: string; namespace: string; name: string }, status = 'True', reason?: string): Promise<Obj> {
  return eventually(async () => {
    const object = await environment.custom.getNamespacedCustomObject(ref) as Obj;
    const ready = readyOf(object);
    return ready !== undefined && ready.status === status && (reason === undefined || ready.reason === reason) && ready.observedGeneration === object.metadata.generation ? object : undefined;
  }, `${ref.plural}/${ref.name} Ready=${status}${reason !== undefined ? ` (${reason})` : ''}`);
}

/** ARM writes (PUT/PATCH/DELETE/POST) in the emulator's log whose path ends with `suffix` (case-insensitive). */
export function armRequests(emulator: RunningEmulator, method: string, suffix: string): number {
  return emulator.requestLog().filter((entry) => entry.method === method && entry.path.toLowerCase().endsWith(suffix.toLowerCase())).length;
}

/** Waits until the operator has no queued work and `extra` reconciles happened since `since`. */
export async function waitForReconciles(operator: RunningOperator, since: number, extra: number): Promise<void> {
  await eventually(async () => (operator.stats().reconciles >= since + extra && operator.stats().queued === 0 ? true : undefined), `${extra} reconciles`);
}
