/**
 * Finds the ARM client for an object: picks the credential source (object annotation → namespace `aso-credential` →
 * global), reads the Secret, and caches one `ArmClient` per credential. Secret values stay inside; errors name only
 * Secrets and keys.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { TokenCredential } from '@azure/identity';
import { type ArmObserver, ArmClient, RequestScheduler, createArmCredential } from '../../arm/index.js';
import { type OperatorConfig, readOperatorConfig } from './config.js';
import {
  type CredentialSettings,
  decodeSecretData,
  environmentCredential,
  parseCredentialSettings,
  secretValuesOf,
  selectCredentialSource,
} from './credentials.js';
import type { KubeAccess, KubeObject } from './kube.js';
import { GLOBAL_SETTINGS_SECRET, NAMESPACE_CREDENTIAL_SECRET } from './names.js';

/** The ARM client for an object, with its subscription and the dependency (Secret) it came from. */
export type CredentialResult =
  | {
      ok: true;
      client: ArmClient;
      subscriptionId: string;
      secretValues: string[];
      dependencies: string[];
      source: string;
      /** The same credential's token source, for APIs other than ARM (Microsoft Graph). */
      credential: TokenCredential;
    }
  | { ok: false; reason: string; message: string; dependencies: string[] };

/** Options of `CredentialProvider`. */
export interface CredentialProviderOptions {
  kube: KubeAccess;
  config: OperatorConfig;
  logger: Logger;
  scheduler?: RequestScheduler;
  /**
   * Extra CA (PEM) to trust for ARM and the token endpoint (e.g. the emulator's); default: the system's (and
   * NODE_EXTRA_CA_CERTS).
   */
  caCertPem?: string;
  /** Called right before each ARM request is sent; a throw refuses it (the leader election's fence). */
  armRequestGuard?: () => void;
  /** Hears of every ARM request (metrics). */
  armObserver?: ArmObserver;
  /** Builds the ARM client for a credential (tests may replace it). */
  createClient?: (settings: CredentialSettings) => ArmClient;
}

/** See the module comment. */
export class CredentialProvider {
  private readonly clients = new Map<string, { client: ArmClient; credential: TokenCredential }>();
  private readonly scheduler: RequestScheduler;

  constructor(private readonly options: CredentialProviderOptions) {
    this.scheduler = options.scheduler ?? new RequestScheduler();
  }

  /** The credential for `object`. */
  async forObject(object: KubeObject): Promise<CredentialResult> {
    const namespace = object.metadata.namespace ?? 'default';
    const namespaceSecret = await this.options.kube.getSecret(namespace, NAMESPACE_CREDENTIAL_SECRET);
    const source = selectCredentialSource({
      namespace,
      annotations: object.metadata.annotations,
      namespaceSecretExists: namespaceSecret !== undefined,
    });
    const namespaceDependency = `/Secret/${namespace}/${NAMESPACE_CREDENTIAL_SECRET}`;
    if (source.kind === 'invalid')
      return { ok: false, reason: 'CredentialInvalid', message: source.message, dependencies: [] };
    if (source.kind === 'global') return this.global([namespaceDependency]);
    const secret =
      source.kind === 'namespace' ? namespaceSecret : await this.options.kube.getSecret(namespace, source.secretName);
    const dependencies = [namespaceDependency, `/Secret/${namespace}/${source.secretName}`];
    if (secret === undefined)
      return {
        ok: false,
        reason: 'SecretNotFound',
        message: `credential Secret ${namespace}/${source.secretName} does not exist`,
        dependencies,
      };
    return this.fromData(decodeSecretData(secret), `Secret ${namespace}/${source.secretName}`, dependencies);
  }

  private async global(dependencies: string[]): Promise<CredentialResult> {
    const { config } = this.options;
    const fromEnv = environmentCredential(config);
    if (!('missing' in fromEnv)) return this.fromSettings(fromEnv, 'environment', dependencies);
    const secret = await this.options.kube.getSecret(config.operatorNamespace, GLOBAL_SETTINGS_SECRET);
    const settingsDependency = `/Secret/${config.operatorNamespace}/${GLOBAL_SETTINGS_SECRET}`;
    if (secret === undefined) {
      return {
        ok: false,
        reason: 'CredentialInvalid',
        message:
          `no credential: set ${fromEnv.missing.join(', ')} or create Secret ${config.operatorNamespace}/` +
          `${GLOBAL_SETTINGS_SECRET}`,
        dependencies: [...dependencies, settingsDependency],
      };
    }
    return this.fromData(
      decodeSecretData(secret),
      `Secret ${config.operatorNamespace}/${GLOBAL_SETTINGS_SECRET}`,
      [...dependencies, settingsDependency],
      false,
    );
  }

