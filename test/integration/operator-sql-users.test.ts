// Azure SQL database users end to end: the embedded API server, the emulator's SQL Server and database, and the
// operator, against a SQL Server stand-in speaking TDS (tds-server.ts; Debian packages no SQL Server). The server's
// FQDN from the emulator reaches it through AZO_DATABASE_HOSTS. Checks read the stand-in's catalog and log in as the
// user with the `tedious` driver: create with roles, a change of roles, a rotated password Secret (the new one logs
// in, the old one no longer does), skip (nothing written), delete (dropped) and detach-on-delete (kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Connection } from 'tedious';
import { type TdsServer, startTdsServer } from './tds-server.js';
import {
  createCustom,
  eventually,
  readCrds,
  readyOf,
  startEnvironment,
  waitForGone,
  waitForReady,
  waitForReconciles,
} from './operator-helpers.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const kinds = {
  rg: { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' },
  server: { group: 'sql.azure.com', version: 'v20211101', plural: 'servers', namespace: 'default' },
  database: { group: 'sql.azure.com', version: 'v20211101', plural: 'serversdatabases', namespace: 'default' },
  user: { group: 'sql.azure.com', version: 'v1', plural: 'users', namespace: 'default' },
};
type Obj = { metadata: { finalizers?: string[]; ownerReferences?: Array<{ kind: string; name: string }> } };

/** true when `user` logs into `database` with `password`. */
function logsIn(server: TdsServer, database: string, user: string, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = new Connection({
      server: server.host,
      authentication: { type: 'default', options: { userName: user, password } },
      options: { port: server.port, database, encrypt: false, connectTimeout: 5_000 },
    });
    connection.on('error', () => undefined);
    connection.connect((error) => {
      connection.close();
      resolve(error === undefined || error === null);
    });
  });
}

