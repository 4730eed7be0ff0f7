/**
 * Reconciles ASO's database users (`dbforpostgresql.azure.com/User`, `dbformysql.azure.com/User`,
 * `sql.azure.com/User`): not ARM resources: the operator logs into the owning FlexibleServer, or into the owning
 * ServersDatabase on its Server (the server's `status.fullyQualifiedDomainName`, or the address `AZO_DATABASE_HOSTS`
 * maps it to) with `spec.localUser`'s administrator login and creates, alters or drops the user. A MySQL user with
 * `spec.aadUser` is an Entra one: the operator logs in as the server's Entra administrator with an access token of
 * the object's credential and creates the user for its identity (`CREATE AADUSER`).
 * ARM kinds' semantics where they apply: the finalizer before the first write, the owner reference, the
 * reconcile-policy annotation (skip: read only; detach-on-delete: the user stays), the Ready condition, and a wake-up
 * when the owner or a Secret changes. The password cannot be read back: its keyed digest is recorded in
 * `serviceoperator.azure.com/azo-applied-digest`, and a rotated Secret sets it again (an Entra user's identity, which
 * cannot change, is in the digest instead). `serviceoperator.azure.com/resource-id` records `<owner>/<user name>`
 * once created: the user a delete drops, and what cannot change after.
 * Decisions: db-user-plan.ts.
 */
import type { Logger } from 'pino';
import {
  Reasons,
  type ReadyState,
  conditionsWithReady,
  readyDeadlinePassed,
  readyDeleting,
  readyProblem,
  readySucceeded,
} from './conditions.js';
import { decodeSecretData, defaultScopeOf, redactSecrets } from './credentials.js';
import { checkDigest, makeDigest } from './digest.js';
import { stoppedBy } from './errors.js';
import {
  databaseAddress,
  desiredMySqlUser,
  desiredPgUser,
  desiredSqlUser,
  type MySqlEntraUser,
  mySqlEntraUserOf,
  mySqlEntraUserProblem,
  mySqlHostOf,
  parseUserRecord,
  planMySqlUser,
  planPgUser,
  planSqlUser,
  userRecord,
} from './db-user-plan.js';
import { type DbConnection, type UserSession, untilDeadline } from './db-user-session.js';
import type { KubeObject, ObjectRef } from './kube.js';
import { APPLIED_DIGEST_ANNOTATION, RESOURCE_ID_ANNOTATION } from './names.js';
import { ObjectWriter } from './object-writer.js';
import { type ReconcileResult, RetryableError } from './queue.js';
import type { ReconcilerDeps } from './reconciler.js';
import { type ServedKind, objectKey } from './registry.js';

/**
 * The least delay before retrying a failure that may pass (server unreachable, owner not provisioned yet, Secret
 * missing); the queue's backoff grows it.
 */
const retryMs = 10_000;
const shortRetryMs = 1_000;
const ports = { postgresql: 5432, mysql: 3306, sqlserver: 1433 } as const;

type Engine = keyof typeof ports;

/**
 * Ends a pass with this Ready state, and a retry: shortly (a write under way elsewhere), soon (it may pass by itself),
 * at the sync period (nothing to fix; only look again), or never (the spec must change first, which queues it anyway).
 */
class UserProblem extends Error {
  constructor(
    readonly state: ReadyState,
    readonly retry: 'shortly' | 'soon' | 'sync' | 'never' = 'soon',
  ) {
    super(state.message);
  }
}

/** A problem only a change of the spec (or of the database) can fix: Ready False, Error, and no retry. */
function specError(reason: string, message: string): UserProblem {
  return new UserProblem(readyProblem(reason, message, 'Error'), 'never');
}

/** An open session, whatever the engine: what the pass needs of it. */
interface EngineSession {
  exists(): Promise<boolean>;
  /** Plans and applies; returns the number of changes made. */
  sync(password: string, passwordChanged: boolean): Promise<number>;
  drop(): Promise<void>;
  close(): Promise<void>;
  /** Cuts the connection at once (the reconcile's deadline passed): a statement in flight fails. */
  abort(): void;
}

