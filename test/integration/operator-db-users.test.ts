// Database users end to end: the embedded API server, the emulator's flexible servers and the operator, against a
// real PostgreSQL and a real MariaDB started for this run (db-servers.ts). The servers' FQDNs from the emulator reach
// them through AZO_DATABASE_HOSTS. Every check reads the database itself: create with roles/privileges, a change of
// them, a rotated password Secret (the new one logs in, the old one no longer does), skip (nothing written), delete
// (the user is dropped) and detach-on-delete (the user stays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { type DbServer, startMariaDb, startPostgres } from './db-servers.js';
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
const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace: 'default' };
const engines = {
  postgresql: {
    server: {
      group: 'dbforpostgresql.azure.com',
      version: 'v20250801',
      plural: 'flexibleservers',
      namespace: 'default',
    },
    user: { group: 'dbforpostgresql.azure.com', version: 'v1', plural: 'users', namespace: 'default' },
  },
  mysql: {
    server: { group: 'dbformysql.azure.com', version: 'v20231230', plural: 'flexibleservers', namespace: 'default' },
    user: { group: 'dbformysql.azure.com', version: 'v1', plural: 'users', namespace: 'default' },
  },
};
type Obj = {
  metadata: {
    finalizers?: string[];
    ownerReferences?: Array<{ kind: string; name: string }>;
    annotations?: Record<string, string>;
  };
};

async function pgQuery<T>(
  server: DbServer,
  sql: string,
  params: unknown[] = [],
  login?: { user: string; password: string },
): Promise<T[]> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    database: 'postgres',
    user: login?.user ?? server.adminUser,
    password: login?.password ?? server.adminPassword,
  });
  await client.connect();
  try {
    return (await (params.length === 0 ? client.query(sql) : client.query(sql, params))).rows as T[];
  } finally {
    await client.end();
  }
}

async function myQuery<T>(
  server: DbServer,
  sql: string,
  params: unknown[] = [],
  login?: { user: string; password: string },
): Promise<T[]> {
  const client = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: login?.user ?? server.adminUser,
    password: login?.password ?? server.adminPassword,
  });
  try {
    return (await client.query(sql, params))[0] as T[];
  } finally {
    await client.end();
  }
}

/** true when `user`/`password` can log in. */
async function logsIn(query: () => Promise<unknown>): Promise<boolean> {
  return query().then(
    () => true,
    () => false,
  );
}

