/**
 * The SQL Server stand-in (tds-server.ts) against the real `tedious` driver: logins (the administrator, contained
 * users, failures), the catalog statements and their errors, unsupported statements, a hung server, and messages
 * split across packets and TCP chunks.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectSocket, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { Connection, ConnectionError, Request, RequestError } from 'tedious';
import { startTdsServer, type TdsServer } from './tds-server.js';

const admin = { user: 'azoadmin', password: "Adm1n'pass]word" };

async function start(t: TestContext, databases = ['master', 'appdb', 'otherdb']): Promise<TdsServer> {
  const server = await startTdsServer({ adminUser: admin.user, adminPassword: admin.password, databases });
  t.after(() => server.close());
  return server;
}

async function login(
  t: TestContext,
  server: TdsServer,
  user: string,
  password: string,
  database: string | undefined,
  options: { packetSize?: number; requestTimeout?: number } = {},
): Promise<Connection> {
  const connection = new Connection({
    server: server.host,
    authentication: { type: 'default', options: { userName: user, password } },
    options: { port: server.port, database, encrypt: false, connectTimeout: 5000, requestTimeout: 5000, ...options },
  });
  connection.on('error', () => undefined);
  t.after(() => connection.close());
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  return connection;
}

const asAdmin = (t: TestContext, server: TdsServer, database = 'appdb'): Promise<Connection> =>
  login(t, server, admin.user, admin.password, database);

/** One batch; its rows as the columns' values. */
function run(connection: Connection, sql: string): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const rows: unknown[][] = [];
    const request = new Request(sql, (error) => (error ? reject(error) : resolve(rows)));
    request.on('row', (columns: Array<{ value: unknown }>) => rows.push(columns.map(({ value }) => value)));
    connection.execSqlBatch(request);
  });
}

function sqlError(number: number, message: string | RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof RequestError, String(error));
    assert.equal(error.number, number);
    assert.equal(error.class, 16);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  };
}

function loginFailed(user: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(error.code, 'ELOGIN');
    assert.equal(error.message, `Login failed for user '${user}'.`);
    return true;
  };
}

const selectUser = (name: string): string =>
  `SELECT name FROM sys.database_principals WHERE name = N'${name.replace(/'/g, "''")}' AND type IN ('S', 'E', 'X')`;
const selectRoles = (name: string): string =>
  'SELECT r.name FROM sys.database_role_members m ' +
  'JOIN sys.database_principals r ON r.principal_id = m.role_principal_id ' +
  'JOIN sys.database_principals u ON u.principal_id = m.member_principal_id ' +
  `WHERE u.name = N'${name.replace(/'/g, "''")}'`;

test('the administrator logs in to a listed database; each batch is recorded with login and database', async (t) => {
  const server = await start(t);
  const databases: string[] = [];
  const connection = new Connection({
    server: server.host,
    authentication: { type: 'default', options: { userName: 'AZOADMIN', password: admin.password } },
    options: { port: server.port, database: 'AppDB', encrypt: false },
  });
  connection.on('databaseChange', (name) => databases.push(name));
  t.after(() => connection.close());
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  assert.deepEqual(databases, ['appdb'], 'the database as the server names it');

  assert.deepEqual(await run(connection, selectUser('nobody')), []);
  assert.equal(server.statements.length, 2);
  assert.match(server.statements[0]?.sql ?? '', /^set /, "tedious's session options come first");
  assert.deepEqual(server.statements[1], { user: 'azoadmin', database: 'appdb', sql: selectUser('nobody') });

  await login(t, server, admin.user, admin.password, undefined); // no database: master
  assert.equal(server.statements.at(-1)?.database, 'master');
});

test('failed logins report error 18456 through tedious', async (t) => {
  const server = await start(t, ['appdb', 'otherdb']);
  await assert.rejects(login(t, server, admin.user, 'wrong', 'appdb'), loginFailed(admin.user));
  await assert.rejects(login(t, server, admin.user, admin.password, 'nodb'), loginFailed(admin.user));
  await assert.rejects(login(t, server, admin.user, admin.password, undefined), loginFailed(admin.user));
  await assert.rejects(login(t, server, 'stranger', 'x', 'appdb'), loginFailed('stranger'));
  assert.deepEqual(server.statements, []);
});

