// The system under check: the embedded API server, the ARM emulator and the operator, each talking to the others
// over real HTTPS as in production (one process, so the checker can see the operator's queue and restart it fast).
// Nothing here is mocked; the checker acts as a user (Kubernetes API) and as someone changing Azure outside
// Kubernetes (its own ARM client id).
import { request } from 'node:https';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { type RunningEmulator, startEmulator } from '../../src/emulator/index.js';
import { type RunningApiServer, startApiServer } from '../../src/kube/index.js';
import { listKindModels } from '../../src/model/index.js';
import { type RunningOperator, startOperator } from '../../src/operator/index.js';
import { readCrds } from '../integration/operator-helpers.js';

export const subscriptionId = '00000000-0000-0000-0000-00000000c0c0';
const operatorClientId = '00000000-0000-0000-0000-00000000c0c1';
const outsiderClientId = '00000000-0000-0000-0000-00000000c0c2';

/** The CRDs of the kinds the checker uses. */
const crdNames = [
  'resourcegroups.resources.azure.com',
  'storageaccounts.storage.azure.com',
  'flexibleservers.dbforpostgresql.azure.com',
  'networksecuritygroups.network.azure.com',
  'virtualnetworks.network.azure.com',
  'virtualnetworkssubnets.network.azure.com',
];

/** Options of `World.start`. */
export interface WorldOptions {
  /** AZURE_SYNC_PERIOD of the operator: also the cap of its slow retries. */
  syncPeriod: string;
  /** Operator log level (`AZO_CONVERGENCE_LOG`), default silent. */
  logLevel?: string;
}

/** A running system. */
export class World {
  private token: string | undefined;
  private outsideWrites = 0;

  private constructor(
    readonly apiServer: RunningApiServer,
    readonly emulator: RunningEmulator,
    public operator: RunningOperator,
    readonly kubeConfig: KubeConfig,
    private readonly options: WorldOptions,
  ) {}

  static async start(options: WorldOptions): Promise<World> {
    const apiServer = await startApiServer({ port: 0 });
    const emulator = await startEmulator({ models: await listKindModels(), throttling: false });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(apiServer.kubeconfig);
    const operator = await World.startOperator(kubeConfig, emulator, options);
    return new World(apiServer, emulator, operator, kubeConfig, options);
  }

  private static startOperator(
    kubeConfig: KubeConfig,
    emulator: RunningEmulator,
    options: WorldOptions,
  ): Promise<RunningOperator> {
    return startOperator({
      kubeConfig,
      installCrds: readCrds(crdNames),
      armCaCertPem: emulator.caCertPem,
      logger: pino({ level: options.logLevel ?? 'silent' }),
      env: {
        AZURE_SUBSCRIPTION_ID: subscriptionId,
        AZURE_TENANT_ID: emulator.tenantId,
        AZURE_CLIENT_ID: operatorClientId,
        AZURE_CLIENT_SECRET: 'convergence',
        AZURE_RESOURCE_MANAGER_ENDPOINT: emulator.url,
        AZURE_AUTHORITY_HOST: emulator.url,
        AZURE_SYNC_PERIOD: options.syncPeriod,
        MAX_CONCURRENT_RECONCILES: '4',
        POD_NAMESPACE: 'azo-system',
      },
    });
  }

  get custom(): CustomObjectsApi {
    return this.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  get core(): CoreV1Api {
    return this.kubeConfig.makeApiClient(CoreV1Api);
  }

  /** Stops the operator (in-flight reconciles finish) and starts a new one, as a pod restart does. */
  async restartOperator(): Promise<void> {
    await this.operator.stop();
    this.operator = await World.startOperator(this.kubeConfig, this.emulator, this.options);
  }

  /** true when the operator has nothing queued or running. */
  operatorIdle(): boolean {
    const stats = this.operator.stats();
    return stats.queued === 0 && stats.processing === 0;
  }

  /**
   * GETs an ARM resource as the outsider: status and body. A fault meant for the operator may hit the checker's own
   * read first (fault rules match any client): such a read is simply made again.
   */
  async armGet(id: string, apiVersion: string): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.arm('GET', id, apiVersion);
      if (attempt >= 3 || ![429, 500, 503].includes(response.status)) return response;
    }
  }

  /** PUTs an ARM resource as the outsider (a change made in the portal); its request ids start with `outsider-`. */
  async armPut(id: string, apiVersion: string, body: unknown): Promise<{ status: number; body: unknown }> {
    return this.arm('PUT', id, apiVersion, body);
  }

  /** DELETEs an ARM resource as the outsider. */
  async armDelete(id: string, apiVersion: string): Promise<{ status: number; body: unknown }> {
    return this.arm('DELETE', id, apiVersion);
  }

  async close(): Promise<void> {
    await this.operator.stop();
    await this.emulator.close();
    await this.apiServer.close();
  }

  private async arm(
    method: string,
    id: string,
    apiVersion: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    if (this.token === undefined) {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: outsiderClientId,
        client_secret: 'outsider',
        scope: 'https://management.azure.com/.default',
      });
      const issued = await this.send(
        'POST',
        `${this.emulator.url}/${this.emulator.tenantId}/oauth2/v2.0/token`,
        form.toString(),
        {
          'content-type': 'application/x-www-form-urlencoded',
        },
      );
      this.token = (JSON.parse(issued.text) as { access_token: string }).access_token;
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      'x-ms-client-request-id': `outsider-${++this.outsideWrites}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const url = `${this.emulator.url}${id}?api-version=${apiVersion}`;
    const { status, text } = await this.send(
      method,
      url,
      body === undefined ? undefined : JSON.stringify(body),
      headers,
    );
    return { status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  private send(
    method: string,
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, ca: this.emulator.caCertPem, headers }, (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
