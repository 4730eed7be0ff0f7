// What GitOps tools read from azo's objects, on statuses the operator really wrote: kstatus' rules (Flux's health
// checks, kpt), Argo CD's health.lua from deploy/argocd run by real Lua interpreters (Debian's lua5.1 — Argo CD's
// gopher-lua speaks Lua 5.1 — and lua5.4), and `kubectl explain` on the CRDs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startEmulator } from '../../src/emulator/index.js';
import { listKindModels } from '../../src/model/index.js';
import { eventually, readyOf, startEnvironment, waitForReady } from '../integration/operator-helpers.js';
import { repoRoot } from './kube-helpers.js';

type Condition = {
  type: string;
  status: string;
  reason?: string;
  severity?: string;
  message?: string;
  observedGeneration?: number;
};
interface StatusObject {
  metadata: { name: string; generation?: number; deletionTimestamp?: string; finalizers?: string[] };
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

/**
 * kstatus' `Compute` for a custom resource (sigs.k8s.io/cli-utils pkg/kstatus/status, generic.go and status.go): a
 * deletionTimestamp is Terminating; `status.observedGeneration` other than `metadata.generation` is InProgress;
 * `Reconciling` True is InProgress and `Stalled` True is Failed; no type-specific rule applies to a custom resource,
 * so newer versions then read `Ready` (True: Current, False: InProgress; the README's "The Ready condition"), older
 * ones stop there: Current.
 */
function kstatus(object: StatusObject, options: { readReady: boolean }): string {
  if (object.metadata.deletionTimestamp !== undefined) return 'Terminating';
  const observed = object.status?.observedGeneration;
  if (object.metadata.generation !== undefined && observed !== undefined && observed !== object.metadata.generation)
    return 'InProgress';
  const conditions = object.status?.conditions ?? [];
  for (const condition of conditions) {
    if (condition.type === 'Reconciling' && condition.status === 'True') return 'InProgress';
    if (condition.type === 'Stalled' && condition.status === 'True') return 'Failed';
  }
  if (options.readReady) {
    const ready = conditions.find((condition) => condition.type === 'Ready');
    if (ready?.status === 'True') return 'Current';
    if (ready?.status === 'False') return 'InProgress';
  }
  return 'Current';
}

/** The object as a Lua table constructor (JSON null → nil, arrays 1-based), as Argo CD hands it to the script. */
function toLua(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(', ')}}`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `[${JSON.stringify(key)}] = ${toLua(item)}`)
    .join(', ')}}`;
}

