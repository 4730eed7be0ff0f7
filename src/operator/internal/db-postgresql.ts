/**
 * A session with a PostgreSQL server for the User reconciler: reads a role, applies the planned changes as SQL and
 * drops a role. The driver (`pg`) is imported on first use only: an operator that serves no User kind never loads it.
 */
import type { Client } from 'pg';
import type { PgChange, PgRoleOptions, PgUser } from './db-user-plan.js';
import { type DbConnection, type UserSession, untilDeadline } from './db-user-session.js';

/** ASO logs into the `postgres` maintenance database. */
const maintenanceDatabase = 'postgres';

/** Connects to the server as its administrator. */
export async function openPostgres(connection: DbConnection): Promise<PostgresSession> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.adminUser,
    password: connection.adminPassword,
    database: maintenanceDatabase,
    connectionTimeoutMillis: connection.timeoutMs,
    query_timeout: connection.timeoutMs,
    ...(connection.tls ? { ssl: { rejectUnauthorized: true } } : {}),
  });
  client.on('error', () => undefined); // a dropped connection fails the running query; nothing else to do
  await untilDeadline(
    connection.signal,
    () => client.connect(),
    () => void client.end().catch(() => undefined),
  );
  return new PostgresSession(client);
}

/** See the module comment. */
export class PostgresSession implements UserSession<PgUser, PgChange> {
  constructor(private readonly client: Client) {}

  async readUser(name: string): Promise<PgUser | null> {
    const result = await this.client.query<{
      rolcanlogin: boolean;
      rolcreaterole: boolean;
      rolcreatedb: boolean;
      rolreplication: boolean;
      member_of: string[];
    }>(
      `SELECT r.rolcanlogin, r.rolcreaterole, r.rolcreatedb, r.rolreplication,
         ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               WHERE m.member = r.oid ORDER BY g.rolname)::text[] AS member_of
       FROM pg_roles r WHERE r.rolname = $1`,
      [name],
    );
    const row = result.rows[0];
    if (row === undefined) return null;
    return {
      options: {
        login: row.rolcanlogin,
        createRole: row.rolcreaterole,
        createDb: row.rolcreatedb,
        replication: row.rolreplication,
      },
      roles: row.member_of,
    };
  }

  async apply(name: string, password: string, changes: PgChange[]): Promise<void> {
    for (const change of changes) await this.client.query(pgStatement(name, password, change));
  }

  async dropUser(name: string): Promise<void> {
    await this.client.query(`DROP ROLE IF EXISTS ${quoteIdentifier(name)}`);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  abort(): void {
    // end() closes the socket; the query in flight fails with "Connection terminated".
    void this.client.end().catch(() => undefined);
  }
}

/** The SQL of one change (role names quoted as identifiers, the password as a literal). */
export function pgStatement(name: string, password: string, change: PgChange): string {
  const role = quoteIdentifier(name);
  switch (change.kind) {
    case 'create':
      return `CREATE ROLE ${role} WITH ${optionWords(change.options)} PASSWORD ${quoteLiteral(password)}`;
    case 'setPassword':
      return `ALTER ROLE ${role} WITH PASSWORD ${quoteLiteral(password)}`;
    case 'setOptions':
      return `ALTER ROLE ${role} WITH ${optionWords(change.options)}`;
    case 'grant':
      return `GRANT ${quoteIdentifier(change.role)} TO ${role}`;
    case 'revoke':
      return `REVOKE ${quoteIdentifier(change.role)} FROM ${role}`;
  }
}

const optionKeywords: Record<keyof PgRoleOptions, string> = {
  login: 'LOGIN',
  createRole: 'CREATEROLE',
  createDb: 'CREATEDB',
  replication: 'REPLICATION',
};

function optionWords(options: Partial<PgRoleOptions>): string {
  return (Object.keys(optionKeywords) as Array<keyof PgRoleOptions>)
    .filter((name) => options[name] !== undefined)
    .map((name) => (options[name] ? '' : 'NO') + optionKeywords[name])
    .join(' ');
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal that reads the same whatever standard_conforming_strings is (E'' when it holds a backslash). */
export function quoteLiteral(value: string): string {
  const quoted = `'${value.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;
  return value.includes('\\') ? ` E${quoted}` : quoted;
}
