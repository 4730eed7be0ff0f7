/**
 * A SQL Server stand-in for the integration tests (there is no SQL Server to install here): enough TDS 7.4 (MS-TDS)
 * for the `tedious` driver to log in to an Azure SQL database and run the few T-SQL statements the operator sends to
 * manage contained database users, against an in-memory catalog per database.
 *
 * No TLS: the PRELOGIN answer says ENCRYPT_NOT_SUP, and tedious then sends LOGIN7 and everything after in clear
 * text. Connect with `options.encrypt: false`. (tedious starts TLS only when the server answers ON or REQ, so it also
 * goes on in clear text with `encrypt: true`; `encrypt: 'strict'`, TLS before PRELOGIN, cannot work.)
 *
 * Logins: the administrator into any of `databases` (a login without a database goes to `master`, which then must
 * be one of them), or a contained user of that database with its current password. Every failure is error 18456:
 * SQL Server's 4060 (cannot open database) is one tedious retries as transient.
 *
 * Batches: see `forms` for the statements understood; a batch of SET statements only (tedious's session options
 * after login and on reset) gets a bare DONE, and anything else the error 102 "unsupported statement", so that a test
 * fails loudly when the operator sends what the stand-in does not know.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface TdsServerOptions {
  adminUser: string;
  adminPassword: string;
  databases: string[];
}

export interface TdsServer {
  host: string;
  port: number;
  /** Every SQL batch received (text as sent), with the login and database it ran as. */
  statements: Array<{ user: string; database: string; sql: string }>;
  /**
   * Users of a database (case-insensitive names as SQL Server's default collation): name → roles (sorted). The keys
   * are the names as created.
   */
  users(database: string): Map<string, string[]>;
  /**
   * While true, batches get no answer at all (a hung server; for deadline tests). Login still works: SET-only
   * batches are answered. A batch left hanging is not run; an ATTENTION (tedious's request timeout or cancel) ends it.
   */
  hang: boolean;
  close(): Promise<void>;
}

const MESSAGE = { SQL_BATCH: 0x01, RESPONSE: 0x04, ATTENTION: 0x06, LOGIN7: 0x10, PRELOGIN: 0x12 } as const;
const STATUS_EOM = 0x01;
const STATUS_IGNORE = 0x02;
const HEADER_LENGTH = 8;
const DONE = { FINAL: 0x00, ERROR: 0x02, COUNT: 0x10, ATTN: 0x20 } as const;
const CMD_SELECT = 0xc1;
const TDS_7_4 = 0x74000004;
const DEFAULT_PACKET_SIZE = 4096;
/** SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, case/accent/kana/width flags, sort id 52. */
const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);
const SERVER_NAME = 'azo-tds-stand-in';
const FIXED_ROLES = [
  'db_owner',
  'db_securityadmin',
  'db_accessadmin',
  'db_backupoperator',
  'db_ddladmin',
  'db_datawriter',
  'db_datareader',
  'db_denydatawriter',
  'db_denydatareader',
];

interface User {
  name: string;
  password: string;
  roles: Set<string>;
}

interface Database {
  name: string;
  /** By folded name. */
  users: Map<string, User>;
}

interface Login {
  user: string;
  admin: boolean;
  database: Database;
}

interface Session {
  socket: Socket;
  reader: MessageReader;
  packetSize: number;
  login?: Login;
  /** A batch received while `hang` was set, still unanswered. */
  hungBatch: boolean;
}

interface Message {
  type: number;
  ignore: boolean;
  payload: Buffer;
}

const fold = (name: string): string => name.toLowerCase();

// --- Token writers (MS-TDS 2.2.7) ---

function ucs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

function bVarChar(text: string): Buffer {
  return Buffer.concat([Buffer.from([text.length]), ucs2(text)]);
}

function usVarChar(text: string): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16LE(text.length);
  return Buffer.concat([length, ucs2(text)]);
}

/** A token with a USHORT length before its body. */
function lengthToken(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = type;
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}

