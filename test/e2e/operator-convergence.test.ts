// Sound convergence end to end (`azo apiserver`, `azo emulator`, `azo operator` as processes; real kubectl): a field
// removed or a Secret rotated reaches Azure; deletion is what the owner's policy decides (and a misspelled policy
// deletes nothing); an owner's failure leaves its children alone; an Error fixed outside Kubernetes recovers by
// itself; changes Azure never sees, and Azure's own normalizations, cause no ARM write; `kubectl wait` waits for a
// new generation's write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, isGone, manifest, readyOf, startE2e, subscriptionId, waitForReady } from './operator-helpers.js';

type Json = Record<string, unknown>;
type LogEntry = { method: string; path: string; status: number; body?: unknown };

const rgApi = '2020-06-01';
const storageApi = '2023-01-01';
const networkApi = '2020-11-01';
const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const saPath = (group: string, name: string) => `${rgPath(group)}/providers/Microsoft.Storage/storageAccounts/${name}`;
const policyAnnotation = 'serviceoperator.azure.com/reconcile-policy';

/** A ResourceGroup object (a manifest is written as one JSON `List` of objects). */
type GroupOptions = { namespace?: string; policy?: string; tags?: Record<string, string> };
const resourceGroup = (name: string, options: GroupOptions = {}) => ({
  apiVersion: 'resources.azure.com/v1api20200601',
  kind: 'ResourceGroup',
  metadata: {
    name,
    namespace: options.namespace ?? 'default',
    ...(options.policy !== undefined ? { annotations: { [policyAnnotation]: options.policy } } : {}),
  },
  spec: { location: 'westus', ...(options.tags !== undefined ? { tags: options.tags } : {}) },
});

/** A StorageAccount object owned by the ResourceGroup `owner`, with `extra` spec fields. */
const storageAccount = (name: string, owner: string, extra: Json = {}, namespace = 'default') => ({
  apiVersion: 'storage.azure.com/v1api20230101',
  kind: 'StorageAccount',
  metadata: { name, namespace },
  spec: { location: 'westus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { name: owner }, ...extra },
});

/** An object of `apiVersion`/`kind` in the default namespace. */
const object = (apiVersion: string, kind: string, name: string, spec: Json) => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});

/** true when `entry` is for the resource at `path` or one below it (case-insensitive, as ARM). */
const within = (entry: LogEntry, path: string) => {
  const target = entry.path.toLowerCase();
  return target === path.toLowerCase() || target.startsWith(`${path.toLowerCase()}/`);
};
/** The requests with `method` for exactly `path`. */
const requestsOf = (log: LogEntry[], method: string, path: string) =>
  log.filter((entry) => entry.method === method && entry.path.toLowerCase() === path.toLowerCase());
/** "METHOD path" of each PUT, PATCH and DELETE at or below `path`. */
const writesWithin = (log: LogEntry[], path: string, methods = ['PUT', 'PATCH', 'DELETE']) =>
  log
    .filter((entry) => methods.includes(entry.method) && within(entry, path))
    .map((entry) => `${entry.method} ${entry.path}`);
const tagsOf = (body: unknown) => ((body ?? {}) as { tags?: Record<string, string> }).tags ?? {};
const propertiesOf = (entry: LogEntry | undefined) =>
  (entry?.body as { properties?: Json } | undefined)?.properties ?? {};

