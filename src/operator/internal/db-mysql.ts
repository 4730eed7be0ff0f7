/**
 * A session with a MySQL server for the User reconciler: reads a user's privileges, applies the planned changes as
 * SQL and drops a user. The driver (`mysql2`) is imported on first use only: an operator that serves no User kind
 * never loads it.
 */
import type { Connection } from 'mysql2/promise';
import type { MySqlChange, MySqlUser } from './db-user-plan.js';
import { normalizePrivileges } from './db-user-plan.js';
import { type DbConnection, type UserSession, untilDeadline } from './db-user-session.js';

/**
 * Connects to the server as its administrator; the users it manages connect from `userHost`. With `entraIdentity`
 * the user is an Entra one: created for that identity (`CREATE AADUSER`, Azure's statement) rather than with a
 * password.
 */
export async function openMySql(
  connection: DbConnection,
  userHost: string,
  entraIdentity?: string,
): Promise<MySqlSession> {
  const { default: mysql } = await import('mysql2');
  // The callback API's connection exists before the handshake ends, so a deadline can cut a connect that hangs.
  const core = mysql.createConnection({
    host: connection.host,
    port: connection.port,
    user: connection.adminUser,
    password: connection.adminPassword,
    connectTimeout: connection.timeoutMs,
    // Azure asks for an Entra token in clear (mysql_clear_password); never offered for a password login.
    ...(connection.entraToken === true ? { enableCleartextPlugin: true } : {}),
    ...(connection.tls ? { ssl: { rejectUnauthorized: true } } : {}),
  });
  core.on('error', () => undefined); // a dropped connection fails the running query; nothing else to do
  const connected = new Promise<void>((resolve, reject) => {
    core.once('connect', () => resolve());
    core.once('error', reject);
  });
  await untilDeadline(
    connection.signal,
    () => connected,
    () => core.destroy(),
  );
  return new MySqlSession(core.promise(), userHost, connection.timeoutMs, entraIdentity);
}

/** See the module comment. */
export class MySqlSession implements UserSession<MySqlUser, MySqlChange> {
  constructor(
    private readonly client: Connection,
    private readonly userHost: string,
    private readonly timeoutMs: number,
    private readonly entraIdentity?: string,
  ) {}

  /** One statement, within the connection's timeout. */
  private query(sql: string, values: unknown[]): Promise<unknown> {
    return this.client.query({ sql, values, timeout: this.timeoutMs }).then(([rows]) => rows);
  }

  async readUser(name: string): Promise<MySqlUser | null> {
    const users = await this.query('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [name, this.userHost]);
    if ((users as unknown[]).length === 0) return null;
    const grantee = `'${name.replace(/'/g, "''")}'@'${this.userHost.replace(/'/g, "''")}'`;
    const server = await this.query(
      'SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?',
      [grantee],
    );
    const schema = await this.query(
      'SELECT TABLE_SCHEMA AS db, PRIVILEGE_TYPE AS privilege FROM information_schema.SCHEMA_PRIVILEGES ' +
        'WHERE GRANTEE = ?',
      [grantee],
    );
    const byDatabase: Record<string, string[]> = {};
    for (const row of schema as Array<{ db: string; privilege: string }>) {
      (byDatabase[row.db] ??= []).push(row.privilege);
    }
    const databasePrivileges: Record<string, string[]> = {};
    for (const [database, privileges] of Object.entries(byDatabase)) {
      databasePrivileges[database] = normalizePrivileges(privileges);
    }
    const privileges = (server as Array<{ privilege: string }>).map((row) => row.privilege);
    return { privileges: normalizePrivileges(privileges), databasePrivileges };
  }

  async apply(name: string, password: string, changes: MySqlChange[]): Promise<void> {
    for (const change of changes) {
      const [sql, values] = mySqlStatement(change, name, this.userHost, password, this.entraIdentity);
      await this.query(sql, values);
    }
  }

  async dropUser(name: string): Promise<void> {
    await this.query('DROP USER IF EXISTS ?@?', [name, this.userHost]);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  abort(): void {
    this.client.destroy(); // end() would wait for the statement in flight
  }
}

/**
 * The SQL of one change and its placeholder values (user name and host as `?@?`). Privilege names cannot be
 * placeholders: they are checked to be words only. With `entraIdentity` the user is created for that Entra identity
 * (Azure's `CREATE AADUSER identity AS name`, any host) and has no password to set.
 */
export function mySqlStatement(
  change: MySqlChange,
  name: string,
  host: string,
  password: string,
  entraIdentity?: string,
): [string, string[]] {
  switch (change.kind) {
    case 'create':
      if (entraIdentity !== undefined) return ['CREATE AADUSER IF NOT EXISTS ? AS ?', [entraIdentity, name]];
      return ['CREATE USER ?@? IDENTIFIED BY ?', [name, host, password]];
    case 'setPassword':
      if (entraIdentity !== undefined) throw new Error('an Entra user has no password to set');
      return ['ALTER USER ?@? IDENTIFIED BY ?', [name, host, password]];
    case 'grant':
      return [`GRANT ${privilegeList(change.privileges)} ON ${target(change.database)} TO ?@?`, [name, host]];
    case 'revoke':
      return [`REVOKE ${privilegeList(change.privileges)} ON ${target(change.database)} FROM ?@?`, [name, host]];
  }
}

function privilegeList(privileges: string[]): string {
  for (const privilege of privileges) {
    if (!/^[A-Z]+( [A-Z]+)*$/.test(privilege)) throw new Error(`${JSON.stringify(privilege)} is not a privilege`);
  }
  return privileges.join(', ');
}

function target(database: string | undefined): string {
  return database === undefined ? '*.*' : `\`${database.replace(/`/g, '``')}\`.*`;
}
