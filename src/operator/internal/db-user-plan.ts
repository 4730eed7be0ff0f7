/**
 * The decisions of the database User reconcilers (PostgreSQL and MySQL users on a flexible server, users of an Azure
 * SQL database), as pure functions: the desired user from the spec, and the changes that make the observed user
 * match it. The I/O lives in db-user.ts (Kubernetes) and db-postgresql.ts / db-mysql.ts / db-sqlserver.ts (the
 * servers), which render the changes as SQL.
 */

/** PostgreSQL role options (ASO `roleOptions`; default: login only). */
export interface PgRoleOptions {
  login: boolean;
  createRole: boolean;
  createDb: boolean;
  replication: boolean;
}

export const pgRoleOptionNames = ['login', 'createRole', 'createDb', 'replication'] as const;

/** A PostgreSQL role as the reconciler sees it. */
export interface PgUser {
  options: PgRoleOptions;
  /** The roles it is a member of. */
  roles: string[];
}

/** A change to a PostgreSQL role. */
export type PgChange =
  | { kind: 'create'; options: PgRoleOptions }
  | { kind: 'setPassword' }
  | { kind: 'setOptions'; options: Partial<PgRoleOptions> }
  | { kind: 'grant'; role: string }
  | { kind: 'revoke'; role: string };

/** The desired role of a `dbforpostgresql.azure.com/User` spec. */
export function desiredPgUser(spec: Record<string, unknown>): PgUser {
  const given = isRecord(spec.roleOptions) ? spec.roleOptions : {};
  const flag = (name: string, fallback: boolean) => (typeof given[name] === 'boolean' ? given[name] : fallback);
  return {
    options: {
      login: flag('login', true),
      createRole: flag('createRole', false),
      createDb: flag('createDb', false),
      replication: flag('replication', false),
    },
    roles: unique(stringList(spec.roles)),
  };
}

/**
 * What makes `observed` (null: no such role) match `desired`. The password is set on create and whenever
 * `passwordChanged` (it cannot be read back from the server).
 */
export function planPgUser(desired: PgUser, observed: PgUser | null, passwordChanged: boolean): PgChange[] {
  const changes: PgChange[] = [];
  const current = observed ?? { options: desired.options, roles: [] };
  if (observed === null) changes.push({ kind: 'create', options: desired.options });
  else if (passwordChanged) changes.push({ kind: 'setPassword' });
  const options: Partial<PgRoleOptions> = {};
  for (const name of pgRoleOptionNames) {
    if (current.options[name] !== desired.options[name]) options[name] = desired.options[name];
  }
  if (Object.keys(options).length > 0) changes.push({ kind: 'setOptions', options });
  for (const role of desired.roles) if (!current.roles.includes(role)) changes.push({ kind: 'grant', role });
  for (const role of current.roles) if (!desired.roles.includes(role)) changes.push({ kind: 'revoke', role });
  return changes;
}

/** A MySQL user's privileges as the reconciler sees them (privilege names upper-case, sorted). */
export interface MySqlUser {
  /** Server-level privileges (ON *.*). */
  privileges: string[];
  /** Database-level privileges by database (ON `db`.*); a database without privileges is absent. */
  databasePrivileges: Record<string, string[]>;
}

/** A change to a MySQL user. `database` undefined: server level (ON *.*). */
export type MySqlChange =
  | { kind: 'create' }
  | { kind: 'setPassword' }
  | { kind: 'grant'; database: string | undefined; privileges: string[] }
  | { kind: 'revoke'; database: string | undefined; privileges: string[] };

/** The desired privileges of a `dbformysql.azure.com/User` spec. */
export function desiredMySqlUser(spec: Record<string, unknown>): MySqlUser {
  const databasePrivileges: Record<string, string[]> = {};
  const given = isRecord(spec.databasePrivileges) ? spec.databasePrivileges : {};
  for (const [database, privileges] of Object.entries(given)) {
    const normalized = normalizePrivileges(stringList(privileges));
    if (normalized.length > 0) databasePrivileges[database] = normalized;
  }
  return { privileges: normalizePrivileges(stringList(spec.privileges)), databasePrivileges };
}

/** The host part of a MySQL user: spec.hostname, default any host. */
export function mySqlHostOf(spec: Record<string, unknown>): string {
  return typeof spec.hostname === 'string' && spec.hostname !== '' ? spec.hostname : '%';
}

/**
 * Upper-case, single-spaced, without duplicates and USAGE (the privilege of every user), sorted. `ALL` (or `ALL
 * PRIVILEGES`) stands for every privilege: it alone remains.
 */
export function normalizePrivileges(privileges: string[]): string[] {
  const names = privileges.map((name) => name.trim().replace(/\s+/g, ' ').toUpperCase());
  if (names.some((name) => name === 'ALL' || name === 'ALL PRIVILEGES')) return ['ALL'];
  return unique(names.filter((name) => name !== '' && name !== 'USAGE')).sort();
}

/** The longest MySQL user name. */
export const mySqlUserNameLimit = 32;

/**
 * A `dbformysql.azure.com/User`'s Entra login (`spec.aadUser`): the Entra identity (azureName, else the object's
 * name: a user's UPN, a group's or a managed identity's name), the MySQL user it is known as (`alias`, else the
 * identity) and the server's Entra administrator to log in as.
 */
export interface MySqlEntraUser {
  identity: string;
  name: string;
  serverAdminUsername: string;
}

/** The Entra login of a MySQL User spec; undefined without `spec.aadUser`. */
export function mySqlEntraUserOf(spec: Record<string, unknown>, objectName: string): MySqlEntraUser | undefined {
  if (!isRecord(spec.aadUser)) return undefined;
  const identity = typeof spec.azureName === 'string' && spec.azureName !== '' ? spec.azureName : objectName;
  const alias = spec.aadUser.alias;
  const admin = spec.aadUser.serverAdminUsername;
  return {
    identity,
    name: typeof alias === 'string' && alias !== '' ? alias : identity,
    serverAdminUsername: typeof admin === 'string' ? admin : '',
  };
}

