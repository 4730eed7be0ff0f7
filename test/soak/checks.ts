// The soak's invariants, judged at the end from the emulator's request log (the ledger) and state (`state.json` in its
// data dir), the Kubernetes objects, and the user's record (intent.ts):
// - converged: every object the user keeps is Ready=True for its generation, carries its ARM ID, exists in Azure,
//   and Azure holds what the soak sets (tags exactly, location, the NSG a subnet references, the principal a role
//   assignment names);
// - no duplicate create: at most one PUT answered 201 per ARM ID per incarnation of its Kubernetes object (from the
//   user's create of the object to the next one; the user re-creates only what Kubernetes had let go of);
// - no DELETE not asked for: every DELETE of an ID is preceded by the user's delete of that very object under
//   `manage` (not a delete of its owner, and no re-create in between);
// - no orphan: every resource in Azure is a live object's, lies under what the user deleted under `detach-on-delete`
//   or `skip` (and did not re-create), or was never PUT (a child Azure creates with its parent);
// - nothing stuck: no object the user deleted is still in Kubernetes (finalizer left behind).
import { azureMismatch, type Fleet, type FleetObject, kinds, type KindName } from './fleet.js';
import type { Intent, UserEvent } from './intent.js';
import type { LoggedRequest } from './ledger.js';

/** A custom object as `kubectl get -o json` returns it (the parts the checks read). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    generation?: number;
    deletionTimestamp?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
  };
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      observedGeneration?: number;
    }>;
  };
}

/** The end state: Kubernetes objects by fleet key, Azure resources by lower-cased ID. */
export interface Observed {
  objects: Map<string, KubeObject>;
  azure: Map<string, { id: string; body: Record<string, unknown> }>;
}

/** An ARM request with its arrival time in ms. */
export type TimedRequest = LoggedRequest & { at: number };

/** The outcome of one invariant. */
export interface Verdict {
  name: string;
  held: boolean;
  /** One line of evidence (counts), and the problems. */
  evidence: string;
  problems: string[];
}

const kindNames = new Map<string, KindName>(
  Object.entries(kinds).map(([name, kind]): [string, KindName] => [kind.kind, name as KindName]),
);

/** The fleet key of a Kubernetes object. */
export function keyOf(object: KubeObject): string {
  return `${kindNames.get(object.kind) ?? object.kind}/${object.metadata.name}`;
}

/** What keeps live objects from being converged (empty: all are). */
export function unconverged(intent: Intent, observed: Observed): string[] {
  const problems: string[] = [];
  for (const [key, tags] of intent.live) {
    const object = fleetObject(intent.fleet, key);
    const kube = observed.objects.get(key);
    if (kube === undefined) {
      problems.push(`${key}: missing from Kubernetes`);
      continue;
    }
    const ready = kube.status?.conditions?.find((condition) => condition.type === 'Ready');
    const generations = `${ready?.observedGeneration ?? '-'}/${kube.metadata.generation ?? '-'}`;
    const state = `Ready ${ready?.status ?? '-'} ${ready?.reason ?? ''} gen ${generations}: ${ready?.message ?? ''}`;
    if (kube.metadata.deletionTimestamp !== undefined) {
      problems.push(`${key}: being deleted (${state})`);
      continue;
    }
    if (ready?.status !== 'True' || ready.observedGeneration !== kube.metadata.generation) {
      problems.push(`${key}: ${state}`);
      continue;
    }
    const armId = kube.metadata.annotations?.['serviceoperator.azure.com/resource-id'] ?? '';
    if (armId.toLowerCase() !== object.armId.toLowerCase()) problems.push(`${key}: resource-id "${armId}"`);
    const azure = observed.azure.get(object.armId.toLowerCase());
    if (azure === undefined) {
      problems.push(`${key}: Ready, but ${object.armId} is not in Azure`);
      continue;
    }
    const reference = object.reference === undefined ? undefined : fleetObject(intent.fleet, object.reference);
    const referenced = reference === undefined ? undefined : observed.azure.get(reference.armId.toLowerCase());
    const mismatch = azureMismatch(object, azure.body, tags, referenced === undefined ? undefined : referenced.body);
    if (mismatch !== undefined) problems.push(`${key}: Azure has ${mismatch}`);
  }
  return problems;
}

/** Objects the user deleted that are still in Kubernetes. */
export function stuck(intent: Intent, observed: Observed): string[] {
  return [...observed.objects.entries()]
    .filter(([key]) => !intent.live.has(key))
    .map(([key, object]) => {
      const deleting = object.metadata.deletionTimestamp !== undefined ? 'being deleted' : 'not being deleted';
      const finalizers = (object.metadata.finalizers ?? []).join(', ');
      return `${key}: deleted by the user, still in Kubernetes (${deleting}; finalizers [${finalizers}])`;
    });
}

/** Every live object converged, and nothing stuck. */
export function checkConverged(intent: Intent, observed: Observed): Verdict {
  const problems = unconverged(intent, observed);
  const failing = new Set(problems.map((problem) => problem.split(':')[0])).size;
  return {
    name: 'every object converged (Ready at its generation, Azure = desired)',
    held: problems.length === 0,
    evidence: `${intent.live.size - failing}/${intent.live.size} objects`,
    problems,
  };
}

