import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDatabaseHosts } from './config.js';
import { mySqlStatement } from './db-mysql.js';
import { pgStatement, quoteIdentifier, quoteLiteral } from './db-postgresql.js';
import {
  type MySqlChange,
  type MySqlUser,
  type PgChange,
  type PgUser,
  databaseAddress,
  desiredMySqlUser,
  desiredPgUser,
  mySqlEntraUserOf,
  mySqlEntraUserProblem,
  mySqlHostOf,
  normalizePrivileges,
  parseUserRecord,
  planMySqlUser,
  planPgUser,
  userRecord,
} from './db-user-plan.js';

/** What the server holds after `changes` (a model of the SQL's effect, to check plans against). */
function applyPg(observed: PgUser | null, changes: PgChange[]): PgUser {
  let user = observed ?? {
    options: { login: false, createRole: false, createDb: false, replication: false },
    roles: [],
  };
  for (const change of changes) {
    if (change.kind === 'create') {
      assert.equal(observed, null, 'create only when the role does not exist');
      user = { options: change.options, roles: [] };
    } else if (change.kind === 'setOptions') user = { ...user, options: { ...user.options, ...change.options } };
    else if (change.kind === 'grant') user = { ...user, roles: [...user.roles, change.role] };
    else if (change.kind === 'revoke') user = { ...user, roles: user.roles.filter((role) => role !== change.role) };
  }
  return user;
}

function applyMySql(observed: MySqlUser | null, changes: MySqlChange[]): MySqlUser {
  let user = observed ?? { privileges: [], databasePrivileges: {} };
  for (const change of changes) {
    if (change.kind !== 'grant' && change.kind !== 'revoke') continue;
    const have = change.database === undefined ? user.privileges : (user.databasePrivileges[change.database] ?? []);
    const next = (
      change.kind === 'grant'
        ? [...have, ...change.privileges]
        : have.filter((privilege) => !change.privileges.includes(privilege))
    ).sort();
    if (change.database === undefined) user = { ...user, privileges: next };
    else {
      const databasePrivileges = { ...user.databasePrivileges, [change.database]: next };
      if (next.length === 0) delete databasePrivileges[change.database];
      user = { ...user, databasePrivileges };
    }
  }
  return user;
}

