/**
 * The controller: finds the served kinds (every azo kind whose CRD is installed, and CRDs installed later), runs
 * informers for them (and for the Secrets, ConfigMaps and Namespaces they depend on, limited to
 * `AZURE_TARGET_NAMESPACES`), and gives each served kind its own work queue and `MAX_CONCURRENT_RECONCILES` workers
 * with the generic reconciler (as controller-runtime does), so that one busy or slow kind never starves another.
 * Each key is queued with its reason (a user's change, a dependency's, a periodic drift check), which sets the
 * priority of its ARM requests in the shared scheduler.
 */
import pino, { type Logger } from 'pino';
import { RequestScheduler } from '../../arm/index.js';
import { loadKindModel } from '../../model/index.js';
import { hooksFor } from '../extensions/index.js';
import { readOperatorConfig, type OperatorConfig } from './config.js';
import { CredentialProvider, type CredentialProviderOptions } from './credential-provider.js';
import { dependencyChanged, needsReconcile } from './changes.js';
import { OperatorStopping } from './errors.js';
import { loadDigestKeyring } from './digest-key.js';
import { crdListQuery, KubeAccess, type KubeObject, statusOf } from './kube.js';
import type { ClusterAccess } from './kube-http.js';
import type { CustomResourceDefinition, KubeResource } from './kube-types.js';
import { Informer } from './informer.js';
import { type Clock, type QueueReason, systemClock, WorkQueue, runWorkers, RateLimiter } from './queue.js';
import { unknownPolicyMessage } from './policy.js';
import { Reconciler } from './reconciler.js';
import { controllerNameOf, type OperatorMetrics } from './metrics.js';
import { LastingWatch, slimForCache } from './watch.js';
import { DependencyIndex, KindRegistry, type ServedKind, objectKey, parseObjectKey } from './registry.js';
import { LATEST_RECONCILED_GENERATION_ANNOTATION, RESOURCE_ID_ANNOTATION } from './names.js';

/** Options of `startOperator`. */
export interface OperatorOptions {
  /** The cluster: a `KubeClientConfig` (`loadKubeconfigFiles`, `inClusterConfig`), or a client-node KubeConfig. */
  kubeConfig: ClusterAccess;
  /** Environment (ASO's variables); default `process.env`. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** CRDs to install or upgrade before serving (`--crd-pattern`; rendered by the caller). Never deletes a CRD. */
  installCrds?: CustomResourceDefinition[];
  /** Shared ARM throttling state. */
  scheduler?: RequestScheduler;
  /**
   * Extra CA (PEM) to trust for ARM and Entra ID (e.g. the emulator's). Default: the system's plus NODE_EXTRA_CA_CERTS.
   */
  armCaCertPem?: string;
  /** Override the ARM client factory. */
  createArmClient?: CredentialProviderOptions['createClient'];
  /** Called right before each ARM request is sent; a throw refuses it (the leader election's fence). Default: none. */
  armRequestGuard?: () => void;
  clock?: Clock;
  /** Prometheus metrics to record into (see `OperatorMetrics`); default: none. */
  metrics?: OperatorMetrics;
  /**
   * The kinds to serve (`--crd-pattern`); default: every azo kind whose CRD is installed. A kind left out gets no
   * informer, no watch, no queue, and its model is never loaded.
   */
  servesKind?: (group: string, kind: string) => boolean;
}

/** A running operator. */
export interface RunningOperator {
  config: OperatorConfig;
  /** `group/Kind` of every served kind. */
  servedKinds(): string[];
  /** Reconciles every object of every served kind now (a forced resync). */
  resyncAll(): void;
  /** Counters: reconciles finished (successfully or not) and failed; keys waiting and being processed now. */
  stats(): { reconciles: number; failures: number; queued: number; processing: number };
  /** Stops informers and workers (in-flight reconciles finish). */
  stop(): Promise<void>;
}

