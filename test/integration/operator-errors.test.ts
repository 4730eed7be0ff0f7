// Error paths, each with its documented condition and its recovery, never deleting or duplicating: missing owner,
// missing Secret, ARM 400 (fatal until the spec changes), 429/500 storms, token failures, subscription mismatch,
// immutable azureName/owner, an unknown reconcile policy, a long-running operation that fails, a spec change while
// one runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  armRequests,
  eventually,
  readyOf,
  startEnvironment,
  subscriptionId,
  waitForReady,
  waitForReconciles,
} from './operator-helpers.js';

const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const sa = { group: 'storage.azure.com', version: 'v1api20230101', plural: 'storageaccounts', namespace: 'default' };
const pg = {
  group: 'dbforpostgresql.azure.com',
  version: 'v1api20250801',
  plural: 'flexibleservers',
  namespace: 'default',
};
const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const rgBody = (name: string, extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: `${rg.group}/${rg.version}`,
  kind: 'ResourceGroup',
  metadata: { name, ...metadata },
  spec: { location: 'westus', ...extra },
});

test('operator error paths', async (t) => {
  const environment = await startEnvironment();
  t.after(() => environment.close());
  const { custom, emulator, operator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);

  await t.test('missing owner → WaitingForOwner, then Ready as soon as the owner is', async () => {
    await custom.createNamespacedCustomObject({
      ...sa,
      body: {
        apiVersion: `${sa.group}/${sa.version}`,
        kind: 'StorageAccount',
        metadata: { name: 'saorphan1' },
        spec: { location: 'westus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { name: 'rg-later' } },
      },
    });
    const waiting = await waitForReady(environment, { ...sa, name: 'saorphan1' }, 'False', 'WaitingForOwner');
    assert.equal(readyOf(waiting)?.severity, 'Warning');
    assert.equal(armRequests(emulator, 'PUT', '/storageAccounts/saorphan1'), 0);
    await custom.createNamespacedCustomObject({ ...rg, body: rgBody('rg-later') });
    await waitForReady(environment, { ...sa, name: 'saorphan1' });
    assert.equal(armRequests(emulator, 'PUT', '/storageAccounts/saorphan1'), 1);
  });

  await t.test(
    'missing Secret → SecretNotFound, then Ready once it exists; its value is never in status or events',
    async () => {
      await custom.createNamespacedCustomObject({
        ...pg,
        body: {
          apiVersion: `${pg.group}/${pg.version}`,
          kind: 'FlexibleServer',
          metadata: { name: 'pg-errors' },
          spec: {
            location: 'westus',
            owner: { name: 'rg-later' },
            version: '16',
            administratorLogin: 'azoadmin',
            administratorLoginPassword: { name: 'pg-secret', key: 'password' },
            sku: { name: 'Standard_B1ms', tier: 'Burstable' },
          },
        },
      });
      await waitForReady(environment, { ...pg, name: 'pg-errors' }, 'False', 'SecretNotFound');
      await core.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: 'pg-secret' }, stringData: { password: 'Sup3r-S3cret-Pa55' } },
      });
      const ready = await waitForReady(environment, { ...pg, name: 'pg-errors' });
      const put = emulator
        .requestLog()
        .find((entry) => entry.method === 'PUT' && entry.path.endsWith('/flexibleServers/pg-errors'));
      assert.equal(
        (put?.body as { properties?: { administratorLoginPassword?: string } }).properties?.administratorLoginPassword,
        'Sup3r-S3cret-Pa55',
      );
      assert.ok(!JSON.stringify(ready).includes('Sup3r-S3cret-Pa55'));
      const events = await core.listNamespacedEvent({ namespace: 'default' });
      assert.ok(!JSON.stringify(events.items).includes('Sup3r-S3cret-Pa55'));
    },
  );

  await t.test('ARM 400 → Error condition with the ARM code, no retries until the spec changes', async () => {
    emulator.addFault({
      method: 'PUT',
      path: 'rg-bad$',
      status: 400,
      code: 'InvalidParameter',
      message: 'location is not allowed',
      count: 1,
    });
    await custom.createNamespacedCustomObject({ ...rg, body: rgBody('rg-bad') });
    const failed = await waitForReady(environment, { ...rg, name: 'rg-bad' }, 'False', 'InvalidParameter');
    assert.equal(readyOf(failed)?.severity, 'Error');
    const since = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, since, 1);
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-bad')), 1, 'a fatal error is not retried');
    await custom.patchNamespacedCustomObject(
      { ...rg, name: 'rg-bad', body: { spec: { tags: { fixed: 'yes' } } } },
      merge,
    );
    await waitForReady(environment, { ...rg, name: 'rg-bad' });
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-bad')), 2);
  });

  await t.test('a storm of 429s and 500s is retried until it passes, with one resource in the end', async () => {
    emulator.addFault({ method: 'PUT', path: 'rg-storm$', status: 429, retryAfterSeconds: 0, count: 2 });
    emulator.addFault({ method: 'PUT', path: 'rg-storm$', status: 500, count: 1 });
    await custom.createNamespacedCustomObject({ ...rg, body: rgBody('rg-storm') });
    await waitForReady(environment, { ...rg, name: 'rg-storm' });
    assert.equal(armRequests(emulator, 'PUT', rgPath('rg-storm')), 4, 'three refused, one made it');
    assert.equal(
      emulator.requestLog().filter((entry) => entry.method === 'DELETE' && entry.path === rgPath('rg-storm')).length,
      0,
    );
  });

  await t.test(
    'a per-object credential with a wrong secret → AuthenticationFailed, then Ready once fixed',
    async () => {
      const badClient = '00000000-0000-0000-0000-00000000bad1';
      await fetchAdmin(environment, 'PUT', `clients/${badClient}`, { secret: 'the-right-secret' });
      await core.createNamespacedSecret({
        namespace: 'default',
        body: {
          metadata: { name: 'my-cred' },
          stringData: {
            AZURE_SUBSCRIPTION_ID: subscriptionId,
            AZURE_TENANT_ID: emulator.tenantId,
            AZURE_CLIENT_ID: badClient,
            AZURE_CLIENT_SECRET: 'a-wrong-secret',
          },
        },
      });
      await custom.createNamespacedCustomObject({
        ...rg,
        body: rgBody('rg-cred', {}, { annotations: { 'serviceoperator.azure.com/credential-from': 'my-cred' } }),
      });
      const failed = await waitForReady(environment, { ...rg, name: 'rg-cred' }, 'False', 'AuthenticationFailed');
      assert.ok(!JSON.stringify(failed).includes('a-wrong-secret'));
      await core.patchNamespacedSecret(
        { namespace: 'default', name: 'my-cred', body: { stringData: { AZURE_CLIENT_SECRET: 'the-right-secret' } } },
        merge,
      );
      await waitForReady(environment, { ...rg, name: 'rg-cred' });
    },
  );

  await t.test(
    "a namespace aso-credential is used for objects in that namespace (never another namespace's)",
    async () => {
      const otherSubscription = '00000000-0000-0000-0000-0000000000cc';
      await core.createNamespace({ body: { metadata: { name: 'team-cred' } } });
      await core.createNamespacedSecret({
        namespace: 'team-cred',
        body: {
          metadata: { name: 'aso-credential' },
          stringData: {
            AZURE_SUBSCRIPTION_ID: otherSubscription,
            AZURE_TENANT_ID: emulator.tenantId,
            AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000c0c0',
            AZURE_CLIENT_SECRET: 'ns-secret',
          },
        },
      });
      await custom.createNamespacedCustomObject({ ...rg, namespace: 'team-cred', body: rgBody('rg-nscred') });
      await waitForReady(environment, { ...rg, namespace: 'team-cred', name: 'rg-nscred' });
      assert.equal(armRequests(emulator, 'PUT', `/subscriptions/${otherSubscription}/resourceGroups/rg-nscred`), 1);
      await custom.createNamespacedCustomObject({
        ...rg,
        body: rgBody(
          'rg-crossns',
          {},
          { annotations: { 'serviceoperator.azure.com/credential-from': 'team-cred/aso-credential' } },
        ),
      });
      await waitForReady(environment, { ...rg, name: 'rg-crossns' }, 'False', 'CredentialInvalid');
      assert.equal(emulator.requestLog().filter((entry) => entry.path.endsWith('/rg-crossns')).length, 0);
    },
  );

  await t.test(
    'azureName cannot change once the resource exists: ImmutableFieldChanged, nothing new created',
    async () => {
      await custom.createNamespacedCustomObject({ ...rg, body: rgBody('rg-fixed-name') });
      await waitForReady(environment, { ...rg, name: 'rg-fixed-name' });
      await custom.patchNamespacedCustomObject(
        { ...rg, name: 'rg-fixed-name', body: { spec: { azureName: 'rg-renamed' } } },
        merge,
      );
      const refused = await waitForReady(
        environment,
        { ...rg, name: 'rg-fixed-name' },
        'False',
        'ImmutableFieldChanged',
      );
      assert.equal(readyOf(refused)?.severity, 'Error');
      assert.equal(emulator.requestLog().filter((entry) => entry.path.endsWith('/rg-renamed')).length, 0);
      await custom.patchNamespacedCustomObject(
        { ...rg, name: 'rg-fixed-name', body: { spec: { azureName: null } } },
        merge,
      );
      await waitForReady(environment, { ...rg, name: 'rg-fixed-name' });
    },
  );

  await t.test(
    'a resource in another subscription than its credential → SubscriptionMismatch, nothing written',
    async () => {
      const otherRg = '/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/elsewhere';
      await custom.createNamespacedCustomObject({
        ...sa,
        body: {
          apiVersion: `${sa.group}/${sa.version}`,
          kind: 'StorageAccount',
          metadata: { name: 'samismatch1' },
          spec: { location: 'westus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { armId: otherRg } },
        },
      });
      await waitForReady(environment, { ...sa, name: 'samismatch1' }, 'False', 'SubscriptionMismatch');
      assert.equal(emulator.requestLog().filter((entry) => entry.path.includes('samismatch1')).length, 0);
    },
  );
});

