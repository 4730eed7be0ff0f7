/**
 * An informer: a cache of the objects at one collection path, kept current by a LIST and then a watch from the
 * list's resourceVersion, with handlers for additions, updates and deletions. A watch that ends is resumed from the
 * last resourceVersion seen (bookmarks included); a 410 Gone (the version is too old) makes it list again, and the
 * new list's differences are reported as events (deletions too). Any other failure is reported to the `error`
 * handlers and the informer waits for `start()` again.
 */
import type { KubeResource } from './kube-types.js';
import { statusOf } from './kube.js';
import type { LastingWatch } from './watch.js';

/** Reads the whole collection, handing over each page as it arrives; returns the list's resourceVersion. */
export type PagedList<T> = (onPage: (items: T[]) => void) => Promise<{ resourceVersion?: string }>;

type Handlers<T> = {
  add: Array<(object: T) => void>;
  update: Array<(object: T) => void>;
  delete: Array<(object: T) => void>;
  error: Array<(error: unknown) => void>;
};

export class Informer<T extends KubeResource> {
  /** By namespace ('' for cluster-scoped objects), then name. */
  private objects = new Map<string, Map<string, T>>();
  private resourceVersion = '';
  private stopped = false;
  private request: AbortController | undefined;
  private readonly handlers: Handlers<T> = { add: [], update: [], delete: [], error: [] };

  constructor(
    private readonly path: string,
    private readonly watch: LastingWatch,
    private readonly list: PagedList<T>,
  ) {}

  on(event: 'add' | 'update' | 'delete', handler: (object: T) => void): void;
  on(event: 'error', handler: (error: unknown) => void): void;
  on(event: keyof Handlers<T>, handler: (value: never) => void): void {
    (this.handlers[event] as Array<(value: never) => void>).push(handler);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ?? '')?.get(name);
  }

  /** Lists (unless it can resume its watch) and watches; resolves once the watch is open. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.run(null);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortWatch();
  }

  private abortWatch(): void {
    this.request?.abort();
    this.request = undefined;
  }

  private async run(error: unknown): Promise<void> {
    this.abortWatch();
    if (this.stopped) return; // the end of a watch stop() aborted is no error
    if (error !== null && error !== undefined) {
      if (statusOf(error) !== 410) {
        for (const handler of this.handlers.error) handler(error);
        return;
      }
      this.resourceVersion = '';
    }
    if (this.resourceVersion === '') {
      try {
        await this.relist();
      } catch (failure) {
        for (const handler of this.handlers.error) handler(failure);
        return;
      }
      if (this.stopped) return;
    }
    this.request = await this.watch.watch(
      this.path,
      { resourceVersion: this.resourceVersion },
      (phase, object) => this.onEvent(phase, object as T),
      (ended) => void this.run(ended),
    );
  }

  /** Lists anew: objects not listed any more are reported deleted. */
  private async relist(): Promise<void> {
    const listed = new Map<string, Set<string>>();
    const { resourceVersion } = await this.list((items) => {
      for (const object of items) {
        const namespace = object.metadata?.namespace ?? '';
        let names = listed.get(namespace);
        if (names === undefined) listed.set(namespace, (names = new Set()));
        names.add(object.metadata?.name ?? '');
        this.upsert(object);
      }
    });
    for (const [namespace, objects] of this.objects) {
      const names = listed.get(namespace);
      for (const [name, object] of objects) {
        if (names?.has(name) === true) continue;
        objects.delete(name);
        for (const handler of [...this.handlers.delete]) handler(object);
      }
      if (objects.size === 0) this.objects.delete(namespace);
    }
    this.resourceVersion = resourceVersion ?? '';
  }

  private onEvent(phase: string, object: T): void {
    switch (phase) {
      case 'ERROR':
        // A Status: 410 means the watch's resourceVersion is too old; the watch ends and the next one lists.
        if ((object as { code?: unknown }).code === 410) this.resourceVersion = '';
        return;
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(object);
        break;
      case 'DELETED':
        this.remove(object);
        break;
      default:
        break;
    }
    this.resourceVersion = object.metadata?.resourceVersion ?? '';
  }

  private upsert(object: T): void {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    let objects = this.objects.get(namespace);
    if (objects === undefined) this.objects.set(namespace, (objects = new Map()));
    const found = objects.get(name);
    const version = found?.metadata?.resourceVersion;
    if (found !== undefined && version !== undefined && version === object.metadata?.resourceVersion) return;
    objects.set(name, object);
    for (const handler of [...(found === undefined ? this.handlers.add : this.handlers.update)]) handler(object);
  }

  private remove(object: T): void {
    const namespace = object.metadata?.namespace ?? '';
    const objects = this.objects.get(namespace);
    const name = object.metadata?.name ?? '';
    if (objects?.delete(name) !== true) return;
    if (objects.size === 0) this.objects.delete(namespace);
    for (const handler of [...this.handlers.delete]) handler(object);
  }
}
