// MySQL Entra users (`dbformysql.azure.com/User` with spec.aadUser) end to end: the embedded API server, the
// emulator's flexible server and Entra ID, and the operator, against a real MariaDB behind mysql-entra-front.ts, which
// stands in for Azure's Entra logins (a token in clear for the server's Entra administrator, checked against the
// emulator's signing keys and the MySQL audience) and for `CREATE AADUSER`. Checks read MariaDB and the front: create
// with privileges for the identity under its alias, a change of privileges, an identity that cannot change, an Entra
// user that cannot become a local one, a refused login, and delete (the user is dropped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonWebKey } from 'node:crypto';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { type DbServer, startMariaDb } from './db-servers.js';
import { call } from './emulator-helpers.js';
import { startEntraFront } from './mysql-entra-front.js';
import {
  createCustom,
  eventually,
  readCrds,
  readyOf,
  startEnvironment,
  waitForGone,
  waitForReady,
} from './operator-helpers.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const audience = 'https://ossrdbms-aad.database.windows.net';
const kinds = {
  rg: { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' },
  server: { group: 'dbformysql.azure.com', version: 'v20231230', plural: 'flexibleservers', namespace: 'default' },
  user: { group: 'dbformysql.azure.com', version: 'v1', plural: 'users', namespace: 'default' },
};
type Obj = { metadata: { finalizers?: string[]; ownerReferences?: Array<{ kind: string; name: string }> } };

/** The grants MariaDB lists for `'user'@'%'` (empty when there is no such user). */
async function grantsOf(server: DbServer, user: string): Promise<string[]> {
  const client = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.adminUser,
    password: server.adminPassword,
  });
  try {
    const [users] = await client.query('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [user, '%']);
    if ((users as unknown[]).length === 0) return [];
    const [rows] = await client.query('SHOW GRANTS FOR ?@?', [user, '%']);
    // MariaDB shows the random password the front gave the user on its first grant.
    return (rows as Array<Record<string, string>>)
      .map((row) => (Object.values(row)[0] ?? '').replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''))
      .sort();
  } finally {
    await client.end();
  }
}

