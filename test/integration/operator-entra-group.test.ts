// Entra SecurityGroup end to end (embedded API server + emulator's Microsoft Graph + operator over HTTPS): create →
// Ready with the ID and its ConfigMap export; a spec change → one PATCH; a resync → no second POST; AdoptOrCreate
// adopts a group made directly in Graph; delete under manage → Graph DELETE; under detach-on-delete → the group stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { armToken, call } from './emulator-helpers.js';
import { eventually, readCrds, startEnvironment, waitForReady, waitForReconciles } from './operator-helpers.js';

const sg = { group: 'entra.azure.com', version: 'v1', plural: 'securitygroups', namespace: 'default' };
test('operator reconciles Entra security groups against Microsoft Graph', async (t) => {
  const environment = await startEnvironment({}, { installCrds: readCrds(['securitygroups.entra.azure.com']) });
  t.after(() => environment.close());
  const { custom, emulator, operator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  const token = await armToken(emulator, { scope: 'https://graph.microsoft.com/.default' });
  const graph = (method: string, path: string, body?: unknown) =>
    call(emulator, method, path, { token, ...(body !== undefined ? { body } : {}) });
  const writes = (method: string, suffix = '') =>
    emulator.requestLog().filter((entry) => entry.method === method && entry.path.startsWith(`/v1.0/groups${suffix}`))
      .length;
  const create = (name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
    custom.createNamespacedCustomObject({
      ...sg,
      body: { apiVersion: 'entra.azure.com/v1', kind: 'SecurityGroup', metadata: { name, annotations }, spec },
    });

  await t.test('create → Ready with status.entraID, the resource-id annotation and the ConfigMap export', async () => {
    await create('team', {
      displayName: 'Team',
      mailNickname: 'team@contoso.com',
      description: 'first',
      operatorSpec: { configmaps: { entraID: { name: 'team-ids', key: 'groupId' } } },
    });
    const object = (await waitForReady(environment, { ...sg, name: 'team' })) as {
      metadata: { annotations?: Record<string, string>; finalizers?: string[] };
      status?: Record<string, unknown>;
    };
    const id = String(object.status?.entraID);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(object.metadata.annotations?.['serviceoperator.azure.com/resource-id'], id);
    assert.deepEqual(object.metadata.finalizers, ['serviceoperator.azure.com/finalizer']);
    assert.equal(object.status?.groupEmailAddress, 'team');
    assert.equal(writes('POST'), 1);
    const group = await graph('GET', `/v1.0/groups/${id}`);
    assert.equal(group.json.securityEnabled, true);
    assert.equal(group.json.mailEnabled, false);
    const configMap = await eventually(async () => {
      const found = await core
        .readNamespacedConfigMap({ namespace: 'default', name: 'team-ids' })
        .catch(() => undefined);
      return found?.data?.groupId === undefined ? undefined : found;
    }, 'the ConfigMap export');
    assert.equal(configMap.data?.groupId, id);
  });

  await t.test('a spec change → one PATCH; a resync → no write at all', async () => {
    const before = operator.stats().reconciles;
    await custom.patchNamespacedCustomObject({
      ...sg,
      name: 'team',
      body: [{ op: 'replace', path: '/spec/description', value: 'second' }],
    });
    await eventually(async () => (writes('PATCH') === 1 ? true : undefined), 'one PATCH');
    await waitForReady(environment, { ...sg, name: 'team' });
    const id = (await graph('GET', '/v1.0/groups')).json.value[0].id as string;
    assert.equal((await graph('GET', `/v1.0/groups/${id}`)).json.description, 'second');
    await waitForReconciles(operator, before, 1);
    const counts = [writes('POST'), writes('PATCH'), writes('DELETE')];
    const resynced = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, resynced, 1);
    assert.deepEqual([writes('POST'), writes('PATCH'), writes('DELETE')], counts);
  });

  await t.test('AdoptOrCreate adopts the one group with the display name', async () => {
    const made = await graph('POST', '/v1.0/groups', {
      displayName: 'Existing',
      mailNickname: 'existing',
      mailEnabled: false,
      securityEnabled: true,
    });
    const posts = writes('POST');
    await create('existing', { displayName: 'Existing', mailNickname: 'existing' });
    const object = (await waitForReady(environment, { ...sg, name: 'existing' })) as {
      status?: Record<string, unknown>;
    };
    assert.equal(object.status?.entraID, made.json.id);
    assert.equal(writes('POST'), posts, 'adopted, not created');
  });

  await t.test('delete under manage deletes the group; under detach-on-delete the group stays', async () => {
    const id = String(
      ((await custom.getNamespacedCustomObject({ ...sg, name: 'team' })) as { status: { entraID: string } }).status
        .entraID,
    );
    await custom.deleteNamespacedCustomObject({ ...sg, name: 'team' });
    await eventually(
      async () => ((await graph('GET', `/v1.0/groups/${id}`)).status === 404 ? true : undefined),
      'the Graph DELETE',
    );
    await eventually(
      async () =>
        (await custom.getNamespacedCustomObject({ ...sg, name: 'team' }).catch(() => 'gone')) === 'gone'
          ? true
          : undefined,
      'the object to go',
    );

    await create(
      'kept',
      { displayName: 'Kept', mailNickname: 'kept' },
      { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' },
    );
    const kept = (await waitForReady(environment, { ...sg, name: 'kept' })) as { status?: Record<string, unknown> };
    const deletes = writes('DELETE');
    await custom.deleteNamespacedCustomObject({ ...sg, name: 'kept' });
    await eventually(
      async () =>
        (await custom.getNamespacedCustomObject({ ...sg, name: 'kept' }).catch(() => 'gone')) === 'gone'
          ? true
          : undefined,
      'the detached object to go',
    );
    assert.equal(writes('DELETE'), deletes);
    assert.equal((await graph('GET', `/v1.0/groups/${String(kept.status?.entraID)}`)).status, 200);
  });
});

test('AZURE_GRAPH_AUDIENCE picks the Graph token audience (a national cloud’s Graph)', async (t) => {
  // The emulator's Graph is the public cloud's: it refuses a token for the US Government Graph, so the group is not
  // created and Ready says why — proof that the operator asked for the audience it was given.
  const environment = await startEnvironment(
    { AZURE_GRAPH_AUDIENCE: 'https://graph.microsoft.us' },
    { installCrds: readCrds(['securitygroups.entra.azure.com']) },
  );
  t.after(() => environment.close());
  await environment.custom.createNamespacedCustomObject({
    ...sg,
    body: {
      apiVersion: 'entra.azure.com/v1',
      kind: 'SecurityGroup',
      metadata: { name: 'gov' },
      spec: { displayName: 'Gov', mailNickname: 'gov' },
    },
  });
  const object = await waitForReady(environment, { ...sg, name: 'gov' }, 'False');
  assert.match(
    String(object.status?.conditions?.find((condition) => condition.type === 'Ready')?.message),
    /audience/i,
  );
  const tokenRequests = environment.emulator.requestLog().filter((entry) => /oauth2\/v2\.0\/token$/.test(entry.path));
  assert.ok(tokenRequests.length >= 1);
  assert.equal(
    environment.emulator.requestLog().filter((entry) => entry.method === 'POST' && entry.path === '/v1.0/groups')
      .length,
    0,
  );
});