function loginAck(): Buffer {
  const fixed = Buffer.alloc(5);
  fixed[0] = 1; // SQL_TSQL
  fixed.writeUInt32BE(TDS_7_4, 1);
  return lengthToken(0xad, Buffer.concat([fixed, bVarChar('Microsoft SQL Server'), Buffer.from([16, 0, 0x10, 0])]));
}

function envChange(type: number, newValue: string, oldValue: string): Buffer {
  return lengthToken(0xe3, Buffer.concat([Buffer.from([type]), bVarChar(newValue), bVarChar(oldValue)]));
}

function errorToken(number: number, message: string, severity = 16): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt32LE(number);
  fixed[4] = 1; // state
  fixed[5] = severity;
  const line = Buffer.alloc(4);
  line.writeUInt32LE(1);
  const text = usVarChar(message.slice(0, 8000)); // the token's length is a USHORT
  return lengthToken(0xaa, Buffer.concat([fixed, text, bVarChar(SERVER_NAME), bVarChar(''), line]));
}

function done(status: number, rowCount = 0, command = 0): Buffer {
  const token = Buffer.alloc(13);
  token[0] = 0xfd;
  token.writeUInt16LE(status, 1);
  token.writeUInt16LE(command, 3);
  token.writeBigUInt64LE(BigInt(rowCount), 5);
  return token;
}

function failure(number: number, message: string): Buffer {
  return Buffer.concat([errorToken(number, message), done(DONE.ERROR)]);
}

/** COLMETADATA of NVARCHAR(128) NOT NULL columns. */
function colMetadata(names: string[]): Buffer {
  const count = Buffer.alloc(3);
  count[0] = 0x81;
  count.writeUInt16LE(names.length, 1);
  const columns = names.map((name) => {
    const type = Buffer.alloc(9);
    // UserType (ULONG) and Flags (USHORT) stay 0.
    type[6] = 0xe7;
    type.writeUInt16LE(256, 7);
    return Buffer.concat([type, COLLATION, bVarChar(name)]);
  });
  return Buffer.concat([count, ...columns]);
}

function row(values: string[]): Buffer {
  const cells = values.map((value) => {
    const length = Buffer.alloc(2);
    length.writeUInt16LE(value.length * 2);
    return Buffer.concat([length, ucs2(value)]);
  });
  return Buffer.concat([Buffer.from([0xd1]), ...cells]);
}

function resultSet(column: string, values: string[]): Buffer {
  return Buffer.concat([
    colMetadata([column]),
    ...values.map((value) => row([value])),
    done(DONE.COUNT, values.length, CMD_SELECT),
  ]);
}

/** VERSION 16.0.4096 and ENCRYPTION = ENCRYPT_NOT_SUP (MS-TDS 2.2.6.5). */
function preloginResponse(): Buffer {
  const options: Array<[number, Buffer]> = [
    [0x00, Buffer.from([16, 0, 0x10, 0, 0, 0])],
    [0x01, Buffer.from([0x02])],
  ];
  const table = Buffer.alloc(options.length * 5 + 1);
  let dataOffset = table.length;
  options.forEach(([token, data], index) => {
    table[index * 5] = token;
    table.writeUInt16BE(dataOffset, index * 5 + 1);
    table.writeUInt16BE(data.length, index * 5 + 3);
    dataOffset += data.length;
  });
  table[table.length - 1] = 0xff;
  return Buffer.concat([table, ...options.map(([, data]) => data)]);
}

// --- Packets ---

/** One message as packets of at most `packetSize` bytes, headers included. */
function packets(type: number, payload: Buffer, packetSize: number): Buffer {
  const room = packetSize - HEADER_LENGTH;
  const out: Buffer[] = [];
  let offset = 0;
  let packetId = 1;
  do {
    const data = payload.subarray(offset, offset + room);
    offset += data.length;
    const header = Buffer.alloc(HEADER_LENGTH);
    header[0] = type;
    header[1] = offset >= payload.length ? STATUS_EOM : 0;
    header.writeUInt16BE(HEADER_LENGTH + data.length, 2);
    header.writeUInt16BE(51, 4); // SPID
    header[6] = packetId++ % 256;
    out.push(header, data);
  } while (offset < payload.length);
  return Buffer.concat(out);
}