test('a contained user logs in with its password, after ALTER USER only with the new one', async (t) => {
  const server = await start(t);
  const connection = await asAdmin(t, server);
  const first = "fïrst'Pa55 ]"; // quotes doubled in the literal, non-ASCII through UCS-2 and the LOGIN7 scrambling
  await run(connection, `CREATE USER [Alice] WITH PASSWORD = N'${first.replace(/'/g, "''")}'`);
  assert.deepEqual(
    await run(connection, selectUser('ALICE')),
    [['Alice']],
    'found case-insensitively, named as created',
  );
  assert.deepEqual(server.users('appdb'), new Map([['Alice', []]]));
  assert.deepEqual(server.users('otherdb'), new Map());

  await assert.rejects(
    run(connection, "CREATE USER [alice] WITH PASSWORD = N'x'"),
    sqlError(15023, "User, group, or role 'alice' already exists in the current database."),
  );
  await assert.rejects(
    run(connection, "ALTER USER [bob] WITH PASSWORD = N'x'"),
    sqlError(15151, "Cannot alter the user 'bob', because it does not exist or you do not have permission."),
  );

  const alice = await login(t, server, 'alice', first, 'appdb');
  assert.deepEqual(await run(alice, selectUser('alice')), [['Alice']], 'a contained user may read the catalog');
  assert.deepEqual(server.statements.at(-1), { user: 'Alice', database: 'appdb', sql: selectUser('alice') });
  await assert.rejects(login(t, server, 'alice', first, 'otherdb'), loginFailed('alice'));

  await run(connection, "ALTER USER [alice] WITH PASSWORD = N'second'");
  await assert.rejects(login(t, server, 'alice', first, 'appdb'), loginFailed('alice'));
  await login(t, server, 'alice', 'second', 'appdb');

  const denied = sqlError(15247, 'User does not have permission to perform this action.');
  await assert.rejects(run(alice, "CREATE USER [mallory] WITH PASSWORD = N'x'"), denied);
  await assert.rejects(run(alice, "ALTER USER [alice] WITH PASSWORD = N'x'"), denied);
  await assert.rejects(run(alice, 'ALTER ROLE [db_owner] ADD MEMBER [alice]'), denied);
  await assert.rejects(run(alice, 'DROP USER IF EXISTS [alice]'), denied);
  assert.deepEqual(server.users('appdb'), new Map([['Alice', []]]));
  await login(t, server, 'alice', 'second', 'appdb');
});

test('role membership shows in the SELECT; unknown roles and users are errors; DROP USER removes it', async (t) => {
  const server = await start(t);
  const connection = await asAdmin(t, server);
  await run(connection, "CREATE USER [we]]ird] WITH PASSWORD = N'pw'");
  assert.deepEqual(server.users('appdb'), new Map([['we]ird', []]]));

  await run(connection, 'ALTER ROLE [db_datawriter] ADD MEMBER [we]]ird]');
  await run(connection, 'alter role [DB_DataReader] add member [WE]]IRD];');
  await run(connection, 'ALTER ROLE [db_datareader] ADD MEMBER [we]]ird]');
  const spaced = selectRoles('we]ird')
    .replace(/ JOIN /g, '\n  JOIN ')
    .replace(' = ', '=');
  assert.deepEqual(await run(connection, spaced), [['db_datareader'], ['db_datawriter']]);
  assert.deepEqual(server.users('appdb'), new Map([['we]ird', ['db_datareader', 'db_datawriter']]]));

  await run(connection, 'ALTER ROLE [db_datawriter] DROP MEMBER [we]]ird]');
  await run(connection, 'ALTER ROLE [db_owner] DROP MEMBER [we]]ird]'); // not a member: nothing to do
  assert.deepEqual(await run(connection, selectRoles('we]ird')), [['db_datareader']]);
  assert.deepEqual(await run(connection, selectRoles('nobody')), []);

  await assert.rejects(
    run(connection, 'ALTER ROLE [db_superuser] ADD MEMBER [we]]ird]'),
    sqlError(15151, "Cannot alter the role 'db_superuser', because it does not exist or you do not have permission."),
  );
  await assert.rejects(
    run(connection, 'ALTER ROLE [db_owner] ADD MEMBER [nobody]'),
    sqlError(15151, "Cannot add the principal 'nobody', because it does not exist or you do not have permission."),
  );
  await assert.rejects(
    run(connection, 'ALTER ROLE [db_owner] DROP MEMBER [nobody]'),
    sqlError(15151, "Cannot drop the principal 'nobody', because it does not exist or you do not have permission."),
  );

  await login(t, server, 'we]ird', 'pw', 'appdb');
  await run(connection, 'DROP USER IF EXISTS [We]]ird]');
  await run(connection, 'DROP USER IF EXISTS [We]]ird]');
  assert.deepEqual(await run(connection, selectUser('we]ird')), []);
  assert.deepEqual(await run(connection, selectRoles('we]ird')), []);
  assert.deepEqual(server.users('appdb'), new Map());
  await assert.rejects(login(t, server, 'we]ird', 'pw', 'appdb'), loginFailed('we]ird'));
});

test('any other statement (or RPC) is error 102 naming it, and the connection stays usable', async (t) => {
  const server = await start(t);
  const connection = await asAdmin(t, server);
  for (const sql of [
    'SELECT 1',
    "CREATE USER bob WITH PASSWORD = N'x'", // not bracketed
    "CREATE USER [bob] WITH PASSWORD = 'x'", // not a Unicode literal
    "CREATE USER [bob] WITH PASSWORD = N'x'; ALTER ROLE [db_owner] ADD MEMBER [bob]", // two statements
    'DROP USER [bob]',
    "SELECT name FROM sys.database_principals WHERE name = N'bob'",
  ]) {
    await assert.rejects(run(connection, sql), sqlError(102, `azo TDS stand-in: unsupported statement: ${sql}`));
  }
  const rpc = new Promise<Error | null | undefined>((resolve) => {
    connection.execSql(new Request('SELECT 1', (error) => resolve(error))); // sp_executesql: an RPC request
  });
  sqlError(102, 'azo TDS stand-in: unsupported message type 0x3')(await rpc);
  assert.deepEqual(server.users('appdb'), new Map());
  assert.deepEqual(await run(connection, selectUser('bob')), []);
});

