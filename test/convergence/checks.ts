// The quiet point and the invariants checked there. After each user action the checker waits until the operator is
// idle and every object shows a settled Ready condition for its current generation (or times out: "did not
// converge"), then checks, from the emulator's request log and state:
// 1. Azure equals the manifest for every object that must be Ready (tags, a removed field, the Secret's value, the
//    referenced NSG), and every resource that must exist in Azure exists; those a managed delete removed are gone.
// 2. No DELETE that the user's actions did not ask for.
// 3. No write when the desired state is unchanged and Azure did not drift.
// 4. Every object is Ready, or says what the problem is (status False, a reason, a message, a severity).
import { type KubeObject, readObject } from './actions.js';
import { effectivePolicy, type Model, objectNames, type ObjectName, objectOfArmPath, universe } from './model.js';
import type { World } from './world.js';

/** A broken invariant, with the evidence. */
export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Violation';
  }
}

/** Options of `settle`. */
export interface SettleOptions {
  /** Give up on the quiet point after this long (default 60 s). */
  timeoutMs?: number;
}

/** Waits for the quiet point, checks the invariants, and moves the model on. Throws a `Violation`. */
export async function settle(model: Model, world: World, options: SettleOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let problems: string[] = [];
  for (;;) {
    problems = world.operatorIdle() ? await unsettled(model, world) : ['the operator is busy'];
    if (problems.length === 0) break;
    if (Date.now() > deadline) throw new Violation(`did not converge:\n  ${problems.join('\n  ')}${history(model)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  world.emulator.clearFaults();
  await checkLog(model, world);
  await checkAzurePresence(model, world);
  for (const name of objectNames) {
    if (!model.mustBeReady(name)) continue;
    model.inAzure.add(name);
    model.goneFromAzure.delete(name);
    model.drifted.delete(name);
    model.fresh.delete(name);
    model.applied.set(name, model.fingerprint(name));
  }
  model.allowedDeletes.clear();
  model.mayWrite.clear();
  world.emulator.clearFaults();
}

/** What keeps the world from being at a quiet point (empty: quiet). */
async function unsettled(model: Model, world: World): Promise<string[]> {
  const problems: string[] = [];
  for (const name of objectNames) {
    const object = await readObject(world, name);
    const desired = model.objects.get(name);
    if (desired === undefined) {
      if (object !== undefined) problems.push(`${name}: still in Kubernetes (${describe(object)})`);
      continue;
    }
    if (object === undefined) {
      problems.push(`${name}: missing from Kubernetes`);
      continue;
    }
    const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
    const generation = object.metadata?.generation;
    if (ready === undefined || ready.observedGeneration !== generation) {
      problems.push(`${name}: no Ready condition for generation ${generation ?? '?'} (${describe(object)})`);
      continue;
    }
    if (ready.reason === 'Reconciling' || ready.reason === 'Deleting') {
      problems.push(`${name}: ${ready.reason}`);
      continue;
    }
    if (
      ready.status !== 'True' &&
      (ready.reason === undefined ||
        ready.reason === '' ||
        (ready.message ?? '') === '' ||
        ready.severity === undefined)
    ) {
      problems.push(
        `${name}: Ready ${ready.status} without a reason, message and severity naming the problem (` +
          `${describe(object)})`,
      );
    }
    if (model.mustBeReady(name)) {
      if (ready.status !== 'True') {
        problems.push(`${name}: must become Ready (policy ${effectivePolicy(desired.policy)}), is ${describe(object)}`);
        continue;
      }
      problems.push(...(await azureDiffers(model, world, name)));
    }
  }
  return problems;
}

/** Where Azure differs from what the manifest of a Ready object says (empty: it matches). */
async function azureDiffers(model: Model, world: World, name: ObjectName): Promise<string[]> {
  const desired = model.objects.get(name);
  const { armId, apiVersion } = universe[name];
  const response = await world.armGet(armId, apiVersion);
  if (response.status !== 200) return [`${name}: Ready but ${armId} is ${response.status} in Azure`];
  const body = response.body as { tags?: Record<string, string>; properties?: Record<string, unknown> };
  const problems: string[] = [];
  const sameTags = (actual: Record<string, string> | undefined, wanted: Record<string, string> | undefined) =>
    JSON.stringify(sortKeys(actual ?? {})) === JSON.stringify(sortKeys(wanted ?? {}));
  const wantedTags = desired?.tags ?? {};
  if ((name === 'rg1' || name === 'sa1') && Object.keys(wantedTags).length > 0 && !sameTags(body.tags, wantedTags)) {
    problems.push(
      `${name}: Azure has tags ${JSON.stringify(body.tags ?? {})}, the manifest ${JSON.stringify(wantedTags)}`,
    );
  }
  if ((name === 'rg1' || name === 'sa1') && Object.keys(wantedTags).length === 0) {
    // Tags the user does not set are Azure's business, but tags the user removed must be removed by the next write.
    const sent = (await lastPutInLog(world, name, 'tags')) as Record<string, string> | undefined;
    if (sent !== undefined && Object.keys(sent).length > 0)
      problems.push(`${name}: the manifest has no tags, the last write sent ${JSON.stringify(sent)}`);
  }
  if (name === 'sa1') {
    const tls = body.properties?.['minimumTlsVersion'];
    if (desired?.tls !== undefined && tls !== desired.tls)
      problems.push(`sa1: Azure has minimumTlsVersion ${String(tls)}, the manifest ${desired.tls}`);
    const sent = (model.lastPut.get('sa1') as { properties?: Record<string, unknown> } | undefined)?.properties?.[
      'minimumTlsVersion'
    ];
    if (desired?.tls === undefined && sent !== undefined && tls !== undefined)
      problems.push(`sa1: minimumTlsVersion was removed, Azure still has ${String(tls)}`);
  }
  if (name === 'pg1') {
    const sent = (model.lastPut.get('pg1') as { properties?: Record<string, unknown> } | undefined)?.properties?.[
      'administratorLoginPassword'
    ];
    const pending = await lastPutInLog(world, 'pg1', 'properties.administratorLoginPassword');
    const latest = pending ?? sent;
    if (latest !== model.password)
      problems.push("pg1: the password last sent to Azure is not the Secret's current value");
  }
  if (name === 'sn1') {
    const id = String((body.properties?.['networkSecurityGroup'] as { id?: unknown } | undefined)?.id ?? '');
    if (!id.toLowerCase().endsWith(`/networksecuritygroups/${desired?.nsg ?? ''}`))
      problems.push(`sn1: Azure references ${id}, the manifest ${desired?.nsg ?? ''}`);
  }
  return problems;
}

/** A field (dotted path) of the latest successful PUT of `name` in the current log; undefined without such a PUT. */
async function lastPutInLog(world: World, name: ObjectName, path: string): Promise<unknown> {
  const puts = operatorRequests(world).filter(
    (entry) => entry.method === 'PUT' && entry.status < 300 && objectOfArmPath(entry.path) === name,
  );
  const last = puts.at(-1);
  if (last === undefined) return undefined;
  let value: unknown = last.body;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value ?? (path === 'tags' ? {} : undefined);
}

/**
 * Invariants 2 and 3 from the request log since the last quiet point; then records the PUT bodies and clears the log.
 */
async function checkLog(model: Model, world: World): Promise<void> {
  const requests = operatorRequests(world);
  const problems: string[] = [];
  for (const entry of requests.filter((candidate) => candidate.method === 'DELETE')) {
    const name = objectOfArmPath(entry.path);
    if (name === undefined || !model.allowedDeletes.has(name))
      problems.push(`a DELETE nobody asked for: ${entry.path} (${entry.status})`);
  }
  const puts = requests.filter((entry) => (entry.method === 'PUT' || entry.method === 'PATCH') && entry.status < 300);
  for (const entry of puts) {
    const name = objectOfArmPath(entry.path);
    if (name === undefined) {
      problems.push(`a write to a resource outside the manifests: ${entry.method} ${entry.path}`);
      continue;
    }
    model.lastPut.set(name, entry.body);
    const changed = model.applied.get(name) !== model.fingerprint(name);
    const desired = model.objects.get(name);
    const managed = desired !== undefined && effectivePolicy(desired.policy) !== 'skip';
    if (!managed)
      problems.push(
        `a write under skip (or a misspelled policy) or to a deleted object: ${entry.method} ${entry.path}`,
      );
    else if (!changed && !model.mayWrite.has(name) && !model.drifted.has(name) && !model.fresh.has(name)) {
      problems.push(
        `a needless write: ${entry.method} ${entry.path} although its desired state is unchanged and Azure ` +
          `did not drift`,
      );
    }
  }
  const perObject = new Map<string, number>();
  for (const entry of puts) perObject.set(entry.path.toLowerCase(), (perObject.get(entry.path.toLowerCase()) ?? 0) + 1);
  for (const [path, count] of perObject)
    if (count > 2) problems.push(`${count} successful writes of ${path} in one step`);
  world.emulator.resetRequestLog();
  if (problems.length > 0) throw new Violation(`${problems.join('\n')}${history(model)}`);
}

/** Invariant 1's other half: what must exist in Azure exists, what a managed delete removed is gone. */
async function checkAzurePresence(model: Model, world: World): Promise<void> {
  const problems: string[] = [];
  for (const name of objectNames) {
    const { armId, apiVersion } = universe[name];
    if (model.inAzure.has(name) || model.mustBeReady(name)) {
      const { status } = await world.armGet(armId, apiVersion);
      if (status !== 200) problems.push(`${name} must exist in Azure, but ${armId} is ${status}: lost`);
    } else if (model.goneFromAzure.has(name)) {
      const { status } = await world.armGet(armId, apiVersion);
      if (status === 200) problems.push(`${name} was deleted under manage, but ${armId} still exists in Azure`);
    }
  }
  if (problems.length > 0) throw new Violation(`${problems.join('\n')}${history(model)}`);
}

/** The operator's ARM requests in the log (not the outsider's, not token requests). */
function operatorRequests(world: World) {
  return world.emulator
    .requestLog()
    .filter(
      (entry) => entry.path.startsWith('/subscriptions/') && !(entry.clientRequestId ?? '').startsWith('outsider-'),
    );
}

function describe(object: KubeObject): string {
  const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
  const owners = (object.metadata?.ownerReferences ?? []).map((owner) => `${owner.kind}/${owner.name}`).join(',');
  const finalizers = (object.metadata?.finalizers ?? []).join(',');
  const deleting =
    `${object.metadata?.deletionTimestamp !== undefined ? ', deleting' : ''}; owners [${owners}]; ` +
    `finalizers [${finalizers}]`;
  if (ready === undefined) return `no Ready condition${deleting}`;
  return (
    `Ready ${ready.status} ${ready.severity ?? ''} ${ready.reason ?? ''} gen ` +
    `${ready.observedGeneration ?? '?'}/${object.metadata?.generation ?? '?'}` +
    `: ${ready.message ?? ''}${deleting}`
  );
}

function history(model: Model): string {
  return `\nafter: ${model.history.join(' → ')}`;
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
