/**
 * A stand-in for the Entra logins of an Azure Database for MySQL flexible server, in front of a real MariaDB: it
 * speaks the MySQL client/server protocol, asks for the password in clear (`mysql_clear_password`, as Azure does for
 * an Entra login), and lets in only its Entra administrator presenting an access token that the emulator signed for
 * the MySQL audience. Each statement then runs on MariaDB as MariaDB's administrator, except Azure's
 * `CREATE AADUSER [IF NOT EXISTS] 'identity' [AS 'name']` (MariaDB cannot parse it), which creates the user `name`
 * with a random password and records which identity it stands for.
 */
import { createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import mysql from 'mysql2/promise';
import type { DbServer } from './db-servers.js';

export interface EntraFrontOptions {
  /** The MariaDB the statements run on. */
  backend: DbServer;
  /** The login of the server's Entra administrator. */
  admin: string;
  /** The token audience the server accepts (`aud`). */
  audience: string;
  /** The signing keys tokens are checked with (the emulator's `discovery/v2.0/keys` document), read at each login. */
  keys: () => Promise<{ keys: Array<JsonWebKey & { kid?: string }> }>;
}

export interface EntraFront {
  host: string;
  port: number;
  /** MySQL user name → the Entra identity CREATE AADUSER created it for. */
  identities: Map<string, string>;
  /** Every statement run after a login, as received. */
  statements: string[];
  /** Every login attempt: the user, and why it was refused (undefined: let in). */
  logins: Array<{ user: string; refused?: string }>;
  close(): Promise<void>;
}

const capabilities =
  0x1 | // LONG_PASSWORD
  0x4 | // LONG_FLAG
  0x8 | // CONNECT_WITH_DB
  0x200 | // PROTOCOL_41
  0x2000 | // TRANSACTIONS
  0x8000 | // SECURE_CONNECTION
  0x20000 | // MULTI_RESULTS
  0x80000 | // PLUGIN_AUTH
  0x100000 | // CONNECT_ATTRS
  0x200000; // PLUGIN_AUTH_LENENC_CLIENT_DATA
const utf8Charset = 33;
const autocommit = 0x0002;

/** Starts the front on a free local port. */
export async function startEntraFront(options: EntraFrontOptions): Promise<EntraFront> {
  const identities = new Map<string, string>();
  const statements: string[] = [];
  const logins: EntraFront['logins'] = [];
  const sockets = new Set<Socket>();
  let connectionId = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    serve(socket, ++connectionId, { ...options, identities, statements, logins });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    identities,
    statements,
    logins,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

type Session = EntraFrontOptions & Pick<EntraFront, 'identities' | 'statements' | 'logins'>;

/** One client connection: handshake, clear-text token, then statements in order. */
function serve(socket: Socket, id: number, session: Session): void {
  let buffered = Buffer.alloc(0);
  let state: 'handshake' | 'token' | 'commands' = 'handshake';
  let user = '';
  let backend: mysql.Connection | undefined;
  let work = Promise.resolve();
  const send = (sequence: number, payload: Buffer) => {
    const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, sequence]);
    socket.write(Buffer.concat([header, payload]));
  };
  socket.on('close', () => void backend?.end().catch(() => undefined));

  const onPacket = async (sequence: number, payload: Buffer) => {
    if (state === 'handshake') {
      // HandshakeResponse41: capabilities, max packet size, charset and 23 reserved bytes, then the user name.
      user = payload.subarray(32, payload.indexOf(0, 32)).toString('utf8');
      state = 'token';
      const pluginName = Buffer.from('mysql_clear_password\0');
      send(sequence + 1, Buffer.concat([Buffer.from([0xfe]), pluginName]));
      return;
    }
    if (state === 'token') {
      const token = payload.subarray(0, payload.indexOf(0) < 0 ? payload.length : payload.indexOf(0)).toString();
      const refused =
        user !== session.admin
          ? `${user} is not the Entra administrator`
          : tokenProblem(token, await session.keys(), session.audience);
      session.logins.push({ user, ...(refused !== undefined ? { refused } : {}) });
      if (refused !== undefined) {
        send(sequence + 1, errorPacket(1045, '28000', `Access denied for user '${user}': ${refused}`));
        socket.end();
        return;
      }
      const { backend: target } = session;
      backend = await mysql.createConnection({
        host: target.host,
        port: target.port,
        user: target.adminUser,
        password: target.adminPassword,
      });
      state = 'commands';
      send(sequence + 1, okPacket(0));
      return;
    }
    const command = payload[0];
    if (command === 0x01) {
      socket.end(); // COM_QUIT
      return;
    }
    if (command === 0x0e || command === 0x02) {
      send(1, okPacket(0)); // COM_PING, COM_INIT_DB
      return;
    }
    if (command !== 0x03 || backend === undefined) {
      send(1, errorPacket(1047, '08S01', 'Unknown command'));
      return;
    }
    const sql = payload.subarray(1).toString('utf8');
    session.statements.push(sql);
    await runStatement(sql, backend, session, (packets) => packets.forEach((packet, index) => send(index + 1, packet)));
  };

  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUIntLE(0, 3);
      if (buffered.length < 4 + length) break;
      const sequence = buffered.readUInt8(3);
      const payload = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      // In order: the client waits for each answer anyway, but a handshake step must not overtake another.
      work = work
        .then(() => onPacket(sequence, payload))
        .catch(() => {
          socket.destroy();
        });
    }
  });

  // Handshake v10: the server's version, this connection's id, 20 bytes of scramble and the default plugin.
  const scramble = randomBytes(20);
  const version = Buffer.from('8.0.21-azo-entra-front\0');
  const fixed = Buffer.alloc(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10);
  let offset = fixed.writeUInt32LE(id, 0);
  offset += scramble.copy(fixed, offset, 0, 8);
  offset = fixed.writeUInt8(0, offset);
  offset = fixed.writeUInt16LE(capabilities & 0xffff, offset);
  offset = fixed.writeUInt8(utf8Charset, offset);
  offset = fixed.writeUInt16LE(autocommit, offset);
  offset = fixed.writeUInt16LE(capabilities >>> 16, offset);
  fixed.writeUInt8(21, offset);
  send(
    0,
    Buffer.concat([
      Buffer.from([10]),
      version,
      fixed,
      scramble.subarray(8),
      Buffer.from([0]),
      Buffer.from('mysql_native_password\0'),
    ]),
  );
}

