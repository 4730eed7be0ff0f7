// The credential kinds besides a client secret, through @azure/identity against the emulator's Entra ID: workload
// identity (the global credential, the token read from AZURE_FEDERATED_TOKEN_FILE at each exchange, as the kubelet
// rotates it) and a client certificate in a namespace's aso-credential Secret. Wrong proofs are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createClientCertificate } from './emulator-helpers.js';
import { startEnvironment, subscriptionId, waitForReady } from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const rgBody = (name: string) => ({
  apiVersion: `${rg.group}/${rg.version}`,
  kind: 'ResourceGroup',
  metadata: { name },
  spec: { location: 'westus' },
});
const issuer = 'https://oidc.cluster.example';
const serviceAccount = 'system:serviceaccount:azureserviceoperator-system:azo-operator';

/**
 * A projected service account token as the kubelet writes it (the emulator checks issuer, subject, audience, expiry).
 */
function serviceAccountToken(subject: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return (
    `${part({ alg: 'RS256', typ: 'JWT' })}.` +
    `${part({ iss: issuer, sub: subject, aud: ['api://AzureADTokenExchange'], iat: now, nbf: now, exp: now + 3600 })}` +
    `.c2ln`
  );
}

async function admin(
  environment: { emulator: { url: string; caCertPem: string } },
  method: string,
  path: string,
  body: unknown,
): Promise<number> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      `${environment.emulator.url}/_emulator/${path}`,
      { method, ca: environment.emulator.caCertPem, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('workload identity (global) and a client certificate (namespace credential)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azo-wi-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'azure-identity-token');
  writeFileSync(tokenFile, serviceAccountToken('system:serviceaccount:somewhere:else'));
  const workloadClient = '00000000-0000-0000-0000-0000000001a1';
  const environment = await startEnvironment({
    AZURE_CLIENT_ID: workloadClient,
    AZURE_CLIENT_SECRET: '',
    USE_WORKLOAD_IDENTITY_AUTH: 'true',
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
  });
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  assert.equal(
    await admin(environment, 'PUT', `clients/${workloadClient}`, { federated: [{ issuer, subject: serviceAccount }] }),
    200,
  );

  await t.test('a token for another service account is refused; the rotated right one is used', async () => {
    await custom.createNamespacedCustomObject({ ...rg, body: rgBody('rg-wi') });
    const refused = await waitForReady(environment, { ...rg, name: 'rg-wi' }, 'False', 'AuthenticationFailed');
    assert.match(JSON.stringify(refused.status), /AADSTS70021|federated/i);
    writeFileSync(tokenFile, serviceAccountToken(serviceAccount));
    await waitForReady(environment, { ...rg, name: 'rg-wi' });
    const put = emulator
      .requestLog()
      .filter(
        (entry) => entry.method === 'PUT' && entry.path === `/subscriptions/${subscriptionId}/resourceGroups/rg-wi`,
      );
    assert.equal(put.length, 1);
  });

  await t.test('a client certificate in aso-credential: a registered certificate works, another does not', async () => {
    const core = environment.kubeConfig.makeApiClient(CoreV1Api);
    const certificateClient = '00000000-0000-0000-0000-0000000001c1';
    const registered = await createClientCertificate('azo-test-registered');
    const other = await createClientCertificate('azo-test-other');
    assert.equal(
      await admin(environment, 'PUT', `clients/${certificateClient}`, { certificates: [registered.certPem] }),
      200,
    );
    await core.createNamespace({ body: { metadata: { name: 'team-cert' } } });
    const credential = (pem: string) => ({
      metadata: { name: 'aso-credential' },
      stringData: {
        AZURE_SUBSCRIPTION_ID: subscriptionId,
        AZURE_TENANT_ID: emulator.tenantId,
        AZURE_CLIENT_ID: certificateClient,
        AZURE_CLIENT_CERTIFICATE: pem,
      },
    });
    await core.createNamespacedSecret({ namespace: 'team-cert', body: credential(`${other.certPem}${other.keyPem}`) });
    await custom.createNamespacedCustomObject({ ...rg, namespace: 'team-cert', body: rgBody('rg-cert') });
    const refused = await waitForReady(
      environment,
      { ...rg, namespace: 'team-cert', name: 'rg-cert' },
      'False',
      'AuthenticationFailed',
    );
    assert.ok(!JSON.stringify(refused).includes('PRIVATE KEY'), 'the key never shows in status');
    await core.replaceNamespacedSecret({
      namespace: 'team-cert',
      name: 'aso-credential',
      body: credential(`${registered.certPem}${registered.keyPem}`),
    });
    await waitForReady(environment, { ...rg, namespace: 'team-cert', name: 'rg-cert' }).catch(
      async (error: unknown) => {
        const current = await custom.getNamespacedCustomObject({ ...rg, namespace: 'team-cert', name: 'rg-cert' });
        throw new Error(
          `${(error as Error).message}: ${JSON.stringify((current as { status?: unknown }).status)}; token requests: ${JSON.stringify(
            emulator
              .requestLog()
              .filter((entry) => entry.path.includes('token'))
              .slice(-3),
          )}`,
        );
      },
    );
  });
});
