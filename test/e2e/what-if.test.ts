// `azo what-if` through the real CLI against the emulator: resources made in Azure directly (one matching its
// manifest, one drifted on two fields) and others absent; the preview names each ARM ID, creates, changes field by
// field (Azure's value → desired) and no-ops, and what a delete would do under each policy, writing nothing. Then
// the operator applies the same manifest: its writes are exactly the previewed creates and changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  clientId,
  clientSecret,
  manifest,
  startE2e,
  subscriptionId,
  waitForReady,
  type E2eEnvironment,
} from './operator-helpers.js';
import { repoRoot } from './kube-helpers.js';

const rg = `/subscriptions/${subscriptionId}/resourceGroups/whatif-rg`;
const storage = '2023-01-01';
const accountBody = (tags: Record<string, string>, tls: string) => ({
  location: 'westus',
  kind: 'StorageV2',
  sku: { name: 'Standard_LRS' },
  tags,
  properties: { minimumTlsVersion: tls },
});
const account = (name: string, tags: string, extra = '') => `apiVersion: storage.azure.com/v1api20230101
kind: StorageAccount
metadata:
  name: ${name}
  namespace: default
${extra}spec:
  location: westus
  kind: StorageV2
  sku:
    name: Standard_LRS
  minimumTlsVersion: TLS1_2
  tags: ${tags}
  owner:
    name: whatif-rg
`;
const manifests = [
  `apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: whatif-rg
  namespace: default
spec:
  location: westus
`,
  account('whatifsame', '{env: prod}'),
  account('whatifdrift', '{env: prod}'),
  account(
    'whatifnew',
    '{env: prod}',
    '  annotations:\n    serviceoperator.azure.com/reconcile-policy: detach-on-delete\n',
  ),
  `apiVersion: storage.azure.com/v1api20230101
kind: StorageAccountsBlobService
metadata:
  name: whatifnew-blob
  namespace: default
spec:
  owner:
    name: whatifnew
`,
  `apiVersion: managedidentity.azure.com/v1api20181130
kind: UserAssignedIdentity
metadata:
  name: whatif-id
  namespace: default
spec:
  location: westus
  owner:
    name: whatif-rg
`,
  `apiVersion: managedidentity.azure.com/v1api20230131
kind: FederatedIdentityCredential
metadata:
  name: whatif-fic
  namespace: default
spec:
  owner:
    name: whatif-id
  audiences: [api://AzureADTokenExchange]
  issuer: https://oidc.example.com/
  subject: system:serviceaccount:default:default
`,
  `apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
  namespace: default
data:
  a: b
`,
].join('---\n');

interface Preview {
  kind: string;
  name: string;
  armId?: string;
  action: string;
  changes: Array<{ path: string; azure: unknown; desired: unknown }>;
  policy?: string;
  onDelete?: { action: string; message: string };
  message?: string;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking the test's event loop (its keep-alive sockets to the emulator must be served). */
function runAzo(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: repoRoot, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      },
    );
  });
}

function whatIf(environment: E2eEnvironment, args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: environment.caFile,
    AZURE_SUBSCRIPTION_ID: subscriptionId,
    AZURE_TENANT_ID: environment.tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_SECRET: clientSecret,
    AZURE_RESOURCE_MANAGER_ENDPOINT: environment.emulatorUrl,
    AZURE_AUTHORITY_HOST: environment.emulatorUrl,
  };
  delete env['KUBECONFIG'];
  return runAzo(['what-if', ...args], env);
}

