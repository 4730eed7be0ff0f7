/**
 * ASO's database user kinds (`dbforpostgresql.azure.com/User`, `dbformysql.azure.com/User` and `sql.azure.com/User`,
 * v1): not ARM resources: the operator logs into the owning flexible server (or, for Azure SQL, the owning database)
 * and manages the user with SQL. Schemas as in ASO's `v2/api/{dbforpostgresql,dbformysql,sql}/v1/user_types.go`.
 */
import type { KindModel, SchemaNode } from '../../model/index.js';
import { conditionSchema } from '../../model/index.js';

const text = (description: string): SchemaNode => ({ type: 'string', description });
const flag = (description: string): SchemaNode => ({ type: 'boolean', description });

const secretReference = (description: string): SchemaNode => ({
  type: 'object',
  description,
  required: ['name', 'key'],
  properties: {
    name: text('The name of the Secret, in the namespace of this object.'),
    key: text('The key in the Secret.'),
  },
});

const owner = (group: string, kind = 'FlexibleServer', where = 'on'): SchemaNode => ({
  type: 'object',
  description: `The ${group}/${kind} this user is created ${where} (in this namespace).`,
  required: ['name'],
  properties: { name: text(`The name of the ${kind} object.`) },
});

const azureName = text(
  'The name of the user on the server. Default: the name of this object (metadata.name). Cannot change once set.',
);

const localUser: SchemaNode = {
  type: 'object',
  description: 'A standard (password) database user, created with the server administrator login.',
  required: ['serverAdminUsername', 'password'],
  properties: {
    serverAdminUsername: text('The login of the server administrator.'),
    serverAdminPassword: secretReference('The Secret key holding the password of the server administrator.'),
    password: secretReference('The Secret key holding the password of the user.'),
  },
};

const status: SchemaNode = {
  type: 'object',
  properties: {
    conditions: { type: 'array', description: 'The observed state of the resource.', items: conditionSchema() },
    // Not in ASO's status: every azo kind has it (kstatus reads it).
    observedGeneration: { type: 'integer', description: 'The metadata.generation the conditions describe.' },
  },
};

const postgresSpec: SchemaNode = {
  type: 'object',
  required: ['owner', 'localUser'],
  properties: {
    azureName,
    owner: owner('dbforpostgresql.azure.com'),
    roles: {
      type: 'array',
      description: 'The roles the user is a member of (GRANT role TO user); roles not listed are revoked.',
      items: { type: 'string' },
    },
    roleOptions: {
      type: 'object',
      description: 'The options of the user role. Default: login only.',
      properties: {
        login: flag('WITH LOGIN or NOLOGIN. Default true.'),
        createRole: flag('WITH CREATEROLE or NOCREATEROLE. Default false.'),
        createDb: flag('WITH CREATEDB or NOCREATEDB. Default false.'),
        replication: flag('WITH REPLICATION or NOREPLICATION. Default false.'),
      },
    },
    localUser,
  },
};

const aadUser: SchemaNode = {
  type: 'object',
  description:
    'An Entra ID user (CREATE AADUSER), instead of localUser: azureName is the identity (a user principal name, a ' +
    "group's or a managed identity's name). The operator logs in with an Entra token of its own credential.",
  required: ['serverAdminUsername'],
  properties: {
    alias: {
      ...text('The name of the user in MySQL (not the login); needed when azureName is longer than 32 characters.'),
      maxLength: 32,
    },
    serverAdminUsername: text(
      "The login of the server's Entra administrator (a FlexibleServersAdministrator's spec.login; for a group, the " +
        "group's name): the operator's identity must be it or a member of it.",
    ),
  },
};

const mysqlSpec: SchemaNode = {
  type: 'object',
  required: ['owner'],
  properties: {
    azureName,
    owner: owner('dbformysql.azure.com'),
    hostname: text("The host the user connects from. Default: any host ('%')."),
    privileges: {
      type: 'array',
      description: 'Server-level privileges (GRANT … ON *.*): e.g. RELOAD, PROCESS, SHOW DATABASES, CREATE USER.',
      items: { type: 'string' },
    },
    databasePrivileges: {
      type: 'object',
      description: 'Database-level privileges by database name (GRANT … ON `db`.*): e.g. SELECT, INSERT, UPDATE.',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
    localUser,
    aadUser,
  },
};

const sqlSpec: SchemaNode = {
  type: 'object',
  required: ['owner', 'localUser'],
  properties: {
    azureName,
    owner: owner('sql.azure.com', 'ServersDatabase', 'in'),
    roles: {
      type: 'array',
      description:
        'The database roles the user is a member of (ALTER ROLE … ADD MEMBER), e.g. db_datareader, db_datawriter; ' +
        'roles not listed are dropped (ALTER ROLE … DROP MEMBER).',
      items: { type: 'string' },
    },
    localUser,
  },
};

const collections = { postgresql: 'PostgreSQL/roles', mysql: 'MySQL/users', sqlserver: 'SQL Database/users' };

/** The user model of one engine. */
function userModel(group: string, api: keyof typeof collections, spec: SchemaNode): KindModel {
  return {
    group,
    kind: 'User',
    versions: ['v1'],
    armType: collections[api],
    apiVersion: 'v1',
    scope: 'resourceGroup',
    owners: [{ group, kind: api === 'sqlserver' ? 'ServersDatabase' : 'FlexibleServer' }],
    body: { type: 'object', properties: {} },
    exports: [],
    hooks: [],
    handcrafted: { api, spec, status },
  };
}

/** The database user models, keyed by ASO's short group and kind. */
export const databaseUserKinds: Record<string, KindModel> = {
  'dbforpostgresql/User': userModel('dbforpostgresql.azure.com', 'postgresql', postgresSpec),
  'dbformysql/User': userModel('dbformysql.azure.com', 'mysql', mysqlSpec),
  'sql/User': userModel('sql.azure.com', 'sqlserver', sqlSpec),
};
