// The soak's user: keeps changing things through kubectl while the chaos runs. Tag changes (a spec change: one more
// PUT), re-applies of unchanged manifests, deletes under each reconcile policy (a leaf, an identity with its role
// assignment, a storage account with its blob service and containers, a whole resource group), and re-creates of what
// was deleted once Kubernetes let it go. kubectl calls that fail because the API server is restarting are retried.
import type { E2eEnvironment } from '../e2e/operator-helpers.js';
import { type Fleet, type FleetObject, kinds, kubectlKind, namespace, type Tags } from './fleet.js';
import type { Intent, Policy } from './intent.js';
import type { Random } from './random.js';

/** How long a deleted object stays deleted before the user may re-create it (past any request the emulator holds). */
const recreateCooldownMs = 10_000;
const policyAnnotation = 'serviceoperator.azure.com/reconcile-policy';

/** Counts of what the user did. */
export interface UserCounts {
  tagChanges: number;
  reapplies: number;
  deletes: Record<Policy, number>;
  recreates: number;
  kubectlRetries: number;
  /** Descendants deleted by hand: not adopted yet (no ownerReference), so Kubernetes would not collect them. */
  unadoptedDeletes: number;
}

/** kubectl that waits out an API server restart (connection refused, reset, EOF, timeouts), for up to 2 minutes. */
export function patientKubectl(
  environment: E2eEnvironment,
  onRetry: () => void,
): (args: string[], input?: string) => Promise<string> {
  const transient =
    /refused|reset|EOF|Unable to connect|handshake|timeout|broken pipe|currently unable|Unavailable|no route/i;
  return async (args, input) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        return await environment.kubectl(args, input);
      } catch (error) {
        if (!transient.test((error as Error).message) || Date.now() > deadline) throw error;
        onRetry();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  };
}

/** `kind/name` as kubectl takes it. */
export function kubectlName(object: FleetObject): string {
  return `${kubectlKind(object.kind)}/${object.name}`;
}

/** The user. */
export class User {
  readonly counts: UserCounts = {
    tagChanges: 0,
    reapplies: 0,
    deletes: { manage: 0, 'detach-on-delete': 0, skip: 0 },
    recreates: 0,
    kubectlRetries: 0,
    unadoptedDeletes: 0,
  };
  readonly kubectl: (args: string[], input?: string) => Promise<string>;

  constructor(
    environment: E2eEnvironment,
    private readonly fleet: Fleet,
    private readonly intent: Intent,
    private readonly random: Random,
    private readonly note: (line: string) => void,
  ) {
    this.kubectl = patientKubectl(environment, () => this.counts.kubectlRetries++);
  }

  /** Applies `objects` with their desired tags (records creates of those not live yet). */
  async apply(objects: FleetObject[]): Promise<void> {
    const absent = objects.filter((object) => !this.intent.live.has(object.key));
    this.intent.created(absent, Date.now());
    const items = objects.map((object) => object.manifest(this.intent.live.get(object.key) ?? {}));
    await this.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }

  /** Changes the tags of `object` (which must be live) and applies it. */
  async changeTags(object: FleetObject): Promise<void> {
    const tags: Tags = { ...(this.intent.live.get(object.key) ?? {}) };
    const roll = this.random.next();
    if (roll < 0.5 || tags['rev'] === undefined) tags['rev'] = String(this.random.int(1, 1_000_000));
    else if (roll < 0.75) delete tags['rev'];
    else if (tags['team'] === undefined) tags['team'] = this.random.pick(['blue', 'green', 'red']) ?? 'blue';
    else delete tags['team'];
    this.intent.live.set(object.key, tags);
    this.counts.tagChanges++;
    await this.apply([object]);
  }

  /** One random action; resolves when its kubectl commands are done. */
  async act(): Promise<void> {
    await this.refreshDeletions();
    const action = this.random.weighted({ tags: 45, reapply: 10, delete: 20, recreate: 25 });
    if (action === 'recreate' && (await this.recreate())) return;
    if (action === 'delete' && (await this.delete())) return;
    if (action === 'reapply') {
      const withLive = new Set(this.liveObjects().map((object) => object.unit));
      const unit = this.random.pick(this.availableUnits().filter((candidate) => withLive.has(candidate)));
      if (unit !== undefined) {
        await this.inUnit(unit, () => this.apply(this.liveObjects().filter((object) => object.unit === unit)));
        this.counts.reapplies++;
        return;
      }
    }
    const object = this.random.pick(
      this.liveObjects().filter(
        (candidate) => kinds[candidate.kind].tags && this.availableUnits().includes(candidate.unit),
      ),
    );
    if (object !== undefined) await this.inUnit(object.unit, () => this.changeTags(object));
  }

  /** Live objects, in fleet order. */
  liveObjects(): FleetObject[] {
    return this.fleet.objects.filter((object) => this.intent.live.has(object.key));
  }

