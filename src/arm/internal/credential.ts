/** Builds the `@azure/identity` credential the ARM client uses, pointed at any authority (real Entra ID or the emulator). */
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { tlsPolicy } from '@azure/core-rest-pipeline';

/** Options of `createArmCredential`. */
export interface ArmCredentialOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Entra ID authority; default `https://login.microsoftonline.com`. Instance discovery is off for other hosts. */
  authorityHost?: string;
  /** Extra CA (PEM) to trust for the token endpoint. */
  caCertPem?: string;
}

/** A client-secret credential for the ARM client. */
export function createArmCredential(options: ArmCredentialOptions): TokenCredential {
  const authorityHost = options.authorityHost ?? 'https://login.microsoftonline.com';
  const custom = !/login\.microsoftonline\.com/i.test(authorityHost);
  return new ClientSecretCredential(options.tenantId, options.clientId, options.clientSecret, {
    authorityHost,
    ...(custom ? { disableInstanceDiscovery: true } : {}),
    ...(options.caCertPem !== undefined ? { additionalPolicies: [{ policy: tlsPolicy({ ca: options.caCertPem }), position: 'perCall' as const }] } : {}),
    retryOptions: { maxRetries: 0 },
  });
}
