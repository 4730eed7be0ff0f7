// Error paths end to end (`azo apiserver`, `azo emulator`, `azo operator` as processes; real kubectl): a missing
// owner, reference, Secret or ConfigMap, an ARM 400, a storm of 429s and 500s, token failures, and a user's own
// finalizer. Each gives its documented Ready condition (and an Event), recovers once the cause is fixed, and never
// deletes or duplicates anything in Azure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  count,
  eventReasons,
  eventsOf,
  eventually,
  manifest,
  readyOf,
  startE2e,
  storageAccount,
  subscriptionId,
  waitForReady,
} from './operator-helpers.js';

const rgPath = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const resourceGroup = (name: string, extra = '') => `apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: ${name}
  namespace: default
${extra}spec:
  location: westus
`;

test('operator error paths through azo processes and kubectl', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  await environment.startOperator({}, ['--log-level', 'info']);
  const apply = (name: string, yaml: string) => environment.kubectl(['apply', '-f', manifest(environment, name, yaml)]);
  const armWrites = async () =>
    (await environment.armLog()).filter((entry) => entry.path.startsWith('/subscriptions/') && entry.method !== 'GET');

  await t.test('missing owner → WaitingForOwner (Warning); Ready as soon as the owner is, with one PUT', async () => {
    await apply('orphan.yaml', storageAccount('saorphan1', 'default', 'rg-errors'));
    const waiting = await waitForReady(environment, 'storageaccount/saorphan1', 'False', 'WaitingForOwner');
    assert.equal(waiting.severity, 'Warning');
    assert.match(waiting.message, /rg-errors/);
    await apply('rg-errors.yaml', resourceGroup('rg-errors'));
    await waitForReady(environment, 'storageaccount/saorphan1');
    assert.equal(count(await environment.armLog(), 'PUT', '/storageAccounts/saorphan1'), 1);
    // The same Event again is aggregated (count), never a second Event; the owner missing and the owner not yet
    // Ready are two messages, so WaitingForOwner may appear once or twice depending on timing.
    const events = await eventsOf(environment, 'saorphan1');
    const keys = events.map((event) => `${event.reason}: ${event.message}`);
    assert.equal(new Set(keys).size, keys.length, `no repeated Event (${keys.join('; ')})`);
    const reasons = events.map((event) => event.reason ?? '');
    assert.ok(reasons.includes('WaitingForOwner'), reasons.join(', '));
    for (const reason of ['Creating', 'Succeeded']) {
      assert.equal(reasons.filter((r) => r === reason).length, 1, `one ${reason} Event (${reasons.join(', ')})`);
    }
  });

  await t.test(
    'missing reference → ReferenceNotFound; once the referenced object exists, its ARM ID goes into the PUT',
    async () => {
      await apply(
        'subnet.yaml',
        `apiVersion: network.azure.com/v1api20201101
kind: VirtualNetwork
metadata:
  name: vnet-errors
  namespace: default
spec:
  location: westus
  owner:
    name: rg-errors
  addressSpace:
    addressPrefixes: [10.1.0.0/16]
---
apiVersion: network.azure.com/v1api20201101
kind: VirtualNetworksSubnet
metadata:
  name: subnet-errors
  namespace: default
spec:
  owner:
    name: vnet-errors
  addressPrefix: 10.1.0.0/24
  networkSecurityGroup:
    reference:
      group: network.azure.com
      kind: NetworkSecurityGroup
      name: nsg-errors
`,
      );
      const missing = await waitForReady(
        environment,
        'virtualnetworkssubnet/subnet-errors',
        'False',
        'ReferenceNotFound',
      );
      assert.equal(missing.severity, 'Warning');
      assert.match(missing.message, /nsg-errors/);
      assert.equal(count(await environment.armLog(), 'PUT', '/subnets/subnet-errors'), 0);
      await apply(
        'nsg.yaml',
        `apiVersion: network.azure.com/v1api20201101
kind: NetworkSecurityGroup
metadata:
  name: nsg-errors
  namespace: default
spec:
  location: westus
  owner:
    name: rg-errors
`,
      );
      await waitForReady(environment, 'virtualnetworkssubnet/subnet-errors');
      const puts = (await environment.armLog()).filter(
        (entry) => entry.method === 'PUT' && entry.path.endsWith('/subnets/subnet-errors'),
      );
      assert.equal(puts.length, 1);
      assert.deepEqual(
        (puts[0]?.body as { properties: { networkSecurityGroup?: unknown } }).properties.networkSecurityGroup,
        { id: `${rgPath('rg-errors')}/providers/Microsoft.Network/networkSecurityGroups/nsg-errors` },
      );
    },
  );

  await t.test(
    'missing Secret → SecretNotFound; the Secret created → Ready, its value sent once and shown nowhere',
    async () => {
      await apply(
        'pg.yaml',
        `apiVersion: dbforpostgresql.azure.com/v1api20250801
kind: FlexibleServer
metadata:
  name: pg-errors
  namespace: default
spec:
  location: westus
  owner:
    name: rg-errors
  version: "16"
  administratorLogin: azoadmin
  administratorLoginPassword:
    name: pg-errors-secret
    key: password
  sku:
    name: Standard_B1ms
    tier: Burstable
`,
      );
      await waitForReady(environment, 'flexibleserver/pg-errors', 'False', 'SecretNotFound');
      await environment.kubectl([
        'create',
        'secret',
        'generic',
        'pg-errors-secret',
        '--from-literal=password=Err0r-Path-Pa55',
      ]);
      await waitForReady(environment, 'flexibleserver/pg-errors');
      const puts = (await environment.armLog()).filter(
        (entry) => entry.method === 'PUT' && entry.path.endsWith('/flexibleServers/pg-errors'),
      );
      assert.equal(puts.length, 1);
      assert.equal(
        (puts[0]?.body as { properties: { administratorLoginPassword?: string } }).properties
          .administratorLoginPassword,
        'Err0r-Path-Pa55',
      );
      assert.ok(
        !(await environment.kubectl(['get', 'flexibleserver/pg-errors', '-o', 'json'])).includes('Err0r-Path-Pa55'),
      );
      assert.ok(!(await environment.kubectl(['get', 'events', '-o', 'json'])).includes('Err0r-Path-Pa55'));
      assert.ok(!(environment.operator?.output() ?? '').includes('Err0r-Path-Pa55'));
    },
  );

  await t.test('missing ConfigMap → ConfigMapNotFound; the ConfigMap created → Ready with its value', async () => {
    await apply(
      'ra.yaml',
      `apiVersion: authorization.azure.com/v1api20220401
kind: RoleAssignment
metadata:
  name: ra-errors
  namespace: default
spec:
  owner:
    group: resources.azure.com
    kind: ResourceGroup
    name: rg-errors
  principalIdFromConfig:
    name: principal-settings
    key: principalId
  roleDefinitionReference:
    wellKnownName: Reader
`,
    );
    await waitForReady(environment, 'roleassignment/ra-errors', 'False', 'ConfigMapNotFound');
    await environment.kubectl([
      'create',
      'configmap',
      'principal-settings',
      '--from-literal=principalId=22222222-3333-4444-5555-666666666666',
    ]);
    await waitForReady(environment, 'roleassignment/ra-errors');
    const puts = (await environment.armLog()).filter(
      (entry) => entry.method === 'PUT' && entry.path.includes('/roleAssignments/'),
    );
    assert.equal(puts.length, 1);
    assert.equal(
      (puts[0]?.body as { properties: { principalId: string } }).properties.principalId,
      '22222222-3333-4444-5555-666666666666',
    );
  });

  await t.test(
    "ARM 400 → Error with ARM's code; held (no ARM request) when touched; a spec change retries at once",
    async () => {
      await environment.emulatorAdmin('POST', 'faults', {
        method: 'PUT',
        path: 'resourceGroups/rg-bad$',
        status: 400,
        code: 'InvalidParameter',
        message: 'the location is not allowed',
        count: 1,
      });
      await apply('rg-bad.yaml', resourceGroup('rg-bad'));
      const failed = await waitForReady(environment, 'resourcegroup/rg-bad', 'False', 'InvalidParameter');
      assert.equal(failed.severity, 'Error');
      assert.match(failed.message, /location is not allowed/);
      // The first failure is logged where the queue handles it, with its slow retry (1 min, capped at the sync period).
      const output = () => (environment.operator?.output() ?? '').split('\n').filter((line) => line.includes('rg-bad'));
      assert.ok(
        output().some((line) => line.includes('will retry') && /"retryInMs":(6\d{4}|[1-9]\d{5,})/.test(line)),
        'a slow retry, not a hot loop',
      );
      const holds = () => output().filter((line) => line.includes('holding an error')).length;
      const before = holds();
      await environment.kubectl(['annotate', 'resourcegroup/rg-bad', 'example.com/touched=yes']);
      await eventually(async () => (holds() > before ? true : undefined), 'the touched object reconciled again');
      assert.equal(
        count(await environment.armLog(), 'PUT', rgPath('rg-bad')),
        1,
        'the same inputs are not sent again before the retry is due',
      );
      assert.equal(count(await environment.armLog(), 'GET', rgPath('rg-bad')), 1, 'not even read');
      assert.equal((await readyOf(environment, 'resourcegroup/rg-bad'))?.reason, 'InvalidParameter');
      await environment.kubectl([
        'patch',
        'resourcegroup/rg-bad',
        '--type=merge',
        '-p',
        '{"spec":{"tags":{"fixed":"yes"}}}',
      ]);
      await waitForReady(environment, 'resourcegroup/rg-bad');
      assert.equal(count(await environment.armLog(), 'PUT', rgPath('rg-bad')), 2);
    },
  );

  await t.test(
    'a storm of 429s and 500s (reads and writes) is retried until it passes, with one resource in the end; a 429 ' +
      'is a wait, not a condition',
    async () => {
      await environment.emulatorAdmin('POST', 'faults', {
        method: 'PUT',
        path: 'resourceGroups/rg-storm$',
        status: 429,
        retryAfterSeconds: 0,
        count: 1,
      });
      await environment.emulatorAdmin('POST', 'faults', {
        method: 'PUT',
        path: 'resourceGroups/rg-storm$',
        status: 500,
        count: 1,
      });
      await environment.emulatorAdmin('POST', 'faults', {
        method: 'GET',
        path: 'resourceGroups/rg-storm$',
        status: 503,
        count: 1,
      });
      await apply('rg-storm.yaml', resourceGroup('rg-storm'));
      await waitForReady(environment, 'resourcegroup/rg-storm');
      const reasons = await eventReasons(environment, 'rg-storm');
      for (const reason of ['ServiceUnavailable', 'InternalServerError', 'Succeeded'])
        assert.ok(reasons.includes(reason), `${reason} in ${reasons.join(', ')}`);
      assert.ok(
        !reasons.includes('SubscriptionRequestsThrottled'),
        `ARM's 429 was waited out and sent again, never shown: ${reasons.join(', ')}`,
      );
      const log = await environment.armLog();
      assert.ok(
        log.some((entry) => entry.method === 'PUT' && entry.path === rgPath('rg-storm') && entry.status === 429),
        'the 429 happened',
      );
      assert.equal(
        log.filter((entry) => entry.method === 'PUT' && entry.path === rgPath('rg-storm') && entry.status < 300).length,
        1,
        'one PUT got through',
      );
      assert.equal((await environment.armGet(rgPath('rg-storm'), '2020-06-01')).status, 200);
    },
  );

  await t.test('token failures → AuthenticationFailed; recovers once tokens are issued again', async () => {
    // A per-object credential needs a token the operator has not cached yet; the token endpoint refuses for now.
    // (A 4xx: after a 5xx, MSAL itself holds further token requests back for a minute, as Entra ID asks.)
    const faultId = (
      (await environment.emulatorAdmin('POST', 'faults', {
        method: 'POST',
        path: '/oauth2/v2.0/token$',
        status: 401,
        code: 'invalid_client',
        count: 0,
      })) as { id: string }
    ).id;
    await environment.kubectl([
      'create',
      'secret',
      'generic',
      'team-credential',
      `--from-literal=AZURE_SUBSCRIPTION_ID=${subscriptionId}`,
      `--from-literal=AZURE_TENANT_ID=${environment.tenantId}`,
      '--from-literal=AZURE_CLIENT_ID=00000000-0000-0000-0000-0000000007e7',
      '--from-literal=AZURE_CLIENT_SECRET=team-secret-value',
    ]);
    await apply(
      'rg-token.yaml',
      resourceGroup('rg-token', `  annotations:\n    serviceoperator.azure.com/credential-from: team-credential\n`),
    );
    const failed = await waitForReady(environment, 'resourcegroup/rg-token', 'False', 'AuthenticationFailed');
    assert.equal(failed.severity, 'Warning');
    assert.ok(!failed.message.includes('team-secret-value'));
    assert.equal(count(await environment.armLog(), 'PUT', rgPath('rg-token')), 0);
    await environment.emulatorAdmin('DELETE', `faults/${faultId}`);
    await waitForReady(environment, 'resourcegroup/rg-token');
    assert.equal(count(await environment.armLog(), 'PUT', rgPath('rg-token')), 1);
    assert.ok(
      !(environment.operator?.output() ?? '').includes('team-secret-value'),
      'the credential secret is not logged',
    );
    assert.ok(
      !(await environment.kubectl(['get', 'events', '-o', 'json'])).includes('team-secret-value'),
      'nor in Events',
    );
  });

  await t.test('nothing was deleted in Azure by any of the failures', async () => {
    assert.deepEqual(
      (await armWrites()).filter((entry) => entry.method === 'DELETE').map((entry) => entry.path),
      [],
    );
  });

  await t.test('a finalizer a user added blocks the Azure delete (reported in Ready) until it is removed', async () => {
    await apply('rg-guarded.yaml', resourceGroup('rg-guarded', '  finalizers:\n    - example.com/protect\n'));
    await waitForReady(environment, 'resourcegroup/rg-guarded');
    await environment.kubectl(['delete', 'resourcegroup/rg-guarded', '--wait=false']);
    const blocked = await eventually(async () => {
      const ready = await readyOf(environment, 'resourcegroup/rg-guarded');
      return ready?.reason === 'DeletionBlockedByFinalizer' ? ready : undefined;
    }, 'DeletionBlockedByFinalizer');
    assert.match(blocked.message, /example\.com\/protect/);
    assert.equal((await environment.armGet(rgPath('rg-guarded'), '2020-06-01')).status, 200, 'still in Azure');
    assert.equal(count(await environment.armLog(), 'DELETE', rgPath('rg-guarded')), 0);
    await environment.kubectl([
      'patch',
      'resourcegroup/rg-guarded',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers/0"}]',
    ]);
    await environment.kubectl(['wait', '--for=delete', 'resourcegroup/rg-guarded', '--timeout=60s']);
    assert.equal(
      (await environment.armGet(rgPath('rg-guarded'), '2020-06-01')).status,
      404,
      'deleted once the user finalizer is gone',
    );
  });
});