test('a hung server: the batch times out, is not run, and the connection recovers', async (t) => {
  const server = await start(t);
  server.hang = true;
  const connection = await login(t, server, admin.user, admin.password, 'appdb', { requestTimeout: 300 });
  const started = Date.now();
  await assert.rejects(run(connection, "CREATE USER [bob] WITH PASSWORD = N'x'"), (error: unknown) => {
    assert.ok(error instanceof RequestError, String(error));
    assert.equal(error.code, 'ETIMEOUT');
    return true;
  });
  assert.ok(Date.now() - started < 3000, 'the attention was acknowledged (tedious waits 5 s for that)');
  assert.equal(server.statements.at(-1)?.sql, "CREATE USER [bob] WITH PASSWORD = N'x'");
  assert.deepEqual(server.users('appdb'), new Map());

  const cancelled = new Promise<Error | null | undefined>((resolve) => {
    connection.execSqlBatch(new Request(selectUser('bob'), (error) => resolve(error)));
  });
  setTimeout(() => connection.cancel(), 50);
  const error = await cancelled;
  assert.ok(error instanceof RequestError && error.code === 'ECANCEL', String(error));

  server.hang = false;
  await run(connection, "CREATE USER [bob] WITH PASSWORD = N'x'");
  assert.deepEqual(await run(connection, selectUser('bob')), [['bob']]);
});

test('messages span several packets both ways (packet size 512)', async (t) => {
  const server = await start(t);
  const connection = await login(t, server, admin.user, admin.password, 'appdb', { packetSize: 512 });
  const name = 'u'.repeat(300);
  const password = 'p'.repeat(700);
  await run(connection, `CREATE USER [${name}] WITH PASSWORD = N'${password}'`);
  await login(t, server, name, password, 'appdb', { packetSize: 512 }); // LOGIN7 over 512 bytes too
  assert.deepEqual(await run(connection, selectUser(name)), [[name]]);
  const long = `SELECT '${'x'.repeat(1000)}'`;
  await assert.rejects(run(connection, long), sqlError(102, `azo TDS stand-in: unsupported statement: ${long}`));
});

/** Reads from `socket` until `count` whole messages came; their types and payloads. */
function readMessages(socket: Socket, count: number): Promise<Array<{ type: number; payload: Buffer }>> {
  const messages: Array<{ type: number; payload: Buffer }> = [];
  let buffered = Buffer.alloc(0);
  let parts: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8 && buffered.length >= buffered.readUInt16BE(2)) {
        const length = buffered.readUInt16BE(2);
        parts.push(buffered.subarray(8, length));
        if ((buffered[1] ?? 0) & 0x01) {
          messages.push({ type: buffered[0] ?? 0, payload: Buffer.concat(parts) });
          parts = [];
        }
        buffered = buffered.subarray(length);
      }
      if (messages.length < count) return;
      socket.off('data', onData);
      resolve(messages);
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`the socket closed after ${messages.length} messages`)));
  });
}

function packet(type: number, status: number, data: Buffer): Buffer {
  const header = Buffer.from([type, status, 0, 0, 0, 0, 1, 0]);
  header.writeUInt16BE(8 + data.length, 2);
  return Buffer.concat([header, data]);
}

test('raw TDS: packets several to a chunk and split across chunks; garbage closes that socket only', async (t) => {
  const server = await start(t);
  const socket = connectSocket(server.port, server.host);
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const bytes = Buffer.concat([
    packet(0x12, 0x01, Buffer.from([0xff])),
    packet(0x12, 0x00, Buffer.from([0x00, 0x00])),
    packet(0x12, 0x01, Buffer.from([0xff])),
  ]);
  let received = 0;
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  const answers = readMessages(socket, 2);
  for (let offset = 0; offset < bytes.length; offset += 3) {
    socket.write(bytes.subarray(offset, offset + 3));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const messages = await answers;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(
    received,
    messages.reduce((sum, { payload }) => sum + 8 + payload.length, 0),
    'two answers, nothing more',
  );
  for (const { type, payload } of messages) {
    assert.equal(type, 0x04);
    // The option table: VERSION, then ENCRYPTION (token 1) pointing at ENCRYPT_NOT_SUP.
    assert.equal(payload[5], 0x01);
    assert.equal(payload[payload.readUInt16BE(6)], 0x02);
  }

  socket.write(Buffer.from([0x12, 0x01, 0x00, 0x03, 0, 0, 0, 0]));
  await once(socket, 'close');
  await asAdmin(t, server);
});

test('close() ends open connections', async (t) => {
  const server = await start(t);
  const connection = await asAdmin(t, server);
  const ended = once(connection, 'end');
  await server.close();
  await ended;
});