const azureGroup = /\.azure\.com$/i;
/** How long stopping waits for reconciles in flight before cutting them (well inside Kubernetes' 30 s grace). */
const stopGraceMs = 5_000;
const crdInformerId = 'apiextensions/CRD';
const unlimited = {
  reads: { burst: 1e9, perSecond: 1e9 },
  writes: { burst: 1e9, perSecond: 1e9 },
  deletes: { burst: 1e9, perSecond: 1e9 },
};

/** Starts the operator; resolves once the informers of the kinds installed now have synced. */
export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const config = readOperatorConfig(options.env ?? process.env);
  const logger = options.logger ?? pino({ level: 'info' });
  const clock = options.clock ?? systemClock;
  const { metrics } = options;
  const kube = new KubeAccess(options.kubeConfig, { requestTimeoutMs: config.kubeRequestTimeoutMs });
  const kinds = new KindRegistry();
  const dependencies = new DependencyIndex();
  /** Each served kind's queue and workers, by `group/Kind` in lower case. */
  const controllers = new Map<
    string,
    { queue: WorkQueue; workers: Promise<void>; served: ServedKind; running: boolean }
  >();
  const enqueue = (key: string, reason: QueueReason) => {
    const parsed = parseObjectKey(key);
    if (parsed !== undefined) controllers.get(`${parsed.group}/${parsed.kind}`.toLowerCase())?.queue.add(key, reason);
  };
  const watch = new LastingWatch(options.kubeConfig, { clock });
  const informers = new Map<string, Array<Informer<KubeResource>>>();
  const lastSeen = new Map<string, KubeObject>();
  let stopped = false;
  if (config.invalidDefaultPolicy !== undefined) {
    logger.warn(
      { value: config.invalidDefaultPolicy },
      unknownPolicyMessage('DEFAULT_RECONCILE_POLICY', config.invalidDefaultPolicy),
    );
  }

  for (const crd of options.installCrds ?? []) await installCrd(kube, crd, logger);
  const { keyring } = await loadDigestKeyring(kube, config.operatorNamespace, logger);

  const scheduler =
    options.scheduler ??
    new RequestScheduler({
      driftShare: config.driftReadShare,
      maxInFlight: config.armMaxInFlight,
      ...(config.armRateLimits ? {} : { limits: unlimited }),
    });
  const credentials = new CredentialProvider({
    kube,
    config,
    logger,
    scheduler,
    ...(options.createArmClient !== undefined ? { createClient: options.createArmClient } : {}),
    ...(options.armCaCertPem !== undefined ? { caCertPem: options.armCaCertPem } : {}),
    ...(options.armRequestGuard !== undefined ? { armRequestGuard: options.armRequestGuard } : {}),
    ...(metrics !== undefined ? { armObserver: metrics.armObserver() } : {}),
  });
  metrics?.watchBuckets(() => scheduler.state());
  const cached = (served: ServedKind, namespace: string, name: string): KubeObject | undefined => {
    for (const informer of informers.get(kindId(served)) ?? []) {
      const found = informer.get(name, namespace);
      if (found !== undefined) return found as KubeObject;
    }
    return undefined;
  };
  const reconciler = new Reconciler({
    kube,
    kinds,
    credentials,
    dependencies,
    config,
    logger,
    cached,
    keyring,
    clock,
    ...(metrics !== undefined
      ? { observerFor: (group: string, kind: string) => metrics.reconcileObserver(controllerNameOf(group, kind)) }
      : {}),
  });
  const namespaces = config.targetNamespaces;
  const paths = (prefix: string, plural: string) =>
    namespaces === undefined ? [`${prefix}/${plural}`] : namespaces.map((ns) => `${prefix}/namespaces/${ns}/${plural}`);

  const wakeDependents = (dependency: string) => {
    for (const dependent of dependencies.dependentsOf(dependency)) enqueue(dependent, 'dependency');
  };

  const startInformer = (
    id: string,
    path: string,
    handlers: {
      onUpsert: (object: KubeResource) => void;
      onDelete: (object: KubeResource) => void;
    },
  ): Informer<KubeResource> => {
    // Read in pages; the caches keep objects without what is never read here (see slimForCache).
    const crd = id === crdInformerId;
    const query = crd ? crdListQuery : {};
    const informer = new Informer<KubeResource>(path, watch, (onPage) =>
      kube.listPages<KubeResource>(path, query, (items) => {
        for (const item of items) slimForCache(item, { crd });
        onPage(items);
      }),
    );
    informer.on('add', handlers.onUpsert);
    informer.on('update', handlers.onUpsert);
    informer.on('delete', handlers.onDelete);
    informer.on('error', (error: unknown) => {
      if (stopped) return;
      logger.warn({ path, error: error instanceof Error ? error.message : String(error) }, 'watch failed; restarting');
      // Kept alive: while the API server is away (a restart drops every watch at once) this timer may be all the
      // process has left, and an operator must wait for its API server, not exit (Node exits 13 on an empty loop).
      clock.setTimer(
        () => {
          if (!stopped) void informer.start().catch(() => undefined);
        },
        2000,
        { keepAlive: true },
      );
    });
    const existing = informers.get(id) ?? [];
    existing.push(informer);
    informers.set(id, existing);
    return informer;
  };

  const counters = { reconciles: 0, failures: 0 };
  /**
   * A served kind's own queue, and its workers once `startWorkers` is called: at start, only after every kind
   * installed then is served and its cache synced (a reconcile must never take an owner it cannot see yet for one
   * that does not exist); for a kind installed later, as soon as its own cache has synced.
   */
  const addQueue = (served: ServedKind) => {
    const sources = {
      depth: () => queue.length,
      active: () => queue.processingCount,
      workers: config.maxConcurrentReconciles,
    };
    const observer = metrics?.addController(controllerNameOf(served.model.group, served.model.kind), sources);
    const queue: WorkQueue = new WorkQueue({
      clock,
      rateLimiter: new RateLimiter(clock),
      ...(observer !== undefined ? { observer } : {}),
    });
    controllers.set(kindId(served).toLowerCase(), { queue, workers: Promise.resolve(), served, running: false });
  };
  let startingUp = true;
  const startWorkers = (served: ServedKind) => {
    const controller = controllers.get(kindId(served).toLowerCase());
    if (controller === undefined || controller.running) return;
    controller.running = true;
    controller.workers = runWorkers({
      queue: controller.queue,
      concurrency: config.maxConcurrentReconciles,
      handle: async (key, reason) => {
        const parsed = parseObjectKey(key);
        if (parsed === undefined) return {};
        const started = performance.now();
        let outcome: 'success' | 'error' | 'requeue_after' = 'error';
        try {
          const result = await reconciler.reconcile(served, parsed.namespace, parsed.name, reason);
          outcome = result.requeueAfterMs === undefined ? 'success' : 'requeue_after';
          return result;
        } finally {
          counters.reconciles++;
          const seconds = (performance.now() - started) / 1000;
          metrics?.reconciled(controllerNameOf(served.model.group, served.model.kind), outcome, seconds);
        }
      },
      onError: (key, error, retryInMs) => {
        if (error instanceof OperatorStopping) {
          logger.info({ key }, 'reconcile cut short: the operator is stopping');
          return;
        }
        counters.failures++;
        const message =
          retryInMs === undefined
            ? 'reconcile failed; not retrying until the object changes'
            : 'reconcile failed; will retry';
        logger.warn({ key, error: error instanceof Error ? error.message : String(error), retryInMs }, message);
      },
    });
  };

  const pending = new Set<string>();
  const serveKind = async (crd: CustomResourceDefinition): Promise<void> => {
    const group = crd.spec.group;
    const kind = crd.spec.names.kind;
    const pendingKey = `${group}/${kind}`.toLowerCase();
    if (!azureGroup.test(group) || kinds.has(group, kind) || pending.has(pendingKey)) return;
    if (options.servesKind !== undefined && !options.servesKind(group, kind)) return;
    pending.add(pendingKey);
    const model = await loadKindModel(group, kind);
    if (model === undefined) return;
    const version =
      crd.spec.versions.find((candidate) => candidate.storage)?.name ??
      crd.spec.versions[0]?.name ??
      model.versions[0] ??
      '';
    const served: ServedKind = {
      model,
      version,
      plural: crd.spec.names.plural,
      hooks: hooksFor(model.group, model.kind),
    };
    kinds.add(served);
    const id = kindId(served);
    addQueue(served);
    const starts: Array<Promise<void>> = [];
    for (const path of paths(`/apis/${group}/${version}`, served.plural)) {
      const informer = startInformer(id, path, {
        onUpsert: (object) => {
          const key = objectKey(group, kind, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
          const before = lastSeen.get(key);
          const after = object as KubeObject;
          lastSeen.set(key, after);
          if (needsReconcile(before, after))
            enqueue(key, before === undefined && looksReconciled(after) ? 'drift' : 'user');
          if (dependencyChanged(before, after)) wakeDependents(key);
        },
        onDelete: (object) => {
          const key = objectKey(group, kind, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
          lastSeen.delete(key);
          dependencies.remove(key);
          wakeDependents(key);
        },
      });
      starts.push(informer.start());
    }
    await Promise.all(starts);
    if (!startingUp) startWorkers(served);
    logger.info({ group, kind, version }, 'serving kind');
  };

  // Secrets, ConfigMaps: only to wake dependents; Namespaces: policy annotations.
  const coreStarts: Array<Promise<void>> = [];
  for (const [kindName, plural] of [
    ['Secret', 'secrets'],
    ['ConfigMap', 'configmaps'],
  ] as const) {
    for (const path of paths('/api/v1', plural)) {
      const seen = new Map<string, string>();
      const handler = (object: KubeResource) => {
        const dependency = `/${kindName}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
        const fingerprint = JSON.stringify((object as { data?: unknown }).data ?? null);
        if (seen.get(dependency) === fingerprint) return;
        seen.set(dependency, fingerprint);
        wakeDependents(dependency);
      };
      const informer = startInformer(`core/${kindName}`, path, {
        onUpsert: handler,
        onDelete: (object) => {
          const dependency = `/${kindName}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
          seen.delete(dependency);
          wakeDependents(dependency);
        },
      });
      coreStarts.push(informer.start());
    }
  }
  const namespacePolicies = new Map<string, string | undefined>();
  const namespaceInformer = startInformer('core/Namespace', '/api/v1/namespaces', {
    onUpsert: (object) => {
      const name = object.metadata?.name ?? '';
      const policy = object.metadata?.annotations?.['serviceoperator.azure.com/reconcile-policy'];
      const known = namespacePolicies.has(name);
      const before = namespacePolicies.get(name);
      namespacePolicies.set(name, policy);
      if (known && before !== policy) {
        for (const key of lastSeen.keys()) if (parseObjectKey(key)?.namespace === name) enqueue(key, 'user');
      }
    },
    onDelete: (object) => namespacePolicies.delete(object.metadata?.name ?? ''),
  });
  coreStarts.push(namespaceInformer.start());
  await Promise.all(coreStarts);
  // The informers have synced: a miss in a watched namespace means the object does not exist (no API GET).
  const watched = (namespace: string) => namespaces === undefined || namespaces.includes(namespace);
  const fromCache = <T>(id: string, name: string, namespace?: string): T | null | undefined => {
    for (const informer of informers.get(id) ?? []) {
      const found = informer.get(name, namespace);
      if (found !== undefined) return found as T;
    }
    return namespace === undefined || watched(namespace) ? null : undefined;
  };
  kube.readCache = {
    namespace: (name) => fromCache('core/Namespace', name),
    secret: (namespace, name) => fromCache('core/Secret', name, namespace),
    configMap: (namespace, name) => fromCache('core/ConfigMap', name, namespace),
  };

  // CRDs: serve every azo kind installed now, and those installed later.
  const crdInformer = startInformer(crdInformerId, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    onUpsert: (object) => {
      void serveKind(object as CustomResourceDefinition).catch((error: unknown) =>
        logger.error({ error: (error as Error).message }, 'could not serve a kind'),
      );
    },
    onDelete: () => undefined,
  });
  for (const crd of (await kube.listCrds()).items) await serveKind(crd);
  await crdInformer.start();
  startingUp = false;
  for (const controller of controllers.values()) startWorkers(controller.served);

  return {
    config,
    servedKinds: () => kinds.list().map((served) => `${served.model.group}/${served.model.kind}`),
    stats: () => {
      const queues = [...controllers.values()].map((controller) => controller.queue);
      const sum = (count: (queue: WorkQueue) => number) => queues.reduce((total, queue) => total + count(queue), 0);
      return { ...counters, queued: sum((queue) => queue.length), processing: sum((queue) => queue.processingCount) };
    },
    resyncAll: () => {
      for (const key of lastSeen.keys()) enqueue(key, 'drift');
    },
    stop: async () => {
      stopped = true;
      for (const controller of controllers.values()) controller.queue.shutDown();
      for (const list of informers.values()) for (const informer of list) await informer.stop();
      // Also the watches still connecting, which an informer's stop() cannot reach.
      watch.close();
      const workers = Promise.all([...controllers.values()].map((controller) => controller.workers));
      // Reconciles in flight get a moment to finish; then they are cut, so that one waiting for ARM's quota or a
      // Retry-After cannot hold the process past its termination grace period.
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<'grace'>((resolve) => (graceTimer = setTimeout(() => resolve('grace'), stopGraceMs)));
      if ((await Promise.race([workers, grace])) === 'grace') reconciler.abortInFlight();
      clearTimeout(graceTimer);
      await workers;
    },
  };
}