  /** Units user actions may touch now. */
  availableUnits(): number[] {
    const now = Date.now();
    const units = new Set(this.fleet.objects.map((object) => object.unit));
    return [...units].filter((unit) => this.intent.available(unit, now));
  }

  /** Runs `action` with `unit` marked busy. */
  async inUnit<T>(unit: number, action: () => Promise<T>): Promise<T> {
    this.intent.busyUnits.add(unit);
    try {
      return await action();
    } finally {
      this.intent.busyUnits.delete(unit);
    }
  }

  /** Marks deletions whose members are all gone from Kubernetes. */
  async refreshDeletions(): Promise<void> {
    for (const deletion of this.intent.deletions.filter((candidate) => candidate.goneAt === undefined)) {
      const names = deletion.members.map((key) => kubectlName(this.object(key)));
      const out = await this.kubectl(['get', ...names, '-n', namespace, '--ignore-not-found', '-o', 'name']);
      if (out.trim() === '') deletion.goneAt = Date.now();
    }
  }

  private async delete(): Promise<boolean> {
    const group = this.random.weighted({ leaf: 40, identity: 15, storage: 25, unit: 20 });
    const units = this.availableUnits().filter((unit) => !this.intent.deleting(unit));
    const candidates = this.liveObjects().filter((object) => {
      if (!units.includes(object.unit)) return false;
      if (group === 'leaf') return ['container', 'subnet', 'ra'].includes(object.kind);
      if (group === 'identity') return object.kind === 'identity';
      return object.kind === (group === 'storage' ? 'sa' : 'rg');
    });
    const root = this.random.pick(candidates);
    if (root === undefined) return false;
    const policy = this.random.weighted<Policy>({ manage: 50, 'detach-on-delete': 30, skip: 20 });
    // An identity goes with the role assignment that reads its principal ID (else that one could never be Ready).
    const roots =
      root.kind === 'identity'
        ? [...this.liveObjects().filter((object) => object.kind === 'ra' && object.reference === root.key), root]
        : [root];
    await this.inUnit(root.unit, async () => {
      const members: string[] = [];
      for (const object of roots) {
        await this.kubectl([
          'annotate',
          '--overwrite',
          '-n',
          namespace,
          kubectlName(object),
          `${policyAnnotation}=${policy}`,
        ]);
        members.push(...this.intent.deleted(object, policy, Date.now()).members);
        await this.kubectl(['delete', '-n', namespace, kubectlName(object), '--wait=false', '--ignore-not-found']);
        this.counts.deletes[policy]++;
      }
      await this.deleteUnadopted(members.filter((key) => !roots.some((object) => object.key === key)));
    });
    this.note(`delete ${roots.map((object) => object.key).join(' + ')} (${policy})`);
    return true;
  }

  /**
   * Kubernetes collects a deleted owner's dependents by their ownerReferences, which the operator adds on its first
   * reconcile of each. A child applied moments before its owner is deleted may not have one yet (the operator was
   * busy or restarting): nothing would ever delete it, so the user does, as a user cleaning up would.
   */
  private async deleteUnadopted(keys: string[]): Promise<void> {
    for (const key of keys) {
      const name = kubectlName(this.object(key));
      const out = await this.kubectl(['get', name, '-n', namespace, '--ignore-not-found', '-o', 'json']);
      if (out.trim() === '') continue; // already gone
      const object = JSON.parse(out) as { metadata: { ownerReferences?: unknown[] } };
      if ((object.metadata.ownerReferences ?? []).length > 0) continue; // Kubernetes collects it
      await this.kubectl(['delete', '-n', namespace, name, '--wait=false', '--ignore-not-found']);
      this.counts.unadoptedDeletes++;
      this.note(`delete ${key} by hand: no ownerReference yet`);
    }
  }

  private async recreate(): Promise<boolean> {
    const now = Date.now();
    const ready = this.intent.deletions.filter((deletion) => {
      const root = this.object(deletion.root);
      return (
        deletion.goneAt !== undefined &&
        deletion.goneAt + recreateCooldownMs <= now &&
        this.intent.available(root.unit, now) &&
        (root.owner === undefined || this.intent.live.has(root.owner)) &&
        (root.kind !== 'ra' || (root.reference !== undefined && this.intent.live.has(root.reference)))
      );
    });
    const deletion = this.random.pick(ready);
    if (deletion === undefined) return false;
    const root = this.object(deletion.root);
    await this.inUnit(root.unit, () => this.apply(deletion.members.map((key) => this.object(key))));
    this.intent.recreated(deletion);
    this.counts.recreates++;
    this.note(`re-create ${deletion.root} (${deletion.members.length} objects)`);
    return true;
  }

  private object(key: string): FleetObject {
    const object = this.fleet.byKey.get(key);
    if (object === undefined) throw new Error(`no ${key} in the fleet`);
    return object;
  }
}
