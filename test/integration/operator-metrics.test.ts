// The operator's /metrics, scraped over HTTP as Prometheus does, while it creates, adopts, re-checks and corrects
// resources in the emulator: ASO's and controller-runtime's names and labels, azo's own, and counters that move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startEmulator } from '../../src/emulator/index.js';
import { listKindModels } from '../../src/model/index.js';
import { OperatorMetrics } from '../../src/operator/index.js';
import { serveEndpoints } from '../../src/cli/internal/health.js';
import { armToken, call } from './emulator-helpers.js';
import { eventually, startEnvironment, subscriptionId, waitForReady } from './operator-helpers.js';

const group = { group: 'resources.azure.com', version: 'v20200601', plural: 'resourcegroups', namespace: 'default' };
const controller = 'resourcegroup.resources.azure.com';
const rgType = 'Microsoft.Resources/resourceGroups';

function scrape(port: number): Promise<{ contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve({ contentType: String(response.headers['content-type']), text }));
    })
      .on('error', reject)
      .end();
  });
}

/** The value of the sample `name{labels}` (labels in any order; all given ones must match), or 0. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total += Number(match[3]);
  }
  return total;
}

test('/metrics: ASO and controller-runtime names and labels, ARM buckets, skipped writes, drift, polls, adoptions', async (t) => {
  const emulator = await startEmulator({ models: await listKindModels(), latencyMs: 300 });
  const metrics = new OperatorMetrics();
  const environment = await startEnvironment({ AZURE_SYNC_PERIOD: 'never' }, { emulator, metrics });
  const server = await serveEndpoints(
    { port: 0, host: '127.0.0.1' },
    {
      '/metrics': async () => ({ status: 200, body: await metrics.text(), contentType: metrics.contentType }),
    },
  );
  t.after(async () => {
    await server.close();
    await environment.close();
    await emulator.close();
  });
  const before = await scrape(server.port);
  assert.match(before.contentType, /^text\/plain; version=0\.0\.4/);
  for (const name of [
    'workqueue_depth',
    'controller_runtime_active_workers',
    'controller_runtime_max_concurrent_reconciles',
  ]) {
    assert.match(before.text, new RegExp(`^${name}\\{controller="${controller}"`, 'm'), `${name} per controller`);
  }
  assert.equal(sample(before.text, 'controller_runtime_max_concurrent_reconciles', { controller }), 4);
  assert.match(before.text, /^process_cpu_user_seconds_total /m, 'process metrics');

  // A resource that exists in Azure before its object: adopted without a write.
  const token = await armToken(emulator);
  const adoptedId = `/subscriptions/${subscriptionId}/resourceGroups/metrics-adopted`;
  const put = await call(emulator, 'PUT', `${adoptedId}?api-version=2020-06-01`, {
    token,
    body: { location: 'westeurope' },
  });
  assert.ok(put.status < 300, `PUT ${put.status}`);
  for (const [name, tags] of [
    ['metrics-created', { team: 'a' }],
    ['metrics-adopted', undefined],
  ] as const) {
    await environment.custom.createNamespacedCustomObject({
      ...group,
      body: {
        apiVersion: 'resources.azure.com/v20200601',
        kind: 'ResourceGroup',
        metadata: { name },
        spec: { location: 'westeurope', tags },
      },
    });
  }
  await waitForReady(environment, { ...group, name: 'metrics-created' });
  await waitForReady(environment, { ...group, name: 'metrics-adopted' });
  // A storage account: a long-running PUT in Azure (resource groups are created at once), followed by polls.
  const accounts = {
    group: 'storage.azure.com',
    version: 'v20230101',
    plural: 'storageaccounts',
    namespace: 'default',
  };
  await environment.custom.createNamespacedCustomObject({
    ...accounts,
    body: {
      apiVersion: 'storage.azure.com/v20230101',
      kind: 'StorageAccount',
      metadata: { name: 'metricsaccount' },
      spec: {
        owner: { name: 'metrics-created' },
        location: 'westeurope',
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
      },
    },
  });
  await waitForReady(environment, { ...accounts, name: 'metricsaccount' });
  // Azure drifts on a field the user set, then a resync reads both and corrects that one.
  const createdId = `/subscriptions/${subscriptionId}/resourceGroups/metrics-created`;
  await call(emulator, 'PUT', `${createdId}?api-version=2020-06-01`, {
    token,
    body: { location: 'westeurope', tags: { team: 'b' } },
  });
  environment.operator.resyncAll();
  const after = await eventually(async () => {
    const { text } = await scrape(server.port);
    // The correction is counted when planned; its PUT is timed when answered: wait for both.
    const corrected =
      sample(text, 'azo_drift_corrections_total', { controller }) >= 1 &&
      sample(text, 'azure_requests_time_seconds_count', { resource: rgType, requestType: 'PUT' }) >= 2;
    // A reconcile is counted when it returns, after its PUT is answered: wait for the resync's to finish too.
    const reconciled = sample(text, 'controller_runtime_reconcile_total', { controller, result: 'success' }) >= 4;
    const skipped = sample(text, 'azo_arm_writes_skipped_total', { controller }) >= 2;
    return corrected && reconciled && skipped ? text : undefined;
  }, 'a drift correction (its PUT answered), skipped writes, and the resync reconciles finished');

  const rg = { resource: rgType };
  assert.ok(
    sample(after, 'azure_successful_requests_total', { ...rg, requestType: 'PUT', responseCode: '201' }) >= 1,
    'the create',
  );
  assert.ok(
    sample(after, 'azure_successful_requests_total', { ...rg, requestType: 'GET', responseCode: '404' }) >= 1,
    'the read before it',
  );
  assert.ok(
    sample(after, 'azure_successful_requests_total', { ...rg, requestType: 'GET', responseCode: '200' }) >= 2,
    'reads',
  );
  const account = { resource: 'Microsoft.Storage/storageAccounts' };
  assert.ok(
    sample(after, 'azure_successful_requests_total', { ...account, requestType: 'PUT', responseCode: '202' }) >= 1,
    'accepted',
  );
  assert.ok(
    sample(after, 'azure_successful_requests_total', { ...account, requestType: 'GET', responseCode: '200' }) >= 1,
    'polls',
  );
  assert.ok(sample(after, 'azure_requests_time_seconds_count', { ...rg, requestType: 'PUT' }) >= 2, 'PUTs timed');
  assert.match(after, /^azure_failed_requests_total counter|^# TYPE azure_failed_requests_total counter/m);
  const accountController = 'storageaccount.storage.azure.com';
  assert.ok(sample(after, 'azo_lro_polls_total', { controller: accountController, method: 'PUT' }) >= 1, 'polled');
  assert.equal(sample(after, 'azo_adoptions_total', { controller }), 1, 'one adoption');
  assert.ok(
    sample(after, 'controller_runtime_reconcile_total', { controller: accountController, result: 'requeue_after' }) >=
      1,
    'a requeue after',
  );
  assert.ok(sample(after, 'controller_runtime_reconcile_total', { controller, result: 'success' }) >= 4, 'successes');
  assert.ok(sample(after, 'controller_runtime_reconcile_time_seconds_count', { controller }) >= 4, 'timed');
  assert.equal(sample(after, 'controller_runtime_reconcile_errors_total', { controller }), 0);
  assert.ok(sample(after, 'workqueue_adds_total', { controller, name: controller }) >= 4, 'adds');
  assert.ok(sample(after, 'azo_workqueue_adds_by_reason_total', { controller, reason: 'drift' }) >= 2, 'the resync');
  assert.ok(sample(after, 'workqueue_queue_duration_seconds_count', { controller, name: controller }) >= 4, 'waits');
  const bucket = { scope: `subscription:${subscriptionId}`, class: 'writes' };
  assert.match(
    after,
    new RegExp(`^azo_arm_bucket_tokens\\{scope="${bucket.scope}",principal="[^"]+/[^"]+",class="writes"\\} \\d+`, 'm'),
  );
  assert.ok(sample(after, 'azo_arm_bucket_tokens', bucket) >= 190, 'a few of 200 write tokens spent');
  assert.ok(
    sample(after, 'azo_arm_bucket_wait_seconds_count', { class: 'reads', priority: 'drift' }) >= 2,
    'drift reads waited their turn',
  );

  // An error: a location Azure refuses. The reconcile fails, the error counters move.
  await environment.custom.createNamespacedCustomObject({
    ...group,
    body: {
      apiVersion: 'resources.azure.com/v20200601',
      kind: 'ResourceGroup',
      metadata: { name: 'metrics-mars' },
      spec: { location: 'marsnorth' },
    },
  });
  await eventually(async () => {
    const { text } = await scrape(server.port);
    return sample(text, 'controller_runtime_reconcile_errors_total', { controller }) >= 1 &&
      sample(text, 'controller_runtime_reconcile_total', { controller, result: 'error' }) >= 1 &&
      sample(text, 'azure_successful_requests_total', { ...rg, requestType: 'PUT', responseCode: '400' }) >= 1
      ? true
      : undefined;
  }, 'the error counted');
});
