/**
 * client-node's `Watch`, made to last: every watch asks for BOOKMARK events (so the resourceVersion it resumes from
 * stays fresh and a restart rarely needs a relist), asks the server to end it after a randomized 5–10 minutes (as
 * client-go does, so connections are renewed), and is abandoned when nothing — not even a bookmark — arrives for
 * `idleTimeoutMs` (a half-open connection would otherwise leave the cache silently stale forever). An ended watch is
 * resumed by the informer from its last resourceVersion; a 410 Gone makes it relist, and the relist reports what
 * changed meanwhile (deletions included), so no event is lost. Objects pass on without `metadata.managedFields`.
 *
 * `close()` ends every watch for good, those still connecting included: client-node's `ListWatch.stop()` aborts only a
 * watch whose request it already holds, so an informer stopped while it was (re)connecting went on watching, and its
 * open connection kept a stopped operator's process alive.
 */
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Clock } from './queue.js';

/** Options of `LastingWatch`. Defaults: idle timeout 150 s (the API server bookmarks about once a minute). */
export interface LastingWatchOptions {
  clock: Clock;
  idleTimeoutMs?: number;
  random?: () => number;
}

type Callback = (phase: string, apiObject: unknown, watchObject?: unknown) => void;

/** See the module comment. */
export class LastingWatch extends Watch {
  private readonly clock: Clock;
  private readonly idleTimeoutMs: number;
  private readonly random: () => number;
  private readonly open = new Set<AbortController>();
  private closed = false;

  constructor(config: KubeConfig, options: LastingWatchOptions) {
    super(config);
    this.clock = options.clock;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 150_000;
    this.random = options.random ?? Math.random;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: Callback,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    if (this.closed) {
      const refused = new AbortController();
      refused.abort();
      done(new Error('the watch is closed'));
      return refused;
    }
    const current: { controller?: AbortController } = {};
    let timer: unknown;
    let ended = false;
    const stopTimer = () => {
      if (timer !== undefined) this.clock.clearTimer(timer);
      timer = undefined;
    };
    const startTimer = () => {
      stopTimer();
      if (ended) return;
      const idle = new Error(`no event or bookmark for ${this.idleTimeoutMs} ms`);
      timer = this.clock.setTimer(() => current.controller?.abort(idle), this.idleTimeoutMs);
    };
    const params = {
      ...queryParams,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.round(300 * (1 + this.random())),
    };
    const controller = await super.watch(
      path,
      params,
      (phase, apiObject, watchObject) => {
        startTimer();
        slimForCache(apiObject);
        callback(phase, apiObject, watchObject);
      },
      (error) => {
        ended = true;
        stopTimer();
        if (current.controller !== undefined) this.open.delete(current.controller);
        done(error);
      },
    );
    current.controller = controller;
    if (!ended) this.open.add(controller);
    if (this.closed) controller.abort(new Error('the watch is closed'));
    else startTimer();
    return controller;
  }

  /** Ends every watch, open or still connecting, and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const controller of this.open) controller.abort(new Error('the watch is closed'));
    this.open.clear();
  }
}

/**
 * Drops in place what the informer caches never read: `metadata.managedFields` (often a third of an object's
 * bytes) and, of a CRD, its versions' schemas (nearly all of its bytes; the operator reads only names and versions).
 */
export function slimForCache(object: unknown, options: { crd?: boolean } = {}): void {
  const candidate = object as
    | { kind?: string; metadata?: { managedFields?: unknown }; spec?: { versions?: Array<{ schema?: unknown }> } }
    | undefined;
  if (candidate?.metadata !== undefined) delete candidate.metadata.managedFields;
  if (options.crd === true || candidate?.kind === 'CustomResourceDefinition') {
    for (const version of candidate?.spec?.versions ?? []) delete version.schema;
  }
}