/** Reconciles one User object (see the module comment); `deadline` ends its database session. */
export async function reconcileDatabaseUser(
  deps: ReconcilerDeps,
  served: ServedKind,
  ref: ObjectRef,
  initial: KubeObject,
  log: Logger,
  deadline: AbortSignal,
): Promise<ReconcileResult> {
  const api = served.model.handcrafted?.api;
  const engine: Engine = api === 'mysql' || api === 'sqlserver' ? api : 'postgresql';
  const kube = deps.kube;
  const now = deps.now ?? (() => new Date());
  const target = new ObjectWriter(kube, ref, initial);
  const object = () => target.object;
  const key = objectKey(served.model.group, served.model.kind, ref.namespace, ref.name);
  const dependencies = new Set<string>();
  const dependOn = (dependency: string) => {
    dependencies.add(dependency);
    deps.dependencies.add(key, dependency);
  };
  const secretValues: string[] = [];
  const writeStatus = async (state: ReadyState) => {
    const message = redactSecrets(state.message, secretValues);
    const previous = object().status ?? {};
    const generation = object().metadata.generation ?? 0;
    const { conditions } = conditionsWithReady(previous, { ...state, message }, generation, now());
    await target.writeStatus({ ...previous, conditions, observedGeneration: generation });
  };

  const { policy } = await target.policy(deps.config);
  const deleting = target.deleting;
  const release = async (): Promise<ReconcileResult> => {
    await target.releaseFinalizer();
    return {};
  };
  if (deleting && !target.hasFinalizer) return {};
  if (deleting && policy !== 'manage') return release();

  const spec = object().spec ?? {};
  const annotations = object().metadata.annotations ?? {};
  // A MySQL Entra user (spec.aadUser) is known in MySQL by its alias, else by its identity (azureName).
  const entra = engine === 'mysql' ? mySqlEntraUserOf(spec, ref.name) : undefined;
  const userName =
    entra?.name ?? (typeof spec.azureName === 'string' && spec.azureName !== '' ? spec.azureName : ref.name);
  const ownerName =
    typeof (spec.owner as { name?: unknown })?.name === 'string' ? (spec.owner as { name: string }).name : '';
  // The owner and the name the user was created with (the owner's object name cannot hold a '/').
  const recorded = parseUserRecord(annotations[RESOURCE_ID_ANNOTATION]);

  /** Reads a Secret key named by a `{name, key}` reference in spec.localUser. */
  const readSecretKey = async (field: string): Promise<string> => {
    const reference = (spec.localUser as Record<string, unknown> | undefined)?.[field] as
      { name?: unknown; key?: unknown } | undefined;
    if (typeof reference?.name !== 'string' || typeof reference.key !== 'string') {
      throw specError(Reasons.SecretNotFound, `spec.localUser.${field} is not set`);
    }
    dependOn(`/Secret/${ref.namespace}/${reference.name}`);
    const secret = await kube.getSecret(ref.namespace, reference.name);
    const value = secret === undefined ? undefined : decodeSecretData(secret)[reference.key];
    if (value === undefined) {
      throw new UserProblem(
        readyProblem(
          Reasons.SecretNotFound,
          `failed to look up .spec.localUser.${field}: Secret ${ref.namespace}/${reference.name} ` +
            (secret === undefined ? 'does not exist' : `has no key ${JSON.stringify(reference.key)}`),
        ),
      );
    }
    secretValues.push(value);
    return value;
  };

  const waiting = (message: string, retry: 'soon' | 'shortly' = 'soon') =>
    new UserProblem(readyProblem(Reasons.WaitingForOwner, message), retry);

  /** A served kind's object in this namespace (from the cache when there is one), and a wake-up when it changes. */
  const readRelated = async (kind: string, name: string) => {
    const relatedServed = deps.kinds.get(served.model.group, kind);
    dependOn(objectKey(served.model.group, kind, ref.namespace, name));
    if (relatedServed === undefined) throw waiting(`${served.model.group}/${kind} is not served`);
    const related =
      deps.cached?.(relatedServed, ref.namespace, name) ??
      (await kube.getObject({
        group: relatedServed.model.group,
        version: relatedServed.version,
        plural: relatedServed.plural,
        namespace: ref.namespace,
        name,
      }));
    return { related, relatedServed };
  };

  /** The server's address; not provisioned yet → WaitingForOwner. */
  const fqdnOf = (server: KubeObject, kind: string, name: string) => {
    const fqdn = (server.status as { fullyQualifiedDomainName?: unknown } | undefined)?.fullyQualifiedDomainName;
    if (typeof fqdn === 'string' && fqdn !== '') return fqdn;
    throw waiting(
      `owning ${kind} ${JSON.stringify(name)} '.status.fullyQualifiedDomainName' not set. ` +
        'Has the server been provisioned successfully?',
      // Created in Azure (the resource-id annotation wakes us) but its status not written yet: it will be at once.
      server.metadata.annotations?.[RESOURCE_ID_ANNOTATION] === undefined ? 'soon' : 'shortly',
    );
  };

  /**
   * The owner (a FlexibleServer, or for SQL a ServersDatabase): the server's address, the database to log into (SQL
   * only), and the ownerReference. An owner that does not exist → undefined; one not provisioned → WaitingForOwner.
   */
  const resolveOwner = async (ownerName: string) => {
    const ownerKind = engine === 'sqlserver' ? 'ServersDatabase' : 'FlexibleServer';
    const { related: owner, relatedServed: ownerServed } = await readRelated(ownerKind, ownerName);
    if (owner === undefined) return undefined;
    const ownerRef = {
      apiVersion: `${ownerServed.model.group}/${ownerServed.version}`,
      kind: ownerKind,
      name: ownerName,
      uid: owner.metadata.uid ?? '',
    };
    if (engine !== 'sqlserver') return { fqdn: fqdnOf(owner, ownerKind, ownerName), ownerRef };
    const ownerSpec = owner.spec ?? {};
    const database =
      typeof ownerSpec.azureName === 'string' && ownerSpec.azureName !== '' ? ownerSpec.azureName : ownerName;
    if (typeof (owner.status as { id?: unknown } | undefined)?.id !== 'string') {
      throw waiting(`owning ServersDatabase ${JSON.stringify(ownerName)} does not exist in Azure yet`);
    }
    const serverName = (ownerSpec.owner as { name?: unknown } | undefined)?.name;
    if (typeof serverName !== 'string' || serverName === '') {
      throw specError(
        Reasons.Failed,
        `owning ServersDatabase ${JSON.stringify(ownerName)} names its Server by ARM ID: azo reads the server's ` +
          'address from the Server object, so give spec.owner.name on the ServersDatabase',
      );
    }
    const { related: server } = await readRelated('Server', serverName);
    if (server === undefined) throw waiting(`the Server ${JSON.stringify(serverName)} of the database does not exist`);
    return { fqdn: fqdnOf(server, 'Server', serverName), database, ownerRef };
  };

  /** The administrator login of spec.localUser: its name and the password from its Secret. */
  const localLogin = async () => ({
    adminUser: String((spec.localUser as Record<string, unknown> | undefined)?.serverAdminUsername ?? ''),
    adminPassword: await readSecretKey('serverAdminPassword'),
  });

  /**
   * The Entra login of spec.aadUser: the server's Entra administrator, with an access token of the credential the
   * object's ARM requests use (the operator's identity must be that administrator, or in its group).
   */
  const entraLogin = async (user: MySqlEntraUser) => {
    const credential = await deps.credentials.forObject(object());
    credential.dependencies.forEach(dependOn);
    if (!credential.ok) throw new UserProblem(readyProblem(credential.reason, credential.message));
    secretValues.push(...credential.secretValues);
    const scope = defaultScopeOf(deps.config.ossrdbmsAudience);
    const token = await untilDeadline(deadline, () =>
      credential.credential.getToken(scope, { abortSignal: deadline }),
    ).catch((error: unknown) => {
      if (deadline.aborted) throw error;
      throw new ServerFailure(`an Entra token for ${scope}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (token === null) throw new ServerFailure(`an Entra token for ${scope}: none was issued`);
    secretValues.push(token.token);
    return { adminUser: user.serverAdminUsername, adminPassword: token.token, entraToken: true };
  };

  const open = async (owner: { fqdn: string; database?: string }, name: string): Promise<EngineSession> => {
    const login = entra === undefined ? await localLogin() : await entraLogin(entra);
    const address = databaseAddress(deps.config.databaseHosts, owner.fqdn, ports[engine]);
    const connection: DbConnection = {
      ...address,
      ...login,
      timeoutMs: Math.min(deps.config.armRequestTimeoutMs, 30_000),
      signal: deadline,
    };
    const opening =
      engine === 'postgresql'
        ? openPostgresUser(connection, spec, name)
        : engine === 'mysql'
          ? openMySqlUser(connection, spec, name, entra?.identity)
          : openSqlServerUser(connection, owner.database ?? '', spec, name);
    // A session that opens after the deadline passed is closed at once: nobody is left to use it.
    opening.then((late) => (deadline.aborted ? late.close() : undefined)).catch(() => undefined);
    const session = await onServer(deadline, () => opening);
    const onCut = () => session.abort();
    deadline.addEventListener('abort', onCut, { once: true });
    return {
      exists: () => onServer(deadline, () => session.exists()),
      sync: (password, passwordChanged) => onServer(deadline, () => session.sync(password, passwordChanged)),
      drop: () => onServer(deadline, () => session.drop()),
      close: async () => {
        deadline.removeEventListener('abort', onCut);
        await session.close();
      },
      abort: () => session.abort(),
    };
  };

  try {
    if (deleting) {
      if (recorded === undefined) return await release();
      const owner = await resolveOwner(recorded.owner).catch((error: unknown) => {
        if (error instanceof UserProblem && error.state.reason === Reasons.WaitingForOwner) return undefined;
        throw error;
      });
      // The server is gone (or never came up): so is the user.
      if (owner === undefined) return await release();
      await writeStatus(readyDeleting());
      const session = await open(owner, recorded.user);
      try {
        await session.drop();
      } finally {
        await session.close();
      }
      log.info({ user: recorded.user }, 'dropped the database user');
      return await release();
    }

    const specProblem =
      entra !== undefined
        ? mySqlEntraUserProblem(spec, entra)
        : spec.localUser !== undefined
          ? undefined
          : engine === 'mysql'
            ? 'exactly one of spec.localUser or spec.aadUser must be set'
            : 'spec.localUser is not set';
    if (specProblem !== undefined) {
      throw specError(Reasons.Failed, specProblem);
    }
    for (const [field, was, is] of [
      [entra !== undefined ? 'aadUser.alias (or azureName)' : 'azureName', recorded?.user, userName],
      ['owner.name', recorded?.owner, ownerName],
    ] as const) {
      if (was === undefined || was === is) continue;
      throw specError(
        Reasons.ImmutableFieldChanged,
        `updating '${field}' is not allowed: the user was created with ${JSON.stringify(was)}`,
      );
    }
    // What a pass applies, as its digest records it: a local user's password, or an Entra user's identity.
    const entraApplied = (identity: string) => ({ engine, user: userName, entraIdentity: identity });
    const recordedDigest = annotations[APPLIED_DIGEST_ANNOTATION];
    // An Entra user turned local (ASO refuses it as well); caught when the identity was the user's name (no alias).
    if (
      engine === 'mysql' &&
      entra === undefined &&
      checkDigest(deps.keyring, recordedDigest, entraApplied(userName)).status === 'match'
    ) {
      throw specError(
        Reasons.ImmutableFieldChanged,
        `the MySQL user ${JSON.stringify(userName)} is an Entra user (spec.aadUser), which cannot become a ` +
          'spec.localUser: delete this User and create it again',
      );
    }
    const owner = await resolveOwner(ownerName);
    if (owner === undefined) {
      throw new UserProblem(
        readyProblem(
          Reasons.WaitingForOwner,
          `owner ${engine === 'sqlserver' ? 'ServersDatabase' : 'FlexibleServer'} ${JSON.stringify(ownerName)} ` +
            'does not exist',
        ),
      );
    }
    const password = policy === 'skip' || entra !== undefined ? '' : await readSecretKey('password');
    if (policy !== 'skip') {
      const owners = object().metadata.ownerReferences ?? [];
      await target.addFinalizer();
      if (!owners.some((reference) => reference.uid === owner.ownerRef.uid)) {
        const others = owners.filter((reference) => reference.kind !== owner.ownerRef.kind);
        await target.patchMetadata({ ownerReferences: [...others, owner.ownerRef] });
      }
    }
    const session = await open(owner, userName);
    try {
      if (policy === 'skip') {
        if (!(await session.exists())) {
          throw new UserProblem(readyProblem(Reasons.AzureResourceNotFound, `user ${userName} does not exist`), 'sync');
        }
        await writeStatus(readySucceeded());
        return {};
      }
      // The Entra identity cannot change in Azure afterwards; a password can.
      const applied =
        entra === undefined
          ? { engine, user: userName, host: mySqlHostOf(spec), password }
          : entraApplied(entra.identity);
      const digest = makeDigest(deps.keyring, applied);
      if (
        entra !== undefined &&
        checkDigest(deps.keyring, recordedDigest, applied).status === 'differs' &&
        (await session.exists())
      ) {
        throw specError(
          Reasons.ImmutableFieldChanged,
          `the MySQL user ${JSON.stringify(userName)} was created for another identity or login (azureName, or ` +
            'spec.localUser), which Azure cannot change: delete this User and create it again',
        );
      }
      const changes = await session.sync(password, entra === undefined && recordedDigest !== digest);
      if (changes > 0) log.info({ user: userName, changes }, 'updated the database user');
      const record = userRecord(ownerName, userName);
      if (annotations[RESOURCE_ID_ANNOTATION] !== record || recordedDigest !== digest) {
        await target.patchMetadata({
          annotations: { [RESOURCE_ID_ANNOTATION]: record, [APPLIED_DIGEST_ANNOTATION]: digest },
        });
      }
    } finally {
      await session.close();
    }
    await writeStatus(readySucceeded());
    const period = deps.config.syncPeriodMs;
    return period === undefined ? {} : { requeueAfterMs: period, requeueReason: 'drift' };
  } catch (error) {
    if (stoppedBy(deadline)) throw deadline.reason; // the operator is stopping: not a failure, no condition
    const problem = deadline.aborted
      ? new UserProblem(readyDeadlinePassed(deps.config.reconcileTimeoutMs))
      : error instanceof ServerFailure
        ? new UserProblem(readyProblem(Reasons.Failed, error.message))
        : error;
    if (!(problem instanceof UserProblem)) throw error;
    const message = redactSecrets(problem.message, secretValues);
    log.warn({ reason: problem.state.reason }, message);
    await writeStatus(problem.state);
    if (problem.retry === 'never') return {};
    const period = deps.config.syncPeriodMs;
    if (problem.retry === 'sync') return period === undefined ? {} : { requeueAfterMs: period, requeueReason: 'drift' };
    if (problem.retry === 'shortly') return { requeueAfterMs: shortRetryMs, requeueReason: 'retry' };
    throw new RetryableError(`${problem.state.reason}: ${message}`, retryMs);
  } finally {
    deps.dependencies.set(key, dependencies);
  }
}

/** Anything that went wrong talking to the server: refused login or statement, unreachable, TLS. */
class ServerFailure extends Error {}

/** `call`, within `deadline` (see untilDeadline), with any failure reported as a ServerFailure. */
async function onServer<T>(deadline: AbortSignal, call: () => Promise<T>): Promise<T> {
  try {
    return await untilDeadline(deadline, call);
  } catch (error) {
    throw new ServerFailure(`database server: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The pass's view of an engine's session for the user `name`, planning its changes with `plan`. */
function forUser<User, Change>(
  session: UserSession<User, Change>,
  name: string,
  plan: (observed: User | null, passwordChanged: boolean) => Change[],
): EngineSession {
  return {
    exists: async () => (await session.readUser(name)) !== null,
    sync: async (password, passwordChanged) => {
      const changes = plan(await session.readUser(name), passwordChanged);
      await session.apply(name, password, changes);
      return changes.length;
    },
    drop: () => session.dropUser(name),
    close: () => session.close(),
    abort: () => session.abort(),
  };
}

async function openPostgresUser(
  connection: DbConnection,
  spec: Record<string, unknown>,
  name: string,
): Promise<EngineSession> {
  const { openPostgres } = await import('./db-postgresql.js');
  const desired = desiredPgUser(spec);
  return forUser(await openPostgres(connection), name, (observed, changed) => planPgUser(desired, observed, changed));
}

async function openMySqlUser(
  connection: DbConnection,
  spec: Record<string, unknown>,
  name: string,
  entraIdentity: string | undefined,
): Promise<EngineSession> {
  const { openMySql } = await import('./db-mysql.js');
  const desired = desiredMySqlUser(spec);
  const session = await openMySql(connection, mySqlHostOf(spec), entraIdentity);
  return forUser(session, name, (observed, changed) => planMySqlUser(desired, observed, changed));
}

async function openSqlServerUser(
  connection: DbConnection,
  database: string,
  spec: Record<string, unknown>,
  name: string,
): Promise<EngineSession> {
  const { openSqlServer } = await import('./db-sqlserver.js');
  const desired = desiredSqlUser(spec);
  const session = await openSqlServer(connection, database);
  return forUser(session, name, (observed, changed) => planSqlUser(desired, observed, changed));
}
