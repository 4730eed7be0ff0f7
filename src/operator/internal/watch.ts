/**
 * Kubernetes watches made to last: every watch asks for BOOKMARK events (so the resourceVersion it resumes from
 * stays fresh and a restart rarely needs a relist), asks the server to end it after a randomized 5–10 minutes (as
 * client-go does, so connections are renewed), and is abandoned when nothing — not even a bookmark — arrives for
 * `idleTimeoutMs` (a half-open connection would otherwise leave the cache silently stale forever). An ended watch is
 * resumed by the informer (`informer.ts`) from its last resourceVersion; a 410 Gone makes it relist, and the relist
 * reports what changed meanwhile (deletions included), so no event is lost. Objects pass on without
 * `metadata.managedFields`.
 *
 * `close()` ends every watch for good, those still connecting included, and refuses new ones.
 */
import type { IncomingMessage } from 'node:http';
import { type ClusterAccess, KubeHttp, type Query } from './kube-http.js';
import type { Clock } from './queue.js';

/** Options of `LastingWatch`. Defaults: idle timeout 150 s (the API server bookmarks about once a minute). */
export interface LastingWatchOptions {
  clock: Clock;
  idleTimeoutMs?: number;
  random?: () => number;
}

/** `phase`: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR. */
export type WatchCallback = (phase: string, apiObject: unknown, watchObject?: unknown) => void;

/** See the module comment. */
export class LastingWatch {
  private readonly http: KubeHttp;
  private readonly clock: Clock;
  private readonly idleTimeoutMs: number;
  private readonly random: () => number;
  private readonly open = new Set<AbortController>();
  private closed = false;

  constructor(access: ClusterAccess, options: LastingWatchOptions) {
    this.http = new KubeHttp(access);
    this.clock = options.clock;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 150_000;
    this.random = options.random ?? Math.random;
  }

  /**
   * Watches the collection at `path`: `callback` gets each event, `done` is called once when the watch ends (null
   * when the server ended it, else the error; a `KubeError` with status 410 when its resourceVersion is too old).
   * Resolves once the watch is open (or has failed), with the controller that ends it.
   */
  async watch(
    path: string,
    query: Query,
    callback: WatchCallback,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    if (this.closed) {
      controller.abort();
      done(new Error('the watch is closed'));
      return controller;
    }
    this.open.add(controller);
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
      timer = this.clock.setTimer(() => controller.abort(idle), this.idleTimeoutMs);
    };
    const finish = (error: unknown) => {
      if (ended) return;
      ended = true;
      stopTimer();
      this.open.delete(controller);
      done(error);
    };
    controller.signal.addEventListener('abort', () => finish(controller.signal.reason), { once: true });
    startTimer();
    const params: Query = {
      ...query,
      watch: true,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.round(300 * (1 + this.random())),
    };
    let response: IncomingMessage;
    try {
      response = await this.http.stream({ path, query: params }, controller.signal);
    } catch (error) {
      finish(error);
      return controller;
    }
    if (ended) {
      response.destroy();
      return controller;
    }
    controller.signal.addEventListener('abort', () => response.destroy(), { once: true });
    readLines(response, (line) => {
      if (ended) return;
      let event: { type?: unknown; object?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        response.destroy();
        finish(new Error(`a watch of ${path} sent a line that is not JSON: ${line.slice(0, 100)}`));
        return;
      }
      startTimer();
      slimForCache(event.object);
      callback(String(event.type), event.object, event);
    });
    response.on('error', (error) => finish(error));
    response.on('close', () => finish(null));
    return controller;
  }

  /** Ends every watch, open or still connecting, and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const controller of [...this.open]) controller.abort(new Error('the watch is closed'));
    this.open.clear();
  }
}

/** Calls `onLine` with each non-empty line of `stream` (JSON lines), as they arrive. */
function readLines(stream: IncomingMessage, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line !== '') onLine(line);
      newline = rest.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (rest.trim() !== '') onLine(rest.trim());
  });
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