/** Why `token` does not log in (undefined: it does): signed by the emulator, for the audience, not expired. */
function tokenProblem(
  token: string,
  jwks: { keys: Array<JsonWebKey & { kid?: string }> },
  audience: string,
): string | undefined {
  const [header, claims, signature] = token.split('.');
  if (header === undefined || claims === undefined || signature === undefined) return 'the password is not a token';
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  const { kid } = decode(header);
  const key = jwks.keys.find((candidate) => candidate.kid === kid);
  if (key === undefined) return `no signing key ${String(kid)}`;
  const signed = Buffer.from(`${header}.${claims}`);
  if (!verify('RSA-SHA256', signed, createPublicKey({ key, format: 'jwk' }), Buffer.from(signature, 'base64url'))) {
    return 'the token signature does not verify';
  }
  const { aud, exp } = decode(claims);
  if (aud !== audience) return `the token is for ${String(aud)}, not ${audience}`;
  if (typeof exp !== 'number' || exp * 1000 < Date.now()) return 'the token has expired';
  return undefined;
}

/** Runs one statement on the backend and answers with an OK, an error or a result set. */
async function runStatement(
  sql: string,
  backend: mysql.Connection,
  session: Session,
  answer: (packets: Buffer[]) => void,
): Promise<void> {
  const aadUser =
    /^\s*CREATE\s+AADUSER\s+(IF\s+NOT\s+EXISTS\s+)?'((?:[^'\\]|\\.|'')*)'(?:\s+AS\s+'((?:[^'\\]|\\.|'')*)')?\s*;?\s*$/i.exec(
      sql,
    );
  try {
    if (aadUser !== null) {
      const unquote = (text: string) => text.replace(/''/g, "'").replace(/\\(.)/g, '$1');
      const identity = unquote(aadUser[2] ?? '');
      const name = aadUser[3] === undefined ? identity : unquote(aadUser[3]);
      const [existing] = await backend.query('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [name, '%']);
      if ((existing as unknown[]).length > 0 && aadUser[1] === undefined) {
        answer([errorPacket(1396, 'HY000', `Operation CREATE USER failed for '${name}'@'%'`)]);
        return;
      }
      if ((existing as unknown[]).length === 0) {
        await backend.query('CREATE USER ?@? IDENTIFIED BY ?', [name, '%', randomBytes(12).toString('hex')]);
        session.identities.set(name, identity);
      }
      answer([okPacket(0)]);
      return;
    }
    if (/^\s*DROP\s+USER\b/i.test(sql)) {
      const dropped = /'((?:[^'\\]|\\.|'')*)'@'%'/.exec(sql)?.[1];
      if (dropped !== undefined) session.identities.delete(dropped);
    }
    const [result, fields] = await backend.query(sql);
    if (!Array.isArray(result)) {
      answer([okPacket((result as { affectedRows?: number }).affectedRows ?? 0)]);
      return;
    }
    const columns = (fields ?? []).map((field) => field.name);
    const rows = result as Array<Record<string, unknown>>;
    answer([
      lengthEncoded(columns.length),
      ...columns.map(columnDefinition),
      eofPacket(),
      ...rows.map((row) => Buffer.concat(columns.map((column) => textValue(row[column])))),
      eofPacket(),
    ]);
  } catch (error) {
    const { errno, sqlState, message } = error as { errno?: number; sqlState?: string; message?: string };
    answer([errorPacket(errno ?? 1105, sqlState ?? 'HY000', message ?? String(error))]);
  }
}