test('operator manages MySQL Entra users with an Entra token login', async (t) => {
  const mariadb = await startMariaDb();
  t.after(() => mariadb.stop());
  // The emulator starts with the environment, which needs the front's address first.
  const started: { emulator?: RunningEmulator } = {};
  const front = await startEntraFront({
    backend: mariadb,
    admin: 'aad-admins',
    audience,
    keys: async () => {
      const { emulator } = started;
      if (emulator === undefined) throw new Error('a login before the emulator started');
      const response = await call(emulator, 'GET', `/${emulator.tenantId}/discovery/v2.0/keys`);
      return response.json as { keys: JsonWebKey[] };
    },
  });
  t.after(() => front.close());
  const environment = await startEnvironment(
    { AZO_DATABASE_HOSTS: `entramy.mysql.database.azure.com=${front.host}:${front.port}` },
    {
      installCrds: readCrds([
        'resourcegroups.resources.azure.com',
        'flexibleservers.dbformysql.azure.com',
        'users.dbformysql.azure.com',
      ]),
    },
  );
  t.after(() => environment.close());
  started.emulator = environment.emulator;
  const { custom } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({
    namespace: 'default',
    body: { metadata: { name: 'my-admin' }, stringData: { password: 'admin-Passw0rd' } },
  });
  await createCustom(custom, kinds.rg, 'ResourceGroup', 'entra-rg', { location: 'westus' });
  await createCustom(custom, kinds.server, 'FlexibleServer', 'entramy', {
    location: 'westus',
    owner: { name: 'entra-rg' },
    version: '8.0.21',
    administratorLogin: 'azoadmin',
    administratorLoginPassword: { name: 'my-admin', key: 'password' },
    sku: { name: 'Standard_B1ms', tier: 'Burstable' },
  });
  const createUser = (name: string, spec: Record<string, unknown>) =>
    createCustom(custom, kinds.user, 'User', name, spec);
  const patchUser = (name: string, body: Record<string, unknown>) =>
    custom.patchNamespacedCustomObject({ ...kinds.user, name, body }, merge);
  const userRef = (name: string) => ({ ...kinds.user, name });
  const identity = 'app@contoso.onmicrosoft.com';

  await t.test('create → CREATE AADUSER for the identity under its alias, with its privileges', async () => {
    await createUser('app-user', {
      owner: { name: 'entramy' },
      azureName: identity,
      privileges: ['PROCESS'],
      databasePrivileges: { appdb: ['SELECT'] },
      aadUser: { alias: 'app', serverAdminUsername: 'aad-admins' },
    });
    const ready = (await waitForReady(environment, userRef('app-user'))) as Obj;
    assert.deepEqual(ready.metadata.finalizers, ['serviceoperator.azure.com/finalizer']);
    assert.deepEqual(
      ready.metadata.ownerReferences?.map((owner) => `${owner.kind}/${owner.name}`),
      ['FlexibleServer/entramy'],
    );
    assert.equal(front.identities.get('app'), identity);
    assert.ok(
      front.statements.some((sql) => sql === `CREATE AADUSER IF NOT EXISTS '${identity}' AS 'app'`),
      front.statements.join('\n'),
    );
    assert.ok(front.logins.length > 0 && front.logins.every((login) => login.refused === undefined));
    assert.deepEqual(await grantsOf(mariadb, 'app'), [
      'GRANT PROCESS ON *.* TO `app`@`%`',
      'GRANT SELECT ON `appdb`.* TO `app`@`%`',
    ]);
  });

  await t.test('a change of privileges is applied (GRANT, REVOKE)', async () => {
    await patchUser('app-user', { spec: { privileges: [], databasePrivileges: { appdb: ['INSERT', 'SELECT'] } } });
    await eventually(async () => {
      const grants = await grantsOf(mariadb, 'app');
      return grants.includes('GRANT SELECT, INSERT ON `appdb`.* TO `app`@`%`') &&
        !grants.some((grant) => grant.includes('PROCESS'))
        ? true
        : undefined;
    }, 'privileges: SELECT, INSERT on appdb and nothing on *.*');
    await waitForReady(environment, userRef('app-user'));
  });

  await t.test('another identity for the same MySQL user is refused: Azure cannot change it', async () => {
    await patchUser('app-user', { spec: { azureName: 'other@contoso.onmicrosoft.com' } });
    const refused = readyOf(await waitForReady(environment, userRef('app-user'), 'False', 'ImmutableFieldChanged'));
    assert.equal(refused?.severity, 'Error');
    assert.match(String(refused?.message), /delete this User and create it again/);
    assert.equal(front.identities.get('app'), identity);
    await patchUser('app-user', { spec: { azureName: identity } });
    await waitForReady(environment, userRef('app-user'));
  });

  await t.test('an Entra user cannot become a local one (ASO refuses it too); back to Entra, it is Ready', async () => {
    const aadUser = { serverAdminUsername: 'aad-admins' };
    await createUser('svc-user', { owner: { name: 'entramy' }, azureName: 'svc', aadUser });
    await waitForReady(environment, userRef('svc-user'));
    assert.equal(front.identities.get('svc'), 'svc');
    const password = { name: 'my-admin', key: 'password' };
    await patchUser('svc-user', {
      spec: { aadUser: null, localUser: { serverAdminUsername: 'azoadmin', serverAdminPassword: password, password } },
    });
    const refused = readyOf(await waitForReady(environment, userRef('svc-user'), 'False', 'ImmutableFieldChanged'));
    assert.match(String(refused?.message), /is an Entra user \(spec\.aadUser\), which cannot become a spec\.localUser/);
    await patchUser('svc-user', { spec: { localUser: null, aadUser } });
    await waitForReady(environment, userRef('svc-user'));
    await custom.deleteNamespacedCustomObject(userRef('svc-user'));
    await waitForGone(environment, userRef('svc-user'));
    assert.deepEqual(await grantsOf(mariadb, 'svc'), []);
  });

  await t.test('a login the server refuses is reported on Ready, without the token', async () => {
    await createUser('not-admin', {
      owner: { name: 'entramy' },
      azureName: 'reader@contoso.onmicrosoft.com',
      aadUser: { alias: 'reader', serverAdminUsername: 'someone-else' },
    });
    const failed = await eventually(async () => {
      const ready = readyOf(await custom.getNamespacedCustomObject(userRef('not-admin')));
      return ready?.status === 'False' && /Access denied/.test(String(ready.message)) ? ready : undefined;
    }, 'Ready: access denied');
    assert.doesNotMatch(String(failed.message), /eyJ/);
    assert.equal(front.identities.has('reader'), false);
    await custom.deleteNamespacedCustomObject(userRef('not-admin'));
    await waitForGone(environment, userRef('not-admin'));
  });

  await t.test('delete → the user is dropped', async () => {
    await custom.deleteNamespacedCustomObject(userRef('app-user'));
    await waitForGone(environment, userRef('app-user'));
    assert.deepEqual(await grantsOf(mariadb, 'app'), []);
    assert.equal(front.identities.has('app'), false);
  });
});