const interpreters = ['lua5.1', 'lua5.4'].filter((name) => {
  try {
    execFileSync(name, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const healthScript = join(repoRoot, 'deploy', 'argocd', 'health.lua');

/** Argo CD's verdict on `object`: the health.lua of deploy/argocd run by `lua` with `obj` set. */
function argoHealth(lua: string, object: unknown): Promise<{ status: string; message: string }> {
  const program =
    `obj = ${toLua(object)}\nlocal hs = dofile(${JSON.stringify(healthScript)})\nio.write(hs.status, ` +
    `"\\n", hs.message or "")`;
  return new Promise((resolve, reject) => {
    execFile(lua, ['-e', program], (error, stdout, stderr) => {
      if (error) reject(new Error(`${lua}: ${stderr || error.message}`));
      const [status = '', ...message] = stdout.split('\n');
      resolve({ status, message: message.join('\n') });
    });
  });
}

test('kstatus and Argo CD read azo statuses right; kubectl explain shows descriptions', async (t) => {
  const emulator = await startEmulator({ models: await listKindModels(), latencyMs: 3000 });
  const environment = await startEnvironment({}, { emulator });
  const dir = mkdtempSync(join(tmpdir(), 'azo-gitops-'));
  t.after(async () => {
    await environment.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const groups = { group: 'resources.azure.com', version: 'v20200601', plural: 'resourcegroups', namespace: 'default' };
  const accounts = {
    group: 'storage.azure.com',
    version: 'v20230101',
    plural: 'storageaccounts',
    namespace: 'default',
  };
  const get = (ref: typeof groups, name: string) =>
    environment.custom.getNamespacedCustomObject({ ...ref, name }) as Promise<StatusObject>;
  const create = (
    ref: typeof groups,
    kind: string,
    name: string,
    spec: Record<string, unknown>,
    annotations: Record<string, string> = {},
  ) =>
    environment.custom.createNamespacedCustomObject({
      ...ref,
      body: { apiVersion: `${ref.group}/${ref.version}`, kind, metadata: { name, annotations }, spec },
    }) as Promise<StatusObject>;
  const account = (owner: string) => ({
    owner: { name: owner },
    location: 'westeurope',
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
  });

  const states = new Map<string, StatusObject>();
  // As the API server returns it at creation: no status yet.
  states.set('new', await create(groups, 'ResourceGroup', 'gitops-rg', { location: 'westeurope' }));
  await create(accounts, 'StorageAccount', 'gitopsaccount', account('gitops-rg'));
  // A write under way (the account's PUT takes 3 s in the emulator).
  states.set(
    'writing',
    await eventually(async () => {
      const object = await get(accounts, 'gitopsaccount');
      return readyOf(object as never)?.reason === 'Reconciling' ? object : undefined;
    }, 'the account Reconciling'),
  );
  states.set('ready', (await waitForReady(environment, { ...accounts, name: 'gitopsaccount' })) as StatusObject);
  // A change the operator has not seen yet: the object as the patch returns it.
  const patched = (await environment.custom.patchNamespacedCustomObject(
    { ...accounts, name: 'gitopsaccount', body: { spec: { tags: { team: 'gitops' } } } },
    merge,
  )) as StatusObject;
  states.set('changed', patched);
  await create(accounts, 'StorageAccount', 'gitopsorphan', account('no-such-group'));
  states.set(
    'waiting',
    (await waitForReady(
      environment,
      { ...accounts, name: 'gitopsorphan' },
      'False',
      'WaitingForOwner',
    )) as StatusObject,
  );
  await create(accounts, 'StorageAccount', 'gitops-bad-name', account('gitops-rg'));
  states.set(
    'refused',
    (await waitForReady(
      environment,
      { ...accounts, name: 'gitops-bad-name' },
      'False',
      'AccountNameInvalid',
    )) as StatusObject,
  );
  await create(
    groups,
    'ResourceGroup',
    'gitops-skipped',
    { location: 'westeurope' },
    { 'serviceoperator.azure.com/reconcile-policy': 'skip' },
  );
  states.set(
    'missing',
    (await waitForReady(
      environment,
      { ...groups, name: 'gitops-skipped' },
      'False',
      'AzureResourceNotFound',
    )) as StatusObject,
  );
  // Being deleted, held by a finalizer of the user's.
  await environment.custom.patchNamespacedCustomObject(
    { ...groups, name: 'gitops-skipped', body: { metadata: { finalizers: ['example.com/keep'] } } },
    merge,
  );
  await environment.custom.deleteNamespacedCustomObject({ ...groups, name: 'gitops-skipped' });
  states.set('deleting', await get(groups, 'gitops-skipped'));

  // What each tool must conclude. kstatus cannot tell a new object from a finished one before the operator writes
  // any status (the same holds for every controller): Current.
  const expected: Record<string, { kstatus: string; argo: string }> = {
    new: { kstatus: 'Current', argo: 'Progressing' },
    writing: { kstatus: 'InProgress', argo: 'Progressing' },
    ready: { kstatus: 'Current', argo: 'Healthy' },
    changed: { kstatus: 'InProgress', argo: 'Progressing' },
    waiting: { kstatus: 'InProgress', argo: 'Progressing' },
    refused: { kstatus: 'Failed', argo: 'Degraded' },
    missing: { kstatus: 'InProgress', argo: 'Missing' },
    deleting: { kstatus: 'Terminating', argo: 'Progressing' },
  };
  for (const [state, object] of states) {
    const want = expected[state];
    assert.ok(want, state);
    assert.equal(kstatus(object, { readReady: true }), want.kstatus, `${state}: kstatus (reading Ready)`);
    assert.equal(
      kstatus(object, { readReady: false }),
      want.kstatus,
      `${state}: kstatus (older, without the Ready rule)`,
    );
  }
  // Why azo publishes Reconciling, Stalled and status.observedGeneration next to ASO's one Ready condition: with
  // Ready alone, kstatus reads a write under way as done (older versions), a refused spec as still in progress (Flux
  // waits for its timeout), and a change not yet seen as done (every version).
  const readyOnly = (object: StatusObject): StatusObject => ({
    ...object,
    status: { conditions: (object.status?.conditions ?? []).filter((condition) => condition.type === 'Ready') },
  });
  const at = (state: string) => readyOnly(states.get(state) as StatusObject);
  assert.equal(kstatus(at('writing'), { readReady: false }), 'Current');
  assert.equal(kstatus(at('refused'), { readReady: true }), 'InProgress');
  assert.equal(kstatus(at('changed'), { readReady: true }), 'Current');
  // ASO's contract is untouched: one Ready condition, first; a Ready object carries nothing else.
  assert.deepEqual(
    (states.get('ready')?.status?.conditions ?? []).map((condition) => condition.type),
    ['Ready'],
  );
  assert.deepEqual(
    (states.get('refused')?.status?.conditions ?? []).map((condition) => condition.type),
    ['Ready', 'Stalled'],
  );
  assert.equal(states.get('ready')?.status?.observedGeneration, states.get('ready')?.metadata.generation);

  if (interpreters.length === 0) {
    t.diagnostic(
      'no Lua interpreter (apt-get install lua5.1 lua5.4, as scripts/install-test-deps.sh does): health.lua not run',
    );
  }
  for (const lua of interpreters) {
    for (const [state, object] of states) {
      const health = await argoHealth(lua, object);
      assert.equal(health.status, expected[state]?.argo, `${lua}, ${state}: ${JSON.stringify(health)}`);
      if (state === 'refused') assert.match(health.message, /^AccountNameInvalid: .*gitops-bad-name/);
    }
  }
  const configMap = parse(readFileSync(join(repoRoot, 'deploy', 'argocd', 'argocd-cm.yaml'), 'utf8')) as {
    data: Record<string, string>;
  };
  const customizations = parse(configMap.data['resource.customizations'] ?? '') as Record<
    string,
    { 'health.lua': string }
  >;
  assert.equal(
    customizations['*.azure.com/*']?.['health.lua'],
    readFileSync(healthScript, 'utf8'),
    'argocd-cm.yaml repeats health.lua',
  );

  // kubectl explain: the kind, spec and owner have descriptions (not <empty>).
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, environment.apiServer.kubeconfig);
  // Asynchronously: the API server runs in this process.
  const explain = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const kubectl = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
      execFile(
        kubectl,
        ['explain', path],
        { env: { ...process.env, KUBECONFIG: kubeconfig } },
        (error, stdout, stderr) => (error ? reject(new Error(`kubectl explain ${path}: ${stderr}`)) : resolve(stdout)),
      );
    });
  assert.match(
    await explain('storageaccounts'),
    /DESCRIPTION:\n\s+StorageAccount is the Azure resource Microsoft\.Storage\/storageAccounts/,
  );
  assert.match(
    await explain('storageaccounts.spec'),
    /DESCRIPTION:\n\s+The desired state of the Microsoft\.Storage\/storageAccounts resource/,
  );
  const owner = await explain('storageaccounts.spec.owner');
  assert.match(owner, /armId\s+<string>\n\s+The ARM ID of the owner/);
  assert.match(owner, /name\s+<string>\n\s+The name of the owner resources\.azure\.com\/ResourceGroup object/);
  assert.match(await explain('resourcegroups.status.observedGeneration'), /kstatus/);
  assert.doesNotMatch(await explain('storageaccounts.spec'), /<empty>/);
});
