/**
 * The emulator's state (subscriptions, resources, long-running operations) and its persistence: with a data
 * directory, the whole state is written to `state.json` atomically (temporary file, fsync, rename, directory fsync)
 * after every change, so a crash or a failed request never leaves a half-written file; a failed write rolls memory
 * back. Temporary files a crash left behind are removed at start.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

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
  /** The key of the resource Azure made this one for (a private endpoint's network interface): deleted with it. */
  managedByKey?: string;
  /** Keys returned by `listKeys`-style actions: generated once, stable until regenerated. */
  secrets?: Record<string, string>;
}

/** The kinds of long-running operation. */
export type OperationKind = 'put' | 'patch' | 'delete' | 'groupDelete' | 'action';

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
  /** `x-ms-correlation-request-id` of the request that started it; its polls answer with the same one. */
  correlationId?: string;
  /** A POST action's response, returned by the result (Location) URL once the operation succeeded. */
  result?: { status: number; body?: unknown };
}

/** A Microsoft Graph group (see graph.ts): the properties Graph returns, by name. */
export type GraphGroupRecord = Record<string, unknown> & { id: string };

/** Everything the emulator remembers. */
export interface EmulatorState {
  tenantId: string;
  subscriptions: Map<string, SubscriptionRecord>;
  resources: Map<string, StoredResource>;
  operations: Map<string, OperationRecord>;
  /** Microsoft Graph groups by id (lower case). */
  groups: Map<string, GraphGroupRecord>;
}

interface SavedState {
  version: 1;
  tenantId: string;
  subscriptions: SubscriptionRecord[];
  resources: StoredResource[];
  operations: OperationRecord[];
  /** Absent in files written before the emulator served Graph groups. */
  groups?: GraphGroupRecord[];
}

/** Holds the state and saves it to `dataDir/state.json` when there is a data directory. */
export class StateStore {
  readonly state: EmulatorState;
  private lastSaved: string;
  private readonly file: string | undefined;
  /** Set by {@link markChanged}: a read request changed the state (e.g. registered a subscription). */
  private changedByRead = false;

  constructor(dataDir: string | undefined, newTenantId: () => string) {
    this.file = dataDir === undefined ? undefined : join(dataDir, 'state.json');
    if (dataDir !== undefined) {
      mkdirSync(dataDir, { recursive: true });
      removeStaleTemporaries(dataDir);
    }
    if (this.file !== undefined && existsSync(this.file)) {
      this.lastSaved = readFileSync(this.file, 'utf8');
      this.state = fromSaved(parseSaved(this.lastSaved, this.file));
    } else {
      this.state = {
        tenantId: newTenantId(),
        subscriptions: new Map(),
        resources: new Map(),
        operations: new Map(),
        groups: new Map(),
      };
      this.lastSaved = serialize(this.state);
      if (this.file !== undefined) writeAtomic(this.file, this.lastSaved);
    }
  }

  /** Records that the current request changed the state even though it is a read (so {@link commitIfChanged} saves). */
  markChanged(): void {
    this.changedByRead = true;
  }

  /** Saves after a request: always after writes; after reads only when {@link markChanged} was called. */
  commitIfChanged(write: boolean): void {
    const changed = write || this.changedByRead;
    this.changedByRead = false;
    if (changed) this.commit();
  }

  /**
   * Saves the current state; when saving fails, memory is rolled back to the last saved state and the error rethrown.
   */
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
    this.changedByRead = false;
    if (this.file === undefined) return;
    const restored = fromSaved(JSON.parse(this.lastSaved) as SavedState);
    this.state.subscriptions = restored.subscriptions;
    this.state.resources = restored.resources;
    this.state.operations = restored.operations;
    this.state.groups = restored.groups;
  }
}

function serialize(state: EmulatorState): string {
  const saved: SavedState = {
    version: 1,
    tenantId: state.tenantId,
    subscriptions: [...state.subscriptions.values()],
    resources: [...state.resources.values()],
    operations: [...state.operations.values()],
    groups: [...state.groups.values()],
  };
  return JSON.stringify(saved);
}

/** Parses `state.json`; a damaged file stops the emulator with an error naming the file and the fix. */
function parseSaved(text: string, file: string): SavedState {
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch (error) {
    throw damaged(file, `it is not JSON: ${(error as Error).message}`);
  }
  const record = saved as Partial<SavedState> | null;
  if (typeof record !== 'object' || record === null || record.version !== 1)
    throw damaged(file, 'its "version" is not 1');
  for (const field of ['subscriptions', 'resources', 'operations'] as const) {
    if (!Array.isArray(record[field])) throw damaged(file, `its "${field}" is not an array`);
  }
  if (typeof record.tenantId !== 'string') throw damaged(file, 'its "tenantId" is not a string');
  return record as SavedState;
}

function damaged(file: string, reason: string): Error {
  return new Error(
    `The emulator state ${file} cannot be read: ${reason}. Restore it, or move it away to start with no ` +
      `resources (the CA and token key next to it are kept).`,
  );
}

function fromSaved(saved: SavedState): EmulatorState {
  return {
    tenantId: saved.tenantId,
    subscriptions: new Map(saved.subscriptions.map((item) => [item.subscriptionId.toLowerCase(), item])),
    resources: new Map(saved.resources.map((item) => [item.key, item])),
    operations: new Map(saved.operations.map((item) => [item.id, item])),
    groups: new Map((saved.groups ?? []).map((item) => [item.id.toLowerCase(), item])),
  };
}

const temporaryMarker = '.tmp-';
/** Files of the data directory written with {@link writeAtomic}. */
const ownedFiles = ['state.json', 'token-signing-key.pem'];

/**
 * Writes `text` to `file` so that readers (and a restart after a crash) see either the old or the new content, never a
 * part.
 */
export function writeAtomic(file: string, text: string, mode = 0o600): void {
  const temporary = `${file}${temporaryMarker}${process.pid}`;
  const fd = openSync(temporary, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  syncDirectory(dirname(file));
}

/** Makes a rename durable (the directory entry itself); not every platform can open a directory, which is harmless. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes the temporary files of writes a crash interrupted (the file they were meant to replace is intact). */
function removeStaleTemporaries(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (!name.includes(temporaryMarker) || !ownedFiles.some((owned) => name.startsWith(`${owned}${temporaryMarker}`)))
      continue;
    unlinkSync(join(dataDir, name));
  }
}
