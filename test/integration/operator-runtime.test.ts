// The operator's runtime over real HTTPS (embedded API server + emulator + operator): each kind has its own workers,
// so a slow kind never holds up another; a reconcile that outlives its deadline is stopped and tried again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, readyOf, startEnvironment, waitForReady } from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const uai = {
  group: 'managedidentity.azure.com',
  version: 'v1api20181130',
  plural: 'userassignedidentities',
  namespace: 'default',
};
const nsg = {
  group: 'network.azure.com',
  version: 'v1api20201101',
  plural: 'networksecuritygroups',
  namespace: 'default',
};

test('per-kind workers: a kind stuck on a slow ARM call does not hold up another kind', async (t) => {
  const environment = await startEnvironment({ MAX_CONCURRENT_RECONCILES: '1' });
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  const create = (ref: typeof rg, kind: string, name: string, spec: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({
      ...ref,
      body: { apiVersion: `${ref.group}/${ref.version}`, kind, metadata: { name }, spec },
    });
  await create(rg, 'ResourceGroup', 'rg-kinds', { location: 'westus' });
  await waitForReady(environment, { ...rg, name: 'rg-kinds' });
  emulator.addFault({ method: 'PUT', path: 'userAssignedIdentities/uai-slow$', latencyMs: 5_000, count: 1 });
  await create(uai, 'UserAssignedIdentity', 'uai-slow', { location: 'westus', owner: { name: 'rg-kinds' } });
  // The identity's only worker is now waiting on its PUT.
  for (
    let i = 0;
    i < 100 && !emulator.requestLog().some((entry) => entry.method === 'PUT' && entry.path.endsWith('/uai-slow'));
    i++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await create(nsg, 'NetworkSecurityGroup', 'nsg-fast', { location: 'westus', owner: { name: 'rg-kinds' } });
  await waitForReady(environment, { ...nsg, name: 'nsg-fast' });
  const slow = await custom.getNamespacedCustomObject({ ...uai, name: 'uai-slow' });
  assert.notEqual(
    readyOf(slow as never)?.status,
    'True',
    'the NSG was Ready while the identity was still being written',
  );
  await waitForReady(environment, { ...uai, name: 'uai-slow' });
});

test('a reconcile that outlives its deadline is stopped (ReconcileTimeout) and tried again', async (t) => {
  const environment = await startEnvironment({ AZO_RECONCILE_TIMEOUT: '1s' });
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  emulator.addFault({ method: 'GET', path: 'resourceGroups/rg-deadline$', latencyMs: 4_000, count: 1 });
  await custom.createNamespacedCustomObject({
    ...rg,
    body: {
      apiVersion: `${rg.group}/${rg.version}`,
      kind: 'ResourceGroup',
      metadata: { name: 'rg-deadline' },
      spec: { location: 'westus' },
    },
  });
  const stopped = await waitForReady(environment, { ...rg, name: 'rg-deadline' }, 'False', 'ReconcileTimeout');
  assert.equal(readyOf(stopped)?.severity, 'Warning');
  assert.match(readyOf(stopped)?.message ?? '', /did not finish within 1 s \(AZO_RECONCILE_TIMEOUT\)/);
  await waitForReady(environment, { ...rg, name: 'rg-deadline' });
});

test('stopping cuts a reconcile stuck on a slow ARM call after a short grace, and writes no condition', async (t) => {
  const environment = await startEnvironment();
  t.after(() => environment.close());
  const { custom, emulator, operator } = environment;
  await custom.createNamespacedCustomObject({
    ...rg,
    body: {
      apiVersion: `${rg.group}/${rg.version}`,
      kind: 'ResourceGroup',
      metadata: { name: 'rg-ready' },
      spec: { location: 'westus' },
    },
  });
  await waitForReady(environment, { ...rg, name: 'rg-ready' });
  emulator.addFault({ method: 'GET', path: 'resourceGroups/rg-stop$', latencyMs: 25_000, count: 1 });
  await custom.createNamespacedCustomObject({
    ...rg,
    body: {
      apiVersion: `${rg.group}/${rg.version}`,
      kind: 'ResourceGroup',
      metadata: { name: 'rg-stop' },
      spec: { location: 'westus' },
    },
  });
  // The emulator logs a request once answered: watch the operator's own count of reconciles in flight instead.
  await eventually(async () => (operator.stats().processing > 0 ? true : undefined), 'the reconcile of rg-stop');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = Date.now();
  await operator.stop();
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds >= 4, `it waited for the reconcile in flight first (${seconds} s)`);
  assert.ok(seconds < 15, `stopped in ${seconds} s, not after the 25 s the GET takes`);
  const object = await custom.getNamespacedCustomObject({ ...rg, name: 'rg-stop' });
  assert.notEqual(readyOf(object as never)?.reason, 'ReconcileTimeout', 'a stop is not reported as a failure');
});
