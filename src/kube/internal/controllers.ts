/**
 * The server's own controllers: keeps the registry in step with CRDs, finishes namespace deletion (deletes the
 * contents, then drops the `kubernetes` finalizer), deletes a CRD's objects before the CRD, and garbage-collects
 * through ownerReferences (background; foreground and orphan finalizers). Work is event-driven from the store.
 */
import type { Logger } from 'pino';
import { crdBucket, crdCleanupFinalizer, isEstablished, typeFromCrd } from './crd.js';
import type { Operations } from './operations.js';
import type { Registry } from './registry.js';
import type { Store } from './store.js';
import type { KubeObject, ResourceType } from './types.js';
import { finalizersOf, isObject, metadataOf, nameOf, stringField } from './types.js';
import type { ChangeEvent } from './watch-hub.js';

const namespacesBucket = '/namespaces';

interface ObjectRef {
  bucket: string;
  namespace: string;
  name: string;
}

function ownerUids(object: KubeObject): string[] {
  const owners = metadataOf(object).ownerReferences;
  if (!Array.isArray(owners)) return [];
  return owners
    .filter(isObject)
    .map((owner) => String(owner.uid ?? ''))
    .filter((uid) => uid !== '');
}

function refKey(ref: ObjectRef): string {
  return `${ref.bucket}|${ref.namespace}|${ref.name}`;
}