test('sound convergence through azo processes and kubectl', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  await environment.startOperator({ AZURE_SYNC_PERIOD: '3s' }, ['--log-level', 'info']);
  const { kubectl } = environment;
  const apply = (name: string, ...items: object[]) =>
    kubectl(['apply', '-f', manifest(environment, name, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }))]);
  const log = () => environment.armLog();
  const armStatus = async (path: string, apiVersion: string) => (await environment.armGet(path, apiVersion)).status;
  const operatorOutput = () => environment.operators.map((operator) => operator.output()).join('\n');
  /** PUTs `body` to `path` as someone else (a drift), then waits for the operator's PUT that corrects it: its body. */
  const driftAndAwaitPut = async (path: string, apiVersion: string, body: unknown) => {
    await environment.emulatorAdmin('DELETE', 'requests');
    assert.equal((await environment.armPut(path, apiVersion, body)).status, 200, 'the drifting PUT');
    const put = await eventually(async () => requestsOf(await log(), 'PUT', path)[1], `the operator's PUT of ${path}`);
    return (put.body ?? {}) as Json;
  };
  const allReady = async (resources: string[], namespace = 'default') => {
    for (const resource of resources) await waitForReady(environment, resource, 'True', undefined, namespace);
  };
  const gone = (resource: string, namespace = 'default') =>
    eventually(async () => ((await isGone(environment, resource, namespace)) ? true : undefined), `${resource} gone`);
  const namespaceGone = (namespace: string) =>
    eventually(async () => {
      const found = await kubectl(['get', 'namespace', namespace, '--ignore-not-found', '-o', 'name']);
      return found.trim() === '' ? true : undefined;
    }, `namespace ${namespace} gone`);
  /** Clears the request log, then waits until the operator has read `path` from ARM `reads` times (resyncs). */
  const clearAndAwaitReads = async (path: string, reads = 2) => {
    await environment.emulatorAdmin('DELETE', 'requests');
    await eventually(
      async () => (requestsOf(await log(), 'GET', path).length >= reads ? true : undefined),
      `${reads} GETs of ${path}`,
    );
  };

  await t.test('a removed field reaches Azure: tags of a group, minimumTlsVersion of an account', async () => {
    const group = 'rg-conv-remove';
    const account = 'saconvremove';
    await apply(
      'remove.yaml',
      resourceGroup(group, { tags: { a: '1', b: '2' } }),
      storageAccount(account, group, { minimumTlsVersion: 'TLS1_2' }),
    );
    await allReady([`resourcegroup/${group}`, `storageaccount/${account}`]);
    assert.deepEqual(tagsOf((await environment.armGet(rgPath(group), rgApi)).body), { a: '1', b: '2' });

    await apply('remove.yaml', resourceGroup(group), storageAccount(account, group));
    assert.equal((await waitForReady(environment, `resourcegroup/${group}`)).observedGeneration, 2);
    assert.equal((await waitForReady(environment, `storageaccount/${account}`)).observedGeneration, 2);

    const groupPuts = requestsOf(await log(), 'PUT', rgPath(group));
    assert.equal(groupPuts.length, 2, 'a second PUT of the group');
    assert.deepEqual(tagsOf(groupPuts[1]?.body), {}, 'the second PUT has no tags');
    assert.deepEqual(tagsOf((await environment.armGet(rgPath(group), rgApi)).body), {}, 'Azure has no tags');

    const accountPuts = requestsOf(await log(), 'PUT', saPath(group, account));
    assert.equal(accountPuts.length, 2, 'a second PUT of the account');
    assert.equal(propertiesOf(accountPuts[0])['minimumTlsVersion'], 'TLS1_2');
    const second = propertiesOf(accountPuts[1]);
    assert.ok(!('minimumTlsVersion' in second), `no minimumTlsVersion in ${JSON.stringify(second)}`);
  });

  await t.test('a rotated Secret reaches Azure in one PUT, and the password is shown nowhere', async () => {
    const group = 'rg-conv-secret';
    const server = 'pg-conv-secret';
    const secret = 'pg-conv-secret-password';
    const serverPath = `${rgPath(group)}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${server}`;
    const [oldPassword, newPassword] = ['Conv-Old-Pa55-w0rd', 'Conv-New-Pa55-w0rd'];
    const applySecret = async (password: string) =>
      kubectl(
        ['apply', '-f', '-'],
        await kubectl([
          'create',
          'secret',
          'generic',
          secret,
          `--from-literal=password=${password}`,
          '--dry-run=client',
          '-o',
          'yaml',
        ]),
      );
    await applySecret(oldPassword);
    const postgres = 'dbforpostgresql.azure.com/v1api20250801';
    await apply(
      'secret.yaml',
      resourceGroup(group),
      object(postgres, 'FlexibleServer', server, {
        location: 'westus',
        owner: { name: group },
        version: '16',
        administratorLogin: 'azoadmin',
        administratorLoginPassword: { name: secret, key: 'password' },
        sku: { name: 'Standard_B1ms', tier: 'Burstable' },
      }),
    );
    await allReady([`resourcegroup/${group}`, `flexibleserver/${server}`]);
    const firstPuts = requestsOf(await log(), 'PUT', serverPath);
    assert.equal(firstPuts.length, 1);
    assert.equal(propertiesOf(firstPuts[0])['administratorLoginPassword'], oldPassword);

    await applySecret(newPassword);
    await eventually(
      async () => (requestsOf(await log(), 'PUT', serverPath).length >= 2 ? true : undefined),
      'a PUT with the new password',
    );
    await waitForReady(environment, `flexibleserver/${server}`);
    // A resync after that PUT reads the server again, and writes nothing more.
    await eventually(async () => {
      const entries = await log();
      const lastPut = entries.map((entry) => entry.method === 'PUT' && entry.path === serverPath).lastIndexOf(true);
      const read = entries.slice(lastPut + 1).some((entry) => entry.method === 'GET' && entry.path === serverPath);
      return read ? true : undefined;
    }, 'a resync GET after the second PUT');
    const puts = requestsOf(await log(), 'PUT', serverPath);
    assert.equal(puts.length, 2, 'exactly one more PUT');
    assert.equal(propertiesOf(puts[1])['administratorLoginPassword'], newPassword);

    const json = await kubectl(['get', `flexibleserver/${server}`, '-o', 'json']);
    type Metadata = { metadata: { annotations?: Record<string, string> } };
    const annotations = (JSON.parse(json) as Metadata).metadata.annotations ?? {};
    const digest = annotations['serviceoperator.azure.com/azo-applied-digest'];
    assert.ok(digest !== undefined && digest !== '', `an applied digest in ${JSON.stringify(annotations)}`);
    const events = await kubectl(['get', 'events', '-A', '-o', 'json']);
    for (const password of [oldPassword, newPassword]) {
      assert.ok(!digest.includes(password), 'not in the digest');
      assert.ok(!json.includes(password), 'not in the object');
      assert.ok(!events.includes(password), 'not in Events');
      assert.ok(!operatorOutput().includes(password), 'not in the operator output');
    }
  });

  await t.test('detach-on-delete on a group: a foreground delete of it deletes nothing in Azure', async () => {
    const group = 'rg-conv-detach';
    const account = 'saconvdetach';
    const container = 'conv-detached-reports';
    const storage = 'storage.azure.com/v1api20230101';
    await apply(
      'detach.yaml',
      resourceGroup(group, { policy: 'detach-on-delete' }),
      storageAccount(account, group),
      object(storage, 'StorageAccountsBlobService', `${account}-blobs`, { owner: { name: account } }),
      object(storage, 'StorageAccountsBlobServicesContainer', container, {
        owner: { name: `${account}-blobs` },
        publicAccess: 'None',
      }),
    );
    const objects = [
      `resourcegroup/${group}`,
      `storageaccount/${account}`,
      `storageaccountsblobservice/${account}-blobs`,
      `storageaccountsblobservicescontainer/${container}`,
    ];
    await allReady(objects);
    await kubectl(['delete', `resourcegroup/${group}`, '--cascade=foreground', '--wait', '--timeout=60s']);
    for (const resource of objects) await gone(resource);
    assert.deepEqual(writesWithin(await log(), rgPath(group), ['DELETE']), []);
    const blobs = `${saPath(group, account)}/blobServices/default`;
    assert.equal(await armStatus(rgPath(group), rgApi), 200, 'the group is still in Azure');
    assert.equal(await armStatus(saPath(group, account), storageApi), 200, 'the account too');
    assert.equal(await armStatus(blobs, storageApi), 200, 'the blob service too');
    assert.equal(await armStatus(`${blobs}/containers/${container}`, storageApi), 200, 'the container too');
  });

  await t.test('detach-on-delete on a group: deleting its namespace deletes nothing in Azure', async () => {
    const namespace = 'conv-ns-detach';
    const group = 'rg-conv-nsdetach';
    const account = 'saconvnsdetach';
    await kubectl(['create', 'namespace', namespace]);
    await apply(
      'ns-detach.yaml',
      resourceGroup(group, { namespace, policy: 'detach-on-delete' }),
      storageAccount(account, group, {}, namespace),
    );
    await allReady([`resourcegroup/${group}`, `storageaccount/${account}`], namespace);
    await kubectl(['delete', 'namespace', namespace, '--wait', '--timeout=60s']);
    await namespaceGone(namespace);
    assert.deepEqual(writesWithin(await log(), rgPath(group), ['DELETE']), []);
    assert.equal(await armStatus(rgPath(group), rgApi), 200, 'the group is still in Azure');
    assert.equal(await armStatus(saPath(group, account), storageApi), 200, 'the account too');
  });

  await t.test('manage on a group: deleting its namespace deletes the group only (and its account)', async () => {
    const namespace = 'conv-ns-manage';
    const group = 'rg-conv-nsmanage';
    const account = 'saconvnsmanage';
    await kubectl(['create', 'namespace', namespace]);
    await apply('ns-manage.yaml', resourceGroup(group, { namespace }), storageAccount(account, group, {}, namespace));
    await allReady([`resourcegroup/${group}`, `storageaccount/${account}`], namespace);
    await kubectl(['delete', 'namespace', namespace, '--wait', '--timeout=60s']);
    await namespaceGone(namespace);
    const deletes = writesWithin(await log(), rgPath(group), ['DELETE']);
    assert.deepEqual(deletes, [`DELETE ${rgPath(group)}`], 'one DELETE, of the group');
    assert.equal(await armStatus(rgPath(group), rgApi), 404, 'the group is gone from Azure');
  });

  await t.test('a misspelled policy is reported and read as skip: deleting the group deletes nothing', async () => {
    const group = 'rg-conv-typo';
    const account = 'saconvtypo';
    await apply('typo.yaml', resourceGroup(group), storageAccount(account, group));
    await allReady([`resourcegroup/${group}`, `storageaccount/${account}`]);
    await kubectl(['annotate', `resourcegroup/${group}`, `${policyAnnotation}=Detach-On-Delete`, '--overwrite']);
    const invalid = await waitForReady(environment, `resourcegroup/${group}`, 'False', 'InvalidReconcilePolicy');
    assert.equal(invalid.severity, 'Warning');
    assert.ok(invalid.message.includes('"Detach-On-Delete"'), invalid.message);
    assert.ok(invalid.message.includes('manage, skip, detach-on-delete'), invalid.message);
    await kubectl(['delete', `resourcegroup/${group}`, '--wait', '--timeout=60s']);
    // The account goes with its owner in Kubernetes (garbage collection); in Azure nothing is deleted.
    await gone(`storageaccount/${account}`);
    assert.deepEqual(writesWithin(await log(), rgPath(group), ['DELETE']), []);
    assert.equal(await armStatus(rgPath(group), rgApi), 200, 'the group is still in Azure');
    assert.equal(await armStatus(saPath(group, account), storageApi), 200, 'the account too');
  });

  await t.test("an owner's failed update leaves its Ready child Ready, and the child still converges", async () => {
    const group = 'rg-conv-move';
    const account = 'saconvmove';
    await apply('move.yaml', resourceGroup(group), storageAccount(account, group));
    await allReady([`resourcegroup/${group}`, `storageaccount/${account}`]);
    await kubectl(['patch', `resourcegroup/${group}`, '--type=merge', '-p', '{"spec":{"location":"eastus"}}']);
    // ARM refuses to move a group: 409 InvalidResourceGroupLocation (InvalidResourceLocation is for other resources).
    const failed = await waitForReady(environment, `resourcegroup/${group}`, 'False', 'InvalidResourceGroupLocation');
    assert.equal(failed.severity, 'Error');
    // Watch the child while the owner stays failed, across at least one sync period (two resync reads of it).
    await environment.emulatorAdmin('DELETE', 'requests');
    const seen: string[] = [];
    await eventually(async () => {
      const ready = await readyOf(environment, `storageaccount/${account}`);
      seen.push(`${ready?.status}/${ready?.reason}`);
      return requestsOf(await log(), 'GET', saPath(group, account)).length >= 2 && seen.length >= 5 ? true : undefined;
    }, 'two resyncs of the account');
    assert.deepEqual([...new Set(seen)], ['True/Succeeded'], 'the child stayed Ready');
    // Still failing (its slow retry shows Reconciling while the refused PUT is under way, then the error again).
    await waitForReady(environment, `resourcegroup/${group}`, 'False', 'InvalidResourceGroupLocation');

    await kubectl(['patch', `storageaccount/${account}`, '--type=merge', '-p', '{"spec":{"tags":{"moved":"no"}}}']);
    assert.equal((await waitForReady(environment, `storageaccount/${account}`)).observedGeneration, 2);
    const puts = requestsOf(await log(), 'PUT', saPath(group, account));
    assert.equal(puts.length, 1, 'the child got its PUT');
    assert.deepEqual(tagsOf(puts[0]?.body), { moved: 'no' });

    // Leave nothing failing behind (a held error is retried every sync period).
    await kubectl(['patch', `resourcegroup/${group}`, '--type=merge', '-p', '{"spec":{"location":"westus"}}']);
    await waitForReady(environment, `resourcegroup/${group}`);
  });

  await t.test('an Error fixed outside Kubernetes recovers on the slow retry, without a spec change', async () => {
    const group = 'rg-conv-fixed';
    // Twice the same error, then fixed: each retry comes within the sync period (3 s), however often it failed.
    await environment.emulatorAdmin('POST', 'faults', {
      method: 'PUT',
      path: `resourceGroups/${group}$`,
      status: 400,
      code: 'InvalidResourceReference',
      message: `The referenced resource of '${group}' was not found`,
      count: 2,
    });
    await apply('fixed.yaml', resourceGroup(group));
    const failed = await waitForReady(environment, `resourcegroup/${group}`, 'False', 'InvalidResourceReference');
    assert.equal(failed.severity, 'Error');
    const ready = await waitForReady(environment, `resourcegroup/${group}`);
    assert.equal(ready.generation, 1, 'the object was not touched');
    const puts = requestsOf(await log(), 'PUT', rgPath(group));
    assert.deepEqual(
      puts.map((entry) => entry.status),
      [400, 400, 201],
      'two failed PUTs and the one that passed',
    );
    const retries = operatorOutput()
      .split('\n')
      .filter((line) => line.includes(`ResourceGroup/default/${group}`) && line.includes('will retry'));
    assert.ok(retries.length >= 2, retries.join('\n'));
    for (const line of retries) assert.match(line, /"retryInMs":3000\b/, 'capped at the sync period');
  });

  await t.test('changes Azure never sees make no write: operatorSpec, label, annotation, unchanged apply', async () => {
    const group = 'rg-conv-export';
    const account = 'saconvexport';
    const resource = `storageaccount/${account}`;
    await apply('export.yaml', resourceGroup(group), storageAccount(account, group));
    await allReady([`resourcegroup/${group}`, resource]);

    await environment.emulatorAdmin('DELETE', 'requests');
    const exported = storageAccount(account, group, {
      operatorSpec: {
        configMaps: { blobEndpoint: { name: `${account}-endpoints`, key: 'blobEndpoint' } },
        secrets: { blobEndpoint: { name: `${account}-secret`, key: 'blobEndpoint' } },
      },
    });
    await apply('export-account.yaml', exported);
    const endpoint = `https://${account}.blob.`;
    await eventually(async () => {
      const value = await kubectl(['get', `configmap/${account}-endpoints`, '-o', 'jsonpath={.data.blobEndpoint}']);
      return value.startsWith(endpoint) ? true : undefined;
    }, 'the ConfigMap export');
    await eventually(async () => {
      const value = await kubectl(['get', `secret/${account}-secret`, '-o', 'jsonpath={.data.blobEndpoint}']);
      return Buffer.from(value, 'base64').toString('utf8').startsWith(endpoint) ? true : undefined;
    }, 'the Secret export');
    assert.equal((await waitForReady(environment, resource)).observedGeneration, 2);
    assert.deepEqual(writesWithin(await log(), rgPath(group)), [], 'no write for an operatorSpec change');

    for (const [what, change] of [
      ['a label', () => kubectl(['label', resource, 'example.com/team=data'])],
      ['an annotation', () => kubectl(['annotate', resource, 'example.com/note=hello'])],
      ['an unchanged apply', () => apply('export-account.yaml', exported)],
    ] as const) {
      await change();
      await clearAndAwaitReads(saPath(group, account));
      assert.deepEqual(writesWithin(await log(), rgPath(group)), [], `no write for ${what}`);
      assert.equal((await readyOf(environment, resource))?.status, 'True');
    }
  });

  await t.test('kubectl wait reads a new generation right: Reconciling (Info) until its PUT completes', async () => {
    const group = 'rg-conv-wait';
    const account = 'saconvwait';
    const resource = `storageaccount/${account}`;
    await apply('wait.yaml', resourceGroup(group), storageAccount(account, group));
    await allReady([`resourcegroup/${group}`, resource]);
    await environment.emulatorAdmin('PATCH', 'config', { latencyMs: 4000 });
    try {
      await kubectl(['patch', resource, '--type=merge', '-p', '{"spec":{"tags":{"stage":"two"}}}']);
      const reconciling = await eventually(async () => {
        const ready = await readyOf(environment, resource);
        const current = ready?.observedGeneration === ready?.generation;
        return ready?.status === 'False' && ready.reason === 'Reconciling' && current ? ready : undefined;
      }, 'Ready=False (Reconciling) at the new generation');
      assert.equal(reconciling.severity, 'Info');
      assert.equal(reconciling.generation, 2);
      await kubectl(['wait', '--for=condition=Ready', '--timeout=60s', resource]);
      type Account = { tags?: Json; properties?: Json };
      const azure = (await environment.armGet(saPath(group, account), storageApi)).body as Account;
      assert.equal(azure.tags?.['stage'], 'two', 'the PUT is in Azure');
      assert.equal(azure.properties?.['provisioningState'], 'Succeeded', 'and has completed');
      const ready = await readyOf(environment, resource);
      assert.equal(ready?.status, 'True');
      assert.equal(ready?.observedGeneration, 2);
    } finally {
      await environment.emulatorAdmin('PATCH', 'config', { latencyMs: 0 });
    }
  });

  await t.test("Azure's normalizations make no write: subnet delegations reordered, NSG ID upper-cased", async () => {
    const group = 'rg-conv-norm';
    const vnet = 'vnet-conv-norm';
    const subnet = 'subnet-conv-norm';
    const nsg = 'nsg-conv-norm';
    const network = (kind: string, name: string, spec: Json) =>
      object('network.azure.com/v1api20201101', kind, name, spec);
    await apply(
      'norm.yaml',
      resourceGroup(group),
      network('NetworkSecurityGroup', nsg, { location: 'westus', owner: { name: group } }),
      network('VirtualNetwork', vnet, {
        location: 'westus',
        owner: { name: group },
        addressSpace: { addressPrefixes: ['10.2.0.0/16'] },
      }),
      network('VirtualNetworksSubnet', subnet, {
        owner: { name: vnet },
        addressPrefix: '10.2.0.0/24',
        delegations: [
          { name: 'postgres', serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' },
          { name: 'web', serviceName: 'Microsoft.Web/serverFarms' },
        ],
        networkSecurityGroup: { reference: { group: 'network.azure.com', kind: 'NetworkSecurityGroup', name: nsg } },
      }),
    );
    await allReady([
      `resourcegroup/${group}`,
      `networksecuritygroup/${nsg}`,
      `virtualnetwork/${vnet}`,
      `virtualnetworkssubnet/${subnet}`,
    ]);
    const vnetPath = `${rgPath(group)}/providers/Microsoft.Network/virtualNetworks/${vnet}`;
    const subnetPath = `${vnetPath}/subnets/${subnet}`;
    type Subnet = { properties: { delegations: Array<{ name: string }>; networkSecurityGroup: { id: string } } };
    const names = (body: Subnet) => body.properties.delegations.map((delegation) => delegation.name);
    const body = (await environment.armGet(subnetPath, networkApi)).body as Subnet;
    assert.deepEqual(names(body), ['postgres', 'web']);
    body.properties.delegations.reverse();
    body.properties.networkSecurityGroup.id = body.properties.networkSecurityGroup.id.toUpperCase();
    const put = await environment.armPut(subnetPath, networkApi, body);
    assert.ok(put.status === 200 || put.status === 201, `the outside PUT: ${put.status} ${JSON.stringify(put.body)}`);
    const rewritten = (await environment.armGet(subnetPath, networkApi)).body as Subnet;
    assert.deepEqual(names(rewritten), ['web', 'postgres'], 'Azure now lists the delegations the other way round');
    const nsgId = body.properties.networkSecurityGroup.id;
    assert.equal(rewritten.properties.networkSecurityGroup.id, nsgId, 'and the ID upper-cased');

    await clearAndAwaitReads(subnetPath);
    assert.deepEqual(writesWithin(await log(), vnetPath), []);
    assert.equal((await readyOf(environment, `virtualnetworkssubnet/${subnet}`))?.status, 'True');

    // Control: a real drift (a delegation removed in Azure) is written back.
    body.properties.delegations = body.properties.delegations.filter((delegation) => delegation.name === 'web');
    const restored = await driftAndAwaitPut(subnetPath, networkApi, body);
    const delegations = (restored.properties as { delegations?: Array<{ name: string }> }).delegations ?? [];
    assert.deepEqual(delegations.map((delegation) => delegation.name).sort(), ['postgres', 'web']);
  });

  await t.test("Azure's normalizations make no write: a user-assigned identity's ARM ID upper-cased", async () => {
    const group = 'rg-conv-ident';
    const identity = 'uai-conv-ident';
    const account = 'saconvident';
    await apply(
      'ident.yaml',
      resourceGroup(group),
      object('managedidentity.azure.com/v1api20181130', 'UserAssignedIdentity', identity, {
        location: 'westus',
        owner: { name: group },
      }),
      storageAccount(account, group, {
        identity: {
          type: 'UserAssigned',
          userAssignedIdentities: [
            { reference: { group: 'managedidentity.azure.com', kind: 'UserAssignedIdentity', name: identity } },
          ],
        },
      }),
    );
    await allReady([`resourcegroup/${group}`, `userassignedidentity/${identity}`, `storageaccount/${account}`]);
    const accountPath = saPath(group, account);
    type Account = { identity: { userAssignedIdentities: Record<string, unknown> } };
    const body = (await environment.armGet(accountPath, storageApi)).body as Account;
    const [key, ...others] = Object.keys(body.identity.userAssignedIdentities);
    assert.deepEqual(others, []);
    assert.match(key ?? '', new RegExp(`/userAssignedIdentities/${identity}$`, 'i'));
    body.identity.userAssignedIdentities = Object.fromEntries(
      Object.entries(body.identity.userAssignedIdentities).map(([id, value]) => [id.toUpperCase(), value]),
    );
    const put = await environment.armPut(accountPath, storageApi, body);
    assert.ok(put.status === 200 || put.status === 201, `the outside PUT: ${put.status} ${JSON.stringify(put.body)}`);
    const rewritten = (await environment.armGet(accountPath, storageApi)).body as Account;
    const rewrittenKeys = Object.keys(rewritten.identity.userAssignedIdentities);
    assert.deepEqual(rewrittenKeys, [(key ?? '').toUpperCase()], 'Azure has the ID upper-cased');

    await clearAndAwaitReads(accountPath);
    assert.deepEqual(writesWithin(await log(), accountPath), []);
    assert.equal((await readyOf(environment, `storageaccount/${account}`))?.status, 'True');

    // Control: a real drift (the identity removed in Azure) is written back.
    const restored = await driftAndAwaitPut(accountPath, storageApi, { ...body, identity: { type: 'None' } });
    type Identity = { userAssignedIdentities?: Json } | undefined;
    const identities = (restored.identity as Identity)?.userAssignedIdentities ?? {};
    assert.deepEqual(
      Object.keys(identities).map((id) => id.toLowerCase()),
      [(key ?? '').toLowerCase()],
    );
  });
});
