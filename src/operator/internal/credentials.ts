/**
 * Which credential a resource uses, as ASO decides it: the Secret named by the object's
 * `serviceoperator.azure.com/credential-from` annotation (same namespace only), else the namespace's `aso-credential`
 * Secret, else the global credential (env vars or `aso-controller-settings`). Pure; the reconciler reads the Secrets.
 * Secret values never leave this shape except to build the credential, and `redactSecrets` scrubs them from text.
 */
import { readOperatorConfig, type OperatorConfig } from './config.js';
import { CREDENTIAL_FROM_ANNOTATION, NAMESPACE_CREDENTIAL_SECRET } from './names.js';

/** Where a resource's credential comes from. */
export type CredentialSource =
  | { kind: 'global' }
  | { kind: 'namespace'; namespace: string; secretName: string }
  | { kind: 'object'; namespace: string; secretName: string };

/**
 * Picks the credential source. `credential-from` may name only a Secret in the object's own namespace: a value with a
 * `/` (`other-namespace/name`) is refused (returns an error message instead).
 */
export function selectCredentialSource(options: {
  namespace: string;
  annotations?: Record<string, string> | undefined;
  namespaceSecretExists: boolean;
}): CredentialSource | { kind: 'invalid'; message: string } {
  const named = options.annotations?.[CREDENTIAL_FROM_ANNOTATION];
  if (named !== undefined && named !== '') {
    if (named.includes('/')) {
      const [namespace] = named.split('/');
      if (namespace !== options.namespace)
        return {
          kind: 'invalid',
          message:
            `${CREDENTIAL_FROM_ANNOTATION} must name a Secret in namespace ${options.namespace}, not ` +
            `${JSON.stringify(named)}`,
        };
      return { kind: 'object', namespace: options.namespace, secretName: named.slice(named.indexOf('/') + 1) };
    }
    return { kind: 'object', namespace: options.namespace, secretName: named };
  }
  if (options.namespaceSecretExists)
    return { kind: 'namespace', namespace: options.namespace, secretName: NAMESPACE_CREDENTIAL_SECRET };
  return { kind: 'global' };
}

/** How a credential proves itself to Entra ID. */
export type CredentialProof =
  | { kind: 'clientSecret'; clientSecret: string }
  | { kind: 'clientCertificate'; certificatePem: string; password?: string }
  /** Workload identity: the service account token in `tokenFile`, exchanged for the client's token. */
  | { kind: 'workloadIdentity'; tokenFile: string };

/** A credential (service principal or workload identity) and its subscription. */
export interface CredentialSettings {
  subscriptionId: string;
  tenantId: string;
  clientId: string;
  proof: CredentialProof;
}

/** The keys ASO reads from a credential Secret (or the environment), besides the proof. */
export const credentialKeys = ['AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID'] as const;

/** What the operator's own process offers for workload identity (the webhook-injected token file). */
export interface WorkloadIdentityContext {
  /** `AZURE_FEDERATED_TOKEN_FILE` of the operator's process. */
  federatedTokenFile: string | undefined;
  /**
   * true for Secrets (`aso-credential`, `credential-from`): a Secret without a secret or certificate means workload
   * identity, as in ASO. For the global credential it takes `USE_WORKLOAD_IDENTITY_AUTH=true`.
   */
  implicit: boolean;
}

/**
 * Reads credential settings from decoded Secret data or env vars. The proof, first match: `AZURE_CLIENT_SECRET`,
 * `AZURE_CLIENT_CERTIFICATE` (PEM with the private key; `AZURE_CLIENT_CERTIFICATE_PASSWORD`), workload identity.
 * Lists what is missing (never the values).
 */
