/**
 * The operator's Prometheus metrics (prom-client), under the names existing dashboards know: ASO's ARM metrics
 * (`azure_successful_requests_total`, `azure_failed_requests_total`, `azure_requests_time_seconds`, labelled by
 * resource type, method and response code) and controller-runtime's (`controller_runtime_reconcile_total`,
 * `…_reconcile_errors_total`, `…_reconcile_time_seconds`, `workqueue_depth`, `workqueue_adds_total`,
 * `workqueue_queue_duration_seconds`, `workqueue_retries_total`), plus azo's own: the ARM token buckets per
 * (scope, principal, class) and the waits for them, writes skipped because Azure already matched, drift corrections,
 * polls of long-running operations and adoptions. One `OperatorMetrics` per process, injected where things happen;
 * the plan stays pure (the reconciler reports what it executed).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ArmObserver, BucketState } from '../../arm/index.js';
import type { QueueObserver } from './queue.js';

/** ASO's and controller-runtime's default histogram buckets (seconds). */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const queueBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000];

/** How a reconcile ended, in controller-runtime's words. */
export type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What the reconciler reports about the writes it made or did not need to make. */
export interface ReconcileObserver {
  /** Azure already matched the desired state: no write. */
  writeSkipped(): void;
  /** A PUT whose desired state had not changed since the last write: Azure drifted, the write puts it back. */
  driftCorrected(): void;
  /** A poll of a long-running PUT or DELETE. */
  polled(method: 'PUT' | 'DELETE'): void;
  /** A resource that existed in Azure became managed by this object (with or without a write). */
  adopted(): void;
}

/** Options of `OperatorMetrics`. */
export interface OperatorMetricsOptions {
  /** Also collect Node.js process metrics (`process_*`, `nodejs_*`). Default true. */
  processMetrics?: boolean;
}