export class Controllers {
  private readonly uidIndex = new Map<string, ObjectRef>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly queue = new Set<string>();
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly operations: Operations,
    private readonly logger: Logger,
  ) {}

  /** Indexes the stored objects, registers established CRDs, queues pending work and starts listening. */
  start(): void {
    for (const bucket of this.store.bucketNames()) {
      for (const object of this.store.list(bucket)) this.index(bucket, object, undefined);
    }
    for (const crd of this.store.list(crdBucket)) {
      this.syncCrd(crd);
      if (metadataOf(crd).deletionTimestamp) this.enqueue(`crd:${nameOf(crd)}`);
    }
    for (const namespace of this.store.list(namespacesBucket)) {
      if (metadataOf(namespace).deletionTimestamp) this.enqueue(`ns:${nameOf(namespace)}`);
    }
    for (const bucket of this.store.bucketNames()) {
      for (const object of this.store.list(bucket)) {
        const ref = this.refOf(bucket, object);
        if (ownerUids(object).length > 0) this.enqueue(`dep:${refKey(ref)}`);
        if (metadataOf(object).deletionTimestamp && this.dependents.has(String(metadataOf(object).uid)))
          this.enqueue(`owner:${String(metadataOf(object).uid)}`);
      }
    }
    this.store.onChange((event) => this.onChange(event));
    this.timer = setInterval(() => this.requeueTerminating(), 2000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Resolves when the work queue is empty (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private refOf(bucket: string, object: KubeObject): ObjectRef {
    return { bucket, namespace: stringField(metadataOf(object), 'namespace') ?? '', name: nameOf(object) };
  }

  private index(bucket: string, object: KubeObject, previous: KubeObject | undefined): void {
    const ref = this.refOf(bucket, object);
    const key = refKey(ref);
    const uid = stringField(metadataOf(object), 'uid');
    if (uid) this.uidIndex.set(uid, ref);
    for (const owner of previous ? ownerUids(previous) : []) this.dependents.get(owner)?.delete(key);
    for (const owner of ownerUids(object)) {
      let set = this.dependents.get(owner);
      if (!set) {
        set = new Set();
        this.dependents.set(owner, set);
      }
      set.add(key);
    }
  }

  private unindex(bucket: string, object: KubeObject): void {
    const key = refKey(this.refOf(bucket, object));
    const uid = stringField(metadataOf(object), 'uid');
    if (uid) this.uidIndex.delete(uid);
    for (const owner of ownerUids(object)) {
      const set = this.dependents.get(owner);
      set?.delete(key);
      if (set && set.size === 0) this.dependents.delete(owner);
    }
  }

  private onChange(event: ChangeEvent): void {
    const { object, bucket } = event;
    const metadata = metadataOf(object);
    const namespace = stringField(metadata, 'namespace') ?? '';
    const uid = String(metadata.uid ?? '');
    if (event.type === 'DELETED') {
      this.unindex(bucket, object);
      if (this.dependents.has(uid)) this.enqueue(`owner:${uid}`);
      for (const owner of ownerUids(object)) this.enqueue(`owner:${owner}`);
    } else {
      this.index(bucket, object, event.previous);
      const ownersChanged =
        JSON.stringify(ownerUids(object)) !== JSON.stringify(event.previous ? ownerUids(event.previous) : []);
      if (ownersChanged && ownerUids(object).length > 0) this.enqueue(`dep:${refKey(this.refOf(bucket, object))}`);
      const finalizers = finalizersOf(object);
      if (metadata.deletionTimestamp && (finalizers.includes('orphan') || finalizers.includes('foregroundDeletion')))
        this.enqueue(`owner:${uid}`);
    }
    if (bucket === crdBucket) {
      if (event.type === 'DELETED') this.registry.setCrdType(nameOf(object), undefined);
      else {
        this.syncCrd(object);
        if (metadata.deletionTimestamp) this.enqueue(`crd:${nameOf(object)}`);
      }
    }
    if (bucket === namespacesBucket && metadata.deletionTimestamp && event.type !== 'DELETED')
      this.enqueue(`ns:${nameOf(object)}`);
    if (event.type === 'DELETED' && namespace) {
      const owningNamespace = this.store.get(namespacesBucket, '', namespace);
      if (owningNamespace && metadataOf(owningNamespace).deletionTimestamp) this.enqueue(`ns:${namespace}`);
    }
    if (event.type === 'DELETED') {
      const crdType = this.registry.byBucket(bucket).find((type) => type.crdName);
      if (crdType?.crdName) {
        const crd = this.store.get(crdBucket, '', crdType.crdName);
        if (crd && metadataOf(crd).deletionTimestamp) this.enqueue(`crd:${crdType.crdName}`);
      }
    }
  }

  private syncCrd(crd: KubeObject): void {
    const name = nameOf(crd);
    if (isEstablished(crd)) this.registry.setCrdType(name, typeFromCrd(crd));
    else this.registry.setCrdType(name, undefined);
  }

  private requeueTerminating(): void {
    for (const namespace of this.store.list(namespacesBucket))
      if (metadataOf(namespace).deletionTimestamp) this.enqueue(`ns:${nameOf(namespace)}`);
    for (const crd of this.store.list(crdBucket))
      if (metadataOf(crd).deletionTimestamp) this.enqueue(`crd:${nameOf(crd)}`);
  }

  private enqueue(item: string): void {
    if (this.stopped) return;
    this.queue.add(item);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      const item = this.queue.values().next().value as string;
      this.queue.delete(item);
      try {
        await this.process(item);
      } catch (error) {
        this.logger.warn({ err: error, item }, 'controller work item failed; will retry');
        setTimeout(() => this.enqueue(item), 500).unref();
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private async process(item: string): Promise<void> {
    const separator = item.indexOf(':');
    const kind = item.slice(0, separator);
    const argument = item.slice(separator + 1);
    if (kind === 'ns') await this.finishNamespace(argument);
    else if (kind === 'crd') await this.finishCrd(argument);
    else if (kind === 'owner') await this.collectDependents(argument);
    else if (kind === 'dep') await this.checkDangling(argument);
  }

  private typeForBucket(bucket: string): ResourceType | undefined {
    const types = this.registry.byBucket(bucket);
    return types.find((type) => type.builtin?.toExternal === undefined) ?? types[0];
  }

  private async finishNamespace(name: string): Promise<void> {
    const namespace = this.store.get(namespacesBucket, '', name);
    if (!namespace || !metadataOf(namespace).deletionTimestamp) return;
    const buckets = new Set(
      this.registry
        .all()
        .filter((type) => type.namespaced)
        .map((type) => type.bucket),
    );
    for (const bucket of buckets) {
      const type = this.typeForBucket(bucket);
      if (!type) continue;
      for (const object of this.store.list(bucket, name)) {
        if (!metadataOf(object).deletionTimestamp) await this.operations.deleteStored(type, object, 'Background');
      }
    }
    const left = [...buckets].reduce((total, bucket) => total + this.store.list(bucket, name).length, 0);
    if (left > 0) return;
    const current = this.store.get(namespacesBucket, '', name);
    const namespaceType = this.typeForBucket(namespacesBucket);
    if (!current || !namespaceType) return;
    const spec = isObject(current.spec) ? current.spec : {};
    const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers.filter((value) => value !== 'kubernetes') : [];
    await this.operations.writeStored(namespaceType, { ...current, spec: { ...spec, finalizers } });
  }

  private async finishCrd(name: string): Promise<void> {
    const crd = this.store.get(crdBucket, '', name);
    if (!crd || !metadataOf(crd).deletionTimestamp || !finalizersOf(crd).includes(crdCleanupFinalizer)) return;
    const type = this.registry.findCrdType(name) ?? typeFromCrd(crd);
    for (const object of this.store.list(type.bucket)) {
      if (!metadataOf(object).deletionTimestamp) await this.operations.deleteStored(type, object, 'Background');
    }
    if (this.store.count(type.bucket) > 0) return;
    const current = this.store.get(crdBucket, '', name);
    const crdType = this.typeForBucket(crdBucket);
    if (!current || !crdType) return;
    const finalizers = finalizersOf(current).filter((finalizer) => finalizer !== crdCleanupFinalizer);
    await this.operations.writeStored(crdType, { ...current, metadata: { ...metadataOf(current), finalizers } });
  }

  private dependentObjects(uid: string): Array<{ type: ResourceType; object: KubeObject }> {
    const found: Array<{ type: ResourceType; object: KubeObject }> = [];
    for (const key of this.dependents.get(uid) ?? []) {
      const [bucket = '', namespace = '', name = ''] = key.split('|');
      const object = this.store.get(bucket, namespace, name);
      const type = this.typeForBucket(bucket);
      if (object && type) found.push({ type, object });
    }
    return found;
  }

  /** Handles an owner: gone → collect its dependents; orphaning or foreground deletion → finish them. */
  private async collectDependents(uid: string): Promise<void> {
    const ownerRef = this.uidIndex.get(uid);
    const owner = ownerRef ? this.store.get(ownerRef.bucket, ownerRef.namespace, ownerRef.name) : undefined;
    if (!owner) {
      for (const { type, object } of this.dependentObjects(uid)) await this.dropOwner(type, object);
      return;
    }
    if (!ownerRef) return;
    const metadata = metadataOf(owner);
    if (!metadata.deletionTimestamp) return;
    const finalizers = finalizersOf(owner);
    const ownerType = this.typeForBucket(ownerRef.bucket);
    if (!ownerType) return;
    if (finalizers.includes('orphan')) {
      for (const { type, object } of this.dependentObjects(uid)) {
        const owners = (metadataOf(object).ownerReferences as unknown[]).filter(
          (owner) => !(isObject(owner) && owner.uid === uid),
        );
        const next: KubeObject = { ...object, metadata: { ...metadataOf(object), ownerReferences: owners } };
        if (owners.length === 0) delete (next.metadata as Record<string, unknown>).ownerReferences;
        await this.operations.writeStored(type, next);
      }
      const current = this.store.get(ownerRef.bucket, ownerRef.namespace, ownerRef.name);
      if (current)
        await this.operations.writeStored(ownerType, {
          ...current,
          metadata: { ...metadataOf(current), finalizers: finalizersOf(current).filter((item) => item !== 'orphan') },
        });
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      const dependents = this.dependentObjects(uid);
      for (const { type, object } of dependents) {
        if (!metadataOf(object).deletionTimestamp) await this.operations.deleteStored(type, object, 'Foreground');
      }
      if (this.dependentObjects(uid).length > 0) return;
      const current = this.store.get(ownerRef.bucket, ownerRef.namespace, ownerRef.name);
      if (current) {
        await this.operations.writeStored(ownerType, {
          ...current,
          metadata: {
            ...metadataOf(current),
            finalizers: finalizersOf(current).filter((item) => item !== 'foregroundDeletion'),
          },
        });
      }
    }
  }

  /** A dependent lost an owner: delete it if no owner is left, else drop the dangling references. */
  private async dropOwner(type: ResourceType, object: KubeObject): Promise<void> {
    const owners = Array.isArray(metadataOf(object).ownerReferences)
      ? (metadataOf(object).ownerReferences as unknown[])
      : [];
    const alive = owners.filter((owner) => isObject(owner) && this.ownerExists(String(owner.uid ?? '')));
    if (alive.length === 0) {
      if (!metadataOf(object).deletionTimestamp) await this.operations.deleteStored(type, object, 'Background');
    } else if (alive.length < owners.length) {
      await this.operations.writeStored(type, {
        ...object,
        metadata: { ...metadataOf(object), ownerReferences: alive },
      });
    }
  }

  private ownerExists(uid: string): boolean {
    const ref = this.uidIndex.get(uid);
    return ref !== undefined && this.store.get(ref.bucket, ref.namespace, ref.name) !== undefined;
  }

  private async checkDangling(key: string): Promise<void> {
    const [bucket = '', namespace = '', name = ''] = key.split('|');
    const object = this.store.get(bucket, namespace, name);
    const type = this.typeForBucket(bucket);
    if (!object || !type) return;
    const uids = ownerUids(object);
    if (uids.length > 0 && uids.some((uid) => !this.ownerExists(uid))) await this.dropOwner(type, object);
  }
}