/**
 * true for an object seen at start that was reconciled at its current generation before (the operator restarted):
 * reconciling it again is a drift check, not a user's change.
 */
function looksReconciled(object: KubeObject): boolean {
  const annotations = object.metadata.annotations ?? {};
  const deleting = object.metadata.deletionTimestamp !== undefined && object.metadata.deletionTimestamp !== null;
  return (
    !deleting &&
    annotations[RESOURCE_ID_ANNOTATION] !== undefined &&
    annotations[LATEST_RECONCILED_GENERATION_ANNOTATION] === String(object.metadata.generation ?? 0)
  );
}

function kindId(served: ServedKind): string {
  return `${served.model.group}/${served.model.kind}`;
}

/** Creates a CRD, or replaces it when it exists (keeping its resourceVersion). Never deletes one. */
export async function installCrd(kube: KubeAccess, crd: CustomResourceDefinition, logger: Logger): Promise<void> {
  const name = crd.metadata?.name ?? '';
  const existing = await kube.getCrd(name);
  try {
    if (existing === undefined) {
      await kube.createCrd(crd);
      logger.info({ crd: name }, 'installed CRD');
    } else {
      // A conversion webhook written into the CRD (by this operator's webhook) stays: an upgrade must not break it.
      const conversion =
        existing.spec.conversion?.strategy === 'Webhook' ? existing.spec.conversion : crd.spec.conversion;
      await kube.replaceCrd(name, {
        ...crd,
        metadata: { ...crd.metadata, resourceVersion: existing.metadata?.resourceVersion },
        spec: { ...crd.spec, ...(conversion !== undefined ? { conversion } : {}) },
      });
      logger.info({ crd: name }, 'upgraded CRD');
    }
  } catch (error) {
    if (statusOf(error) === 409) logger.info({ crd: name }, 'CRD changed concurrently; leaving it');
    else throw error;
  }
}