test('long-running operations: a failed one is forgotten and retried; a spec change while one runs is applied after it', async (t) => {
  const environment = await startEnvironment();
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  await custom.createNamespacedCustomObject({ ...rg, body: rgBody('rg-lro') });
  await waitForReady(environment, { ...rg, name: 'rg-lro' });
  const account = (name: string, tags: Record<string, string>) => ({
    apiVersion: `${sa.group}/${sa.version}`,
    kind: 'StorageAccount',
    metadata: { name },
    spec: { location: 'westus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { name: 'rg-lro' }, tags },
  });
  const annotationsOf = async (name: string) =>
    (
      (await custom.getNamespacedCustomObject({ ...sa, name })) as {
        metadata: { annotations?: Record<string, string> };
      }
    ).metadata.annotations ?? {};

  await t.test(
    'an operation that ends Failed: its reason is reported, the resume token dropped, the PUT retried once',
    async () => {
      emulator.addFault({
        method: 'PUT',
        path: 'storageAccounts/salrofail1$',
        provisioningState: 'Failed',
        code: 'InternalOperationError',
        message: 'the operation failed',
        count: 1,
      });
      await custom.createNamespacedCustomObject({ ...sa, body: account('salrofail1', {}) });
      await waitForReady(environment, { ...sa, name: 'salrofail1' });
      const events = await core.listNamespacedEvent({
        namespace: 'default',
        fieldSelector: 'involvedObject.name=salrofail1',
      });
      assert.ok(
        events.items.some((event) => event.reason === 'InternalOperationError' && event.type === 'Warning'),
        'the failure was reported',
      );
      assert.equal(
        armRequests(emulator, 'PUT', '/storageAccounts/salrofail1'),
        2,
        'one PUT failed in Azure, one more made it',
      );
      assert.equal((await annotationsOf('salrofail1'))['serviceoperator.azure.com/poller-resume-token'], undefined);
      assert.equal(armRequests(emulator, 'DELETE', '/storageAccounts/salrofail1'), 0);
    },
  );

  await t.test('the spec changes while a PUT runs: Ready for the new generation only once Azure has it', async () => {
    emulator.setLatency(1500);
    t.after(() => emulator.setLatency(0));
    await custom.createNamespacedCustomObject({ ...sa, body: account('salrochange1', { v: '1' }) });
    await eventually(
      async () =>
        (await annotationsOf('salrochange1'))['serviceoperator.azure.com/poller-resume-token'] !== undefined
          ? true
          : undefined,
      'the PUT running',
    );
    await custom.patchNamespacedCustomObject(
      { ...sa, name: 'salrochange1', body: { spec: { tags: { v: '2' } } } },
      merge,
    );
    const ready = (await waitForReady(environment, { ...sa, name: 'salrochange1' })) as {
      metadata: { generation?: number };
      status?: { tags?: unknown };
    };
    assert.equal(ready.metadata.generation, 2);
    assert.deepEqual(ready.status?.tags, { v: '2' }, 'the status (from Azure) shows the new spec');
    const puts = emulator
      .requestLog()
      .filter((entry) => entry.method === 'PUT' && entry.path.endsWith('/storageAccounts/salrochange1'));
    assert.deepEqual(
      puts.map((entry) => (entry.body as { tags?: unknown }).tags),
      [{ v: '1' }, { v: '2' }],
      'one PUT per generation',
    );
  });
});

test('immutable owner, unknown reconcile policy', async (t) => {
  const environment = await startEnvironment();
  t.after(() => environment.close());
  const { custom, emulator } = environment;

  await t.test(
    'owner cannot change once the resource exists: ImmutableFieldChanged, nothing written elsewhere',
    async () => {
      for (const name of ['rg-own-a', 'rg-own-b'])
        await custom.createNamespacedCustomObject({ ...rg, body: rgBody(name) });
      await custom.createNamespacedCustomObject({
        ...sa,
        body: {
          apiVersion: `${sa.group}/${sa.version}`,
          kind: 'StorageAccount',
          metadata: { name: 'saowner1' },
          spec: { location: 'westus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { name: 'rg-own-a' } },
        },
      });
      await waitForReady(environment, { ...sa, name: 'saowner1' });
      await waitForReady(environment, { ...rg, name: 'rg-own-b' });
      await custom.patchNamespacedCustomObject(
        { ...sa, name: 'saowner1', body: { spec: { owner: { name: 'rg-own-b' } } } },
        merge,
      );
      const refused = await waitForReady(environment, { ...sa, name: 'saowner1' }, 'False', 'ImmutableFieldChanged');
      assert.equal(readyOf(refused)?.severity, 'Error');
      assert.match(readyOf(refused)?.message ?? '', /rg-own-a/);
      assert.equal(emulator.requestLog().filter((entry) => entry.path.includes('/rg-own-b/providers/')).length, 0);
      await custom.patchNamespacedCustomObject(
        { ...sa, name: 'saowner1', body: { spec: { owner: { name: 'rg-own-a' } } } },
        merge,
      );
      await waitForReady(environment, { ...sa, name: 'saowner1' });
      assert.equal(armRequests(emulator, 'PUT', '/storageAccounts/saowner1'), 1);
    },
  );

  await t.test(
    'an unknown reconcile-policy value is read as skip: nothing written or deleted, a Warning naming it',
    async () => {
      await custom.createNamespacedCustomObject({
        ...rg,
        body: rgBody('rg-policy', {}, { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'Skip' } }),
      });
      const warned = await waitForReady(environment, { ...rg, name: 'rg-policy' }, 'False', 'InvalidReconcilePolicy');
      assert.equal(readyOf(warned)?.severity, 'Warning');
      assert.match(readyOf(warned)?.message ?? '', /"Skip".*allowed: manage, skip, detach-on-delete/);
      assert.match(readyOf(warned)?.message ?? '', /does not exist in Azure/, 'and what skip found');
      assert.equal(armRequests(emulator, 'PUT', rgPath('rg-policy')), 0, 'skip: never created');
      await custom.patchNamespacedCustomObject(
        {
          ...rg,
          name: 'rg-policy',
          body: { metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'manage' } } },
        },
        merge,
      );
      await waitForReady(environment, { ...rg, name: 'rg-policy' });
      assert.equal(armRequests(emulator, 'PUT', rgPath('rg-policy')), 1, 'created once the policy is fixed');
    },
  );
});

async function fetchAdmin(
  environment: { emulator: { url: string; caCertPem: string } },
  method: string,
  path: string,
  body: unknown,
): Promise<void> {
  const { request } = await import('node:https');
  await new Promise<void>((resolve, reject) => {
    const req = request(
      `${environment.emulator.url}/_emulator/${path}`,
      { method, ca: environment.emulator.caCertPem, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
