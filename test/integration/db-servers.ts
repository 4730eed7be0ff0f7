// Throwaway PostgreSQL and MariaDB servers for the database User tests: each in its own temp directory, on a free
// loopback port, with one administrator that has a password (as a flexible server's admin login). Debian's packages
// (scripts/install-test-deps.sh). When run as root, the servers run as the packages' system users: PostgreSQL refuses
// root. A missing server binary is an error, not a skip: CI installs them, so a test that cannot start one must fail.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface DbServer {
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** Runs `command` as `systemUser` when this process is root, else as this user. */
function asServerUser(systemUser: string, command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', systemUser, '--', command, ...args]] : [command, args];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function workDir(prefix: string, systemUser: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', systemUser], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', systemUser], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

async function waitUntil(ready: () => boolean, child: ChildProcess, log: () => string, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${log()}`);
    if (ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start in 30 s:\n${log()}`);
}

/** The directory of Debian's PostgreSQL binaries (the newest major version installed). */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => join(root, version, 'bin')).find((bin) => existsSync(join(bin, 'postgres')));
  if (found === undefined) throw new Error('PostgreSQL is not installed (bash scripts/install-test-deps.sh as root)');
  return found;
}

/** A PostgreSQL server with password (SCRAM) authentication on TCP. */
export async function startPostgres(): Promise<DbServer> {
  const bin = postgresBin();
  const systemUser = isRoot ? 'postgres' : userInfo().username;
  const dir = workDir('azo-pg-', systemUser);
  const data = join(dir, 'data');
  const adminUser = 'azoadmin';
  const adminPassword = 'admin-Passw0rd';
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, adminPassword, { mode: 0o644 });
  const [initCommand, initArgs] = asServerUser(systemUser, join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    adminUser,
    '--pwfile',
    pwfile,
    '--auth=scram-sha-256',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  execFileSync(initCommand, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const [command, args] = asServerUser(systemUser, join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk) => (log += String(chunk)));
  child.stderr?.on('data', (chunk) => (log += String(chunk)));
  await waitUntil(
    () => /ready to accept connections/.test(log),
    child,
    () => log,
    'postgres',
  );
  return { host: '127.0.0.1', port, adminUser, adminPassword, stop: stopper(child, dir) };
}

/** A MariaDB server (the MySQL protocol) with an administrator allowed from any host, as on a flexible server. */
export async function startMariaDb(): Promise<DbServer> {
  const systemUser = isRoot ? 'mysql' : userInfo().username;
  const dir = workDir('azo-mariadb-', systemUser);
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  execFileSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--user=${systemUser}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { stdio: 'pipe' },
  );
  const port = await freePort();
  const child = spawn(
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--user=${systemUser}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (chunk) => (log += String(chunk)));
  child.stderr?.on('data', (chunk) => (log += String(chunk)));
  await waitUntil(
    () => /ready for connections/.test(log),
    child,
    () => log,
    'mariadbd',
  );
  const adminUser = 'azoadmin';
  const adminPassword = 'admin-Passw0rd';
  execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-u', 'root'], {
    input:
      `CREATE USER '${adminUser}'@'%' IDENTIFIED BY '${adminPassword}';\n` +
      `GRANT ALL PRIVILEGES ON *.* TO '${adminUser}'@'%' WITH GRANT OPTION;\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return { host: '127.0.0.1', port, adminUser, adminPassword, stop: stopper(child, dir) };
}
