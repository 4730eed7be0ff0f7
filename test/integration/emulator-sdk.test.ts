/**
 * The emulator driven by the official Azure SDK clients (@azure/identity, @azure/arm-resources, @azure/arm-storage).
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import {
  armToken,
  call,
  createClientCertificate,
  runScenario,
  startTestEmulator,
  subscriptionId,
} from './emulator-helpers.js';
import { listKindModels } from '../../src/model/index.js';

describe('emulator with the Azure SDK clients', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let dataDir: string;

  before(async () => {
    ({ emulator, cleanup, dataDir } = await startTestEmulator({
      latencyMs: 300,
      retryAfterSeconds: 0,
      models: await listKindModels(),
    }));
  });
  after(async () => {
    await cleanup();
  });

  it('serves identity, resource groups and storage accounts as the SDKs expect', async () => {
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', { SCENARIO: 'main' })) as Record<
      string,
      unknown
    >;
    assert.equal(out.tokenParts, 3);
    assert.equal(out.assertionWorks, true);
    assert.deepEqual(out.created, {
      name: 'Rg-One',
      location: 'westus',
      state: 'Succeeded',
      id: '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/Rg-One',
    });
    assert.deepEqual(out.got, { name: 'Rg-One', tags: { env: 'test' } });
    assert.deepEqual(out.listed, ['Rg-One', 'rg-two']);
    assert.deepEqual(out.account, {
      name: 'azostorage1',
      state: 'Succeeded',
      sku: 'Standard_LRS',
      tls: 'TLS1_2',
      type: 'Microsoft.Storage/storageAccounts',
    });
    assert.equal(out.keysStable, true);
    assert.equal(out.keyRegenerated, true);
    assert.equal(out.failedOver, true);
    assert.equal(out.afterDelete, 'ResourceNotFound');
    assert.deepEqual(out.groupAfterDelete, { code: 'ResourceGroupNotFound', status: 404 });
    const log = emulator.requestLog();
    const put = log.find((entry) => entry.method === 'PUT' && /storageAccounts\/azostorage1$/i.test(entry.path));
    assert.equal(put?.status, 202, "the Storage RP's long-running create: 202 + Location");
    assert.equal(
      put?.apiVersion,
      '2026-09-01',
      "@azure/arm-storage 21's own version, unmodelled: accepted as published",
    );
    assert.ok(
      log.some(
        (entry) => entry.method === 'GET' && /Microsoft\.Storage\/locations\/westus\/operationResults/.test(entry.path),
      ),
      'the storage LRO was polled through Location',
    );
    assert.ok(
      log.some((entry) => /operationresults/i.test(entry.path)),
      'the resource group delete was polled through Location',
    );
    const failover = log.filter((entry) => entry.method === 'POST' && /\/failover$/.test(entry.path));
    assert.deepEqual(
      failover.map((entry) => entry.status),
      [202],
      'failover ran as an async POST',
    );
    const failoverPolls = log.filter(
      (entry) =>
        entry.method === 'GET' && /operationResults/.test(entry.path) && entry.time >= (failover[0]?.time ?? ''),
    );
    assert.ok(
      failoverPolls.some((entry) => entry.status === 200),
      'the poller followed Location to the final 200',
    );
  });

  it('lets the SDK retry policy recover from injected 429s, 503s and dropped connections', async () => {
    emulator.resetRequestLog();
    emulator.addFault({ method: 'PUT', path: 'resourceGroups/rg-retry$', status: 429, count: 2 });
    emulator.addFault({ method: 'GET', path: 'resourceGroups/rg-retry$', status: 503, count: 1, retryAfterSeconds: 0 });
    emulator.addFault({ method: 'GET', path: 'resourceGroups/rg-retry$', drop: true, count: 1 });
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', { SCENARIO: 'retries' })) as Record<
      string,
      unknown
    >;
    assert.deepEqual(out, { group: 'rg-retry', got: 'rg-retry' });
    const statuses = emulator
      .requestLog()
      .filter((entry) => /rg-retry$/.test(entry.path))
      .map((entry) => `${entry.method} ${entry.status}`);
    assert.deepEqual(statuses, ['PUT 429', 'PUT 429', 'PUT 201', 'GET 503', 'GET 0', 'GET 200']);
  });

  it('authenticates ClientCertificateCredential: registered certificates only (AADSTS700027 otherwise)', async () => {
    const certificateClient = '55555555-6666-7777-8888-999999999999';
    const [registered, other] = await Promise.all([
      createClientCertificate('azo-test-app'),
      createClientCertificate('someone-else'),
    ]);
    const put = await call(emulator, 'PUT', `/_emulator/clients/${certificateClient}`, {
      body: { certificates: [registered.certPem] },
    });
    assert.equal(put.status, 200, put.text);
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', {
      SCENARIO: 'certificate',
      CERT_CLIENT_ID: certificateClient,
      CERT_PEM: registered.keyPem + registered.certPem,
      OTHER_CERT_PEM: other.keyPem + other.certPem,
    })) as Record<string, unknown>;
    assert.ok(Array.isArray(out.registered), JSON.stringify(out.registered));
    assert.match(String((out.unregistered as { error?: string }).error), /AADSTS700027/);
  });

  it('authenticates WorkloadIdentityCredential against federated credentials created through ARM', async () => {
    const token = await armToken(emulator);
    const group = `/subscriptions/${subscriptionId}/resourceGroups/rg-wi`;
    assert.equal(
      (await call(emulator, 'PUT', `${group}?api-version=2021-04-01`, { token, body: { location: 'westus' } })).status,
      201,
    );
    const identity = `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/operator-identity`;
    const created = await call(emulator, 'PUT', `${identity}?api-version=2023-01-31`, {
      token,
      body: { location: 'westus' },
    });
    const issuer = 'https://oidc.azo.test/cluster';
    const fic = await call(emulator, 'PUT', `${identity}/federatedIdentityCredentials/azo?api-version=2023-01-31`, {
      token,
      body: {
        properties: {
          issuer,
          subject: 'system:serviceaccount:azo-system:azo',
          audiences: ['api://AzureADTokenExchange'],
        },
      },
    });
    assert.equal(fic.status, 201, fic.text);
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const serviceAccountToken = (subject: string) =>
      `${encode({ alg: 'RS256', typ: 'JWT' })}.` +
      `${encode({ iss: issuer, sub: subject, aud: ['api://AzureADTokenExchange'], iat: now, nbf: now, exp: now + 3600 })}` +
      `.c2lnbmF0dXJl`;
    const tokenFile = join(dataDir, 'sa-token');
    const otherTokenFile = join(dataDir, 'other-sa-token');
    writeFileSync(tokenFile, serviceAccountToken('system:serviceaccount:azo-system:azo'));
    writeFileSync(otherTokenFile, serviceAccountToken('system:serviceaccount:default:intruder'));
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', {
      SCENARIO: 'workload',
      AZURE_AUTHORITY_HOST: emulator.url,
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: String(created.json.properties.clientId),
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      OTHER_TOKEN_FILE: otherTokenFile,
    })) as Record<string, unknown>;
    assert.ok(Array.isArray(out.matching) && out.matching.includes('rg-wi'), JSON.stringify(out.matching));
    assert.match(String((out.otherSubject as { error?: string }).error), /AADSTS70021/);
  });

  it('reports failed operations and validation errors through the SDK', async () => {
    emulator.addFault({
      method: 'PUT',
      path: 'storageAccounts/azofail1$',
      provisioningState: 'Failed',
      code: 'StorageQuotaExceeded',
      message: 'Injected: quota exceeded.',
    });
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', { SCENARIO: 'failure' })) as Record<
      string,
      unknown
    >;
    // Storage creates are polled through Location: the SDK surfaces the failed operation's error message.
    assert.match(String((out.result as { message?: string }).message), /Injected: quota exceeded\./);
    assert.deepEqual(out.invalid, { code: 'AccountNameInvalid', status: 400 });
  });
});

describe('emulator at default flags with the current Azure SDK packages for JavaScript', () => {
  it('resource groups, storage (LRO, names, keys, a container on a new account), identity, VNet subnets, Key Vault', async () => {
    const { emulator, cleanup } = await startTestEmulator({ models: await listKindModels() });
    try {
      const out = (await runScenario(emulator, './emulator-sdk-current.ts', {
        SUBSCRIPTION_ID: subscriptionId,
      })) as Record<string, unknown>;
      assert.equal(out.tokenParts, 3);
      assert.deepEqual(out.group, { name: 'sdk-current', location: 'westeurope' });
      assert.equal(out.exists, true);
      assert.equal(out.missingExists, false);
      assert.equal(out.groups, true);
      assert.equal(out.nameFree, true);
      assert.match(
        JSON.stringify(out.account),
        /"state":"Succeeded","blob":"https:\/\/sdkcur\d+\.blob\.core\.windows\.net\/"/,
      );
      assert.deepEqual(out.nameTaken, { available: false, reason: 'AlreadyExists' });
      assert.equal(out.keys, 2);
      assert.equal(out.container, 'reports', 'blobServices/default exists with the account');
      assert.deepEqual(out.badName, { code: 'AccountNameInvalid', status: 400 });
      assert.deepEqual(out.identity, { name: 'sdk-identity', hasClientId: true });
      assert.deepEqual(out.vnetSubnets, ['s1']);
      assert.equal((out.subnet as { prefix?: string }).prefix, '10.0.1.0/24', 'an inline subnet is a child resource');
      assert.deepEqual(out.vnetAfterChild, ['s1', 's2'], "a subnet PUT shows in the VNet's GET");
      assert.equal(out.vaultNameFree, true);
      assert.match(String((out.vault as { uri?: string }).uri), /^https:\/\/sdkkv\d+\.vault\.azure\.net\/$/);
      assert.deepEqual(out.listedTypes, [
        'Microsoft.KeyVault/vaults',
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        'Microsoft.Network/virtualNetworks',
        'Microsoft.Storage/storageAccounts',
      ]);
      assert.deepEqual(out.notFound, { code: 'ResourceNotFound', status: 404 });
      assert.deepEqual(out.badLocation, { code: 'LocationNotAvailableForResourceGroup', status: 400 });
      assert.equal(out.existsAfterDelete, false);
      assert.deepEqual(
        out.accountAfterDelete,
        { code: 'ResourceGroupNotFound', status: 404 },
        'the group delete took its resources',
      );
      const versions = new Set(emulator.requestLog().map((entry) => entry.apiVersion));
      for (const version of ['2025-04-01', '2026-09-01', '2026-01-01', '2024-11-30', '2026-02-01'])
        assert.ok(versions.has(version), `the SDKs spoke ${version}`);
    } finally {
      await cleanup();
    }
  });
});

describe('emulator throttling with the Azure SDK clients', () => {
  it("lets the SDK's throttling policy wait out a real 429 (empty write bucket) and succeed", async () => {
    const { emulator, cleanup } = await startTestEmulator({
      throttling: {
        readsBurst: 100,
        readsPerSecond: 100,
        writesBurst: 2,
        writesPerSecond: 1,
        deletesBurst: 10,
        deletesPerSecond: 10,
      },
    });
    try {
      const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', { SCENARIO: 'throttled' })) as Record<
        string,
        unknown
      >;
      assert.deepEqual(out.created, ['rg-t1', 'rg-t2', 'rg-t3']);
      // Three writes at once against a bucket of two: exactly one is throttled, and its retry succeeds.
      const puts = emulator.requestLog().filter((entry) => entry.method === 'PUT');
      assert.deepEqual(puts.map((entry) => entry.status).sort(), [201, 201, 201, 429]);
      const throttled = puts.find((entry) => entry.status === 429)?.path;
      assert.deepEqual(
        puts.filter((entry) => entry.path === throttled).map((entry) => entry.status),
        [429, 201],
      );
    } finally {
      await cleanup();
    }
  });
});