/** The registry and the instruments; `text()` renders the exposition format for `/metrics`. */
export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly armSucceeded: Counter;
  private readonly armFailed: Counter;
  private readonly armTime: Histogram;
  private readonly bucketWait: Histogram;
  private readonly reconciles: Counter;
  private readonly reconcileErrors: Counter;
  private readonly reconcileTime: Histogram;
  private readonly queueAdds: Counter;
  private readonly queueAddsByReason: Counter;
  private readonly queueDuration: Histogram;
  private readonly queueRetries: Counter;
  private readonly writesSkipped: Counter;
  private readonly driftCorrections: Counter;
  private readonly lroPolls: Counter;
  private readonly adoptions: Counter;
  private readonly depthSources = new Map<string, () => number>();
  private readonly workerSources = new Map<string, { active: () => number; max: number }>();
  private bucketSource: (() => BucketState[]) | undefined;

  constructor(options: OperatorMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.armSucceeded = new Counter({
      name: 'azure_successful_requests_total',
      help: 'ARM requests that got an answer, by resource type, method and response code (which may be 4xx or 5xx).',
      labelNames: ['resource', 'requestType', 'responseCode'],
      registers,
    });
    this.armFailed = new Counter({
      name: 'azure_failed_requests_total',
      help: 'ARM requests that got no answer (network error, timeout, abort), by resource type and method.',
      labelNames: ['resource', 'requestType'],
      registers,
    });
    this.armTime = new Histogram({
      name: 'azure_requests_time_seconds',
      help: 'Round-trip time of ARM requests (not counting the wait for a token), by resource type and method.',
      labelNames: ['resource', 'requestType'],
      buckets: durationBuckets,
      registers,
    });
    this.bucketWait = new Histogram({
      name: 'azo_arm_bucket_wait_seconds',
      help: "Time an ARM request waited for a token of ARM's quota (client-side buckets), by class and priority.",
      labelNames: ['class', 'priority'],
      buckets: [0, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    const buckets = () => this.bucketSource?.() ?? [];
    new Gauge({
      name: 'azo_arm_bucket_tokens',
      help: 'Tokens left in each client-side ARM bucket, by scope (subscription or tenant), principal and class.',
      labelNames: ['scope', 'principal', 'class'],
      registers,
      collect() {
        this.reset();
        for (const bucket of buckets()) this.set(bucketLabels(bucket), bucket.tokens);
      },
    });
    new Gauge({
      name: 'azo_arm_bucket_waiting',
      help: 'ARM requests waiting for a token of each client-side bucket.',
      labelNames: ['scope', 'principal', 'class'],
      registers,
      collect() {
        this.reset();
        for (const bucket of buckets()) this.set(bucketLabels(bucket), bucket.waiting);
      },
    });
    this.reconciles = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Reconciles per controller, by result (success, error, requeue, requeue_after).',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Reconciles that ended in an error, per controller.',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Duration of reconciles, per controller.',
      labelNames: ['controller'],
      buckets: durationBuckets,
      registers,
    });
    const depth = this.depthSources;
    new Gauge({
      name: 'workqueue_depth',
      help: 'Keys waiting in the work queue of each controller.',
      labelNames: ['controller', 'name'],
      registers,
      collect() {
        this.reset();
        for (const [controller, read] of depth) this.set({ controller, name: controller }, read());
      },
    });
    const workers = this.workerSources;
    new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Workers reconciling now, per controller.',
      labelNames: ['controller'],
      registers,
      collect() {
        this.reset();
        for (const [controller, source] of workers) this.set({ controller }, source.active());
      },
    });
    new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Workers of each controller (MAX_CONCURRENT_RECONCILES).',
      labelNames: ['controller'],
      registers,
      collect() {
        this.reset();
        for (const [controller, source] of workers) this.set({ controller }, source.max);
      },
    });
    this.queueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Keys added to the work queue of each controller.',
      labelNames: ['controller', 'name'],
      registers,
    });
    this.queueAddsByReason = new Counter({
      name: 'azo_workqueue_adds_by_reason_total',
      help: "Keys added to each controller's queue, by why (user, poll, retry, dependency, drift).",
      labelNames: ['controller', 'reason'],
      registers,
    });
    this.queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long a key waited in the queue before a worker took it.',
      labelNames: ['controller', 'name'],
      buckets: queueBuckets,
      registers,
    });
    this.queueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Keys scheduled again after a failure.',
      labelNames: ['controller', 'name'],
      registers,
    });
    this.writesSkipped = new Counter({
      name: 'azo_arm_writes_skipped_total',
      help: 'Reconciles that read Azure and wrote nothing because it already matched the desired state.',
      labelNames: ['controller'],
      registers,
    });
    this.driftCorrections = new Counter({
      name: 'azo_drift_corrections_total',
      help: 'PUTs made because Azure drifted from a desired state that had not changed since the last write.',
      labelNames: ['controller'],
      registers,
    });
    this.lroPolls = new Counter({
      name: 'azo_lro_polls_total',
      help: 'Polls of long-running operations, by the method that started them.',
      labelNames: ['controller', 'method'],
      registers,
    });
    this.adoptions = new Counter({
      name: 'azo_adoptions_total',
      help: 'Resources that already existed in Azure and became managed by an object.',
      labelNames: ['controller'],
      registers,
    });
  }

  /** The exposition text for `/metrics`. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The ARM client's observer: ASO's request metrics and the waits for a token. */
  armObserver(): ArmObserver {
    return {
      responded: ({ resourceType, method, statusCode, seconds }) => {
        this.armSucceeded.inc({ resource: resourceType, requestType: method, responseCode: String(statusCode) });
        this.armTime.observe({ resource: resourceType, requestType: method }, seconds);
      },
      failed: ({ resourceType, method, seconds }) => {
        this.armFailed.inc({ resource: resourceType, requestType: method });
        this.armTime.observe({ resource: resourceType, requestType: method }, seconds);
      },
      waited: ({ requestClass, priority, waitedMs }) => {
        this.bucketWait.observe({ class: requestClass, priority }, waitedMs / 1000);
      },
    };
  }

  /** Reads the ARM buckets' levels at each scrape. */
  watchBuckets(state: () => BucketState[]): void {
    this.bucketSource = state;
  }

  /** Registers a controller: its queue depth and workers are read at each scrape. Returns its queue's observer. */
  addController(
    controller: string,
    sources: { depth: () => number; active: () => number; workers: number },
  ): QueueObserver {
    this.depthSources.set(controller, sources.depth);
    this.workerSources.set(controller, { active: sources.active, max: sources.workers });
    return {
      added: (reason) => {
        this.queueAdds.inc({ controller, name: controller });
        this.queueAddsByReason.inc({ controller, reason });
      },
      handedOut: (seconds) => this.queueDuration.observe({ controller, name: controller }, seconds),
      retried: () => this.queueRetries.inc({ controller, name: controller }),
    };
  }

  /** Records one reconcile of `controller`. */
  reconciled(controller: string, outcome: ReconcileOutcome, seconds: number): void {
    this.reconciles.inc({ controller, result: outcome });
    if (outcome === 'error') this.reconcileErrors.inc({ controller });
    this.reconcileTime.observe({ controller }, seconds);
  }

  /** The reconciler's observer for `controller`. */
  reconcileObserver(controller: string): ReconcileObserver {
    return {
      writeSkipped: () => this.writesSkipped.inc({ controller }),
      driftCorrected: () => this.driftCorrections.inc({ controller }),
      polled: (method) => this.lroPolls.inc({ controller, method }),
      adopted: () => this.adoptions.inc({ controller }),
    };
  }
}

function bucketLabels(bucket: BucketState): Record<string, string> {
  return { scope: bucket.scope, principal: bucket.principal, class: bucket.requestClass };
}

/** The controller name of a kind in metrics: its lower-case kind and group (`resourcegroup.resources.azure.com`). */
export function controllerNameOf(group: string, kind: string): string {
  return `${kind}.${group}`.toLowerCase();
}
