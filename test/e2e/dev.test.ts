// `azo dev` end to end, as a newcomer runs it: its own process, the real kubectl against the kubeconfig it writes,
// every file in examples/ applied at once. All of them reach Ready; Ctrl-C stops everything cleanly; started again on
// the same data directory, azo dev keeps its ports and shows the same objects, still Ready, without writing to Azure
// again. AZURE_* credentials in the shell never take it to real Azure without --azure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './kube-helpers.js';
import { armWrites, startDev, type DevProcess } from './dev-helpers.js';

interface ExampleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const examplesDir = join(repoRoot, 'examples');
const examples: ExampleObject[] = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(examplesDir, file), 'utf8')).map(
      (document) => document.toJS() as ExampleObject,
    ),
  );
const azureObjects = examples.filter((object) => object.apiVersion.split('/')[0]?.endsWith('.azure.com'));

/** kubectl's `kind.group/name` for an example object. */
function resourceName(object: ExampleObject): string {
  return `${object.kind.toLowerCase()}.${object.apiVersion.split('/')[0] ?? ''}/${object.metadata.name}`;
}

interface ObservedObject {
  metadata: {
    name: string;
    uid: string;
    generation: number;
    finalizers?: string[];
    annotations?: Record<string, string>;
  };
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      observedGeneration?: number;
    }>;
    id?: string;
  };
}

async function observe(dev: DevProcess): Promise<Map<string, ObservedObject>> {
  const observed = new Map<string, ObservedObject>();
  for (const object of azureObjects) {
    observed.set(
      resourceName(object),
      JSON.parse(
        await dev.kubectl(['get', resourceName(object), '-n', object.metadata.namespace ?? 'default', '-o', 'json']),
      ) as ObservedObject,
    );
  }
  return observed;
}

/** The README's line that waits for every example (the Secret has no Ready condition). */
const readmeWait = readFileSync(join(repoRoot, 'README.md'), 'utf8')
  .split('\n')
  .find((line) => line.startsWith('kubectl wait --for=condition=Ready') && line.includes('kubectl get -f examples/'));

