import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { quoteIdentifier, quoteLiteral, sqlServerStatement } from './db-sqlserver.js';
import { type SqlChange, type SqlUser, desiredSqlUser, planSqlUser } from './db-user-plan.js';

/** What the database holds after `changes` (role names compared without case, as SQL Server's default collation). */
function applySql(observed: SqlUser | null, changes: SqlChange[]): SqlUser {
  let roles = [...(observed?.roles ?? [])];
  for (const change of changes) {
    if (change.kind === 'addRole') roles.push(change.role);
    if (change.kind === 'dropRole') roles = roles.filter((role) => role.toLowerCase() !== change.role.toLowerCase());
  }
  return { roles };
}

const roleName = fc.constantFrom('db_owner', 'db_datareader', 'DB_DataReader', 'db_datawriter', 'db_ddladmin', 'app');

test('Azure SQL: applying the plan gives the desired roles, and a second plan is empty', () => {
  fc.assert(
    fc.property(
      fc.array(roleName, { maxLength: 5 }),
      fc.option(fc.uniqueArray(roleName, { maxLength: 4, selector: (role) => role.toLowerCase() }), { nil: null }),
      fc.boolean(),
      (wanted, observedRoles, passwordChanged) => {
        const desired = desiredSqlUser({ roles: wanted });
        const observed = observedRoles === null ? null : { roles: observedRoles };
        const changes = planSqlUser(desired, observed, passwordChanged);
        assert.equal(changes[0]?.kind === 'create', observed === null);
        assert.equal(
          changes.some((change) => change.kind === 'setPassword'),
          observed !== null && passwordChanged,
        );
        const after = applySql(observed, changes);
        const lower = (roles: string[]) => roles.map((role) => role.toLowerCase()).sort();
        assert.deepEqual(lower(after.roles), lower(desired.roles));
        assert.deepEqual(planSqlUser(desired, after, false), []);
      },
    ),
  );
});

test('Azure SQL: the T-SQL of each change, with names and the password quoted', () => {
  const name = "o'brien]x";
  const password = "p@ss'word]";
  assert.equal(
    sqlServerStatement(name, password, { kind: 'create' }),
    "CREATE USER [o'brien]]x] WITH PASSWORD = N'p@ss''word]'",
  );
  assert.equal(
    sqlServerStatement(name, password, { kind: 'setPassword' }),
    "ALTER USER [o'brien]]x] WITH PASSWORD = N'p@ss''word]'",
  );
  assert.equal(
    sqlServerStatement(name, password, { kind: 'addRole', role: 'db_datareader' }),
    "ALTER ROLE [db_datareader] ADD MEMBER [o'brien]]x]",
  );
  assert.equal(
    sqlServerStatement(name, password, { kind: 'dropRole', role: 'we]ird' }),
    "ALTER ROLE [we]]ird] DROP MEMBER [o'brien]]x]",
  );
  // A quoted name or literal never ends early: every closing bracket or quote inside is doubled.
  fc.assert(
    fc.property(fc.string(), (text) => {
      assert.equal(quoteIdentifier(text).slice(1, -1).replace(/]]/g, ''), text.replace(/]/g, ''));
      assert.equal(quoteLiteral(text).slice(2, -1).replace(/''/g, ''), text.replace(/'/g, ''));
    }),
  );
  assert.deepEqual(desiredSqlUser({ roles: [' db_owner ', 'DB_OWNER', '', 7] }), { roles: ['db_owner'] });
});