const roleName = fc.constantFrom('readers', 'writers', 'azure_pg_admin', 'Mixed Case', 'quote"d');
const pgSpec = fc.record(
  {
    roles: fc.array(roleName, { maxLength: 4 }),
    roleOptions: fc.record(
      { login: fc.boolean(), createRole: fc.boolean(), createDb: fc.boolean(), replication: fc.boolean() },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const pgObserved = fc.option(
  fc.record({
    options: fc.record({
      login: fc.boolean(),
      createRole: fc.boolean(),
      createDb: fc.boolean(),
      replication: fc.boolean(),
    }),
    roles: fc.uniqueArray(roleName, { maxLength: 4 }),
  }),
);

test('PostgreSQL: applying the plan gives the desired role, and a second plan is empty', () => {
  fc.assert(
    fc.property(pgSpec, pgObserved, fc.boolean(), (spec, observed, passwordChanged) => {
      const desired = desiredPgUser(spec);
      const changes = planPgUser(desired, observed, passwordChanged);
      const after = applyPg(observed, changes);
      assert.deepEqual({ ...after.options }, desired.options);
      assert.deepEqual([...after.roles].sort(), [...desired.roles].sort());
      assert.deepEqual(planPgUser(desired, after, false), []);
      const passwordSet = changes.some((change) => change.kind === 'create' || change.kind === 'setPassword');
      assert.equal(passwordSet, observed === null || passwordChanged);
    }),
  );
});

test('PostgreSQL: ASO defaults (login only) and the SQL of each change', () => {
  assert.deepEqual(desiredPgUser({}), {
    options: { login: true, createRole: false, createDb: false, replication: false },
    roles: [],
  });
  assert.equal(desiredPgUser({ roleOptions: { createDb: true } }).options.login, true);
  const create = pgStatement('app', "it's", { kind: 'create', options: desiredPgUser({}).options });
  assert.equal(create, `CREATE ROLE "app" WITH LOGIN NOCREATEROLE NOCREATEDB NOREPLICATION PASSWORD 'it''s'`);
  assert.equal(pgStatement('a"b', '', { kind: 'grant', role: 'r' }), 'GRANT "r" TO "a""b"');
  assert.equal(
    pgStatement('a', '', { kind: 'setOptions', options: { createDb: true } }),
    'ALTER ROLE "a" WITH CREATEDB',
  );
  assert.equal(quoteIdentifier('x"y'), '"x""y"');
  assert.equal(quoteLiteral('a\\b'), " E'a\\\\b'");
});

const privilege = fc.constantFrom('SELECT', 'insert', 'Update', 'PROCESS', 'SHOW DATABASES', 'show  view', 'USAGE');
const database = fc.constantFrom('appdb', 'other', 'we`ird');
const mySpec = fc.record(
  {
    privileges: fc.array(privilege, { maxLength: 4 }),
    databasePrivileges: fc.dictionary(database, fc.array(privilege, { maxLength: 4 })),
  },
  { requiredKeys: [] },
);
const myObserved = fc.option(
  fc.record({
    privileges: fc.array(privilege, { maxLength: 4 }).map(normalizePrivileges),
    databasePrivileges: fc
      .dictionary(database, fc.array(privilege, { minLength: 1, maxLength: 4 }).map(normalizePrivileges))
      .map((entries) => Object.fromEntries(Object.entries(entries).filter(([, list]) => list.length > 0))),
  }),
);

test('MySQL: applying the plan gives the desired privileges, and a second plan is empty', () => {
  fc.assert(
    fc.property(mySpec, myObserved, fc.boolean(), (spec, observed, passwordChanged) => {
      const desired = desiredMySqlUser(spec);
      const changes = planMySqlUser(desired, observed, passwordChanged);
      const after = applyMySql(observed, changes);
      assert.deepEqual(JSON.parse(JSON.stringify(after)), desired);
      assert.deepEqual(planMySqlUser(desired, after, false), []);
      const passwordSet = changes.some((change) => change.kind === 'create' || change.kind === 'setPassword');
      assert.equal(passwordSet, observed === null || passwordChanged);
      for (const change of changes) assert.doesNotThrow(() => mySqlStatement(change, 'u', '%', 'p'));
    }),
  );
});

test('MySQL: ALL (or ALL PRIVILEGES) is granted, as ASO does, and nothing is revoked', () => {
  const desired = desiredMySqlUser({
    privileges: ['all privileges'],
    databasePrivileges: { appdb: ['SELECT', 'All'] },
  });
  assert.deepEqual(desired, { privileges: ['ALL'], databasePrivileges: { appdb: ['ALL'] } });
  const observed = { privileges: ['PROCESS', 'RELOAD'], databasePrivileges: { appdb: ['SELECT'], other: ['INSERT'] } };
  assert.deepEqual(planMySqlUser(desired, observed, false), [
    { kind: 'grant', database: undefined, privileges: ['ALL'] },
    { kind: 'grant', database: 'appdb', privileges: ['ALL'] },
    { kind: 'revoke', database: 'other', privileges: ['INSERT'] },
  ]);
  assert.deepEqual(mySqlStatement({ kind: 'grant', database: undefined, privileges: ['ALL'] }, 'u', '%', ''), [
    'GRANT ALL ON *.* TO ?@?',
    ['u', '%'],
  ]);
});

test('MySQL: privilege names are normalized, the host defaults to any, and a non-privilege is refused', () => {
  assert.deepEqual(normalizePrivileges([' select', 'SHOW   view', 'usage', 'SELECT']), ['SELECT', 'SHOW VIEW']);
  assert.equal(mySqlHostOf({}), '%');
  assert.equal(mySqlHostOf({ hostname: '10.0.0.%' }), '10.0.0.%');
  assert.deepEqual(mySqlStatement({ kind: 'grant', database: 'a`b', privileges: ['SELECT'] }, 'u', '%', ''), [
    'GRANT SELECT ON `a``b`.* TO ?@?',
    ['u', '%'],
  ]);
  assert.throws(() => mySqlStatement({ kind: 'grant', database: undefined, privileges: ['ALL; DROP'] }, 'u', '%', ''));
});

test('MySQL Entra users: the identity, its MySQL name (alias) and the administrator; bad specs name the fix', () => {
  const admin = { serverAdminUsername: 'aad-admins' };
  assert.equal(mySqlEntraUserOf({ localUser: {} }, 'obj'), undefined);
  assert.deepEqual(mySqlEntraUserOf({ aadUser: admin }, 'obj'), {
    identity: 'obj',
    name: 'obj',
    serverAdminUsername: 'aad-admins',
  });
  const long = 'a-rather-long-user-name@contoso.onmicrosoft.com';
  const aliased = mySqlEntraUserOf({ azureName: long, aadUser: { ...admin, alias: 'short' } }, 'obj');
  assert.deepEqual(aliased, { identity: long, name: 'short', serverAdminUsername: 'aad-admins' });
  const problem = (spec: Record<string, unknown>) => {
    const entra = mySqlEntraUserOf(spec, 'obj');
    return entra === undefined ? 'not an Entra user' : (mySqlEntraUserProblem(spec, entra) ?? '');
  };
  assert.equal(problem({ azureName: long, aadUser: { ...admin, alias: 'short' } }), '');
  assert.match(problem({ azureName: long, aadUser: admin }), /longer than 32 characters: set spec\.aadUser\.alias/);
  assert.match(problem({ aadUser: admin, localUser: {} }), /exactly one of spec\.localUser or spec\.aadUser/);
  assert.match(problem({ aadUser: {} }), /spec\.aadUser\.serverAdminUsername is not set/);
  assert.match(problem({ aadUser: admin, hostname: '10.%' }), /spec\.hostname applies to spec\.localUser only/);
  // Azure's statement for the identity under its name; privileges as for any user; no password to set.
  assert.deepEqual(mySqlStatement({ kind: 'create' }, 'short', '%', '', long), [
    'CREATE AADUSER IF NOT EXISTS ? AS ?',
    [long, 'short'],
  ]);
  assert.deepEqual(mySqlStatement({ kind: 'revoke', database: 'db', privileges: ['SELECT'] }, 'short', '%', '', long), [
    'REVOKE SELECT ON `db`.* FROM ?@?',
    ['short', '%'],
  ]);
  assert.throws(() => mySqlStatement({ kind: 'setPassword' }, 'short', '%', '', long), /no password/);
});

test('AZO_DATABASE_HOSTS: a server name or a *.suffix maps to a plain-TCP address; others use TLS', () => {
  const mappings = parseDatabaseHosts(
    'one.postgres.database.azure.com=127.0.0.1:5433, *.postgres.database.azure.com=[::1]:5434',
  );
  assert.deepEqual(mappings, [
    { name: 'one.postgres.database.azure.com', host: '127.0.0.1', port: 5433 },
    { name: '*.postgres.database.azure.com', host: '::1', port: 5434 },
  ]);
  assert.deepEqual(databaseAddress(mappings, 'One.postgres.database.azure.com', 5432), {
    host: '127.0.0.1',
    port: 5433,
    tls: false,
  });
  assert.deepEqual(databaseAddress(mappings, 'two.postgres.database.azure.com', 5432), {
    host: '::1',
    port: 5434,
    tls: false,
  });
  assert.deepEqual(databaseAddress(mappings, 'x.mysql.database.azure.com', 3306), {
    host: 'x.mysql.database.azure.com',
    port: 3306,
    tls: true,
  });
  assert.deepEqual(parseDatabaseHosts(''), []);
  assert.throws(() => parseDatabaseHosts('server=127.0.0.1'), /name=host:port/);
  assert.throws(() => parseDatabaseHosts('server=127.0.0.1:70000'), /name=host:port/);
});

test('the record of a created user reads back as its owner and name, whatever the name holds', () => {
  const ownerName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
  fc.assert(
    fc.property(ownerName, fc.string(), (owner, user) => {
      assert.deepEqual(parseUserRecord(userRecord(owner, user)), { owner, user });
    }),
  );
  assert.equal(parseUserRecord(undefined), undefined);
  assert.equal(parseUserRecord('no-owner'), undefined);
});
