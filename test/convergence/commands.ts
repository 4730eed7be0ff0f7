// The user actions the checker draws at random (fast-check commands): each one acts on the real system, moves the
// model the way ASO's contract says, and then waits for the quiet point and checks the invariants (`settle`).
import fc from 'fast-check';
import { applyObject, applySecret, createNamespace, deleteObject, driftInAzure, recreateNamespace } from './actions.js';
import { settle } from './checks.js';
import {
  type Desired,
  Model,
  type ObjectName,
  type PolicyValue,
  type Propagation,
  type Tags,
  universe,
} from './model.js';
import type { World } from './world.js';

/** A fault the emulator injects into the next matching request of one object. */
export type Fault = 'none' | 'put500' | 'put400' | 'putFailed' | 'get429' | 'delete500';

type Command = fc.AsyncCommand<Model, World>;

/** Injects `fault` for `name`'s next request of its kind. */
function injectFault(world: World, model: Model, name: ObjectName, fault: Fault): void {
  if (fault === 'none') return;
  const path = `${universe[name].armId.split('/').slice(-2).join('/')}$`;
  model.mayWrite.add(name);
  switch (fault) {
    case 'put500':
      world.emulator.addFault({ method: 'PUT', path, status: 500, count: 1 });
      break;
    case 'put400':
      // An error only something outside Kubernetes can fix (the referenced thing created meanwhile): used up = fixed.
      world.emulator.addFault({
        method: 'PUT',
        path,
        status: 400,
        code: 'InvalidResourceReference',
        message: 'a referenced resource was not found',
        count: 1,
      });
      break;
    case 'putFailed':
      world.emulator.addFault({
        method: 'PUT',
        path,
        provisioningState: 'Failed',
        code: 'InternalOperationError',
        count: 1,
      });
      break;
    case 'get429':
      world.emulator.addFault({ method: 'GET', path, status: 429, retryAfterSeconds: 1, count: 1 });
      break;
    case 'delete500':
      world.emulator.addFault({ method: 'DELETE', path, status: 500, count: 1 });
      break;
  }
}

/** Applies one object's manifest (creating or changing it), with an optional fault on its way to Azure. */
class Apply implements Command {
  constructor(
    readonly name: ObjectName,
    readonly desired: Desired,
    readonly fault: Fault,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    if (!model.objects.has(this.name)) model.fresh.add(this.name);
    injectFault(world, model, this.name, this.fault);
    model.objects.set(this.name, this.desired);
    await applyObject(world, this.name, this.desired);
    await settle(model, world);
  }
  toString(): string {
    return `apply ${this.name} ${JSON.stringify(this.desired)}${this.fault !== 'none' ? ` with ${this.fault}` : ''}`;
  }
}

/** Applies the Secret and the FlexibleServer that reads its password. */
class ApplyServer implements Command {
  constructor(
    readonly password: string,
    readonly fault: Fault,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    if (!model.objects.has('pg1')) model.fresh.add('pg1');
    injectFault(world, model, 'pg1', this.fault);
    model.password = this.password;
    model.objects.set('pg1', { policy: 'none' });
    await applySecret(world, this.password);
    await applyObject(world, 'pg1', { policy: 'none' });
    await settle(model, world);
  }
  toString(): string {
    return `apply pg1 with password ${this.password}${this.fault !== 'none' ? ` and ${this.fault}` : ''}`;
  }
}

/** Rotates the password in the Secret: the new value must reach Azure. */
class RotateSecret implements Command {
  constructor(readonly password: string) {}
  check(model: Readonly<Model>): boolean {
    return model.password !== undefined;
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    model.password = this.password;
    await applySecret(world, this.password);
    await settle(model, world);
  }
  toString(): string {
    return `rotate the Secret to ${this.password}`;
  }
}

/** Applies the network: two NSGs, a VNet and a subnet that references one of the NSGs. */
class ApplyNetwork implements Command {
  constructor(
    readonly nsg: 'nsg1' | 'nsg2',
    readonly fault: Fault,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    injectFault(world, model, 'sn1', this.fault);
    for (const name of ['nsg1', 'nsg2', 'vnet1', 'sn1'] as const) {
      if (!model.objects.has(name)) model.fresh.add(name);
      const desired: Desired =
        name === 'sn1' ? { policy: 'none', nsg: this.nsg } : (model.objects.get(name) ?? { policy: 'none' });
      model.objects.set(name, desired);
      await applyObject(world, name, desired);
    }
    await settle(model, world);
  }
  toString(): string {
    return `apply the network, subnet → ${this.nsg}${this.fault !== 'none' ? ` with ${this.fault}` : ''}`;
  }
}