test('operator manages PostgreSQL and MySQL users on their flexible servers', async (t) => {
  const [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
  t.after(() => Promise.all([postgres.stop(), mariadb.stop()]));
  const environment = await startEnvironment(
    // A wildcard for PostgreSQL, one server's name for MySQL.
    {
      AZO_DATABASE_HOSTS:
        `*.postgres.database.azure.com=${postgres.host}:${postgres.port},` +
        `usersmy.mysql.database.azure.com=${mariadb.host}:${mariadb.port}`,
    },
    {
      installCrds: readCrds([
        'resourcegroups.resources.azure.com',
        'flexibleservers.dbforpostgresql.azure.com',
        'flexibleservers.dbformysql.azure.com',
        'users.dbforpostgresql.azure.com',
        'users.dbformysql.azure.com',
      ]),
    },
  );
  t.after(() => environment.close());
  const { custom, operator } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);
  const secret = (name: string, password: string) => ({ metadata: { name }, stringData: { password } });
  await core.createNamespacedSecret({ namespace: 'default', body: secret('pg-admin', postgres.adminPassword) });
  await core.createNamespacedSecret({ namespace: 'default', body: secret('my-admin', mariadb.adminPassword) });
  await createCustom(custom, rg, 'ResourceGroup', 'users-rg', { location: 'westus' });
  for (const [engine, name, admin] of [
    ['postgresql', 'userspg', 'pg-admin'],
    ['mysql', 'usersmy', 'my-admin'],
  ] as const) {
    await createCustom(custom, engines[engine].server, 'FlexibleServer', name, {
      location: 'westus',
      owner: { name: 'users-rg' },
      version: engine === 'mysql' ? '8.0.21' : '16',
      administratorLogin: 'azoadmin',
      administratorLoginPassword: { name: admin, key: 'password' },
      sku: { name: 'Standard_B1ms', tier: 'Burstable' },
    });
  }
  const createUser = (
    engine: keyof typeof engines,
    name: string,
    spec: Record<string, unknown>,
    annotations?: Record<string, string>,
  ) => createCustom(custom, engines[engine].user, 'User', name, spec, annotations);
  const patchUser = (engine: keyof typeof engines, name: string, body: Record<string, unknown>) =>
    custom.patchNamespacedCustomObject({ ...engines[engine].user, name, body }, merge);
  const pgUser = { user: { name: 'app-user' }, pw: 'first-Passw0rd' };
  const memberships = async () =>
    (
      await pgQuery<{ rolname: string }>(
        postgres,
        'SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid ' +
          "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'app-user' ORDER BY 1",
      )
    ).map((row) => row.rolname);

  await t.test(
    'PostgreSQL: create → the role exists with its options and roles, and logs in with the Secret',
    async () => {
      await pgQuery(postgres, 'CREATE ROLE readers; CREATE ROLE writers');
      await core.createNamespacedSecret({ namespace: 'default', body: secret('app-user-pw', pgUser.pw) });
      await createUser('postgresql', 'app-user', {
        owner: { name: 'userspg' },
        roles: ['readers'],
        roleOptions: { login: true, createDb: true },
        localUser: {
          serverAdminUsername: postgres.adminUser,
          serverAdminPassword: { name: 'pg-admin', key: 'password' },
          password: { name: 'app-user-pw', key: 'password' },
        },
      });
      const ready = (await waitForReady(environment, { ...engines.postgresql.user, name: 'app-user' })) as Obj;
      assert.deepEqual(ready.metadata.finalizers, ['serviceoperator.azure.com/finalizer']);
      assert.deepEqual(
        ready.metadata.ownerReferences?.map((owner) => `${owner.kind}/${owner.name}`),
        ['FlexibleServer/userspg'],
      );
      const [role] = await pgQuery<Record<string, unknown>>(
        postgres,
        'SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolreplication FROM pg_roles WHERE rolname = $1',
        ['app-user'],
      );
      assert.deepEqual(role, { rolcanlogin: true, rolcreatedb: true, rolcreaterole: false, rolreplication: false });
      assert.deepEqual(await memberships(), ['readers']);
      assert.ok(await logsIn(() => pgQuery(postgres, 'SELECT 1', [], { user: 'app-user', password: pgUser.pw })));
    },
  );

  await t.test('PostgreSQL: a change of roles and options is applied (GRANT, REVOKE, ALTER ROLE)', async () => {
    await patchUser('postgresql', 'app-user', {
      spec: { roles: ['writers'], roleOptions: { login: true, createDb: false, createRole: true } },
    });
    await eventually(async () => ((await memberships()).join() === 'writers' ? true : undefined), 'roles = writers');
    const [role] = await pgQuery<Record<string, unknown>>(
      postgres,
      'SELECT rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1',
      ['app-user'],
    );
    assert.deepEqual(role, { rolcreatedb: false, rolcreaterole: true });
    await waitForReady(environment, { ...engines.postgresql.user, name: 'app-user' });
  });

  await t.test('PostgreSQL: a rotated password Secret reaches the server', async () => {
    await core.replaceNamespacedSecret({
      namespace: 'default',
      name: 'app-user-pw',
      body: secret('app-user-pw', 'second-Passw0rd'),
    });
    await eventually(
      async () =>
        (await logsIn(() => pgQuery(postgres, 'SELECT 1', [], { user: 'app-user', password: 'second-Passw0rd' })))
          ? true
          : undefined,
      'the new password to log in',
    );
    assert.equal(
      await logsIn(() => pgQuery(postgres, 'SELECT 1', [], { user: 'app-user', password: pgUser.pw })),
      false,
    );
  });

  await t.test(
    'PostgreSQL: azureName cannot change once the user exists (ImmutableFieldChanged), nothing renamed',
    async () => {
      const object = (await custom.getNamespacedCustomObject({ ...engines.postgresql.user, name: 'app-user' })) as Obj;
      assert.equal(object.metadata.annotations?.['serviceoperator.azure.com/resource-id'], 'userspg/app-user');
      await patchUser('postgresql', 'app-user', { spec: { azureName: 'renamed' } });
      const refused = await waitForReady(
        environment,
        { ...engines.postgresql.user, name: 'app-user' },
        'False',
        'ImmutableFieldChanged',
      );
      assert.equal(readyOf(refused as never)?.severity, 'Error');
      assert.equal((await pgQuery(postgres, "SELECT 1 FROM pg_roles WHERE rolname = 'renamed'")).length, 0);
      await patchUser('postgresql', 'app-user', { spec: { azureName: null } });
      await waitForReady(environment, { ...engines.postgresql.user, name: 'app-user' });
    },
  );

  await t.test('PostgreSQL: skip writes nothing, and reports a user that does not exist', async () => {
    await patchUser('postgresql', 'app-user', {
      metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'skip' } },
      spec: { roles: ['readers'] },
    });
    await waitForReady(environment, { ...engines.postgresql.user, name: 'app-user' });
    const since = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, since, 1);
    assert.deepEqual(await memberships(), ['writers'], 'skip leaves the roles as they were');
    await createUser(
      'postgresql',
      'ghost',
      {
        owner: { name: 'userspg' },
        localUser: {
          serverAdminUsername: postgres.adminUser,
          serverAdminPassword: { name: 'pg-admin', key: 'password' },
          password: { name: 'app-user-pw', key: 'password' },
        },
      },
      { 'serviceoperator.azure.com/reconcile-policy': 'skip' },
    );
    const ghost = (await waitForReady(
      environment,
      { ...engines.postgresql.user, name: 'ghost' },
      'False',
      'AzureResourceNotFound',
    )) as Obj;
    assert.equal(ghost.metadata.finalizers, undefined);
    assert.equal((await pgQuery(postgres, "SELECT 1 FROM pg_roles WHERE rolname = 'ghost'")).length, 0);
    await patchUser('postgresql', 'app-user', {
      metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'manage' } },
    });
    await eventually(
      async () => ((await memberships()).join() === 'readers' ? true : undefined),
      'manage again applies the roles',
    );
  });

  await t.test('PostgreSQL: delete drops the role; detach-on-delete keeps it', async () => {
    await core.createNamespacedSecret({ namespace: 'default', body: secret('kept-pw', 'kept-Passw0rd') });
    await createUser(
      'postgresql',
      'kept-user',
      {
        owner: { name: 'userspg' },
        localUser: {
          serverAdminUsername: postgres.adminUser,
          serverAdminPassword: { name: 'pg-admin', key: 'password' },
          password: { name: 'kept-pw', key: 'password' },
        },
      },
      { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' },
    );
    await waitForReady(environment, { ...engines.postgresql.user, name: 'kept-user' });
    await custom.deleteNamespacedCustomObject({ ...engines.postgresql.user, name: 'kept-user' });
    await custom.deleteNamespacedCustomObject({ ...engines.postgresql.user, name: 'app-user' });
    await waitForGone(environment, { ...engines.postgresql.user, name: 'kept-user' });
    await waitForGone(environment, { ...engines.postgresql.user, name: 'app-user' });
    assert.equal((await pgQuery(postgres, "SELECT 1 FROM pg_roles WHERE rolname = 'app-user'")).length, 0);
    assert.ok(await logsIn(() => pgQuery(postgres, 'SELECT 1', [], { user: 'kept-user', password: 'kept-Passw0rd' })));
  });

  const myGrants = async (user: string) => {
    const server = await myQuery<{ p: string }>(
      mariadb,
      'SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ? ORDER BY 1',
      [`'${user}'@'%'`],
    );
    const schema = await myQuery<{ d: string; p: string }>(
      mariadb,
      'SELECT TABLE_SCHEMA AS d, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES ' +
        'WHERE GRANTEE = ? ORDER BY 1, 2',
      [`'${user}'@'%'`],
    );
    return [...server.map((row) => `*.${row.p}`), ...schema.map((row) => `${row.d}.${row.p}`)]
      .filter((grant) => grant !== '*.USAGE')
      .join(' ');
  };
  const myLogin = (user: string, password: string) =>
    logsIn(() => myQuery(mariadb, 'SELECT 1', [], { user, password }));

  await t.test('MySQL: create with server and database privileges; change them; rotate the password', async () => {
    await myQuery(mariadb, 'CREATE DATABASE appdb');
    await myQuery(mariadb, 'CREATE DATABASE otherdb');
    await core.createNamespacedSecret({ namespace: 'default', body: secret('my-user-pw', 'first-Passw0rd') });
    await createUser('mysql', 'my-user', {
      owner: { name: 'usersmy' },
      privileges: ['PROCESS'],
      databasePrivileges: { appdb: ['select', 'INSERT'] },
      localUser: {
        serverAdminUsername: mariadb.adminUser,
        serverAdminPassword: { name: 'my-admin', key: 'password' },
        password: { name: 'my-user-pw', key: 'password' },
      },
    });
    await waitForReady(environment, { ...engines.mysql.user, name: 'my-user' });
    assert.equal(await myGrants('my-user'), '*.PROCESS appdb.INSERT appdb.SELECT');
    assert.ok(await myLogin('my-user', 'first-Passw0rd'));

    await patchUser('mysql', 'my-user', {
      spec: { privileges: ['SHOW DATABASES'], databasePrivileges: { appdb: null, otherdb: ['SELECT'] } },
    });
    await eventually(
      async () => ((await myGrants('my-user')) === '*.SHOW DATABASES otherdb.SELECT' ? true : undefined),
      'the changed privileges',
    );

    await core.replaceNamespacedSecret({
      namespace: 'default',
      name: 'my-user-pw',
      body: secret('my-user-pw', 'second-Passw0rd'),
    });
    await eventually(
      async () => ((await myLogin('my-user', 'second-Passw0rd')) ? true : undefined),
      'the new password to log in',
    );
    assert.equal(await myLogin('my-user', 'first-Passw0rd'), false);
  });

  await t.test('MySQL: skip writes nothing; delete drops the user; detach-on-delete keeps it', async () => {
    await patchUser('mysql', 'my-user', {
      metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'skip' } },
      spec: { privileges: ['PROCESS'] },
    });
    await waitForReady(environment, { ...engines.mysql.user, name: 'my-user' });
    const since = operator.stats().reconciles;
    operator.resyncAll();
    await waitForReconciles(operator, since, 1);
    assert.equal(
      await myGrants('my-user'),
      '*.SHOW DATABASES otherdb.SELECT',
      'skip leaves the privileges as they were',
    );
    await patchUser('mysql', 'my-user', {
      metadata: { annotations: { 'serviceoperator.azure.com/reconcile-policy': 'manage' } },
    });
    await waitForReady(environment, { ...engines.mysql.user, name: 'my-user' });
    await custom.deleteNamespacedCustomObject({ ...engines.mysql.user, name: 'my-user' });
    await waitForGone(environment, { ...engines.mysql.user, name: 'my-user' });
    assert.equal((await myQuery(mariadb, "SELECT 1 FROM mysql.user WHERE User = 'my-user'")).length, 0);

    await createUser(
      'mysql',
      'my-kept',
      {
        owner: { name: 'usersmy' },
        localUser: {
          serverAdminUsername: mariadb.adminUser,
          serverAdminPassword: { name: 'my-admin', key: 'password' },
          password: { name: 'my-user-pw', key: 'password' },
        },
      },
      { 'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete' },
    );
    await waitForReady(environment, { ...engines.mysql.user, name: 'my-kept' });
    await custom.deleteNamespacedCustomObject({ ...engines.mysql.user, name: 'my-kept' });
    await waitForGone(environment, { ...engines.mysql.user, name: 'my-kept' });
    assert.ok(await myLogin('my-kept', 'second-Passw0rd'));
  });

  await t.test('a missing password Secret → SecretNotFound, then Ready as soon as the Secret exists', async () => {
    await createUser('postgresql', 'late-secret', {
      owner: { name: 'userspg' },
      localUser: {
        serverAdminUsername: postgres.adminUser,
        serverAdminPassword: { name: 'pg-admin', key: 'password' },
        password: { name: 'late-pw', key: 'password' },
      },
    });
    await waitForReady(environment, { ...engines.postgresql.user, name: 'late-secret' }, 'False', 'SecretNotFound');
    assert.equal((await pgQuery(postgres, "SELECT 1 FROM pg_roles WHERE rolname = 'late-secret'")).length, 0);
    await core.createNamespacedSecret({ namespace: 'default', body: secret('late-pw', 'late-Passw0rd') });
    await waitForReady(environment, { ...engines.postgresql.user, name: 'late-secret' });
    assert.ok(
      await logsIn(() => pgQuery(postgres, 'SELECT 1', [], { user: 'late-secret', password: 'late-Passw0rd' })),
    );
  });

  await t.test('a wrong administrator password → Ready False with the server error, and no user', async () => {
    await core.createNamespacedSecret({ namespace: 'default', body: secret('wrong-admin', 'not-the-password') });
    await createUser('postgresql', 'locked-out', {
      owner: { name: 'userspg' },
      localUser: {
        serverAdminUsername: postgres.adminUser,
        serverAdminPassword: { name: 'wrong-admin', key: 'password' },
        password: { name: 'kept-pw', key: 'password' },
      },
    });
    const failed = await waitForReady(
      environment,
      { ...engines.postgresql.user, name: 'locked-out' },
      'False',
      'Failed',
    );
    assert.match(readyOf(failed as never)?.message ?? '', /password authentication failed/);
    assert.ok(!JSON.stringify(failed).includes('not-the-password'));
  });
});
