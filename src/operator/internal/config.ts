/**
 * The operator's configuration from the environment, as ASO names it. Pure: pass `process.env`.
 */
import type { DatabaseHostMapping } from './db-user-plan.js';
import { isReconcilePolicy, type ReconcilePolicy } from './policy.js';

/** Parsed operator settings. Defaults in `readOperatorConfig`'s comment. */
export interface OperatorConfig {
  /** `AZURE_SYNC_PERIOD`; undefined = `never`. */
  syncPeriodMs: number | undefined;
  /** `MAX_CONCURRENT_RECONCILES`: workers per served kind. */
  maxConcurrentReconciles: number;
  /** `AZO_RECONCILE_TIMEOUT`: one reconcile's deadline. */
  reconcileTimeoutMs: number;
  /** `AZO_ARM_REQUEST_TIMEOUT`: one ARM request's. */
  armRequestTimeoutMs: number;
  /** `AZO_KUBE_REQUEST_TIMEOUT`: one Kubernetes request's (watches excepted). */
  kubeRequestTimeoutMs: number;
  /** `AZO_DRIFT_READ_SHARE`: the share of ARM's read rate the periodic drift checks may use (0 < share ≤ 1). */
  driftReadShare: number;
  /** `AZO_ARM_MAX_IN_FLIGHT`: ARM requests in flight at once, over every kind and credential. */
  armMaxInFlight: number;
  /** Namespaces to watch; undefined = all. */
  targetNamespaces: string[] | undefined;
  defaultReconcilePolicy: ReconcilePolicy | undefined;
  /** The value of DEFAULT_RECONCILE_POLICY when it is not a policy (reported as a warning). */
  invalidDefaultPolicy: string | undefined;
  armEndpoint: string;
  armAudience: string;
  authorityHost: string;
  /** Microsoft Graph (Entra kinds: SecurityGroup): `AZURE_GRAPH_ENDPOINT`, default https://graph.microsoft.com. */
  graphEndpoint: string;
  /** The Graph token audience: `AZURE_GRAPH_AUDIENCE`, default https://graph.microsoft.com (national clouds differ). */
  graphAudience: string;
  /**
   * The token audience of Entra logins to MySQL (`dbformysql.azure.com/User` with `spec.aadUser`):
   * `AZURE_OSSRDBMS_AUDIENCE`, default https://ossrdbms-aad.database.windows.net (national clouds differ).
   */
  ossrdbmsAudience: string;
  /**
   * `AZO_DATABASE_HOSTS`: database servers (User kinds) reached at another address, in plain TCP, instead of their
   * FQDN over TLS: `name=host:port` pairs, comma-separated; a name `*.suffix` matches every server ending so.
   */
  databaseHosts: DatabaseHostMapping[];
  /** The global credential from env vars, when all four are set. */
  subscriptionId: string | undefined;
  tenantId: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** `AZURE_CLIENT_CERTIFICATE` (PEM with its key) and `AZURE_CLIENT_CERTIFICATE_PASSWORD`. */
  clientCertificate: string | undefined;
  clientCertificatePassword: string | undefined;
  /** `USE_WORKLOAD_IDENTITY_AUTH=true`: the global credential is workload identity. */
  useWorkloadIdentity: boolean;
  /** `AZURE_FEDERATED_TOKEN_FILE`, injected by the workload identity webhook. */
  federatedTokenFile: string | undefined;
  /** Where `aso-controller-settings` lives: `POD_NAMESPACE`, default `azureserviceoperator-system`. */
  operatorNamespace: string;
  /** `AZO_ARM_RATE_LIMITS=off` turns off the client-side ARM token buckets (benchmarks against the emulator). */
  armRateLimits: boolean;
}

/**
 * Reads the configuration. Defaults: AZURE_SYNC_PERIOD 1h (`never` turns resync off; Go-style durations `90s`,
 * `15m`, `1h30m` or plain seconds), MAX_CONCURRENT_RECONCILES 4 per kind, AZO_RECONCILE_TIMEOUT 5m,
 * AZO_ARM_REQUEST_TIMEOUT 60s, AZO_KUBE_REQUEST_TIMEOUT 30s, AZO_DRIFT_READ_SHARE 0.5, AZO_ARM_MAX_IN_FLIGHT 64,
 * AZURE_TARGET_NAMESPACES all (comma- or
 * semicolon-separated), AZURE_RESOURCE_MANAGER_ENDPOINT https://management.azure.com,
 * AZURE_RESOURCE_MANAGER_AUDIENCE https://management.core.windows.net/, AZURE_AUTHORITY_HOST
 * https://login.microsoftonline.com. Throws on a malformed number or duration.
 */