export function parseCredentialSettings(
  data: Record<string, string | undefined>,
  workload: WorkloadIdentityContext = { federatedTokenFile: undefined, implicit: false },
): CredentialSettings | { missing: string[] } {
  const has = (key: string) => data[key] !== undefined && data[key] !== '';
  const missing: string[] = credentialKeys.filter((key) => !has(key));
  let proof: CredentialProof | undefined;
  if (has('AZURE_CLIENT_SECRET')) proof = { kind: 'clientSecret', clientSecret: data['AZURE_CLIENT_SECRET'] ?? '' };
  else if (has('AZURE_CLIENT_CERTIFICATE')) {
    proof = {
      kind: 'clientCertificate',
      certificatePem: data['AZURE_CLIENT_CERTIFICATE'] ?? '',
      ...(has('AZURE_CLIENT_CERTIFICATE_PASSWORD')
        ? { password: data['AZURE_CLIENT_CERTIFICATE_PASSWORD'] ?? '' }
        : {}),
    };
  } else if (workload.implicit || data['USE_WORKLOAD_IDENTITY_AUTH']?.toLowerCase() === 'true') {
    if (workload.federatedTokenFile === undefined || workload.federatedTokenFile === '')
      missing.push(
        'AZURE_FEDERATED_TOKEN_FILE (workload identity: label the operator pod azure.workload.identity/use=true)',
      );
    else proof = { kind: 'workloadIdentity', tokenFile: workload.federatedTokenFile };
  } else {
    missing.push('AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE, or USE_WORKLOAD_IDENTITY_AUTH=true)');
  }
  if (missing.length > 0 || proof === undefined) return { missing };
  return {
    subscriptionId: data['AZURE_SUBSCRIPTION_ID'] ?? '',
    tenantId: data['AZURE_TENANT_ID'] ?? '',
    clientId: data['AZURE_CLIENT_ID'] ?? '',
    proof,
  };
}

/** The global credential from the operator's environment (before `aso-controller-settings` is consulted). */
export function environmentCredential(config: OperatorConfig): CredentialSettings | { missing: string[] } {
  return parseCredentialSettings(
    {
      AZURE_SUBSCRIPTION_ID: config.subscriptionId,
      AZURE_TENANT_ID: config.tenantId,
      AZURE_CLIENT_ID: config.clientId,
      AZURE_CLIENT_SECRET: config.clientSecret,
      AZURE_CLIENT_CERTIFICATE: config.clientCertificate,
      AZURE_CLIENT_CERTIFICATE_PASSWORD: config.clientCertificatePassword,
      USE_WORKLOAD_IDENTITY_AUTH: config.useWorkloadIdentity ? 'true' : undefined,
    },
    { federatedTokenFile: config.federatedTokenFile, implicit: false },
  );
}

/**
 * true when `env` alone names a complete global credential (the IDs and a proof): what `azo dev` takes for real Azure.
 */
export function hasEnvironmentCredential(env: Record<string, string | undefined>): boolean {
  return !('missing' in environmentCredential(readOperatorConfig(env)));
}

/** The secret values of a credential, to redact from every message. */
export function secretValuesOf(proof: CredentialProof): string[] {
  if (proof.kind === 'clientSecret') return [proof.clientSecret];
  if (proof.kind === 'clientCertificate')
    return [proof.certificatePem, ...(proof.password !== undefined ? [proof.password] : [])];
  return [];
}

/** Decodes a Secret's base64 `data` (and plain `stringData`) into strings. */
export function decodeSecretData(secret: {
  data?: Record<string, string> | undefined;
  stringData?: Record<string, string> | undefined;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {}))
    out[key] = Buffer.from(value, 'base64').toString('utf8');
  for (const [key, value] of Object.entries(secret.stringData ?? {})) out[key] = value;
  return out;
}

/** The subscription of an ARM ID, or undefined for tenant-level IDs. */
export function subscriptionOfArmId(armId: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(armId)?.[1];
}

/**
 * A message when `armId` is in another subscription than the credential's; undefined when they match (or tenant scope).
 */
export function checkSubscription(armId: string, credentialSubscription: string): string | undefined {
  const subscription = subscriptionOfArmId(armId);
  if (subscription === undefined || subscription.toLowerCase() === credentialSubscription.toLowerCase())
    return undefined;
  return (
    `the resource is in subscription ${subscription} but its credential is for subscription ` +
    `${credentialSubscription}`
  );
}

/** Replaces every occurrence of each secret value (4+ characters) in `text` with `[redacted]`. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** The scope of a token for `audience` (Entra's `<audience>/.default`, without a doubled slash). */
export function defaultScopeOf(audience: string): string {
  return `${audience.replace(/\/+$/, '')}/.default`;
}