test('operator manages Azure SQL contained users in their databases', async (t) => {
  const admin = { user: 'azoadmin', password: 'admin-Passw0rd' };
  const sql = await startTdsServer({ adminUser: admin.user, adminPassword: admin.password, databases: ['appdb'] });
  t.after(() => sql.close());
  const environment = await startEnvironment(
    { AZO_DATABASE_HOSTS: `*.database.windows.net=${sql.host}:${sql.port}` },
    {
      installCrds: readCrds([
        'resourcegroups.resources.azure.com',
        'servers.sql.azure.com',
        'serversdatabases.sql.azure.com',
        'users.sql.azure.com',
      ]),
    },
  );
  t.after(() => environment.close());
  const { custom, operator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  const secret = (name: string, password: string) => ({ metadata: { name }, stringData: { password } });
  await core.createNamespacedSecret({ namespace: 'default', body: secret('sql-admin', admin.password) });
  await createCustom(custom, kinds.rg, 'ResourceGroup', 'sql-rg', { location: 'westus' });
  await createCustom(custom, kinds.server, 'Server', 'users-sql', {
    location: 'westus',
    owner: { name: 'sql-rg' },
    version: '12.0',
    administratorLogin: admin.user,
    administratorLoginPassword: { name: 'sql-admin', key: 'password' },
  });
  await createCustom(custom, kinds.database, 'ServersDatabase', 'app-db', {
    location: 'westus',
    owner: { name: 'users-sql' },
    azureName: 'appdb',
  });
  const localUser = (password: string) => ({
    serverAdminUsername: admin.user,
    serverAdminPassword: { name: 'sql-admin', key: 'password' },
    password: { name: password, key: 'password' },
  });
  const createUser = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
    createCustom(custom, kinds.user, 'User', name, spec, annotations);
  const patchUser = (name: string, body: Record<string, unknown>) =>
    custom.patchNamespacedCustomObject({ ...kinds.user, name, body }, merge);
  const rolesOf = (user: string) => sql.users('appdb').get(user)?.join(' ');
  const writes = () => sql.statements.filter((statement) => !/^\s*(SELECT|SET)\b/i.test(statement.sql)).length;

  await t.test('create → the user exists in the database with its roles, and logs in with the Secret', async () => {
    await core.createNamespacedSecret({ namespace: 'default', body: secret('app-user-pw', 'first-Passw0rd') });
    await createUser('app-user', {
      owner: { name: 'app-db' },
      roles: ['db_datareader'],
      localUser: localUser('app-user-pw'),
    });
    const ready = (await waitForReady(environment, { ...kinds.user, name: 'app-user' })) as Obj;
    assert.deepEqual(ready.metadata.finalizers, ['serviceoperator.azure.com/finalizer']);
    assert.deepEqual(
      ready.metadata.ownerReferences?.map((owner) => `${owner.kind}/${owner.name}`),
      ['ServersDatabase/app-db'],
    );
    assert.equal(rolesOf('app-user'), 'db_datareader');
    assert.ok(sql.statements.every((statement) => statement.database === 'appdb' && statement.user === admin.user));
    assert.ok(await logsIn(sql, 'appdb', 'app-user', 'first-Passw0rd'));
  });

  await t.test('a change of roles is applied (ALTER ROLE … ADD MEMBER / DROP MEMBER)', async () => {
    await patchUser('app-user', { spec: { roles: ['db_datawriter', 'DB_DDLADMIN'] } });
    await eventually(
      async () => (rolesOf('app-user') === 'db_datawriter db_ddladmin' ? true : undefined),
      'roles = db_datawriter db_ddladmin',
    );
    await waitForReady(environment, { ...kinds.user, name: 'app-user' });
  });

  await t.test('a rotated password Secret reaches the database', async () => {
    await core.replaceNamespacedSecret({
      namespace: 'default',
      name: 'app-user-pw',
      body: secret('app-user-pw', 'second-Passw0rd'),
    });
    await eventually(
      async () => ((await logsIn(sql, 'appdb', 'app-user', 'second-Passw0rd')) ? true : undefined),
      'the new password to log in',
    );
    assert.equal(await logsIn(sql, 'appdb', 'app-user', 'first-Passw0rd'), false);
  });

  await t.test('an unknown role is reported on Ready, naming the role', async () => {
    await patchUser('app-user', { spec: { roles: ['db_datawriter', 'db_ddladmin', 'no_such_role'] } });
    const failed = await waitForReady(environment, { ...kinds.user, name: 'app-user' }, 'False', 'Failed');
    assert.match(readyOf(failed as never)?.message ?? '', /no_such_role/);
    await patchUser('app-user', { spec: { roles: ['db_datawriter', 'db_ddladmin'] } });
    await waitForReady(environment, { ...kinds.user, name: 'app-user' });
  });

  await t.test('skip writes nothing, and reports a user that does not exist', async () => {
    await patchUser('app-user', {
      metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'skip' } },
      spec: { roles: ['db_owner'] },
    });
    await waitForReady(environment, { ...kinds.user, name: 'app-user' });
    const before = writes();
    const since = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, since, 1);
    assert.equal(writes(), before, 'skip sends no CREATE, ALTER or DROP');
    assert.equal(rolesOf('app-user'), 'db_datawriter db_ddladmin');
    await createUser(
      'ghost',
      { owner: { name: 'app-db' }, localUser: localUser('app-user-pw') },
      { 'serviceoperator.azure.com/reconcile-policy': 'skip' },
    );
    const ghost = (await waitForReady(
      environment,
      { ...kinds.user, name: 'ghost' },
      'False',
      'AzureResourceNotFound',
    )) as Obj;
    assert.equal(ghost.metadata.finalizers, undefined);
    assert.equal(sql.users('appdb').has('ghost'), false);
    await patchUser('app-user', {
      metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'manage' } },
    });
    await eventually(async () => (rolesOf('app-user') === 'db_owner' ? true : undefined), 'manage applies the roles');
  });

  await t.test('delete drops the user; detach-on-delete keeps it', async () => {
    await core.createNamespacedSecret({ namespace: 'default', body: secret('kept-pw', 'kept-Passw0rd') });
    await createUser(
      'kept-user',
      { owner: { name: 'app-db' }, localUser: localUser('kept-pw') },
      { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' },
    );
    await waitForReady(environment, { ...kinds.user, name: 'kept-user' });
    await custom.deleteNamespacedCustomObject({ ...kinds.user, name: 'kept-user' });
    await custom.deleteNamespacedCustomObject({ ...kinds.user, name: 'app-user' });
    await waitForGone(environment, { ...kinds.user, name: 'kept-user' });
    await waitForGone(environment, { ...kinds.user, name: 'app-user' });
    assert.equal(sql.users('appdb').has('app-user'), false);
    assert.ok(await logsIn(sql, 'appdb', 'kept-user', 'kept-Passw0rd'));
  });
});

test('with TLS on, a server that cannot encrypt is refused: the password never goes out in clear text', async (t) => {
  const admin = { user: 'azoadmin', password: 'admin-Passw0rd' };
  const sql = await startTdsServer({ adminUser: admin.user, adminPassword: admin.password, databases: ['appdb'] });
  t.after(() => sql.close());
  const { openSqlServer } = await import('../../src/operator/internal/db-sqlserver.js');
  const connection = { host: sql.host, port: sql.port, adminUser: admin.user, adminPassword: admin.password };
  await assert.rejects(openSqlServer({ ...connection, tls: true, timeoutMs: 5_000 }, 'appdb'));
  assert.equal(sql.statements.length, 0, 'nothing was run: no login happened');
  // The same server in plain TCP (an AZO_DATABASE_HOSTS stand-in) is fine.
  const session = await openSqlServer({ ...connection, tls: false, timeoutMs: 5_000 }, 'appdb');
  assert.equal(await session.readUser('nobody'), null);
  await session.close();
});
