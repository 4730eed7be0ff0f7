// `azo import azure-resource` through the real CLI against the emulator: a resource group holding 30 resources of 13
// served kinds (made with ARM PUTs, as if by someone else) and one of a kind azo does not serve is imported; the
// manifests name owners and imported references by Kubernetes name and hold no read-only fields; applied with the
// operator running, every object becomes Ready and ARM sees no PUT, PATCH, DELETE or POST after the import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  clientId,
  clientSecret,
  startE2e,
  subscriptionId,
  waitForReady,
  type E2eEnvironment,
} from './operator-helpers.js';
import { repoRoot } from './kube-helpers.js';
import { loadKindModel } from '../../src/model/index.js';

const rg = `/subscriptions/${subscriptionId}/resourceGroups/legacy-rg`;
const versions = {
  rg: '2020-06-01',
  storage: '2023-01-01',
  identity: '2018-11-30',
  fic: '2023-01-31',
  network: '2020-11-01',
};
const location = 'westus';

/** The resources someone made outside Kubernetes: [ARM path, api-version, body]. */
function legacyResources(): Array<[string, string, unknown]> {
  const storage = (name: string) => `${rg}/providers/Microsoft.Storage/storageAccounts/${name}`;
  const identity = (name: string) => `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const vnet = (name: string) => `${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;
  const nsg = (name: string) => `${rg}/providers/Microsoft.Network/networkSecurityGroups/${name}`;
  const resources: Array<[string, string, unknown]> = [];
  for (const name of ['legacydata', 'legacylogs']) {
    resources.push([
      storage(name),
      versions.storage,
      { location, kind: 'StorageV2', sku: { name: 'Standard_LRS' }, tags: { owner: 'ops' } },
    ]);
  }
  for (const name of ['raw', 'curated', 'archive']) {
    resources.push([
      `${storage('legacydata')}/blobServices/default/containers/${name}`,
      versions.storage,
      { properties: { publicAccess: 'None' } },
    ]);
  }
  for (const name of ['ingest', 'retry'])
    resources.push([
      `${storage('legacylogs')}/queueServices/default/queues/${name}`,
      versions.storage,
      { properties: {} },
    ]);
  resources.push([`${storage('legacylogs')}/tableServices/default/tables/audit`, versions.storage, { properties: {} }]);
  for (const name of ['app-id', 'batch-id', 'ops-id', 'web-id'])
    resources.push([identity(name), versions.identity, { location, tags: { team: 'platform' } }]);
  for (const name of ['github', 'aks']) {
    resources.push([
      `${identity('app-id')}/federatedIdentityCredentials/${name}`,
      versions.fic,
      {
        properties: {
          issuer: `https://${name}.example.com/`,
          subject: `system:serviceaccount:default:${name}`,
          audiences: ['api://AzureADTokenExchange'],
        },
      },
    ]);
  }
  for (const name of ['web-nsg', 'data-nsg', 'mgmt-nsg'])
    resources.push([nsg(name), versions.network, { location, properties: {} }]);
  resources.push([
    vnet('hub'),
    versions.network,
    { location, properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } } },
  ]);
  resources.push([
    vnet('spoke'),
    versions.network,
    { location, properties: { addressSpace: { addressPrefixes: ['10.1.0.0/16'] } } },
  ]);
  resources.push([
    `${vnet('hub')}/subnets/web`,
    versions.network,
    { properties: { addressPrefix: '10.0.1.0/24', networkSecurityGroup: { id: nsg('web-nsg') } } },
  ]);
  resources.push([`${vnet('hub')}/subnets/data`, versions.network, { properties: { addressPrefix: '10.0.2.0/24' } }]);
  resources.push([`${vnet('spoke')}/subnets/apps`, versions.network, { properties: { addressPrefix: '10.1.1.0/24' } }]);
  return resources;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function azo(
  environment: E2eEnvironment,
  args: string[],
  env: NodeJS.ProcessEnv | undefined = undefined,
): Promise<Run> {
  const azureEnv: NodeJS.ProcessEnv = env ?? {
    ...process.env,
    NODE_EXTRA_CA_CERTS: environment.caFile,
    AZURE_SUBSCRIPTION_ID: subscriptionId,
    AZURE_TENANT_ID: environment.tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_SECRET: clientSecret,
    AZURE_RESOURCE_MANAGER_ENDPOINT: environment.emulatorUrl,
    AZURE_AUTHORITY_HOST: environment.emulatorUrl,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: repoRoot, env: azureEnv, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      },
    );
  });
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