/** A change that leaves the ARM body as it is: a label, or operatorSpec exports. No ARM write may follow. */
class MetadataOnly implements Command {
  constructor(
    readonly name: ObjectName,
    readonly change: 'label' | 'export',
    readonly value: string,
  ) {}
  check(model: Readonly<Model>): boolean {
    return model.objects.has(this.name) && (this.change === 'label' || this.name === 'sa1');
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    const current = model.objects.get(this.name) ?? { policy: 'none' };
    const desired: Desired =
      this.change === 'label'
        ? { ...current, label: this.value }
        : { ...current, exportEndpoint: !(current.exportEndpoint ?? false) };
    model.objects.set(this.name, desired);
    await applyObject(world, this.name, desired);
    await settle(model, world);
  }
  toString(): string {
    return this.change === 'label'
      ? `label ${this.name} ${this.value}`
      : `toggle the operatorSpec export of ${this.name}`;
  }
}

/** `kubectl delete` of one object with a cascade mode, optionally with a fault on its DELETE. */
class Delete implements Command {
  constructor(
    readonly name: ObjectName,
    readonly propagation: Propagation,
    readonly fault: Fault,
  ) {}
  check(model: Readonly<Model>): boolean {
    return model.objects.has(this.name);
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    injectFault(world, model, this.name, this.fault);
    model.delete(this.name, this.propagation);
    await deleteObject(world, this.name, this.propagation);
    await settle(model, world);
  }
  toString(): string {
    return `delete ${this.name} --cascade=${this.propagation.toLowerCase()}${this.fault !== 'none' ? ` with ${this.fault}` : ''}`;
  }
}

/** Deletes the whole namespace (and creates it again once it is gone). */
class DeleteNamespace implements Command {
  check(model: Readonly<Model>): boolean {
    return model.objects.size > 0;
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    for (const name of [...model.objects.keys()]) if (model.objects.has(name)) model.delete(name, 'Background', true);
    model.password = undefined;
    await recreateNamespace(world);
    await settle(model, world);
  }
  toString(): string {
    return 'delete the namespace';
  }
}

/** Restarts the operator (a pod restart): nothing may be written. */
class Restart implements Command {
  check(): boolean {
    return true;
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    await world.restartOperator();
    await settle(model, world);
  }
  toString(): string {
    return 'restart the operator';
  }
}

/** Changes tags and restarts the operator while the write is (likely) still under way. */
class ChangeThenRestart implements Command {
  constructor(readonly tags: Tags) {}
  check(model: Readonly<Model>): boolean {
    return model.objects.has('rg1');
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    const desired = { ...(model.objects.get('rg1') ?? { policy: 'none' as const }), tags: this.tags };
    model.objects.set('rg1', desired);
    await applyObject(world, 'rg1', desired);
    await world.restartOperator();
    await settle(model, world);
  }
  toString(): string {
    return `change rg1's tags to ${JSON.stringify(this.tags)} and restart the operator at once`;
  }
}

/** Someone changes a resource in Azure outside Kubernetes; the next drift check must undo it (unless skipped). */
class Drift implements Command {
  constructor(readonly name: 'rg1' | 'sa1') {}
  check(model: Readonly<Model>): boolean {
    return model.inAzure.has(this.name);
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    if (await driftInAzure(world, this.name)) model.drifted.add(this.name);
    world.operator.resyncAll();
    await settle(model, world);
  }
  toString(): string {
    return `drift ${this.name} in Azure`;
  }
}

/** Makes Azure's long-running operations slow (or fast again). */
class Latency implements Command {
  constructor(readonly latencyMs: number) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, world: World): Promise<void> {
    model.history.push(this.toString());
    world.emulator.setLatency(this.latencyMs);
    await settle(model, world);
  }
  toString(): string {
    return `Azure operations take ${this.latencyMs} ms`;
  }
}

