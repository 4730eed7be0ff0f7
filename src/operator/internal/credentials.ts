/**
 * Which credential a resource uses, as ASO decides it: the Secret named by the object's
 * `serviceoperator.azure.com/credential-from` annotation (same namespace only), else the namespace's `aso-credential`
 * Secret, else the global credential (env vars or `aso-controller-settings`). Pure; the reconciler reads the Secrets.
 * Secret values never leave this shape except to build the credential, and `redactSecrets` scrubs them from text.
 */
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
      if (namespace !== options.namespace) return { kind: 'invalid', message: `${CREDENTIAL_FROM_ANNOTATION} must name a Secret in namespace ${options.namespace}, not ${JSON.stringify(named)}` };
      return { kind: 'object', namespace: options.namespace, secretName: named.slice(named.indexOf('/') + 1) };
    }
    return { kind: 'object', namespace: options.namespace, secretName: named };
  }
  if (options.namespaceSecretExists) return { kind: 'namespace', namespace: options.namespace, secretName: NAMESPACE_CREDENTIAL_SECRET };
  return { kind: 'global' };
}

/** A service principal credential and its subscription. */
export interface CredentialSettings {
  subscriptionId: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** The keys ASO reads from a credential Secret (or the environment). */
export const credentialKeys = ['AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;

/** Reads credential settings from decoded Secret data or env vars; lists the missing keys (never the values). */
export function parseCredentialSettings(data: Record<string, string | undefined>): CredentialSettings | { missing: string[] } {
  const missing = credentialKeys.filter((key) => data[key] === undefined || data[key] === '');
  if (missing.length > 0) return { missing };
  return {
    subscriptionId: data['AZURE_SUBSCRIPTION_ID'] ?? '', tenantId: data['AZURE_TENANT_ID'] ?? '',
    clientId: data['AZURE_CLIENT_ID'] ?? '', clientSecret: data['AZURE_CLIENT_SECRET'] ?? '',
  };
}

/** Decodes a Secret's base64 `data` (and plain `stringData`) into strings. */
export function decodeSecretData(secret: { data?: Record<string, string> | undefined; stringData?: Record<string, string> | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) out[key] = Buffer.from(value, 'base64').toString('utf8');
  for (const [key, value] of Object.entries(secret.stringData ?? {})) out[key] = value;
  return out;
}

/** The subscription of an ARM ID, or undefined for tenant-level IDs. */
export function subscriptionOfArmId(armId: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(armId)?.[1];
}

/** A message when `armId` is in another subscription than the credential's; undefined when they match (or tenant scope). */
export function checkSubscription(armId: string, credentialSubscription: string): string | undefined {
  const subscription = subscriptionOfArmId(armId);
  if (subscription === undefined || subscription.toLowerCase() === credentialSubscription.toLowerCase()) return undefined;
  return `the resource is in subscription ${subscription} but its credential is for subscription ${credentialSubscription}`;
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
