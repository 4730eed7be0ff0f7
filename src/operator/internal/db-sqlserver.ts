/**
 * A session with an Azure SQL database for the User reconciler: reads a contained database user and its roles,
 * applies the planned changes as T-SQL and drops a user. It logs into the database itself (contained users live
 * there), as the server administrator. The TDS driver (`tedious`) is imported on first use only: an operator that
 * serves no SQL User never loads it.
 */
import type { Connection } from 'tedious';
import type { SqlChange, SqlUser } from './db-user-plan.js';
import { type DbConnection, type UserSession, untilDeadline } from './db-user-session.js';

/** Connects to `database` on the server as its administrator. */
export async function openSqlServer(connection: DbConnection, database: string): Promise<SqlServerSession> {
  const tedious = await import('tedious');
  const client = new tedious.Connection({
    server: connection.host,
    authentication: {
      type: 'default',
      options: { userName: connection.adminUser, password: connection.adminPassword },
    },
    options: {
      port: connection.port,
      database,
      // TLS before anything else (TDS 8.0, which Azure SQL speaks): with `encrypt: true` tedious goes on in clear
      // text when the server says it cannot encrypt, so an impostor would receive the administrator's password.
      encrypt: connection.tls ? 'strict' : false,
      trustServerCertificate: false,
      connectTimeout: connection.timeoutMs,
      requestTimeout: connection.timeoutMs,
    },
  });
  client.on('error', () => undefined); // a dropped connection fails the running request; nothing else to do
  const connected = new Promise<void>((resolve, reject) => {
    client.connect((error) => (error === undefined || error === null ? resolve() : reject(error)));
  });
  await untilDeadline(
    connection.signal,
    () => connected,
    () => client.close(),
  );
  return new SqlServerSession(client);
}

/** See the module comment. */
export class SqlServerSession implements UserSession<SqlUser, SqlChange> {
  constructor(private readonly client: Connection) {}

  /** One batch; the rows it returned, each as its columns' text. */
  private async run(sql: string): Promise<string[][]> {
    const { Request } = await import('tedious');
    return new Promise((resolve, reject) => {
      const rows: string[][] = [];
      const request = new Request(sql, (error) => (error ? reject(error) : resolve(rows)));
      request.on('row', (columns: Array<{ value: unknown }>) => rows.push(columns.map(({ value }) => String(value))));
      this.client.execSqlBatch(request);
    });
  }

  async readUser(name: string): Promise<SqlUser | null> {
    const found = await this.run(
      `SELECT name FROM sys.database_principals WHERE name = ${quoteLiteral(name)} AND type IN ('S', 'E', 'X')`,
    );
    if (found.length === 0) return null;
    const roles = await this.run(
      'SELECT r.name FROM sys.database_role_members m ' +
        'JOIN sys.database_principals r ON r.principal_id = m.role_principal_id ' +
        'JOIN sys.database_principals u ON u.principal_id = m.member_principal_id ' +
        `WHERE u.name = ${quoteLiteral(name)}`,
    );
    return { roles: roles.map(([role]) => role ?? '').sort() };
  }

  async apply(name: string, password: string, changes: SqlChange[]): Promise<void> {
    for (const change of changes) await this.run(sqlServerStatement(name, password, change));
  }

  async dropUser(name: string): Promise<void> {
    await this.run(`DROP USER IF EXISTS ${quoteIdentifier(name)}`);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  abort(): void {
    this.client.close(); // closes the socket at once; the request in flight fails
  }
}

/** The T-SQL of one change (names as bracketed identifiers, the password as a Unicode literal). */
export function sqlServerStatement(name: string, password: string, change: SqlChange): string {
  const user = quoteIdentifier(name);
  switch (change.kind) {
    case 'create':
      return `CREATE USER ${user} WITH PASSWORD = ${quoteLiteral(password)}`;
    case 'setPassword':
      return `ALTER USER ${user} WITH PASSWORD = ${quoteLiteral(password)}`;
    case 'addRole':
      return `ALTER ROLE ${quoteIdentifier(change.role)} ADD MEMBER ${user}`;
    case 'dropRole':
      return `ALTER ROLE ${quoteIdentifier(change.role)} DROP MEMBER ${user}`;
  }
}

export function quoteIdentifier(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

export function quoteLiteral(value: string): string {
  return `N'${value.replace(/'/g, "''")}'`;
}