/** Nothing stuck. */
export function checkStuck(intent: Intent, observed: Observed): Verdict {
  const problems = stuck(intent, observed);
  const deleted = intent.events.filter((event) => event.type === 'delete').length;
  return {
    name: 'no object stuck (deleted objects gone, no finalizer left)',
    held: problems.length === 0,
    evidence: `${deleted} deletes, ${problems.length} left in Kubernetes`,
    problems,
  };
}

/** At most one create (201) per ARM ID per incarnation of its object. */
export function checkDuplicateCreates(intent: Intent, requests: TimedRequest[]): Verdict {
  const byId = idIndex(intent.fleet);
  const creates = requests.filter((request) => request.method === 'PUT' && request.status === 201);
  const problems: string[] = [];
  const perObject = new Map<string, TimedRequest[]>();
  for (const create of creates) {
    const key = byId.get(create.path.toLowerCase());
    if (key === undefined) problems.push(`a create of ${create.path}, which no object names (${create.time})`);
    else perObject.set(key, [...(perObject.get(key) ?? []), create]);
  }
  for (const [key, objectCreates] of perObject) {
    const incarnations = eventsOf(intent.events, key).filter((event) => event.type === 'create');
    for (const [index, incarnation] of incarnations.entries()) {
      const next = incarnations[index + 1]?.at ?? Number.POSITIVE_INFINITY;
      const inside = objectCreates.filter((create) => create.at >= incarnation.at && create.at < next);
      if (inside.length > 1)
        problems.push(
          `${key} created ${inside.length} times in one incarnation: ${inside.map((c) => c.time).join(', ')}`,
        );
    }
    const first = incarnations[0]?.at ?? Number.POSITIVE_INFINITY;
    for (const create of objectCreates.filter((candidate) => candidate.at < first))
      problems.push(`${key} created before the user created it (${create.time})`);
  }
  const incarnations = intent.events.filter((event) => event.type === 'create').length;
  return {
    name: 'no duplicate create (one 201 per ARM ID per object incarnation)',
    held: problems.length === 0,
    evidence: `${creates.length} creates for ${incarnations} object incarnations`,
    problems,
  };
}

/** Every DELETE was asked for: the user deleted that object itself under manage, and did not re-create it since. */
export function checkDeletes(intent: Intent, requests: TimedRequest[]): Verdict {
  const byId = idIndex(intent.fleet);
  const deletes = requests.filter((request) => request.method === 'DELETE');
  const problems: string[] = [];
  for (const request of deletes) {
    const key = byId.get(request.path.toLowerCase());
    const last =
      key === undefined
        ? undefined
        : eventsOf(intent.events, key)
            .filter((event) => event.at <= request.at)
            .at(-1);
    const asked = last?.type === 'delete' && last.policy === 'manage' && last.root === key;
    if (!asked) {
      const why =
        last === undefined
          ? 'nothing asked for it'
          : last.type === 'create'
            ? 'the object was live'
            : `the user deleted ${last.root} under ${last.policy}`;
      problems.push(`DELETE ${request.path} at ${request.time} (${request.status}): ${why}`);
    }
  }
  const asked = intent.events.filter(
    (event) => event.type === 'delete' && event.policy === 'manage' && event.root === event.key,
  ).length;
  return {
    name: 'no DELETE not asked for (only own deletes under manage)',
    held: problems.length === 0,
    evidence: `${deletes.length} DELETE requests for ${asked} deletes under manage`,
    problems,
  };
}

/**
 * Every resource in Azure is a live object's, was deliberately left by a detach-on-delete or skip delete, or is one of
 * the children Azure creates with its parent (a storage account's `fileServices/default`): nobody ever PUT it.
 */
export function checkOrphans(intent: Intent, observed: Observed, requests: TimedRequest[]): Verdict {
  const live = new Set([...intent.live.keys()].map((key) => fleetObject(intent.fleet, key).armId.toLowerCase()));
  const left = intent.deletions
    .filter((deletion) => deletion.policy !== 'manage')
    .map((deletion) => fleetObject(intent.fleet, deletion.root).armId.toLowerCase());
  const put = new Set(
    requests
      .filter((request) => request.method === 'PUT' && request.status < 300)
      .map((request) => request.path.toLowerCase()),
  );
  let leftCount = 0;
  let implicitCount = 0;
  const problems: string[] = [];
  for (const [id, resource] of observed.azure) {
    if (live.has(id)) continue;
    if (left.some((root) => id === root || id.startsWith(`${root}/`))) leftCount++;
    else if (!put.has(id)) implicitCount++;
    else problems.push(`${resource.id}: in Azure, but no live object and no detach or skip left it`);
  }
  const liveCount = observed.azure.size - leftCount - implicitCount - problems.length;
  return {
    name: 'no orphan in Azure',
    held: problems.length === 0,
    evidence:
      `${observed.azure.size} resources: ${liveCount} live, ${leftCount} left by detach/skip, ` +
      `${implicitCount} made by Azure with their parent`,
    problems,
  };
}

function idIndex(fleet: Fleet): Map<string, string> {
  return new Map(fleet.objects.map((object) => [object.armId.toLowerCase(), object.key]));
}

function eventsOf(events: UserEvent[], key: string): UserEvent[] {
  return events.filter((event) => event.key === key).sort((a, b) => a.at - b.at);
}

function fleetObject(fleet: Fleet, key: string): FleetObject {
  const object = fleet.byKey.get(key);
  if (object === undefined) throw new Error(`no ${key} in the fleet`);
  return object;
}