/** Reassembles messages from TCP chunks: a packet may span chunks, a chunk hold several packets. */
class MessageReader {
  private buffered = Buffer.alloc(0);
  private parts: Buffer[] = [];

  push(chunk: Buffer): Message[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const messages: Message[] = [];
    while (this.buffered.length >= HEADER_LENGTH) {
      const length = this.buffered.readUInt16BE(2);
      if (length < HEADER_LENGTH) throw new Error(`TDS packet of length ${length}`);
      if (this.buffered.length < length) break;
      const type = this.buffered[0] ?? 0;
      const status = this.buffered[1] ?? 0;
      this.parts.push(this.buffered.subarray(HEADER_LENGTH, length));
      this.buffered = this.buffered.subarray(length);
      if (status & STATUS_EOM) {
        messages.push({ type, ignore: (status & STATUS_IGNORE) !== 0, payload: Buffer.concat(this.parts) });
        this.parts = [];
      }
    }
    return messages;
  }
}

// --- LOGIN7 and SQL_BATCH payloads ---

function parseLogin7(payload: Buffer): { user: string; password: string; database: string; packetSize: number } {
  // An (offset, character count) pair in the fixed part points to each variable field (MS-TDS 2.2.6.4).
  const field = (at: number): Buffer => {
    const start = payload.readUInt16LE(at);
    return payload.subarray(start, start + payload.readUInt16LE(at + 2) * 2);
  };
  return {
    packetSize: payload.readUInt32LE(8),
    user: field(40).toString('utf16le'),
    password: deobfuscate(field(44)).toString('utf16le'),
    database: field(68).toString('utf16le'),
  };
}

/** LOGIN7's password: each byte had its nibbles swapped, then was XORed with 0xA5. */
function deobfuscate(scrambled: Buffer): Buffer {
  return Buffer.from(scrambled.map((byte) => ((byte ^ 0xa5) >> 4) | (((byte ^ 0xa5) & 0x0f) << 4)));
}

/** The batch's text after ALL_HEADERS (whose first DWORD is its own total length). */
function batchText(payload: Buffer): string {
  return payload.subarray(payload.readUInt32LE(0)).toString('utf16le');
}