test('azo what-if previews creates, field changes and no-ops without writing, and the operator then does exactly that', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  assert.equal((await environment.armPut(rg, '2020-06-01', { location: 'westus' })).status, 201);
  for (const [name, body] of [
    ['whatifsame', accountBody({ env: 'prod' }, 'TLS1_2')],
    ['whatifdrift', accountBody({ env: 'dev' }, 'TLS1_0')],
  ] as const) {
    const put = await environment.armPut(`${rg}/providers/Microsoft.Storage/storageAccounts/${name}`, storage, body);
    assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));
  }
  const file = manifest(environment, 'what-if.yaml', manifests);
  const before = (await environment.armLog()).length;

  const json = await whatIf(environment, ['-f', file, '-o', 'json']);
  assert.equal(json.status, 0, json.stderr);
  const previews = (JSON.parse(json.stdout) as { objects: Preview[] }).objects;
  const byName = new Map(previews.map((preview) => [preview.name, preview]));
  const accountId = (name: string) => `${rg}/providers/Microsoft.Storage/storageAccounts/${name}`;
  assert.deepEqual(
    previews.map((preview) => [preview.name, preview.action, preview.armId]),
    [
      ['whatif-rg', 'none', rg],
      ['whatifsame', 'none', accountId('whatifsame')],
      ['whatifdrift', 'change', accountId('whatifdrift')],
      ['whatifnew', 'create', accountId('whatifnew')],
      ['whatifnew-blob', 'create', `${accountId('whatifnew')}/blobServices/default`],
      ['whatif-id', 'create', `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/whatif-id`],
      [
        'whatif-fic',
        'create',
        `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/whatif-id/federatedIdentityCredentials/whatif-fic`,
      ],
      ['unrelated', 'input', undefined],
    ],
  );
  assert.deepEqual(
    byName.get('whatifdrift')?.changes.sort((a, b) => a.path.localeCompare(b.path)),
    [
      { path: 'properties.minimumTlsVersion', azure: 'TLS1_0', desired: 'TLS1_2' },
      { path: 'tags.env', azure: 'dev', desired: 'prod' },
    ],
  );
  assert.equal(byName.get('whatifsame')?.onDelete?.action, 'delete');
  assert.equal(byName.get('whatifnew')?.policy, 'detach-on-delete');
  assert.equal(byName.get('whatifnew')?.onDelete?.action, 'keep');
  assert.match(byName.get('whatifnew')?.onDelete?.message ?? '', /sends no DELETE: reconcile-policy detach-on-delete/);

  const text = await whatIf(environment, ['-f', file]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /~ tags\.env: "dev" → "prod"/);
  assert.match(
    text.stdout,
    /what-if: 4 to create, 1 to change, 2 unchanged, 0 cannot be reconciled; nothing was written/,
  );
  const duringPreview = (await environment.armLog()).slice(before);
  assert.deepEqual(
    duringPreview.filter((entry) => entry.method !== 'GET' && !entry.path.includes('/oauth2/')),
    [],
    'what-if wrote nothing',
  );

  // The operator applies the same manifest: it writes what the preview said, and nothing else.
  await environment.startOperator();
  await environment.kubectl(['apply', '-f', file]);
  for (const resource of [
    'resourcegroup/whatif-rg',
    'storageaccount/whatifsame',
    'storageaccount/whatifdrift',
    'storageaccount/whatifnew',
    'storageaccountsblobservice/whatifnew-blob',
    'userassignedidentity/whatif-id',
    'federatedidentitycredential/whatif-fic',
  ]) {
    await waitForReady(environment, resource);
  }
  const writes = (await environment.armLog()).slice(before).filter((entry) => entry.method === 'PUT');
  const written = new Set(writes.map((entry) => entry.path.toLowerCase()));
  // A singleton child is made by Azure with its parent: the preview says so, and the operator writes it only if needed.
  assert.match(byName.get('whatifnew-blob')?.message ?? '', /Azure may create it with its parent/);
  for (const preview of previews.filter(
    (candidate) => candidate.armId !== undefined && candidate.name !== 'whatifnew-blob',
  )) {
    const wrote = written.has(preview.armId?.toLowerCase() ?? '');
    assert.equal(
      wrote,
      preview.action === 'create' || preview.action === 'change',
      `${preview.name}: previewed ${preview.action}, operator ${wrote ? 'wrote' : 'did not write'}`,
    );
  }
  const expected = previews
    .filter((preview) => preview.action === 'create' || preview.action === 'change')
    .map((preview) => preview.armId?.toLowerCase());
  const unexpected = writes.filter((entry) => !expected.includes(entry.path.toLowerCase()));
  assert.deepEqual(unexpected, [], 'no PUT that the preview did not announce');

  // With a kubeconfig, what the manifests do not hold is read from the cluster: here the owner's ARM ID.
  const container = manifest(
    environment,
    'container.yaml',
    `apiVersion: storage.azure.com/v1api20230101
kind: StorageAccountsBlobServicesContainer
metadata:
  name: reports
  namespace: default
spec:
  owner:
    name: whatifnew-blob
`,
  );
  const fromCluster = await whatIf(environment, [
    '-f',
    container,
    '-o',
    'json',
    '--kubeconfig',
    environment.kubeconfig,
  ]);
  assert.equal(fromCluster.status, 0, fromCluster.stderr);
  const [reports] = (JSON.parse(fromCluster.stdout) as { objects: Preview[] }).objects;
  assert.deepEqual(
    [reports?.action, reports?.armId],
    ['create', `${accountId('whatifnew')}/blobServices/default/containers/reports`],
  );
});

test('azo what-if: user errors are one line with exit code 2', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  const file = manifest(environment, 'rg.yaml', manifests);
  for (const [args, message] of [
    [['-f', file, '-o', 'yaml'], /-o must be text or json/],
    [['-f', `${file}.missing`], /no such file/],
    [['-f', file, '--kubeconfig', `${file}.missing`], /--kubeconfig .*: no such file/],
  ] as const) {
    const result = await whatIf(environment, [...args]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
  // What cannot be resolved is said, per object: here an owner neither among the manifests nor in a cluster.
  const orphan = manifest(
    environment,
    'orphan.yaml',
    account('orphan', '{}').replace('name: whatif-rg', 'name: nowhere-rg'),
  );
  const preview = await whatIf(environment, ['-f', orphan, '-o', 'json']);
  assert.equal(preview.status, 0, preview.stderr);
  const [only] = (JSON.parse(preview.stdout) as { objects: Array<Preview & { reason?: string }> }).objects;
  assert.equal(only?.action, 'blocked');
  assert.equal(only?.reason, 'WaitingForOwner');
  assert.match(
    only?.message ?? '',
    /ResourceGroup default\/nowhere-rg is not among the manifests, and no cluster was given/,
  );
  const noCredential = await runAzo(['what-if', '-f', file], { PATH: process.env['PATH'] ?? '' });
  assert.equal(noCredential.status, 2, noCredential.stderr);
  assert.match(noCredential.stderr, /no Azure credential: set AZURE_SUBSCRIPTION_ID/);
});
