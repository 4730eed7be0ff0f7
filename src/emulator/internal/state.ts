/**
 * The emulator's state (subscriptions, resources, long-running operations) and its persistence: with a data
 * directory, the whole state is written to `state.json` atomically (temporary file, fsync, rename) after every
 * change, so a crash or a failed request never leaves a half-written file; a failed write rolls memory back.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A subscription, registered on first use by the tenant of the first caller. */
export interface SubscriptionRecord {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
}

/** A stored resource (resource groups included). `body` is what GET returns, before write-only fields are removed. */
export interface StoredResource {
  id: string;
  /** Lower-cased `id`. */
  key: string;
  /** Full type with the casing first supplied (or the model's). */
  fullType: string;
  name: string;
  subscriptionId?: string;
  resourceGroup?: string;
  /** Key of the parent resource, for children. */
  parentKey?: string;
  /** true for extension resources (their scope is another resource, a subscription, a group or the tenant). */
  extension?: boolean;
  body: Record<string, unknown>;
  /** The operation in flight on this resource, if any. */
  pendingOperationId?: string;
  /** Keys returned by `listKeys`-style actions: generated once, stable until regenerated. */
  secrets?: Record<string, string>;
}

/** The kinds of long-running operation. */
export type OperationKind = 'put' | 'patch' | 'delete' | 'groupDelete';

/** A long-running operation. Times are epoch milliseconds. */
export interface OperationRecord {
  id: string;
  kind: OperationKind;
  subscriptionId?: string;
  namespace: string;
  location: string;
  resourceKey: string;
  resourceId: string;
  apiVersion: string;
  startTime: number;
  completesAt: number;
  /** The outcome decided when it was started (fault injection may make it Failed or Canceled). */
  outcome: 'Succeeded' | 'Failed' | 'Canceled';
  outcomeError?: { code: string; message: string; status: number };
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  /** true when a PUT creates the resource (its midpoint state is Creating rather than Updating). */
  created?: boolean;
  /** Set once the midpoint state (Creating/Updating/Deleting) was applied. */
  midpointApplied?: boolean;
  endTime?: number;
}

/** Everything the emulator remembers. */
export interface EmulatorState {
  tenantId: string;
  subscriptions: Map<string, SubscriptionRecord>;
  resources: Map<string, StoredResource>;
  operations: Map<string, OperationRecord>;
}

interface SavedState {
  version: 1;
  tenantId: string;
  subscriptions: SubscriptionRecord[];
  resources: StoredResource[];
  operations: OperationRecord[];
}

/** Holds the state and saves it to `dataDir/state.json` when there is a data directory. */
export class StateStore {
  readonly state: EmulatorState;
  private lastSaved: string;
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined, newTenantId: () => string) {
    this.file = dataDir === undefined ? undefined : join(dataDir, 'state.json');
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    if (this.file !== undefined && existsSync(this.file)) {
      this.lastSaved = readFileSync(this.file, 'utf8');
      this.state = fromSaved(JSON.parse(this.lastSaved) as SavedState);
    } else {
      this.state = { tenantId: newTenantId(), subscriptions: new Map(), resources: new Map(), operations: new Map() };
      this.lastSaved = serialize(this.state);
      if (this.file !== undefined) writeAtomic(this.file, this.lastSaved);
    }
  }

  /** Saves the current state; when saving fails, memory is rolled back to the last saved state and the error rethrown. */
  commit(): void {
    if (this.file === undefined) return;
    const text = serialize(this.state);
    if (text === this.lastSaved) return;
    try {
      writeAtomic(this.file, text);
      this.lastSaved = text;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** Restores memory to the last saved state (used when a request fails after changing memory). */
  rollback(): void {
    if (this.file === undefined) return;
    const restored = fromSaved(JSON.parse(this.lastSaved) as SavedState);
    this.state.subscriptions = restored.subscriptions;
    this.state.resources = restored.resources;
    this.state.operations = restored.operations;
  }
}

function serialize(state: EmulatorState): string {
  const saved: SavedState = {
    version: 1,
    tenantId: state.tenantId,
    subscriptions: [...state.subscriptions.values()],
    resources: [...state.resources.values()],
    operations: [...state.operations.values()],
  };
  return JSON.stringify(saved);
}

function fromSaved(saved: SavedState): EmulatorState {
  return {
    tenantId: saved.tenantId,
    subscriptions: new Map(saved.subscriptions.map((item) => [item.subscriptionId.toLowerCase(), item])),
    resources: new Map(saved.resources.map((item) => [item.key, item])),
    operations: new Map(saved.operations.map((item) => [item.id, item])),
  };
}

/** Writes `text` to `file` so that readers see either the old or the new content, never a part. */
export function writeAtomic(file: string, text: string, mode = 0o600): void {
  const temporary = `${file}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