function isSetOptions(sql: string): boolean {
  const statements = sql
    .split(/[;\n]/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
  return statements.length > 0 && statements.every((statement) => /^set\s+\w+/i.test(statement));
}

// --- Statement interpreter ---

const IDENTIFIER = String.raw`\[((?:[^\]]|\]\])+)\]`;
const STRING = String.raw`N'((?:[^']|'')*)'`;

/**
 * A matcher for one statement form, returning its placeholders' values: `{ident}` is a bracketed identifier,
 * `{string}` an N'' literal. Keywords match case-insensitively; whitespace may vary (and is optional next to
 * punctuation); one trailing semicolon is allowed.
 */
function statementForm(template: string): (sql: string) => string[] | undefined {
  const tokens = template.match(/\{ident\}|\{string\}|[\w.]+|'[^']*'|\S/g) ?? [];
  const isWord = (token: string | undefined): boolean => token !== undefined && /^[\w.]+$/.test(token);
  const kinds: string[] = [];
  const source = tokens
    .map((token, index) => {
      const gap = index === 0 ? '' : isWord(tokens[index - 1]) && isWord(token) ? String.raw`\s+` : String.raw`\s*`;
      if (token === '{ident}' || token === '{string}') kinds.push(token);
      if (token === '{ident}') return gap + IDENTIFIER;
      if (token === '{string}') return gap + STRING;
      return gap + token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const pattern = new RegExp(String.raw`^\s*${source}\s*;?\s*$`, 'i');
  return (sql) =>
    pattern
      .exec(sql)
      ?.slice(1)
      .map((value, index) => (kinds[index] === '{ident}' ? value.replace(/]]/g, ']') : value.replace(/''/g, "'")));
}

interface Form {
  match: (sql: string) => string[] | undefined;
  /** Changes the catalog: the administrator's only. */
  write: boolean;
  run: (database: Database, values: string[]) => Buffer;
}

const forms: Form[] = [
  {
    match: statementForm("SELECT name FROM sys.database_principals WHERE name = {string} AND type IN ('S', 'E', 'X')"),
    write: false,
    run: (database, [name = '']) => {
      const user = database.users.get(fold(name));
      return resultSet('name', user ? [user.name] : []);
    },
  },
  {
    match: statementForm(
      'SELECT r.name FROM sys.database_role_members m ' +
        'JOIN sys.database_principals r ON r.principal_id = m.role_principal_id ' +
        'JOIN sys.database_principals u ON u.principal_id = m.member_principal_id WHERE u.name = {string}',
    ),
    write: false,
    run: (database, [name = '']) => resultSet('name', [...(database.users.get(fold(name))?.roles ?? [])].sort()),
  },
  { match: statementForm('CREATE USER {ident} WITH PASSWORD = {string}'), write: true, run: createUser },
  { match: statementForm('ALTER USER {ident} WITH PASSWORD = {string}'), write: true, run: alterUser },
  {
    match: statementForm('ALTER ROLE {ident} ADD MEMBER {ident}'),
    write: true,
    run: (database, [role = '', name = '']) => alterRole(database, role, name, 'add'),
  },
  {
    match: statementForm('ALTER ROLE {ident} DROP MEMBER {ident}'),
    write: true,
    run: (database, [role = '', name = '']) => alterRole(database, role, name, 'drop'),
  },
  {
    match: statementForm('DROP USER IF EXISTS {ident}'),
    write: true,
    run: (database, [name = '']) => {
      database.users.delete(fold(name));
      return done(DONE.FINAL);
    },
  },
];

function createUser(database: Database, [name = '', password = '']: string[]): Buffer {
  if (database.users.has(fold(name)) || FIXED_ROLES.includes(fold(name))) {
    return failure(15023, `User, group, or role '${name}' already exists in the current database.`);
  }
  database.users.set(fold(name), { name, password, roles: new Set() });
  return done(DONE.FINAL);
}

function alterUser(database: Database, [name = '', password = '']: string[]): Buffer {
  const user = database.users.get(fold(name));
  if (!user) {
    return failure(15151, `Cannot alter the user '${name}', because it does not exist or you do not have permission.`);
  }
  user.password = password;
  return done(DONE.FINAL);
}

function alterRole(database: Database, roleName: string, name: string, change: 'add' | 'drop'): Buffer {
  const role = FIXED_ROLES.find((fixed) => fixed === fold(roleName));
  if (!role) {
    return failure(
      15151,
      `Cannot alter the role '${roleName}', because it does not exist or you do not have permission.`,
    );
  }
  const user = database.users.get(fold(name));
  if (!user) {
    return failure(
      15151,
      `Cannot ${change} the principal '${name}', because it does not exist or you do not have permission.`,
    );
  }
  if (change === 'add') user.roles.add(role);
  else user.roles.delete(role);
  return done(DONE.FINAL);
}

function execute(login: Login, sql: string): Buffer {
  for (const form of forms) {
    const values = form.match(sql);
    if (!values) continue;
    if (form.write && !login.admin) return failure(15247, 'User does not have permission to perform this action.');
    return form.run(login.database, values);
  }
  return failure(102, `azo TDS stand-in: unsupported statement: ${sql}`);
}

// --- The server ---

class StandIn implements TdsServer {
  host = '127.0.0.1';
  port = 0;
  statements: TdsServer['statements'] = [];
  hang = false;
  private readonly databases = new Map<string, Database>();
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((socket) => this.accept(socket));

  constructor(private readonly options: TdsServerOptions) {
    for (const name of options.databases) this.databases.set(fold(name), { name, users: new Map() });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  users(database: string): Map<string, string[]> {
    const found = this.databases.get(fold(database));
    if (!found) throw new Error(`TDS stand-in: no database ${database}`);
    return new Map([...found.users.values()].map((user) => [user.name, [...user.roles].sort()]));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // a client gone away is no concern of the server
    const session: Session = { socket, reader: new MessageReader(), packetSize: DEFAULT_PACKET_SIZE, hungBatch: false };
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of session.reader.push(chunk)) this.handle(session, message);
      } catch {
        socket.destroy(); // not TDS as the stand-in knows it
      }
    });
  }

  private send(session: Session, tokens: Buffer): void {
    if (!session.socket.destroyed) session.socket.write(packets(MESSAGE.RESPONSE, tokens, session.packetSize));
  }

  private handle(session: Session, message: Message): void {
    if (message.type === MESSAGE.PRELOGIN) return this.send(session, preloginResponse());
    if (message.type === MESSAGE.LOGIN7) return this.login(session, message.payload);
    const login = session.login;
    if (!login) throw new Error(`TDS message 0x${message.type.toString(16)} before login`);
    if (message.type === MESSAGE.ATTENTION) return this.attention(session);
    // A message the client cut short (the IGNORE bit): nothing to run, but it wants an answer.
    if (message.ignore) return this.send(session, done(DONE.FINAL));
    if (message.type !== MESSAGE.SQL_BATCH) {
      return this.send(
        session,
        failure(102, `azo TDS stand-in: unsupported message type 0x${message.type.toString(16)}`),
      );
    }
    const sql = batchText(message.payload);
    this.statements.push({ user: login.user, database: login.database.name, sql });
    if (isSetOptions(sql)) return this.send(session, done(DONE.FINAL));
    if (this.hang) {
      session.hungBatch = true;
      return;
    }
    this.send(session, execute(login, sql));
  }

  private login(session: Session, payload: Buffer): void {
    const request = parseLogin7(payload);
    const database = this.databases.get(fold(request.database || 'master'));
    const login = database && this.authenticate(database, request.user, request.password);
    if (!login) {
      // The socket stays open: were it ended now, tedious could report the hang-up instead of this error.
      return this.send(
        session,
        Buffer.concat([errorToken(18456, `Login failed for user '${request.user}'.`, 14), done(DONE.ERROR)]),
      );
    }
    session.login = login;
    const packetSize = Math.min(Math.max(request.packetSize || DEFAULT_PACKET_SIZE, 512), 32767);
    this.send(
      session,
      Buffer.concat([
        envChange(1, login.database.name, 'master'),
        loginAck(),
        envChange(4, String(packetSize), String(session.packetSize)),
        done(DONE.FINAL),
      ]),
    );
    session.packetSize = packetSize;
  }

  private authenticate(database: Database, user: string, password: string): Login | undefined {
    const { adminUser, adminPassword } = this.options;
    if (fold(user) === fold(adminUser) && password === adminPassword) return { user: adminUser, admin: true, database };
    const contained = database.users.get(fold(user));
    if (contained && contained.password === password) return { user: contained.name, admin: false, database };
    return undefined;
  }

  /**
   * tedious reads the rest of the cancelled request's answer as one message, then wants the acknowledgement (DONE
   * with DONE_ATTN) in a message of its own: a hung batch first gets an empty answer.
   */
  private attention(session: Session): void {
    if (session.hungBatch) this.send(session, done(DONE.FINAL));
    session.hungBatch = false;
    this.send(session, done(DONE.ATTN));
  }
}

export async function startTdsServer(options: TdsServerOptions): Promise<TdsServer> {
  const server = new StandIn(options);
  await server.listen();
  return server;
}
