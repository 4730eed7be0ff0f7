/**
 * Reconciles ASO's database users (`dbforpostgresql.azure.com/User`, `dbformysql.azure.com/User`): not ARM
 * resources: the operator logs into the owning FlexibleServer (`status.fullyQualifiedDomainName`, or the address
 * `AZO_DATABASE_HOSTS` maps it to) with `spec.localUser`'s administrator login and creates, alters or drops the user.
 * ARM kinds' semantics where they apply: the finalizer before the first write, the owner reference, the
 * reconcile-policy annotation (skip: read only; detach-on-delete: the user stays), the Ready condition, and a wake-up
 * when the owner or a Secret changes. The password cannot be read back: its keyed digest is recorded in
 * `serviceoperator.azure.com/azo-applied-digest`, and a rotated Secret sets it again. `serviceoperator.azure.com/
 * resource-id` records `<owner>/<user name>` once created: the user a delete drops, and what cannot change after.
 * Decisions: db-user-plan.ts.
 */
import type { Logger } from 'pino';
import {
  Reasons,
  type ReadyState,
  conditionsWithReady,
  readyDeleting,
  readyProblem,
  readySucceeded,
} from './conditions.js';
import { decodeSecretData, redactSecrets } from './credentials.js';
import { makeDigest } from './digest.js';
import {
  databaseAddress,
  desiredMySqlUser,
  desiredPgUser,
  mySqlHostOf,
  parseUserRecord,
  planMySqlUser,
  planPgUser,
  userRecord,
} from './db-user-plan.js';
import type { DbConnection } from './db-user-session.js';
import type { KubeObject, ObjectRef } from './kube.js';
import { createMergePatch } from './merge-patch.js';
import { APPLIED_DIGEST_ANNOTATION, FINALIZER, RESOURCE_ID_ANNOTATION } from './names.js';
import { resolveReconcilePolicy } from './policy.js';
import type { ReconcileResult } from './queue.js';
import type { ReconcilerDeps } from './reconciler.js';
import { type ServedKind, objectKey } from './registry.js';

/** Retry soon after a failure that may pass (server unreachable, owner not provisioned yet, Secret missing). */
const retryMs = 10_000;
const shortRetryMs = 1_000;
const ports = { postgresql: 5432, mysql: 3306 } as const;

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

/** An open session, whatever the engine: what the pass needs of it. */
interface EngineSession {
  exists(): Promise<boolean>;
  /** Plans and applies; returns the number of changes made. */
  sync(password: string, passwordChanged: boolean): Promise<number>;
  drop(): Promise<void>;
  close(): Promise<void>;
}

