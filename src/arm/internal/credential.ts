/**
 * Builds the `@azure/identity` credential the ARM client uses, pointed at any authority (real Entra ID or the
 * emulator).
 */
import { readFile } from 'node:fs/promises';
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  type TokenCredential,
} from '@azure/identity';
import { tlsPolicy } from '@azure/core-rest-pipeline';

/** How the credential proves itself: a client secret, a client certificate (PEM with its key), or workload identity. */
export type ArmCredentialProof =
  | { kind: 'clientSecret'; clientSecret: string }
  | { kind: 'clientCertificate'; certificatePem: string; password?: string }
  | { kind: 'workloadIdentity'; tokenFile: string };

/** Options of `createArmCredential`. */
export interface ArmCredentialOptions {
  tenantId: string;
  clientId: string;
  proof: ArmCredentialProof;
  /** Entra ID authority; default `https://login.microsoftonline.com`. Instance discovery is off for other hosts. */
  authorityHost?: string;
  /** Extra CA (PEM) to trust for the token endpoint. */
  caCertPem?: string;
}

/**
 * A credential for the ARM client. Workload identity reads the projected service account token at every exchange
 * (the kubelet rotates it), through `ClientAssertionCredential`, so it works with any authority host.
 */
export function createArmCredential(options: ArmCredentialOptions): TokenCredential {
  const authorityHost = options.authorityHost ?? 'https://login.microsoftonline.com';
  const custom = !/login\.microsoftonline\.com/i.test(authorityHost);
  const common = {
    authorityHost,
    ...(custom ? { disableInstanceDiscovery: true } : {}),
    ...(options.caCertPem !== undefined
      ? { additionalPolicies: [{ policy: tlsPolicy({ ca: options.caCertPem }), position: 'perCall' as const }] }
      : {}),
    retryOptions: { maxRetries: 0 },
  };
  const { proof } = options;
  switch (proof.kind) {
    case 'clientSecret':
      return new ClientSecretCredential(options.tenantId, options.clientId, proof.clientSecret, common);
    case 'clientCertificate':
      return new ClientCertificateCredential(
        options.tenantId,
        options.clientId,
        {
          certificate: separatePemBlocks(proof.certificatePem),
          ...(proof.password !== undefined ? { password: proof.password } : {}),
        },
        common,
      );
    case 'workloadIdentity':
      return new ClientAssertionCredential(
        options.tenantId,
        options.clientId,
        async () => (await readFile(proof.tokenFile, 'utf8')).trim(),
        common,
      );
  }
}

/**
 * A certificate and its key pasted together without a newline (`…-----END CERTIFICATE----------BEGIN …`) still parse.
 */
function separatePemBlocks(pem: string): string {
  return pem.replace(/(-----END [A-Z0-9 ]+-----)[ \t]*(?=-----BEGIN )/g, '$1\n');
}