export function readOperatorConfig(env: Record<string, string | undefined>): OperatorConfig {
  const sync = env['AZURE_SYNC_PERIOD']?.trim();
  const policy = env['DEFAULT_RECONCILE_POLICY']?.trim();
  const concurrency = env['MAX_CONCURRENT_RECONCILES']?.trim();
  const maxConcurrentReconciles =
    concurrency === undefined || concurrency === '' ? defaultWorkersPerKind : Number(concurrency);
  if (!Number.isInteger(maxConcurrentReconciles) || maxConcurrentReconciles < 1)
    throw new Error(`MAX_CONCURRENT_RECONCILES must be a positive integer, not ${JSON.stringify(concurrency)}`);
  const namespaces = env['AZURE_TARGET_NAMESPACES']
    ?.split(/[,;]/)
    .map((ns) => ns.trim())
    .filter((ns) => ns !== '');
  const nonEmpty = (key: string) => (env[key] !== undefined && env[key] !== '' ? env[key] : undefined);
  return {
    syncPeriodMs:
      sync === undefined || sync === '' ? 3_600_000 : sync.toLowerCase() === 'never' ? undefined : parseDuration(sync),
    maxConcurrentReconciles,
    reconcileTimeoutMs: durationSetting(env, 'AZO_RECONCILE_TIMEOUT', 300_000),
    armRequestTimeoutMs: durationSetting(env, 'AZO_ARM_REQUEST_TIMEOUT', 60_000),
    kubeRequestTimeoutMs: durationSetting(env, 'AZO_KUBE_REQUEST_TIMEOUT', 30_000),
    driftReadShare: numberSetting(
      env,
      'AZO_DRIFT_READ_SHARE',
      0.5,
      (value) => value > 0 && value <= 1,
      'a number in (0, 1]',
    ),
    armMaxInFlight: numberSetting(
      env,
      'AZO_ARM_MAX_IN_FLIGHT',
      64,
      (value) => Number.isInteger(value) && value >= 1,
      'a positive integer',
    ),
    targetNamespaces: namespaces !== undefined && namespaces.length > 0 ? namespaces : undefined,
    defaultReconcilePolicy: policy !== undefined && isReconcilePolicy(policy) ? policy : undefined,
    invalidDefaultPolicy: policy !== undefined && policy !== '' && !isReconcilePolicy(policy) ? policy : undefined,
    armEndpoint: nonEmpty('AZURE_RESOURCE_MANAGER_ENDPOINT') ?? 'https://management.azure.com',
    armAudience: nonEmpty('AZURE_RESOURCE_MANAGER_AUDIENCE') ?? 'https://management.core.windows.net/',
    authorityHost: nonEmpty('AZURE_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com',
    graphEndpoint: (nonEmpty('AZURE_GRAPH_ENDPOINT') ?? 'https://graph.microsoft.com').replace(/\/+$/, ''),
    graphAudience: nonEmpty('AZURE_GRAPH_AUDIENCE') ?? 'https://graph.microsoft.com',
    ossrdbmsAudience: nonEmpty('AZURE_OSSRDBMS_AUDIENCE') ?? 'https://ossrdbms-aad.database.windows.net',
    databaseHosts: parseDatabaseHosts(env['AZO_DATABASE_HOSTS']),
    subscriptionId: nonEmpty('AZURE_SUBSCRIPTION_ID'),
    tenantId: nonEmpty('AZURE_TENANT_ID'),
    clientId: nonEmpty('AZURE_CLIENT_ID'),
    clientSecret: nonEmpty('AZURE_CLIENT_SECRET'),
    clientCertificate: nonEmpty('AZURE_CLIENT_CERTIFICATE'),
    clientCertificatePassword: nonEmpty('AZURE_CLIENT_CERTIFICATE_PASSWORD'),
    useWorkloadIdentity: env['USE_WORKLOAD_IDENTITY_AUTH']?.trim().toLowerCase() === 'true',
    federatedTokenFile: nonEmpty('AZURE_FEDERATED_TOKEN_FILE'),
    operatorNamespace: nonEmpty('POD_NAMESPACE') ?? 'azureserviceoperator-system',
    armRateLimits: env['AZO_ARM_RATE_LIMITS']?.toLowerCase() !== 'off',
  };
}

/**
 * Workers per served kind. A reconcile mostly waits on HTTP, so a worker costs little; 4 keep one kind at ARM's
 * sustained write rate (10 per second at about 0.4 s for a create's GET and PUT), and the shared bound on requests
 * in flight and ARM's quota schedule cap the total whatever the number of kinds. (ASO's default is 1.)
 */
export const defaultWorkersPerKind = 4;

function durationSetting(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  let value: number;
  try {
    value = parseDuration(text);
  } catch {
    throw new Error(`${name} must be a duration such as 90s or 5m, not ${JSON.stringify(text)}`);
  }
  if (value <= 0) throw new Error(`${name} must be a duration above zero, not ${JSON.stringify(text)}`);
  return value;
}

function numberSetting(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  valid: (value: number) => boolean,
  what: string,
): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || !valid(value)) throw new Error(`${name} must be ${what}, not ${JSON.stringify(text)}`);
  return value;
}

/** Parses `AZO_DATABASE_HOSTS` (see OperatorConfig.databaseHosts). Throws on a malformed entry. */
export function parseDatabaseHosts(text: string | undefined): DatabaseHostMapping[] {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    const match = /^([^=\s]+)=(\[[^\]]+\]|[^:=\s]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (match === null || port < 1 || port > 65535) {
      throw new Error(`AZO_DATABASE_HOSTS entries are name=host:port, not ${JSON.stringify(entry)}`);
    }
    return { name: (match[1] ?? '').toLowerCase(), host: (match[2] ?? '').replace(/^\[|\]$/g, ''), port };
  });
}

/** Parses `1h30m`, `90s`, `250ms`, `15m` or plain seconds into milliseconds. */
export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  const part = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;
  if (rest === '') throw new Error('empty duration');
  while (rest !== '') {
    const match = part.exec(rest);
    if (match === null) throw new Error(`invalid duration ${JSON.stringify(text)} (use e.g. 1h, 15m, 90s, or never)`);
    total += Number(match[1]) * (units[match[2] ?? 's'] ?? 1000);
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** The resync delay: `periodMs` ±25% (uniform), with `random` injected for tests. */
export function jitteredSyncDelay(periodMs: number, random: () => number = Math.random): number {
  return Math.round(periodMs * (0.75 + random() * 0.5));
}
