/**
 * The operator's configuration from the environment, as ASO names it. Pure: pass `process.env`.
 */
import { isReconcilePolicy, type ReconcilePolicy } from './policy.js';

/** Parsed operator settings. Defaults in `readOperatorConfig`'s comment. */
export interface OperatorConfig {
  /** `AZURE_SYNC_PERIOD`; undefined = `never`. */
  syncPeriodMs: number | undefined;
  maxConcurrentReconciles: number;
  /** Namespaces to watch; undefined = all. */
  targetNamespaces: string[] | undefined;
  defaultReconcilePolicy: ReconcilePolicy | undefined;
  /** The value of DEFAULT_RECONCILE_POLICY when it is not a policy (reported as a warning). */
  invalidDefaultPolicy: string | undefined;
  armEndpoint: string;
  armAudience: string;
  authorityHost: string;
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
 * `15m`, `1h30m` or plain seconds), MAX_CONCURRENT_RECONCILES 1, AZURE_TARGET_NAMESPACES all (comma- or
 * semicolon-separated), AZURE_RESOURCE_MANAGER_ENDPOINT https://management.azure.com,
 * AZURE_RESOURCE_MANAGER_AUDIENCE https://management.core.windows.net/, AZURE_AUTHORITY_HOST
 * https://login.microsoftonline.com. Throws on a malformed number or duration.
 */
export function readOperatorConfig(env: Record<string, string | undefined>): OperatorConfig {
  const sync = env['AZURE_SYNC_PERIOD']?.trim();
  const policy = env['DEFAULT_RECONCILE_POLICY']?.trim();
  const concurrency = env['MAX_CONCURRENT_RECONCILES']?.trim();
  const maxConcurrentReconciles = concurrency === undefined || concurrency === '' ? 1 : Number(concurrency);
  if (!Number.isInteger(maxConcurrentReconciles) || maxConcurrentReconciles < 1) throw new Error(`MAX_CONCURRENT_RECONCILES must be a positive integer, not ${JSON.stringify(concurrency)}`);
  const namespaces = env['AZURE_TARGET_NAMESPACES']?.split(/[,;]/).map((ns) => ns.trim()).filter((ns) => ns !== '');
  const nonEmpty = (key: string) => (env[key] !== undefined && env[key] !== '' ? env[key] : undefined);
  return {
    syncPeriodMs: sync === undefined || sync === '' ? 3_600_000 : sync.toLowerCase() === 'never' ? undefined : parseDuration(sync),
    maxConcurrentReconciles,
    targetNamespaces: namespaces !== undefined && namespaces.length > 0 ? namespaces : undefined,
    defaultReconcilePolicy: policy !== undefined && isReconcilePolicy(policy) ? policy : undefined,
    invalidDefaultPolicy: policy !== undefined && policy !== '' && !isReconcilePolicy(policy) ? policy : undefined,
    armEndpoint: nonEmpty('AZURE_RESOURCE_MANAGER_ENDPOINT') ?? 'https://management.azure.com',
    armAudience: nonEmpty('AZURE_RESOURCE_MANAGER_AUDIENCE') ?? 'https://management.core.windows.net/',
    authorityHost: nonEmpty('AZURE_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com',
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