const tags = fc.constantFrom<Tags>({}, { env: 'dev' }, { env: 'prod' }, { env: 'dev', team: 'a' });
const policy = fc.constantFrom<PolicyValue>(
  'none',
  'none',
  'manage',
  'detach-on-delete',
  'skip',
  'Detach-On-Delete',
  'Skip',
);
const fault = fc.constantFrom<Fault>('none', 'none', 'none', 'put500', 'put400', 'putFailed', 'get429');
const password = fc.constantFrom('Pa55-one-A', 'Pa55-two-B', 'Pa55-three-C');
const propagation = fc.constantFrom<Propagation>('Background', 'Foreground', 'Orphan');
const deletable = fc.constantFrom<ObjectName>('rg1', 'rg1', 'sa1', 'pg1', 'vnet1', 'sn1', 'nsg2');

/** Every command the checker draws. */
export const commandArbitraries: Array<fc.Arbitrary<Command>> = [
  fc
    .record({ tags, policy, fault })
    .map(({ tags: t, policy: p, fault: f }) => new Apply('rg1', { policy: p, tags: t }, f)),
  fc
    .record({ tags, policy, fault, tls: fc.constantFrom(undefined, 'TLS1_0' as const, 'TLS1_2' as const) })
    .map(
      ({ tags: t, policy: p, fault: f, tls }) =>
        new Apply('sa1', { policy: p, tags: t, ...(tls !== undefined ? { tls } : {}) }, f),
    ),
  fc.record({ password, fault }).map(({ password: p, fault: f }) => new ApplyServer(p, f)),
  password.map((p) => new RotateSecret(p)),
  fc
    .record({ nsg: fc.constantFrom('nsg1' as const, 'nsg2' as const), fault })
    .map(({ nsg, fault: f }) => new ApplyNetwork(nsg, f)),
  fc
    .record({
      name: fc.constantFrom<ObjectName>('rg1', 'sa1', 'sn1'),
      change: fc.constantFrom('label' as const, 'export' as const),
      value: fc.constantFrom('a', 'b'),
    })
    .map(({ name, change, value }) => new MetadataOnly(name, change, value)),
  fc
    .record({ name: deletable, propagation, fault: fc.constantFrom<Fault>('none', 'none', 'delete500') })
    .map(({ name, propagation: p, fault: f }) => new Delete(name, p, f)),
  fc.constant(new DeleteNamespace()),
  fc.constant(new Restart()),
  tags.map((t) => new ChangeThenRestart(t)),
  fc.constantFrom('rg1' as const, 'sa1' as const).map((name) => new Drift(name)),
  fc.constantFrom(0, 1500).map((ms) => new Latency(ms)),
];

/**
 * A random start: some of the universe applied (owner first) under the default policy, so that the random actions
 * meet resources that really exist in Azure more often than not.
 */
export const preludeArbitrary: fc.Arbitrary<Command[]> = fc
  .record({
    rg: fc.boolean(),
    network: fc.boolean(),
    account: fc.boolean(),
    server: fc.boolean(),
  })
  .map(({ rg, network, account, server }) => [
    ...(rg ? [new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none')] : []),
    ...(network ? [new ApplyNetwork('nsg1', 'none')] : []),
    ...(account ? [new Apply('sa1', { policy: 'none', tags: {}, tls: 'TLS1_2' }, 'none')] : []),
    ...(server ? [new ApplyServer('Pa55-one-A', 'none')] : []),
  ]);

/** The commands, by name, for pinned regression cases. */
export const commands = {
  Apply,
  ApplyServer,
  RotateSecret,
  ApplyNetwork,
  MetadataOnly,
  Delete,
  DeleteNamespace,
  Restart,
  ChangeThenRestart,
  Drift,
  Latency,
};

/** Runs one command sequence against a fresh system. */
export async function runSequence(
  sequence: Iterable<Command>,
  options: { syncPeriod: string; logLevel?: string; onAction?: (action: string) => void },
): Promise<void> {
  const { World: WorldClass } = await import('./world.js');
  const world = await WorldClass.start({
    syncPeriod: options.syncPeriod,
    ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
  });
  try {
    await createNamespace(world);
    const model = new Model();
    const report = options.onAction;
    if (report !== undefined)
      model.history.push = (...actions: string[]) => {
        actions.forEach(report);
        return Array.prototype.push.apply(model.history, actions);
      };
    await fc.asyncModelRun(() => ({ model, real: world }), sequence);
  } finally {
    await world.close();
  }
}
