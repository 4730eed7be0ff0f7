/**
 * Run by emulator-sdk.test.ts in a child process with NODE_EXTRA_CA_CERTS set (as users run SDK code against the
 * emulator). Uses only the official Azure SDK clients; prints one JSON line of observations.
 */
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';

const url = process.env.EMULATOR_URL ?? '';
const tenantId = process.env.EMULATOR_TENANT ?? '';
const subscriptionId = process.env.SUBSCRIPTION_ID ?? '00000000-1111-2222-3333-444444444444';
const scenario = process.env.SCENARIO ?? 'main';
const credential = new ClientSecretCredential(tenantId, '11111111-2222-3333-4444-555555555555', 'a-secret', {
  authorityHost: url,
  disableInstanceDiscovery: true,
});
const clientOptions = { endpoint: url, credentialScopes: ['https://management.azure.com/.default'] };
const resources = new ResourceManagementClient(credential, subscriptionId, clientOptions);
const storage = new StorageManagementClient(credential, subscriptionId, clientOptions);
const fast = { updateIntervalInMs: 50 };
const out: Record<string, unknown> = {};

if (scenario === 'main') {
  const token = await credential.getToken('https://management.azure.com/.default');
  out.tokenParts = token.token.split('.').length;
  // Workload identity: a federated token (as a Kubernetes service account token would be) as the client assertion.
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const federatedToken =
    `${encode({ alg: 'RS256', typ: 'JWT' })}.` +
    `${encode({ iss: 'https://oidc.example/cluster', sub: 'system:serviceaccount:azo:default', aud: 'api://AzureADTokenExchange', iat: now, nbf: now, exp: now + 3600 })}` +
    `.c2lnbmF0dXJl`;
  const assertionCredential = new ClientAssertionCredential(
    tenantId,
    '22222222-3333-4444-5555-666666666666',
    async () => federatedToken,
    { authorityHost: url, disableInstanceDiscovery: true },
  );
  const viaAssertion = new ResourceManagementClient(assertionCredential, subscriptionId, clientOptions);
  const groupsSeen: string[] = [];
  for await (const group of viaAssertion.resourceGroups.list()) groupsSeen.push(group.name ?? '');
  out.assertionWorks = Array.isArray(groupsSeen);
  const created = await resources.resourceGroups.createOrUpdate('Rg-One', {
    location: 'West US',
    tags: { env: 'test' },
  });
  out.created = {
    name: created.name,
    location: created.location,
    state: created.properties?.provisioningState,
    id: created.id,
  };
  const got = await resources.resourceGroups.get('rg-one');
  out.got = { name: got.name, tags: got.tags };
  await resources.resourceGroups.createOrUpdate('rg-two', { location: 'westus' });
  const listed: string[] = [];
  for await (const group of resources.resourceGroups.list({ top: 1 })) listed.push(group.name ?? '');
  out.listed = listed;
  const account = await storage.storageAccounts.beginCreateAndWait(
    'Rg-One',
    'azostorage1',
    { location: 'westus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2', minimumTlsVersion: 'TLS1_2' },
    fast,
  );
  out.account = {
    name: account.name,
    state: account.provisioningState,
    sku: account.sku?.name,
    tls: account.minimumTlsVersion,
    type: account.type,
  };
  const keys1 = await storage.storageAccounts.listKeys('Rg-One', 'azostorage1');
  const keys2 = await storage.storageAccounts.listKeys('rg-one', 'AZOSTORAGE1');
  out.keysStable = keys1.keys?.[0]?.value === keys2.keys?.[0]?.value && (keys1.keys?.length ?? 0) === 2;
  const regenerated = await storage.storageAccounts.regenerateKey('Rg-One', 'azostorage1', { keyName: 'key1' });
  out.keyRegenerated =
    regenerated.keys?.[0]?.value !== keys1.keys?.[0]?.value && regenerated.keys?.[1]?.value === keys1.keys?.[1]?.value;
  // An async POST action: 202 + Location, polled until the final response.
  await storage.storageAccounts.beginFailoverAndWait('Rg-One', 'azostorage1', fast);
  out.failedOver = true;
  await storage.storageAccounts.delete('Rg-One', 'azostorage1');
  try {
    await storage.storageAccounts.getProperties('Rg-One', 'azostorage1');
    out.afterDelete = 'found';
  } catch (error) {
    out.afterDelete = (error as { code?: string }).code;
  }
  await resources.resourceGroups.beginDeleteAndWait('rg-two', fast);
  try {
    await resources.resourceGroups.get('rg-two');
    out.groupAfterDelete = 'found';
  } catch (error) {
    out.groupAfterDelete = {
      code: (error as { code?: string }).code,
      status: (error as { statusCode?: number }).statusCode,
    };
  }
} else if (scenario === 'retries') {
  const group = await resources.resourceGroups.createOrUpdate('rg-retry', { location: 'westus' });
  out.group = group.name;
  const got = await resources.resourceGroups.get('rg-retry');
  out.got = got.name;
} else if (scenario === 'throttled') {
  const created = await Promise.all(
    ['rg-t1', 'rg-t2', 'rg-t3'].map((name) => resources.resourceGroups.createOrUpdate(name, { location: 'westus' })),
  );
  out.created = created.map((group) => group.name ?? '');
} else if (scenario === 'certificate') {
  // ClientCertificateCredential signs a client assertion (PS256, x5t#S256) with the certificate's key.
  const options = { authorityHost: url, disableInstanceDiscovery: true };
  const clientId = process.env.CERT_CLIENT_ID ?? '';
  out.registered = await listGroups(
    new ClientCertificateCredential(tenantId, clientId, { certificate: process.env.CERT_PEM ?? '' }, options),
  );
  out.unregistered = await listGroups(
    new ClientCertificateCredential(tenantId, clientId, { certificate: process.env.OTHER_CERT_PEM ?? '' }, options),
  );
} else if (scenario === 'workload') {
  // WorkloadIdentityCredential reads AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, AZURE_CLIENT_ID and
  // AZURE_FEDERATED_TOKEN_FILE.
  out.matching = await listGroups(new WorkloadIdentityCredential({ disableInstanceDiscovery: true }));
  out.otherSubject = await listGroups(
    new WorkloadIdentityCredential({
      disableInstanceDiscovery: true,
      tokenFilePath: process.env.OTHER_TOKEN_FILE ?? '',
    }),
  );
} else if (scenario === 'failure') {
  await resources.resourceGroups.createOrUpdate('rg-fail', { location: 'westus' });
  try {
    await storage.storageAccounts.beginCreateAndWait(
      'rg-fail',
      'azofail1',
      { location: 'westus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
      fast,
    );
    out.result = 'succeeded';
  } catch (error) {
    out.result = { message: (error as Error).message };
  }
  try {
    // Upper case and an underscore: Azure's storage naming rule, checked at every api-version.
    await storage.storageAccounts.beginCreateAndWait(
      'rg-fail',
      'Azo_Bad1',
      { location: 'westus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
      fast,
    );
    out.invalid = 'accepted';
  } catch (error) {
    out.invalid = { code: (error as { code?: string }).code, status: (error as { statusCode?: number }).statusCode };
  }
}
console.log(JSON.stringify(out));

/** The resource group names `credential` can list, or the authentication error's message. */
async function listGroups(credential: TokenCredential): Promise<string[] | { error: string }> {
  try {
    const names: string[] = [];
    for await (const group of new ResourceManagementClient(
      credential,
      subscriptionId,
      clientOptions,
    ).resourceGroups.list())
      names.push(group.name ?? '');
    return names;
  } catch (error) {
    return { error: (error as Error).message };
  }
}
