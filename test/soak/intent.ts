// What the soak's user asked for, and when: which objects exist in Kubernetes with which tags, every create and delete
// (with its reconcile policy), what a detach or skip deliberately left in Azure, and which units are off-limits for a
// while. The invariants are judged against this record; it knows nothing of how the operator works.
import { type Fleet, type FleetObject, initialTags, type Tags } from './fleet.js';

export type Policy = 'manage' | 'detach-on-delete' | 'skip';

/** A user's create (`kubectl apply` of an absent object) or delete, stamped before the command was sent. */
export type UserEvent =
  | { type: 'create'; key: string; at: number }
  /** `root`: the object the user deleted; otherwise Kubernetes deletes it with its owner `root`. */
  | { type: 'delete'; key: string; at: number; policy: Policy; root: string };

/** One user delete: the object deleted and what Kubernetes deletes with it. */
export interface Deletion {
  root: string;
  policy: Policy;
  at: number;
  /** The root and its live descendants at the time. */
  members: string[];
  /** When every member was seen gone from Kubernetes. */
  goneAt?: number;
}

/** The user's side of the world. */
export class Intent {
  readonly events: UserEvent[] = [];
  /** Objects that exist in Kubernetes by the user's will, with their desired tags. */
  readonly live = new Map<string, Tags>();
  /** Deletes not yet undone by a re-create. */
  readonly deletions: Deletion[] = [];
  /** Units an action is under way in (no other action may start there). */
  readonly busyUnits = new Set<number>();
  /** Units frozen for user actions until a time: a request to them may still be held by the emulator. */
  readonly frozenUntil = new Map<number, number>();
  /** Units frozen while a rule that may hold a write to them is active (how many such rules). */
  private readonly holds = new Map<number, number>();

  constructor(readonly fleet: Fleet) {}

  /** Records creates of `objects` (initial tags unless the intent already has some). */
  created(objects: FleetObject[], at: number): void {
    for (const object of objects) {
      this.live.set(object.key, this.live.get(object.key) ?? initialTags(object.unit));
      this.events.push({ type: 'create', key: object.key, at });
    }
  }

  /** Records the user's delete of `root` under `policy`; returns the deletion (members: root + live descendants). */
  deleted(root: FleetObject, policy: Policy, at: number): Deletion {
    const members = [root, ...this.fleet.descendants(root.key).filter((child) => this.live.has(child.key))];
    for (const member of members) {
      this.live.delete(member.key);
      this.events.push({ type: 'delete', key: member.key, at, policy, root: root.key });
    }
    const deletion = { root: root.key, policy, at, members: members.map((member) => member.key) };
    this.deletions.push(deletion);
    return deletion;
  }

  /** Forgets a deletion that was re-created. */
  recreated(deletion: Deletion): void {
    this.deletions.splice(this.deletions.indexOf(deletion), 1);
  }

  /** true when user actions may touch `unit` now. */
  available(unit: number, now: number): boolean {
    return !this.busyUnits.has(unit) && (this.holds.get(unit) ?? 0) === 0 && (this.frozenUntil.get(unit) ?? 0) <= now;
  }

  /** Keeps user actions out of `unit` until `thaw`. */
  hold(unit: number): void {
    this.holds.set(unit, (this.holds.get(unit) ?? 0) + 1);
  }

  /** Ends one `hold` of `unit`; user actions may come back `ms` later. */
  thaw(unit: number, ms: number): void {
    this.holds.set(unit, Math.max(0, (this.holds.get(unit) ?? 0) - 1));
    this.frozenUntil.set(unit, Math.max(this.frozenUntil.get(unit) ?? 0, Date.now() + ms));
  }

  /** true when `unit` has a delete that Kubernetes has not finished. */
  deleting(unit: number): boolean {
    return this.deletions.some(
      (deletion) => deletion.goneAt === undefined && this.fleet.byKey.get(deletion.root)?.unit === unit,
    );
  }
}
