// The chaos soak: a fleet of objects applied with kubectl to a real `azo apiserver` (with a data dir), reconciled by a
// real `azo operator` against a real `azo emulator` (with a data dir and long-running writes), while the chaos
// (chaos.ts) injects ARM faults and kills and restarts the processes, and the user (user.ts) keeps changing things.
// Then the faults stop, the system is given time to settle, and the invariants (checks.ts) are judged. One seed
// replays the same schedule. `npm run soak -- --minutes M` (cli.ts); CI runs a short slice (soak.test.ts).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type E2eEnvironment, startE2e } from '../e2e/operator-helpers.js';
import { Chaos, type ChaosCounts, type FaultKind, Supervisor, within } from './chaos.js';
import {
  checkConverged,
  checkDeletes,
  checkDuplicateCreates,
  checkOrphans,
  checkStuck,
  keyOf,
  type KubeObject,
  type Observed,
  stuck,
  unconverged,
  type Verdict,
} from './checks.js';
import { buildFleet, kinds, type KindName, kubectlKind, namespace } from './fleet.js';
import { Intent } from './intent.js';
import { type LoggedRequest, RequestLedger } from './ledger.js';
import { Random } from './random.js';
import { User } from './user.js';

/** Options of `runSoak`. */
export interface SoakOptions {
  /** How long the chaos lasts (faults, kills, restarts, user changes). */
  minutes: number;
  /** How many objects (default 1,000). */
  resources?: number;
  seed: number;
  /** The emulator's `--latency`: how long a long-running write takes (default 400 ms). */
  latencyMs?: number;
  /** The operator's AZURE_SYNC_PERIOD (default 2m). */
  syncPeriod?: string;
  /** How long the system may take to settle once the chaos stops (default 10 min). */
  settleMinutes?: number;
  /** Mean time between process events (default 30 s). */
  processEveryMs?: number;
  /** The share of ARM requests faulted (default 0.1). */
  faultShare?: number;
  /** Keep the evidence (logs, objects, Azure state) even when every invariant held. */
  keep?: boolean;
  /** Log each chaos event and user delete or re-create as it happens. */
  verbose?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What a soak found. */
export interface SoakResult {
  ok: boolean;
  verdicts: Verdict[];
  /** The printable summary: what was injected, what the user did, which invariants held. */
  report: string;
  durationMs: number;
  /** Where the evidence was saved (on failure, or with `keep`). */
  evidenceDir?: string;
}

/** Runs one soak. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const resources = options.resources ?? 1000;
  const latencyMs = options.latencyMs ?? 400;
  const random = new Random(options.seed);
  const fleet = buildFleet(resources);
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(`${clock(Date.now() - started)} ${line}`);
    if (options.verbose === true) log(`${clock(Date.now() - started)} ${line}`);
  };
  const environment = await startE2e({ latencyMs, persistent: true });
  const ledger = new RequestLedger(
    async (since) =>
      (
        (await within(30_000, 'reading the request log', () =>
          environment.emulatorAdmin('GET', `requests?since=${since}`),
        )) as { value: LoggedRequest[] }
      ).value,
  );
  // AZO_SOAK_OPERATOR_NODE_OPTIONS: Node flags for the operator processes (e.g. --inspect=127.0.0.1:0, --cpu-prof).
  const nodeOptions = process.env['AZO_SOAK_OPERATOR_NODE_OPTIONS'];
  const reportDir = join(environment.dir, 'reports');
  mkdirSync(reportDir, { recursive: true });
  const supervisor = new Supervisor(
    environment,
    {
      AZURE_SYNC_PERIOD: options.syncPeriod ?? '2m',
      ...(nodeOptions !== undefined ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    reportDir,
  );
  const intent = new Intent(fleet);
  const user = new User(environment, fleet, intent, random.fork(1), note);
  const chaos = new Chaos({
    environment,
    supervisor,
    intent,
    user,
    latencyMs,
    processEveryMs: options.processEveryMs ?? 30_000,
    faultShare: options.faultShare ?? 0.1,
    requestRate: () => ledger.armRate(10_000),
    logSequence: () => ledger.lastSequence,
    note,
  });
  const phases: Array<[string, number]> = [];
  const verdicts: Verdict[] = [];
  let observed: Observed | undefined;
  try {
    ledger.start(2000);
    await supervisor.start();
    await user.kubectl(['create', 'namespace', namespace]);
    log(
      `soak: seed ${options.seed}, ${resources} objects in ${fleet.units} resource groups, ` +
        `${options.minutes} min of chaos`,
    );
    let phase = Date.now();
    await user.apply(fleet.objects);
    phases.push(['apply (kubectl apply of every object)', Date.now() - phase]);
    phase = Date.now();
    const until = phase + options.minutes * 60_000;
    const progress = setInterval(
      () =>
        void describeProgress(user, environment, ledger, chaos, started)
          .then(log)
          .catch(() => undefined),
      30_000,
    );
    const userRandom = random.fork(4);
    const userLoop = async () => {
      while (Date.now() < until) {
        await within(180_000, 'a user action', () => user.act());
        await new Promise((resolve) => setTimeout(resolve, userRandom.int(500, 2500)));
      }
    };
    try {
      await Promise.all([chaos.faults(random.fork(2), until), chaos.processes(random.fork(3), until), userLoop()]);
    } finally {
      clearInterval(progress);
    }
    phases.push(['chaos (faults, kills, restarts, user changes)', Date.now() - phase]);
    phase = Date.now();
    await environment.emulatorAdmin('DELETE', 'faults');
    await environment.emulatorAdmin('PATCH', 'config', { latencyMs });
    log(`${clock(Date.now() - started)} chaos over; settling`);
    const settled = await settle(user, environment, intent, ledger, (options.settleMinutes ?? 10) * 60_000, log);
    phases.push([`settle (${settled ? 'quiet' : 'gave up'})`, Date.now() - phase]);
    await ledger.stop();
    observed = await observe(user, environment);
    const requests = ledger.armRequests();
    verdicts.push(
      checkConverged(intent, observed),
      checkDuplicateCreates(intent, requests),
      checkDeletes(intent, requests),
      checkOrphans(intent, observed, requests),
      checkStuck(intent, observed),
    );
  } catch (error) {
    verdicts.push({
      name: 'the soak ran to its end',
      held: false,
      evidence: 'aborted',
      problems: [(error as Error).stack ?? String(error)],
    });
  }
  await ledger.stop();
  await supervisor.stop().catch(() => undefined);
  verdicts.push(
    {
      name: 'the processes behaved (no exit of its own, start < 90 s, SIGTERM < 30 s)',
      held: supervisor.incidents.length === 0,
      evidence: `${supervisor.incidents.length} incidents`,
      problems: supervisor.incidents,
    },
    {
      name: "the request log is complete (the soak's own check)",
      held: ledger.missed === 0,
      evidence: `${ledger.entries.length} requests read, ${ledger.missed} missed`,
      problems: ledger.missed === 0 ? [] : [`the emulator dropped ${ledger.missed} requests before the soak read them`],
    },
  );
  const ok = verdicts.every((verdict) => verdict.held);
  const durationMs = Date.now() - started;
  const report = formatReport({
    options,
    resources,
    units: fleet.units,
    phases,
    durationMs,
    chaos: chaos.counts,
    faultHits: countFaultHits(ledger.entries, chaos.faultKinds),
    user,
    requests: ledger.armRequests(),
    verdicts,
  });
  const result: SoakResult = { ok, verdicts, report, durationMs };
  if (!ok || options.keep === true) {
    const evidence = { environment, ledger, intent, notes, report, verdicts };
    result.evidenceDir = saveEvidence(options.seed, observed === undefined ? evidence : { ...evidence, observed });
  }
  await environment.close();
  return result;
}

/** Waits until every live object converged, nothing is stuck and ARM saw no write for 10 s; false on timeout. */
async function settle(
  user: User,
  environment: E2eEnvironment,
  intent: Intent,
  ledger: RequestLedger,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  for (;;) {
    await ledger.collect();
    const observed = await observe(user, environment);
    const problems = [...unconverged(intent, observed), ...stuck(intent, observed)];
    const lastWrite = Math.max(
      0,
      ...ledger
        .armRequests()
        .filter((request) => request.method !== 'GET')
        .map((request) => request.at),
    );
    if (problems.length === 0 && Date.now() - lastWrite > 10_000) return true;
    if (Date.now() > deadline) return false;
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      log(`  settling: ${problems.length} objects not there yet, e.g. ${problems.slice(0, 3).join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

/** The Kubernetes objects of the soak and the emulator's resources. */
async function observe(user: User, environment: E2eEnvironment): Promise<Observed> {
  const kindList = (Object.keys(kinds) as KindName[]).map((kind) => kubectlKind(kind)).join(',');
  const list = JSON.parse(await user.kubectl(['get', kindList, '-n', namespace, '-o', 'json'])) as {
    items: KubeObject[];
  };
  const state = JSON.parse(readFileSync(join(environment.dir, 'emulator', 'state.json'), 'utf8')) as {
    resources: Array<{ id: string; body: Record<string, unknown> }>;
  };
  return {
    objects: new Map(list.items.map((item) => [keyOf(item), item])),
    azure: new Map(state.resources.map((resource) => [resource.id.toLowerCase(), resource])),
  };
}

async function describeProgress(
  user: User,
  environment: E2eEnvironment,
  ledger: RequestLedger,
  chaos: Chaos,
  started: number,
): Promise<string> {
  const observed = await observe(user, environment);
  const ready = [...observed.objects.values()].filter(
    (object) => object.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True',
  ).length;
  const hits = countFaultHits(ledger.entries, chaos.faultKinds);
  const faults = Object.values(hits).reduce((sum, count) => sum + count, 0);
  const events = Object.values(chaos.counts.events).reduce((sum, count) => sum + count, 0);
  return (
    `${clock(Date.now() - started)} ${ready}/${observed.objects.size} Ready, ${ledger.armRequests().length} ARM ` +
    `requests, ${faults} faulted, ${events} kills/restarts, ${user.counts.tagChanges} tag changes`
  );
}

/** How many requests each kind of fault answered. */
function countFaultHits(
  entries: LoggedRequest[],
  kindsById: Map<string, FaultKind | 'marker'>,
): Record<FaultKind, number> {
  const hits: Record<FaultKind, number> = { '429': 0, '500': 0, '503': 0, slow: 0, drop: 0 };
  for (const entry of entries) {
    const kind = entry.faultId === undefined ? undefined : kindsById.get(entry.faultId);
    if (kind !== undefined && kind !== 'marker') hits[kind]++;
  }
  return hits;
}

interface ReportInput {
  options: SoakOptions;
  resources: number;
  units: number;
  phases: Array<[string, number]>;
  durationMs: number;
  chaos: ChaosCounts;
  faultHits: Record<FaultKind, number>;
  user: User;
  requests: Array<LoggedRequest & { at: number }>;
  verdicts: Verdict[];
}

function formatReport(input: ReportInput): string {
  const { chaos, faultHits, user, requests, verdicts } = input;
  const number = (value: number) => value.toLocaleString('en-US');
  const byMethod = (method: string) => number(requests.filter((request) => request.method === method).length);
  const lines = [
    `chaos soak: seed ${input.options.seed}, ${number(input.resources)} objects in ${input.units} resource groups, ` +
      `${input.options.minutes} min of chaos, ${clock(input.durationMs)} in all`,
    ...input.phases.map(([name, ms]) => `  ${name}: ${clock(ms)}`),
    '',
    table([
      ['injected', 'count'],
      ['ARM 429 with Retry-After (requests answered / rules)', `${faultHits['429']} / ${chaos.rules['429']}`],
      ['ARM 500', `${faultHits['500']} / ${chaos.rules['500']}`],
      ['ARM 503', `${faultHits['503']} / ${chaos.rules['503']}`],
      ['slow answer, 0.5–4 s', `${faultHits.slow} / ${chaos.rules.slow}`],
      ['connection reset (drop)', `${faultHits.drop} / ${chaos.rules.drop}`],
      ['operator SIGKILL at a random moment', String(chaos.events['kill-random'])],
      ['operator SIGKILL right after ARM answered a PUT (async kind)', String(chaos.events['kill-after-put'])],
      ['operator SIGKILL while ARM held its PUT', String(chaos.events['kill-put-held'])],
      [
        `operator SIGKILL mid-LRO (resume token on the object: ${chaos.resumeTokenSeen})`,
        String(chaos.events['kill-mid-lro']),
      ],
      ['  of these kills, without the PUT they waited for', String(chaos.fallbacks)],
      ['API server restart, SIGTERM', String(chaos.events['apiserver-sigterm'])],
      ['API server restart, SIGKILL', String(chaos.events['apiserver-sigkill'])],
    ]),
    '',
    table([
      ['the user', 'count'],
      ['tag changes (kubectl apply)', String(user.counts.tagChanges)],
      ['re-applies of a resource group', String(user.counts.reapplies)],
      [
        'deletes under manage / detach-on-delete / skip',
        `${user.counts.deletes.manage} / ${user.counts.deletes['detach-on-delete']} / ${user.counts.deletes.skip}`,
      ],
      ['re-creates of what was deleted', String(user.counts.recreates)],
      ['kubectl calls retried (API server down)', String(user.counts.kubectlRetries)],
      [
        'children deleted by hand (their owner went before the operator adopted them)',
        String(user.counts.unadoptedDeletes),
      ],
    ]),
    '',
    `ARM requests: ${number(requests.length)} (GET ${byMethod('GET')}, PUT ${byMethod('PUT')}, DELETE ` +
      `${byMethod('DELETE')}, POST ${byMethod('POST')})`,
    '',
    table([['invariant', 'held', 'evidence'], ...verdicts.map((v) => [v.name, v.held ? 'yes' : 'NO', v.evidence])]),
  ];
  for (const verdict of verdicts.filter((candidate) => !candidate.held)) {
    lines.push('', `${verdict.name}: ${verdict.problems.length} problems`);
    lines.push(...verdict.problems.slice(0, 20).map((problem) => `  ${problem}`));
  }
  return lines.join('\n');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Minutes and seconds. */
function clock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Saves what a failure needs to be understood; returns the directory. */
function saveEvidence(
  seed: number,
  evidence: {
    environment: E2eEnvironment;
    ledger: RequestLedger;
    intent: Intent;
    notes: string[];
    report: string;
    verdicts: Verdict[];
    observed?: Observed;
  },
): string {
  const dir = join(tmpdir(), `azo-soak-${seed}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.txt'), `${evidence.report}\n`);
  writeFileSync(join(dir, 'timeline.txt'), `${evidence.notes.join('\n')}\n`);
  writeFileSync(join(dir, 'user-events.json'), JSON.stringify(evidence.intent.events, null, 1));
  writeFileSync(
    join(dir, 'arm-requests.jsonl'),
    evidence.ledger.entries.map((entry) => JSON.stringify(entry)).join('\n'),
  );
  for (const [index, operator] of evidence.environment.operators.entries())
    writeFileSync(join(dir, `operator-${index}.log`), operator.output());
  if (evidence.observed !== undefined)
    writeFileSync(join(dir, 'objects.json'), JSON.stringify([...evidence.observed.objects.values()], null, 1));
  writeFileSync(join(dir, 'verdicts.json'), JSON.stringify(evidence.verdicts, null, 1));
  try {
    writeFileSync(
      join(dir, 'azure-state.json'),
      readFileSync(join(evidence.environment.dir, 'emulator', 'state.json')),
    );
  } catch {
    // The emulator never wrote its state: nothing to keep.
  }
  // Node's diagnostic reports of operators that did not stop on SIGTERM.
  cpSync(join(evidence.environment.dir, 'reports'), join(dir, 'reports'), { recursive: true });
  return dir;
}