test('azo import azure-resource: a resource group of 30 resources adopted with zero ARM writes, every object Ready', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  assert.equal((await environment.armPut(rg, versions.rg, { location, tags: { cost: 'legacy' } })).status, 201);
  for (const [path, apiVersion, body] of legacyResources()) {
    const put = await environment.armPut(path, apiVersion, body);
    assert.ok(put.status === 200 || put.status === 201, `${path}: ${JSON.stringify(put.body)}`);
  }
  const unserved = `${rg}/providers/Microsoft.App/connectedEnvironments/legacy-env`; // a type ASO has no kind for
  const unservedPut = await environment.armPut(unserved, '2026-01-01', { location });
  assert.ok([200, 201, 202].includes(unservedPut.status), JSON.stringify(unservedPut.body));

  const out = join(environment.dir, 'imported/');
  const imported = await azo(environment, ['import', 'azure-resource', rg, '--output', out]);
  assert.equal(imported.status, 0, imported.stderr);
  const manifests = readdirSync(out).flatMap((file) =>
    parseAllDocuments(readFileSync(join(out, file), 'utf8')).map((document) => document.toJS() as Manifest),
  );
  // The resource group, the 22 resources made above, and the 8 storage services Azure made with the two accounts.
  assert.equal(
    manifests.length,
    1 + legacyResources().length + 8,
    manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(' '),
  );
  assert.ok(manifests.length - 1 >= 30, 'at least 30 resources in the group');
  const kinds = new Set(manifests.map((manifest) => manifest.kind));
  assert.ok(kinds.size >= 10, `at least 10 kinds: ${[...kinds].join(', ')}`);
  assert.match(imported.stderr, new RegExp(`imported ${manifests.length} resources of ${kinds.size} kinds`));
  assert.match(
    imported.stderr,
    /could not import 1:\n {2}\S+\/Microsoft\.App\/connectedEnvironments\/legacy-env: kind not served: azo has no kind for Microsoft\.App\/connectedEnvironments/,
  );
  assert.match(imported.stderr, /^import: 1\/1 /m, 'plain progress lines when stderr is not a terminal');
  const text = JSON.stringify(manifests);
  assert.doesNotMatch(text, /provisioningState|"status"|"etag"|principalId/, 'no read-only fields');
  const byName = (kind: string, name: string) =>
    manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  assert.deepEqual(byName('StorageAccount', 'legacydata')?.spec['owner'], { name: 'legacy-rg' });
  assert.deepEqual(byName('StorageAccountsBlobServicesContainer', 'raw')?.spec['owner'], {
    name: 'legacydata-default',
  });
  assert.deepEqual(byName('VirtualNetworksSubnet', 'web')?.spec['networkSecurityGroup'], {
    reference: { group: 'network.azure.com', kind: 'NetworkSecurityGroup', name: 'web-nsg' },
  });
  assert.equal(byName('VirtualNetwork', 'hub')?.spec['subnets'], undefined, 'subnets are objects of their own');

  const before = (await environment.armLog()).length;
  await environment.startOperator();
  await environment.kubectl(['apply', '-f', out]);
  for (const manifest of manifests)
    await waitForReady(environment, `${manifest.kind.toLowerCase()}/${manifest.metadata.name}`);
  const writes = (await environment.armLog())
    .slice(before)
    .filter((entry) => entry.method !== 'GET' && /^\/(subscriptions|providers)\//i.test(entry.path));
  assert.deepEqual(
    writes.map((entry) => `${entry.method} ${entry.path}`),
    [],
    'no ARM write after the import',
  );
});

test('azo import azure-resource: --no-children, --annotate and --namespace; user errors exit 2', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  await environment.armPut(rg, versions.rg, { location });
  const account = `${rg}/providers/Microsoft.Storage/storageAccounts/solo`;
  await environment.armPut(account, versions.storage, { location, kind: 'StorageV2', sku: { name: 'Standard_LRS' } });
  const result = await azo(environment, [
    'import',
    'azure-resource',
    account,
    '--no-children',
    '--annotate',
    'reconcile-policy=skip',
    '-n',
    'team-a',
  ]);
  assert.equal(result.status, 0, result.stderr);
  const manifests = parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest);
  assert.deepEqual(
    manifests.map((manifest) => [manifest.kind, manifest.metadata.namespace, manifest.metadata.annotations]),
    [['StorageAccount', 'team-a', { 'serviceoperator.azure.com/reconcile-policy': 'skip' }]],
  );
  assert.deepEqual(manifests[0]?.spec['owner'], { armId: rg }, 'an owner not imported is named by ARM ID');

  const missing = await azo(environment, [
    'import',
    'azure-resource',
    `${rg}/providers/Microsoft.Storage/storageAccounts/nothere`,
  ]);
  assert.equal(missing.status, 0, missing.stderr);
  assert.match(missing.stderr, /could not import 1:\n.*nothere: not found in Azure/);
  // An api-version ARM does not know for the type (as when a kind's version is newer than the cloud's): listed, not
  // fatal.
  await environment.emulatorAdmin('POST', 'faults', {
    method: 'GET',
    path: '/storageAccounts/solo$',
    status: 400,
    code: 'NoRegisteredProviderFound',
    message: "No registered resource provider found for location 'westus' for the API version asked for",
  });
  const refused = await azo(environment, ['import', 'azure-resource', account]);
  assert.equal(refused.status, 0, refused.stderr);
  const hub = (await loadKindModel('storage.azure.com', 'StorageAccount'))?.apiVersion ?? '';
  assert.ok(
    refused.stderr.includes(
      `solo: version missing: storage.azure.com/StorageAccount uses api-version ${hub}, which ARM refused ` +
        `(NoRegisteredProviderFound)`,
    ),
    refused.stderr,
  );
  for (const [args, message] of [
    [
      ['import', 'azure-resource', account, '--annotate', 'reconcile-policy=manage'],
      /--annotate takes reconcile-policy=skip/,
    ],
    [['import', 'azure-resource'], /missing required argument/],
  ] as const) {
    const run = await azo(environment, [...args]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, message);
  }
  const noCredential = await azo(environment, ['import', 'azure-resource', account], {
    PATH: process.env['PATH'] ?? '',
  });
  assert.equal(noCredential.status, 2, noCredential.stderr);
  assert.match(noCredential.stderr, /no Azure credential/);
});