/** Reconciles one User object (see the module comment). */
export async function reconcileDatabaseUser(
  deps: ReconcilerDeps,
  served: ServedKind,
  ref: ObjectRef,
  initial: KubeObject,
  log: Logger,
): Promise<ReconcileResult> {
  const engine: Engine = served.model.handcrafted?.api === 'mysql' ? 'mysql' : 'postgresql';
  const kube = deps.kube;
  const now = deps.now ?? (() => new Date());
  let object = structuredClone(initial);
  const key = objectKey(served.model.group, served.model.kind, ref.namespace, ref.name);
  const dependencies = new Set<string>();
  const dependOn = (dependency: string) => {
    dependencies.add(dependency);
    deps.dependencies.add(key, dependency);
  };
  const secretValues: string[] = [];
  const patchMetadata = async (metadata: Record<string, unknown>) => {
    object = await kube.patchObject(ref, {
      metadata: { ...metadata, resourceVersion: object.metadata.resourceVersion },
    });
  };
  const writeStatus = async (state: ReadyState) => {
    const message = redactSecrets(state.message, secretValues);
    const previous = object.status ?? {};
    const generation = object.metadata.generation ?? 0;
    const { conditions } = conditionsWithReady(previous, { ...state, message }, generation, now());
    const patch = createMergePatch(previous, { ...previous, conditions, observedGeneration: generation });
    if (patch !== undefined) object = await kube.patchStatus(ref, { status: patch });
  };

  const namespace = await kube.getNamespace(ref.namespace);
  const { policy } = resolveReconcilePolicy({
    objectAnnotations: object.metadata.annotations,
    namespaceAnnotations: namespace?.metadata?.annotations,
    defaultPolicy: deps.config.defaultReconcilePolicy ?? deps.config.invalidDefaultPolicy,
  });
  const deleting = object.metadata.deletionTimestamp !== undefined && object.metadata.deletionTimestamp !== null;
  const finalizers = object.metadata.finalizers ?? [];
  const release = async (): Promise<ReconcileResult> => {
    if (finalizers.includes(FINALIZER)) await patchMetadata({ finalizers: finalizers.filter((f) => f !== FINALIZER) });
    return {};
  };
  if (deleting && !finalizers.includes(FINALIZER)) return {};
  if (deleting && policy !== 'manage') return release();

  const spec = object.spec ?? {};
  const annotations = object.metadata.annotations ?? {};
  const userName = typeof spec.azureName === 'string' && spec.azureName !== '' ? spec.azureName : ref.name;
  const ownerName =
    typeof (spec.owner as { name?: unknown })?.name === 'string' ? (spec.owner as { name: string }).name : '';
  // The owner and the name the user was created with (the owner's object name cannot hold a '/').
  const recorded = parseUserRecord(annotations[RESOURCE_ID_ANNOTATION]);

  /** Reads a Secret key named by a `{name, key}` reference in spec.localUser. */
  const readSecretKey = async (field: string): Promise<string> => {
    const reference = (spec.localUser as Record<string, unknown> | undefined)?.[field] as
      { name?: unknown; key?: unknown } | undefined;
    if (typeof reference?.name !== 'string' || typeof reference.key !== 'string') {
      throw new UserProblem(
        readyProblem(Reasons.SecretNotFound, `spec.localUser.${field} is not set`, 'Error'),
        'never',
      );
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

  /** The owning server: its address, and its ownerReference. Missing or unprovisioned → WaitingForOwner. */
  const resolveOwner = async (ownerName: string) => {
    const ownerServed = deps.kinds.get(served.model.group, 'FlexibleServer');
    dependOn(objectKey(served.model.group, 'FlexibleServer', ref.namespace, ownerName));
    const waiting = (message: string, retry: 'soon' | 'shortly' = 'soon') =>
      new UserProblem(readyProblem(Reasons.WaitingForOwner, message), retry);
    if (ownerServed === undefined) throw waiting(`${served.model.group}/FlexibleServer is not served`);
    const owner =
      deps.cached?.(ownerServed, ref.namespace, ownerName) ??
      (await kube.getObject({
        group: ownerServed.model.group,
        version: ownerServed.version,
        plural: ownerServed.plural,
        namespace: ref.namespace,
        name: ownerName,
      }));
    if (owner === undefined) return undefined;
    const fqdn = (owner.status as { fullyQualifiedDomainName?: unknown } | undefined)?.fullyQualifiedDomainName;
    if (typeof fqdn !== 'string' || fqdn === '') {
      throw waiting(
        `owning FlexibleServer ${JSON.stringify(ownerName)} '.status.fullyQualifiedDomainName' not set. ` +
          'Has the server been provisioned successfully?',
        // Created in Azure (the resource-id annotation wakes us) but its status not written yet: it will be at once.
        owner.metadata.annotations?.[RESOURCE_ID_ANNOTATION] === undefined ? 'soon' : 'shortly',
      );
    }
    const ownerRef = {
      apiVersion: `${ownerServed.model.group}/${ownerServed.version}`,
      kind: 'FlexibleServer',
      name: ownerName,
      uid: owner.metadata.uid ?? '',
    };
    return { fqdn, ownerRef };
  };

  const open = async (fqdn: string, name: string): Promise<EngineSession> => {
    const localUser = (spec.localUser ?? {}) as Record<string, unknown>;
    const adminPassword = await readSecretKey('serverAdminPassword');
    const address = databaseAddress(deps.config.databaseHosts, fqdn, ports[engine]);
    const connection: DbConnection = {
      ...address,
      adminUser: String(localUser.serverAdminUsername ?? ''),
      adminPassword,
      timeoutMs: Math.min(deps.config.armRequestTimeoutMs, 30_000),
    };
    const session = await onServer(() =>
      engine === 'postgresql' ? openPostgresUser(connection, spec, name) : openMySqlUser(connection, spec, name),
    );
    return {
      exists: () => onServer(() => session.exists()),
      sync: (password, passwordChanged) => onServer(() => session.sync(password, passwordChanged)),
      drop: () => onServer(() => session.drop()),
      close: () => session.close(),
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
      const session = await open(owner.fqdn, recorded.user);
      try {
        await session.drop();
      } finally {
        await session.close();
      }
      log.info({ user: recorded.user }, 'dropped the database user');
      return await release();
    }

    if (spec.aadUser !== undefined) {
      throw new UserProblem(
        readyProblem(
          Reasons.Failed,
          'spec.aadUser (Entra ID users) is not supported by azo: use spec.localUser',
          'Error',
        ),
        'never',
      );
    }
    if (spec.localUser === undefined) {
      throw new UserProblem(
        readyProblem(Reasons.Failed, 'exactly one of spec.localUser or spec.aadUser must be set', 'Error'),
        'never',
      );
    }
    for (const [field, was, is] of [
      ['azureName', recorded?.user, userName],
      ['owner.name', recorded?.owner, ownerName],
    ] as const) {
      if (was === undefined || was === is) continue;
      throw new UserProblem(
        readyProblem(
          Reasons.ImmutableFieldChanged,
          `updating '${field}' is not allowed: the user was created with ${JSON.stringify(was)}`,
          'Error',
        ),
        'never',
      );
    }
    const owner = await resolveOwner(ownerName);
    if (owner === undefined) {
      throw new UserProblem(
        readyProblem(Reasons.WaitingForOwner, `owner FlexibleServer ${JSON.stringify(ownerName)} does not exist`),
      );
    }
    const password = policy === 'skip' ? '' : await readSecretKey('password');
    if (policy !== 'skip') {
      const owners = object.metadata.ownerReferences ?? [];
      const wanted: Record<string, unknown> = {};
      if (!finalizers.includes(FINALIZER)) wanted.finalizers = [...finalizers, FINALIZER];
      if (!owners.some((reference) => reference.uid === owner.ownerRef.uid)) {
        wanted.ownerReferences = [...owners.filter((reference) => reference.kind !== 'FlexibleServer'), owner.ownerRef];
      }
      if (Object.keys(wanted).length > 0) await patchMetadata(wanted);
    }
    const session = await open(owner.fqdn, userName);
    try {
      if (policy === 'skip') {
        if (!(await session.exists())) {
          throw new UserProblem(readyProblem(Reasons.AzureResourceNotFound, `user ${userName} does not exist`), 'sync');
        }
        await writeStatus(readySucceeded());
        return {};
      }
      const digest = makeDigest(deps.keyring, { engine, user: userName, host: mySqlHostOf(spec), password });
      const recordedDigest = object.metadata.annotations?.[APPLIED_DIGEST_ANNOTATION];
      const changes = await session.sync(password, recordedDigest !== digest);
      if (changes > 0) log.info({ user: userName, changes }, 'updated the database user');
      const record = userRecord(ownerName, userName);
      if (annotations[RESOURCE_ID_ANNOTATION] !== record || recordedDigest !== digest) {
        await patchMetadata({ annotations: { [RESOURCE_ID_ANNOTATION]: record, [APPLIED_DIGEST_ANNOTATION]: digest } });
      }
    } finally {
      await session.close();
    }
    await writeStatus(readySucceeded());
    const period = deps.config.syncPeriodMs;
    return period === undefined ? {} : { requeueAfterMs: period, requeueReason: 'drift' };
  } catch (error) {
    const problem =
      error instanceof ServerFailure ? new UserProblem(readyProblem(Reasons.Failed, error.message)) : error;
    if (!(problem instanceof UserProblem)) throw error;
    log.warn({ reason: problem.state.reason }, redactSecrets(problem.message, secretValues));
    await writeStatus(problem.state);
    if (problem.retry === 'never') return {};
    const period = deps.config.syncPeriodMs;
    if (problem.retry === 'sync') return period === undefined ? {} : { requeueAfterMs: period, requeueReason: 'drift' };
    return { requeueAfterMs: problem.retry === 'shortly' ? shortRetryMs : retryMs, requeueReason: 'retry' };
  } finally {
    deps.dependencies.set(key, dependencies);
  }
}

/** Anything that went wrong talking to the server: refused login or statement, unreachable, TLS. */
class ServerFailure extends Error {}

/** `call`, with any failure reported as a ServerFailure. */
async function onServer<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ServerFailure(`database server: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function openPostgresUser(
  connection: DbConnection,
  spec: Record<string, unknown>,
  name: string,
): Promise<EngineSession> {
  const { openPostgres } = await import('./db-postgresql.js');
  const session = await openPostgres(connection);
  const desired = desiredPgUser(spec);
  return {
    exists: async () => (await session.readUser(name)) !== null,
    sync: async (password, passwordChanged) => {
      const changes = planPgUser(desired, await session.readUser(name), passwordChanged);
      await session.apply(name, password, changes);
      return changes.length;
    },
    drop: () => session.dropUser(name),
    close: () => session.close(),
  };
}

async function openMySqlUser(
  connection: DbConnection,
  spec: Record<string, unknown>,
  name: string,
): Promise<EngineSession> {
  const { openMySql } = await import('./db-mysql.js');
  const session = await openMySql(connection, mySqlHostOf(spec));
  const desired = desiredMySqlUser(spec);
  return {
    exists: async () => (await session.readUser(name)) !== null,
    sync: async (password, passwordChanged) => {
      const changes = planMySqlUser(desired, await session.readUser(name), passwordChanged);
      await session.apply(name, password, changes);
      return changes.length;
    },
    drop: () => session.dropUser(name),
    close: () => session.close(),
  };
}