/** Runs a shell line as a reader would, from the repository root, with azo dev's kubeconfig. */
function runLine(line: string, kubeconfig: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-eo', 'pipefail', '-c', line],
      { cwd: repoRoot, env: { ...process.env, KUBECONFIG: kubeconfig } },
      (error, stdout, stderr) => (error ? reject(new Error(`${line}: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

async function waitAllReady(dev: DevProcess): Promise<void> {
  await dev.kubectl([
    'wait',
    '--for=condition=Ready',
    '--timeout=120s',
    '-n',
    'default',
    ...azureObjects.map(resourceName),
  ]);
}

test('azo dev: every example reaches Ready, and a restart shows the same state without writing to Azure', async (t) => {
  assert.ok(azureObjects.length >= 10, `examples/ should hold the tour's objects, found ${azureObjects.length}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'azo-dev-e2e-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));

  const first = await startDev(dataDir, ['--latency', '300']);
  let before: Map<string, ObservedObject>;
  const emulatorEnv = readFileSync(join(dataDir, 'emulator.env'), 'utf8');
  const kubeconfig = readFileSync(join(dataDir, 'kubeconfig'), 'utf8');
  try {
    assert.match(
      first.output(),
      /\[\d+\.\d s\] starting the API server\n.*\n?.*starting the ARM emulator[\s\S]*installing \d+ CRDs/,
      'progress while starting',
    );
    assert.match(first.output(), /kubectl apply -f examples\/01-resource-group\.yaml/, 'it says what to type next');
    assert.equal(first.kubeconfig, join(dataDir, 'kubeconfig'));
    await first.kubectl(['apply', '-f', examplesDir]);
    assert.ok(readmeWait !== undefined, 'the README says how to wait for every example');
    const waited = await runLine(readmeWait, first.kubeconfig);
    assert.equal(
      waited.trim().split('\n').length,
      azureObjects.length,
      `the README's line waits for each azo object:\n${waited}`,
    );
    await waitAllReady(first);
    before = await observe(first);
    for (const [name, object] of before) {
      assert.ok(object.metadata.annotations?.['serviceoperator.azure.com/resource-id'], `${name} records its ARM ID`);
      const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
      assert.equal(
        ready?.observedGeneration,
        object.metadata.generation,
        `${name} is Ready for its current generation`,
      );
    }
    const writes = armWrites(await first.armLog());
    // Azure creates a storage account's blobServices/default with the account: the operator finds it as wanted.
    const implicit = azureObjects.filter((object) => object.kind === 'StorageAccountsBlobService').length;
    assert.ok(
      writes.filter((entry) => entry.method === 'PUT').length >= azureObjects.length - implicit,
      'each example was created in the emulator',
    );
    assert.deepEqual(
      writes.filter((entry) => entry.method !== 'PUT'),
      [],
      'nothing was patched or deleted',
    );
    // Exports and inputs made it across: the storage keys Secret and the identity's ConfigMap.
    const keys = JSON.parse(await first.kubectl(['get', 'secret', 'azodemostorage-keys', '-o', 'json'])) as {
      data: Record<string, string>;
    };
    assert.deepEqual(Object.keys(keys.data).sort(), ['blobEndpoint', 'key1']);
    await first.waitFor(
      /ResourceGroup default\/azo-demo: Ready=True Succeeded/,
      'a plain status line (stdout is not a terminal)',
    );
    await checkAzureRules(first);
  } finally {
    assert.equal(await first.stop('SIGINT'), 0, `Ctrl-C stops azo dev cleanly:\n${first.output().slice(-2000)}`);
  }
  assert.match(first.output(), /stopped; state kept in/);

  const second = await startDev(dataDir, ['--latency', '300']);
  try {
    // The same ports: a sourced emulator.env and an exported KUBECONFIG keep working.
    assert.equal(second.emulatorUrl, first.emulatorUrl, 'the emulator keeps its port');
    assert.equal(readFileSync(join(dataDir, 'emulator.env'), 'utf8'), emulatorEnv, 'emulator.env is unchanged');
    assert.equal(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'), kubeconfig, 'the kubeconfig is unchanged');
    await waitAllReady(second);
    const after = await observe(second);
    for (const [name, object] of before) {
      const again = after.get(name);
      assert.equal(again?.metadata.uid, object.metadata.uid, `${name} is the same object after the restart`);
      assert.equal(
        again?.metadata.annotations?.['serviceoperator.azure.com/resource-id'],
        object.metadata.annotations?.['serviceoperator.azure.com/resource-id'],
      );
    }
    // The restarted operator re-reads every object from Azure; a write would follow its GET within moments.
    const ids = [...before.values()].map(
      (object) => object.metadata.annotations?.['serviceoperator.azure.com/resource-id']?.toLowerCase() ?? '',
    );
    const unread = async () => {
      const read = new Set(
        (await second.armLog()).filter((entry) => entry.method === 'GET').map((entry) => entry.path.toLowerCase()),
      );
      return ids.filter((id) => !read.has(id));
    };
    for (let attempt = 0; attempt < 600 && (await unread()).length > 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await unread(), [], 'the restarted operator re-read every resource from Azure');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const log = await second.armLog();
    assert.deepEqual(armWrites(log), [], 'a restart writes nothing to Azure');
  } finally {
    assert.equal(await second.stop('SIGTERM'), 0);
  }
});

/** What Azure refuses, refused locally too: each object ends Ready=False with Azure's code and message. */
const refusedByAzure = `
apiVersion: storage.azure.com/v1api20230101
kind: StorageAccount
metadata: { name: bad-name-with-dashes, namespace: default }
spec: { owner: { name: azo-demo }, location: westeurope, kind: StorageV2, sku: { name: Standard_LRS } }
---
apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata: { name: azo-mars, namespace: default }
spec: { location: marsnorth }
---
apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata: { name: azo-dupe, namespace: default }
spec: { location: westeurope }
---
apiVersion: storage.azure.com/v1api20230101
kind: StorageAccount
metadata: { name: dupe, namespace: default }
spec: { owner: { name: azo-dupe }, azureName: azodemostorage, location: westeurope, kind: StorageV2, sku: { name: Standard_LRS } }
---
apiVersion: storage.azure.com/v1api20230101
kind: StorageAccountsManagementPolicy
metadata: { name: my-policy, namespace: default }
spec:
  owner: { name: azodemostorage }
  policy:
    rules:
      - name: expire
        type: Lifecycle
        enabled: true
        definition:
          actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 30 } } }
          filters: { blobTypes: [blockBlob] }
`;

async function checkAzureRules(dev: DevProcess): Promise<void> {
  await dev.kubectl(['apply', '-f', '-'], refusedByAzure);
  // Ready=False with a reason other than Reconciling (the state before Azure answers).
  const condition = async (resource: string) => {
    for (let attempt = 0; ; attempt += 1) {
      const object = JSON.parse(await dev.kubectl(['get', resource, '-o', 'json'])) as ObservedObject;
      const ready = object.status?.conditions?.find((item) => item.type === 'Ready');
      if ((ready?.status === 'False' && ready.reason !== 'Reconciling') || attempt >= 300) return ready;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const badName = await condition('storageaccount/bad-name-with-dashes');
  assert.equal(badName?.reason, 'AccountNameInvalid');
  assert.match(
    badName?.message ?? '',
    /bad-name-with-dashes is not a valid storage account name\. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only\./,
  );
  const mars = await condition('resourcegroup/azo-mars');
  assert.equal(mars?.reason, 'LocationNotAvailableForResourceGroup');
  assert.match(
    mars?.message ?? '',
    /The provided location 'marsnorth' is not available for resource group\. List of available regions is '.*westeurope/,
  );
  const dupe = await condition('storageaccount/dupe');
  assert.equal(dupe?.reason, 'StorageAccountInAnotherResourceGroup');
  assert.match(
    dupe?.message ?? '',
    /The account azodemostorage is already in another resource group in this subscription\./,
  );
  // A kind whose Azure name is fixed is written under that name, whatever its Kubernetes name.
  await dev.kubectl(['wait', '--for=condition=Ready', '--timeout=60s', 'storageaccountsmanagementpolicy/my-policy']);
  const policy = JSON.parse(
    await dev.kubectl(['get', 'storageaccountsmanagementpolicy/my-policy', '-o', 'json']),
  ) as ObservedObject;
  assert.match(
    policy.metadata.annotations?.['serviceoperator.azure.com/resource-id'] ?? '',
    /\/storageAccounts\/azodemostorage\/managementPolicies\/default$/,
  );
  const log = await dev.armLog();
  assert.ok(
    log.some((entry) => entry.method === 'PUT' && /\/managementPolicies\/my-policy$/.test(entry.path)) === false,
    'never under its Kubernetes name',
  );
  // Leave the state as the examples made it (the restart below checks that nothing more is written).
  await dev.kubectl(['delete', '-f', '-', '--wait=true', '--timeout=60s'], refusedByAzure);
}

test('azo dev refuses a data directory that another azo dev is using, and names it', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'azo-dev-lock-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const running = await startDev(dataDir, ['--pattern', 'resources.azure.com/*']);
  try {
    await assert.rejects(
      startDev(dataDir, ['--pattern', 'resources.azure.com/*']),
      new RegExp(`pid ${running.child.pid ?? 0}.*another --data-dir`),
    );
  } finally {
    assert.equal(await running.stop(), 0);
  }
});

/** A stand-in for real Azure (ARM and Entra ID) on plain HTTP that only records what reaches it. */
async function startAzureStandIn(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('azo dev never goes to real Azure without --azure, whatever AZURE_* the shell holds; with --azure it says so loudly', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'azo-dev-real-'));
  const azure = await startAzureStandIn();
  t.after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await azure.close();
  });
  const env = {
    ...process.env,
    AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-0000000000aa',
    AZURE_TENANT_ID: '00000000-0000-0000-0000-0000000000bb',
    AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000000cc',
    AZURE_CLIENT_SECRET: 'not-a-real-secret',
    AZURE_RESOURCE_MANAGER_ENDPOINT: azure.url,
    AZURE_AUTHORITY_HOST: azure.url,
  };
  const args = ['--pattern', 'resources.azure.com/*'];
  const local = await startDev(dataDir, args, env);
  try {
    assert.match(
      local.output(),
      /AZURE_\* credentials are set in this shell; azo dev ignores them and uses the local ARM emulator \(pass --azure/,
    );
    assert.doesNotMatch(local.output(), /REAL AZURE/);
    await local.kubectl(['apply', '-f', join(repoRoot, 'examples', '01-resource-group.yaml')]);
    await local.kubectl(['wait', '--for=condition=Ready', '--timeout=120s', 'resourcegroup/azo-demo']);
    assert.ok(
      (await local.armLog()).some((entry) => entry.method === 'PUT' && /resourceGroups\/azo-demo$/i.test(entry.path)),
      'the emulator got the PUT',
    );
    assert.deepEqual(azure.requests, [], 'nothing reached the Azure of the shell');
  } finally {
    assert.equal(await local.stop('SIGINT'), 0);
  }

  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'azo.js'), 'dev', '--data-dir', dataDir, '--no-table', '--azure', ...args],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (
    let attempt = 0;
    attempt < 600 && !output.includes('Press Ctrl-C to stop') && child.exitCode === null;
    attempt += 1
  )
    await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGINT');
  assert.equal(await exited, 0, output);
  assert.match(output, /REAL AZURE.*\n.*subscription 00000000-0000-0000-0000-0000000000aa/);
  assert.match(output, /ARM {11}real Azure/);
  assert.doesNotMatch(output, /ARM emulator/);
  assert.ok(!output.includes('not-a-real-secret'), 'the secret is not printed');
});
