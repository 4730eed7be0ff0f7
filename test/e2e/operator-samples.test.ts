// End to end as a user runs it: `azo apiserver`, `azo emulator` and `azo operator` as separate processes, manifests
// applied with the real kubectl. ASO-style samples reach Ready; re-apply makes zero PUTs; a spec change exactly one;
// killing the operator during a long-running PUT and restarting it makes no second PUT; deletes honour the policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, eventually, manifest, startE2e, subscriptionId } from './operator-helpers.js';

const rgPath = `/subscriptions/${subscriptionId}/resourceGroups/aso-sample-rg`;
const samples = `
apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: aso-sample-rg
  namespace: default
spec:
  location: westcentralus
---
apiVersion: storage.azure.com/v1api20230101
kind: StorageAccount
metadata:
  name: asosamplesa1
  namespace: default
spec:
  location: westcentralus
  kind: StorageV2
  sku:
    name: Standard_LRS
  owner:
    name: aso-sample-rg
  accessTier: Hot
---
apiVersion: storage.azure.com/v1api20230101
kind: StorageAccountsBlobService
metadata:
  name: asosamplesa1-blob
  namespace: default
spec:
  owner:
    name: asosamplesa1
---
apiVersion: storage.azure.com/v1api20230101
kind: StorageAccountsBlobServicesContainer
metadata:
  name: asosample-container
  namespace: default
spec:
  owner:
    name: asosamplesa1-blob
---
apiVersion: network.azure.com/v1api20201101
kind: VirtualNetwork
metadata:
  name: asosample-vnet
  namespace: default
spec:
  location: westcentralus
  owner:
    name: aso-sample-rg
  addressSpace:
    addressPrefixes:
      - 10.0.0.0/16
---
apiVersion: network.azure.com/v1api20201101
kind: VirtualNetworksSubnet
metadata:
  name: asosample-subnet
  namespace: default
spec:
  owner:
    name: asosample-vnet
  addressPrefix: 10.0.0.0/24
`;

test('ASO samples through azo processes and kubectl', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  await environment.startOperator();
  const file = manifest(environment, 'samples.yaml', samples);

  await t.test('samples reach Ready with one PUT each and the expected bodies', async () => {
    await environment.kubectl(['apply', '-f', file]);
    await environment.kubectl(['wait', '--for=condition=Ready', '--timeout=90s', '-f', file]);
    const log = await environment.armLog();
    assert.equal(count(log, 'PUT', rgPath), 1);
    assert.equal(count(log, 'PUT', '/storageAccounts/asosamplesa1'), 1);
    assert.equal(count(log, 'PUT', '/storageAccounts/asosamplesa1/blobServices/default'), 1);
    assert.equal(count(log, 'PUT', '/blobServices/default/containers/asosample-container'), 1);
    assert.equal(count(log, 'PUT', '/virtualNetworks/asosample-vnet/subnets/asosample-subnet'), 1);
    const saPut = log.find((entry) => entry.method === 'PUT' && entry.path.endsWith('/storageAccounts/asosamplesa1'));
    assert.deepEqual(saPut?.body, { location: 'westcentralus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, name: 'asosamplesa1', properties: { accessTier: 'Hot' } });
  });

  await t.test('re-applying the unchanged manifests makes zero PUTs', async () => {
    await environment.emulatorAdmin('DELETE', 'requests');
    await environment.kubectl(['apply', '-f', file]);
    await environment.kubectl(['annotate', '--overwrite', 'resourcegroup/aso-sample-rg', 'example.com/touch=1']);
    await eventually(async () => (count(await environment.armLog(), 'GET', rgPath) >= 1 ? true : undefined), 'the touched ResourceGroup re-read');
    const log = await environment.armLog();
    assert.equal(log.filter((entry) => entry.method === 'PUT').length, 0);
  });

  await t.test('a spec change makes exactly one PUT', async () => {
    await environment.emulatorAdmin('DELETE', 'requests');
    await environment.kubectl(['patch', 'storageaccount/asosamplesa1', '--type=merge', '-p', '{"spec":{"tags":{"team":"e2e"}}}']);
    await eventually(async () => {
      const generation = await environment.kubectl(['get', 'storageaccount/asosamplesa1', '-o', 'jsonpath={.metadata.generation} {.status.conditions[?(@.type=="Ready")].observedGeneration} {.status.conditions[?(@.type=="Ready")].status}']);
      return generation.trim() === '2 2 True' ? true : undefined;
    }, 'generation 2 Ready');
    const log = await environment.armLog();
    assert.equal(log.filter((entry) => entry.method === 'PUT').length, 1);
    assert.deepEqual((log.find((entry) => entry.method === 'PUT')?.body as { tags?: unknown }).tags, { team: 'e2e' });
  });

  await t.test('the operator killed during a long-running PUT resumes polling without a second PUT', async () => {
    await environment.emulatorAdmin('PATCH', 'config', { latencyMs: 4000 });
    await environment.emulatorAdmin('DELETE', 'requests');
    await environment.kubectl(['apply', '-f', manifest(environment, 'slow.yaml', `apiVersion: storage.azure.com/v1api20230101
kind: StorageAccount
metadata:
  name: asoslowsa
  namespace: default
spec:
  location: westcentralus
  kind: StorageV2
  sku:
    name: Standard_LRS
  owner:
    name: aso-sample-rg
`)]);
    await eventually(async () => {
      const token = await environment.kubectl(['get', 'storageaccount/asoslowsa', '-o', 'jsonpath={.metadata.annotations.serviceoperator\\.azure\\.com/poller-resume-token}']);
      return token.trim() !== '' ? true : undefined;
    }, 'a resume token on the object', 150);
    await environment.operator?.stop('SIGKILL');
    const restarted = await environment.startOperator();
    await environment.kubectl(['wait', '--for=condition=Ready', '--timeout=60s', 'storageaccount/asoslowsa']).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\noperator output:\n${restarted.output().slice(-4000)}`);
    });
    await environment.emulatorAdmin('PATCH', 'config', { latencyMs: 0 });
    assert.equal(count(await environment.armLog(), 'PUT', '/storageAccounts/asoslowsa'), 1);
  });

  await t.test('delete under manage removes everything from Azure', async () => {
    await environment.kubectl(['delete', '-f', file, '--wait=true', '--timeout=90s']);
    const log = await environment.armLog();
    assert.equal(count(log, 'DELETE', rgPath), 1);
  });
});