/** What is wrong with an Entra user's spec (each names the field and the fix), or undefined. */
export function mySqlEntraUserProblem(spec: Record<string, unknown>, entra: MySqlEntraUser): string | undefined {
  if (spec.localUser !== undefined) return 'exactly one of spec.localUser or spec.aadUser must be set';
  if (entra.serverAdminUsername === '') {
    return "spec.aadUser.serverAdminUsername is not set: give the login of the server's Entra administrator";
  }
  if (entra.name.length > mySqlUserNameLimit) {
    return (
      `the MySQL user name ${JSON.stringify(entra.name)} is longer than ${mySqlUserNameLimit} characters: ` +
      'set spec.aadUser.alias to a shorter name for the user in MySQL'
    );
  }
  if (mySqlHostOf(spec) !== '%') {
    return 'spec.hostname applies to spec.localUser only: an Entra user (CREATE AADUSER) connects from any host';
  }
  return undefined;
}

/** What makes `observed` (null: no such user) match `desired`; the password as for PostgreSQL. */
export function planMySqlUser(desired: MySqlUser, observed: MySqlUser | null, passwordChanged: boolean): MySqlChange[] {
  const changes: MySqlChange[] = [];
  const current = observed ?? { privileges: [], databasePrivileges: {} };
  if (observed === null) changes.push({ kind: 'create' });
  else if (passwordChanged) changes.push({ kind: 'setPassword' });
  const diff = (database: string | undefined, wanted: string[], have: string[]) => {
    // As ASO: ALL is granted (again: the server lists the privileges it stands for, not ALL) and nothing revoked.
    if (wanted.includes('ALL')) {
      changes.push({ kind: 'grant', database, privileges: ['ALL'] });
      return;
    }
    const grant = wanted.filter((name) => !have.includes(name));
    const revoke = have.filter((name) => !wanted.includes(name));
    if (grant.length > 0) changes.push({ kind: 'grant', database, privileges: grant });
    if (revoke.length > 0) changes.push({ kind: 'revoke', database, privileges: revoke });
  };
  diff(undefined, desired.privileges, current.privileges);
  const databases = unique([...Object.keys(desired.databasePrivileges), ...Object.keys(current.databasePrivileges)]);
  for (const database of databases.sort()) {
    diff(database, desired.databasePrivileges[database] ?? [], current.databasePrivileges[database] ?? []);
  }
  return changes;
}

/** An Azure SQL database user as the reconciler sees it: the database roles it is a member of. */
export interface SqlUser {
  roles: string[];
}

/** A change to an Azure SQL database user (a contained user with a password). */
export type SqlChange =
  { kind: 'create' } | { kind: 'setPassword' } | { kind: 'addRole'; role: string } | { kind: 'dropRole'; role: string };

/** The desired user of a `sql.azure.com/User` spec. */
export function desiredSqlUser(spec: Record<string, unknown>): SqlUser {
  return {
    roles: uniqueIgnoringCase(
      stringList(spec.roles)
        .map((role) => role.trim())
        .filter((role) => role !== ''),
    ),
  };
}

/**
 * What makes `observed` (null: no such user) match `desired`; the password as for PostgreSQL. Role names compare
 * without case, as under SQL Server's default collation.
 */
export function planSqlUser(desired: SqlUser, observed: SqlUser | null, passwordChanged: boolean): SqlChange[] {
  const changes: SqlChange[] = [];
  const current = observed?.roles ?? [];
  if (observed === null) changes.push({ kind: 'create' });
  else if (passwordChanged) changes.push({ kind: 'setPassword' });
  const has = (roles: string[], role: string) => roles.some((other) => other.toLowerCase() === role.toLowerCase());
  for (const role of desired.roles) if (!has(current, role)) changes.push({ kind: 'addRole', role });
  for (const role of current) if (!has(desired.roles, role)) changes.push({ kind: 'dropRole', role });
  return changes;
}

function uniqueIgnoringCase(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(value.toLowerCase()) && seen.add(value.toLowerCase()));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The record of a created user (annotation `serviceoperator.azure.com/resource-id`): `<owner name>/<user name>`. */
export function userRecord(owner: string, user: string): string {
  return `${owner}/${user}`;
}

/** Reads a `userRecord` (a Kubernetes object name holds no '/': the first one splits). */
export function parseUserRecord(text: string | undefined): { owner: string; user: string } | undefined {
  const slash = text?.indexOf('/') ?? -1;
  if (text === undefined || slash <= 0) return undefined;
  return { owner: text.slice(0, slash), user: text.slice(slash + 1) };
}

/** One `AZO_DATABASE_HOSTS` entry: a server name (or `*.suffix`) and where to reach it instead. */
export interface DatabaseHostMapping {
  name: string;
  host: string;
  port: number;
}

/** Where to connect for the server `fqdn`: the mapped address in plain TCP, else the FQDN itself over TLS. */
export function databaseAddress(
  mappings: readonly DatabaseHostMapping[],
  fqdn: string,
  defaultPort: number,
): { host: string; port: number; tls: boolean } {
  const name = fqdn.toLowerCase();
  const mapped =
    mappings.find((mapping) => mapping.name === name) ??
    mappings.find((mapping) => mapping.name.startsWith('*.') && name.endsWith(mapping.name.slice(1)));
  return mapped === undefined
    ? { host: fqdn, port: defaultPort, tls: true }
    : { host: mapped.host, port: mapped.port, tls: false };
}