  private fromData(
    data: Record<string, string>,
    where: string,
    dependencies: string[],
    implicitWorkloadIdentity = true,
  ): CredentialResult {
    const settings = parseCredentialSettings(data, {
      federatedTokenFile: this.options.config.federatedTokenFile,
      implicit: implicitWorkloadIdentity,
    });
    if ('missing' in settings)
      return {
        ok: false,
        reason: 'CredentialInvalid',
        message: `${where} lacks ${settings.missing.join(', ')}`,
        dependencies,
      };
    return this.fromSettings(settings, where, dependencies);
  }

  private fromSettings(settings: CredentialSettings, source: string, dependencies: string[]): CredentialResult {
    const key = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
    let entry = this.clients.get(key);
    if (entry === undefined) {
      const credential = this.createCredential(settings);
      entry = { client: this.options.createClient?.(settings) ?? this.createClient(settings, credential), credential };
      this.clients.set(key, entry);
    }
    const { client, credential } = entry;
    return {
      ok: true,
      client,
      credential,
      subscriptionId: settings.subscriptionId,
      secretValues: secretValuesOf(settings.proof),
      dependencies,
      source,
    };
  }

  /** The extra CA (PEM) trusted for ARM and Entra ID, if any (Graph clients trust it too). */
  get caCertPem(): string | undefined {
    return this.options.caCertPem;
  }

  private createCredential(settings: CredentialSettings): TokenCredential {
    const ca = this.options.caCertPem !== undefined ? { caCertPem: this.options.caCertPem } : {};
    return createArmCredential({
      tenantId: settings.tenantId,
      clientId: settings.clientId,
      proof: settings.proof,
      authorityHost: this.options.config.authorityHost,
      ...ca,
    });
  }

  private createClient(settings: CredentialSettings, credential: TokenCredential): ArmClient {
    const { config, logger } = this.options;
    const ca = this.options.caCertPem !== undefined ? { caCertPem: this.options.caCertPem } : {};
    const guard = this.options.armRequestGuard !== undefined ? { guard: this.options.armRequestGuard } : {};
    const observer = this.options.armObserver !== undefined ? { observer: this.options.armObserver } : {};
    return new ArmClient({
      endpoint: config.armEndpoint,
      audience: config.armAudience,
      scheduler: this.scheduler,
      logger: logger.child({ component: 'arm' }),
      ...ca,
      principal: { tenantId: settings.tenantId, clientId: settings.clientId },
      requestTimeoutMs: config.armRequestTimeoutMs,
      ...guard,
      ...observer,
      credential,
    });
  }
}

/**
 * The ARM client of the global credential from the environment, as the operator builds it (same variables, same
 * endpoint and authority settings), for the CLI's tools that read ARM without a cluster. `missing` lists the unset
 * variables.
 */
export function environmentArmClient(
  env: Record<string, string | undefined>,
  options: { caCertPem?: string; logger?: Logger } = {},
): { client: ArmClient; subscriptionId: string } | { missing: string[] } {
  const config = readOperatorConfig(env);
  const settings = environmentCredential(config);
  if ('missing' in settings) return settings;
  const ca = options.caCertPem !== undefined ? { caCertPem: options.caCertPem } : {};
  const client = new ArmClient({
    endpoint: config.armEndpoint,
    audience: config.armAudience,
    principal: { tenantId: settings.tenantId, clientId: settings.clientId },
    requestTimeoutMs: config.armRequestTimeoutMs,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...ca,
    credential: createArmCredential({
      tenantId: settings.tenantId,
      clientId: settings.clientId,
      proof: settings.proof,
      authorityHost: config.authorityHost,
      ...ca,
    }),
  });
  return { client, subscriptionId: settings.subscriptionId };
}