function lengthEncoded(value: number): Buffer {
  if (value < 251) return Buffer.from([value]);
  const buffer = Buffer.alloc(4);
  buffer.writeUInt8(0xfd, 0);
  buffer.writeUIntLE(value, 1, 3);
  return buffer;
}

function lengthEncodedText(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([lengthEncoded(bytes.length), bytes]);
}

function textValue(value: unknown): Buffer {
  if (value === null || value === undefined) return Buffer.from([0xfb]);
  return lengthEncodedText(Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
}

/** A VARCHAR column (every value is sent as text). */
function columnDefinition(name: string): Buffer {
  const fixed = Buffer.alloc(13);
  fixed.writeUInt8(0x0c, 0);
  fixed.writeUInt16LE(utf8Charset, 1);
  fixed.writeUInt32LE(1024, 3);
  fixed.writeUInt8(0xfd, 7); // VAR_STRING
  return Buffer.concat([...['def', '', '', '', name, name].map(lengthEncodedText), fixed]);
}

function okPacket(affectedRows: number): Buffer {
  const status = Buffer.alloc(4);
  status.writeUInt16LE(autocommit, 0);
  return Buffer.concat([Buffer.from([0x00]), lengthEncoded(affectedRows), lengthEncoded(0), status]);
}

function eofPacket(): Buffer {
  const packet = Buffer.alloc(5);
  packet.writeUInt8(0xfe, 0);
  packet.writeUInt16LE(autocommit, 3);
  return packet;
}

function errorPacket(code: number, sqlState: string, message: string): Buffer {
  const head = Buffer.alloc(3);
  head.writeUInt8(0xff, 0);
  head.writeUInt16LE(code, 1);
  return Buffer.concat([head, Buffer.from(`#${sqlState}${message}`, 'utf8')]);
}
