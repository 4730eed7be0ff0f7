// The chaos: ARM faults on a share of requests (429 with Retry-After, 500, 503, slow answers, connection resets), the
// operator SIGKILLed and restarted (at random, right after ARM answered a PUT — before the operator could write its
// resume token —, while ARM still holds a PUT, and in the middle of a long-running operation), and the API server
// restarted (SIGTERM or SIGKILL, same port and data dir, every watch dropped). One timeline posts faults, another
// restarts processes; each draws from its own seeded random source.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AzoProcess, E2eEnvironment } from '../e2e/operator-helpers.js';
import { type FleetObject, kinds, namespace } from './fleet.js';
import type { Intent } from './intent.js';
import type { Random } from './random.js';
import { kubectlName, type User } from './user.js';

export type FaultKind = '429' | '500' | '503' | 'slow' | 'drop';
export type ProcessEvent =
  'kill-random' | 'kill-after-put' | 'kill-put-held' | 'kill-mid-lro' | 'apiserver-sigterm' | 'apiserver-sigkill';
const processEvents: ProcessEvent[] = [
  'kill-random',
  'kill-after-put',
  'kill-put-held',
  'kill-mid-lro',
  'apiserver-sigterm',
  'apiserver-sigkill',
];

/** Paths fault rules aim at (regular expressions on the ARM path). */
const kindPaths = [
  '/resourceGroups/[^/]+$',
  '/storageAccounts/',
  '/blobServices/',
  '/containers/',
  '/userAssignedIdentities/',
  '/roleAssignments/',
  '/networkSecurityGroups/',
  '/virtualNetworks/[^/]+$',
  '/subnets/',
];
/** Kinds whose PUT is a long-running operation in ARM (and the emulator). */
const longRunningKinds = new Set(['sa', 'nsg', 'vnet']);

/** What the chaos did. */
export interface ChaosCounts {
  /** Fault rules posted, per kind. */
  rules: Record<FaultKind, number>;
  events: Record<ProcessEvent, number>;
  /** Kills that fell back to a random moment (the targeted PUT never came). */
  fallbacks: number;
  /** mid-LRO kills with the resume token on the object at the moment of the kill. */
  resumeTokenSeen: number;
}

/** The operator process, restarted whenever it stops, by the chaos or on its own. */
export class Supervisor {
  private stopping = false;
  private chain: Promise<void> = Promise.resolve();
  /** What went wrong with the processes: exits of their own, starts that hung, SIGTERMs ignored. */
  readonly incidents: string[] = [];

  /**
   * `reportDir`: where an operator that does not stop within 10 s of SIGTERM writes Node's diagnostic report (it runs
   * with `--report-on-signal`; the soak sends SIGUSR2), whose handles the incident then names.
   */
  constructor(
    private readonly environment: E2eEnvironment,
    private readonly operatorEnv: Record<string, string>,
    private readonly reportDir: string,
  ) {}

  /** Starts the operator (retrying while it cannot start). */
  start(): Promise<void> {
    return this.serial(() => this.startNow());
  }

  /** SIGKILLs the operator, waits `downMs`, starts it again. */
  kill(downMs: number): Promise<void> {
    return this.serial(async () => {
      this.stopping = true;
      await this.environment.operator?.stop('SIGKILL');
      this.stopping = false;
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await this.startNow();
    });
  }

  /** Stops the operator for good (SIGTERM). */
  stop(): Promise<void> {
    return this.serial(async () => {
      this.stopping = true;
      const operator = this.environment.operator;
      if (operator === undefined) return;
      let diagnosis: Promise<string> | undefined;
      const slow = setTimeout(() => (diagnosis = this.diagnose(operator)), 10_000);
      const forced = await operator.stop();
      clearTimeout(slow);
      if (forced)
        this.incident(`azo operator ignored SIGTERM for 30 s; ${(await diagnosis) ?? 'no diagnostic report'}`);
    });
  }

  /** Has the operator write a diagnostic report; names its referenced handles and JavaScript stack. */
  private async diagnose(operator: AzoProcess): Promise<string> {
    const pid = operator.child.pid;
    if (pid === undefined) return 'no pid';
    operator.child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const file = readdirSync(this.reportDir).find((name) => name.includes(`.${pid}.`));
    if (file === undefined) return 'no diagnostic report written';
    const report = JSON.parse(readFileSync(join(this.reportDir, file), 'utf8')) as {
      javascriptStack?: { message?: string; stack?: string[] };
      libuv?: Array<Record<string, unknown>>;
    };
    const handles = (report.libuv ?? [])
      .filter((handle) => handle['is_active'] === true && handle['is_referenced'] === true)
      .map((handle) => {
        const remote = handle['remoteEndpoint'] as { host?: string; port?: number } | undefined;
        return `${String(handle['type'])}${remote === undefined ? '' : ` to ${remote.host}:${remote.port}`}`;
      });
    const stack = report.javascriptStack?.stack?.slice(0, 5).join(' ') ?? '-';
    return `report ${file}: referenced handles [${handles.join(', ')}]; stack ${stack}`;
  }

  /** Records an incident with the time. */
  incident(what: string): void {
    this.incidents.push(`${new Date().toISOString()} ${what}`);
  }

  private async startNow(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const nodeOptions = [
          this.operatorEnv['NODE_OPTIONS'] ?? '',
          `--report-on-signal --report-signal=SIGUSR2 --report-directory=${this.reportDir}`,
        ];
        const env = { ...this.operatorEnv, NODE_OPTIONS: nodeOptions.join(' ').trim() };
        const operator = await within(90_000, 'azo operator start', () => this.environment.startOperator(env));
        operator.child.once('exit', (code, signal) => {
          if (this.stopping || this.environment.operator !== operator) return;
          this.incident(`azo operator exited on its own (${code ?? signal}): ${operator.output().slice(-1500)}`);
          void this.start();
        });
        return;
      } catch (error) {
        this.incident(`${(error as Error).message}: ${this.environment.operator?.output().slice(-1500) ?? ''}`);
        this.stopping = true;
        await this.environment.operator?.stop('SIGKILL');
        this.stopping = false;
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** Options of the chaos. */
export interface ChaosOptions {
  environment: E2eEnvironment;
  supervisor: Supervisor;
  intent: Intent;
  user: User;
  /** The emulator's base latency (restored after a mid-LRO kill). */
  latencyMs: number;
  /** Mean time between process events. */
  processEveryMs: number;
  /** The share of ARM requests to fault (e.g. 0.1). */
  faultShare: number;
  /** ARM requests per second lately. */
  requestRate: () => number;
  /** The sequence number of the last request-log entry read so far. */
  logSequence: () => number;
  note: (line: string) => void;
}

/** Both timelines. */
export class Chaos {
  readonly counts: ChaosCounts = {
    rules: { '429': 0, '500': 0, '503': 0, slow: 0, drop: 0 },
    events: Object.fromEntries(processEvents.map((event) => [event, 0])) as Record<ProcessEvent, number>,
    fallbacks: 0,
    resumeTokenSeen: 0,
  };
  /** Fault rule id → what it injects (`marker`: the soak's own no-op rules that see a PUT arrive). */
  readonly faultKinds = new Map<string, FaultKind | 'marker'>();

  constructor(private readonly options: ChaosOptions) {}

  /**
   * Posts fault rules until `until`, as many as make `faultShare` of the ARM requests fail, wait or drop: each second,
   * that share of the recent request rate is added to a budget, and a rule is posted when the budget covers its count.
   */
  async faults(random: Random, until: number): Promise<void> {
    let budget = 0;
    let next = this.drawRule(random);
    while (Date.now() < until) {
      await sleep(1000);
      budget += this.options.faultShare * this.options.requestRate();
      while (budget >= next.count && Date.now() < until) {
        budget -= next.count;
        const { rule, kind, slowWritesTo } = next;
        if (slowWritesTo !== undefined) this.options.intent.hold(slowWritesTo);
        const id = await this.postFault(rule, kind);
        if (slowWritesTo !== undefined) void this.retire(id, slowWritesTo);
        next = this.drawRule(random);
      }
    }
  }

  /** The next fault rule: its kind, the requests it matches, how many. */
  private drawRule(random: Random): {
    rule: Record<string, unknown>;
    kind: FaultKind;
    count: number;
    slowWritesTo?: number;
  } {
    const { intent } = this.options;
    const kind = random.weighted<FaultKind>({ '429': 3, '500': 3, '503': 3, slow: 2, drop: 2 });
    const units = [...new Set(intent.fleet.objects.map((object) => object.unit))];
    const unit = random.pick(units) ?? 0;
    const scope = random.weighted({ all: 3, kind: 3, unit: 2, polls: 2 });
    const path = {
      all: '^/subscriptions/',
      kind: random.pick(kindPaths) ?? '^/subscriptions/',
      unit: `/resourceGroups/soak-${String(unit).padStart(3, '0')}(/|$)`,
      polls: '/operation(Statuse|Result)s/',
    }[scope];
    // A held write lands after the operator may have moved on: slow answers hold reads only, except in one unit
    // that the user then leaves alone until the held request has surely landed.
    const slowWrites = kind === 'slow' && scope === 'unit';
    const method = kind === 'slow' && !slowWrites ? 'GET' : (random.pick(['*', '*', 'GET', 'PUT', 'DELETE']) ?? '*');
    const count = random.int(1, 6);
    const rule: Record<string, unknown> = { method, path, count };
    if (kind === '429') Object.assign(rule, { status: 429, retryAfterSeconds: random.int(1, 3) });
    if (kind === '500') Object.assign(rule, { status: 500 });
    if (kind === '503') Object.assign(rule, { status: 503, retryAfterSeconds: random.int(0, 2) });
    if (kind === 'slow') Object.assign(rule, { latencyMs: random.int(500, 4000) });
    if (kind === 'drop') Object.assign(rule, { drop: true });
    return { rule, kind, count, ...(slowWrites ? { slowWritesTo: unit } : {}) };
  }

  /**
   * Kills and restarts processes until `until`: one event per `processEveryMs` on average, at least one of each kind
   * (rounds of every kind in a seeded order), spread at random over the time left.
   */
  async processes(random: Random, until: number): Promise<void> {
    const total = Math.max(processEvents.length, Math.round((until - Date.now()) / this.options.processEveryMs));
    let round: ProcessEvent[] = [];
    for (let done = 0; done < total; done++) {
      const mean = Math.max(0, until - Date.now()) / (total - done + 0.5);
      await sleep(random.int(mean / 2, (mean * 3) / 2));
      if (round.length === 0) round = random.shuffle(processEvents);
      const event = round.shift() ?? 'kill-random';
      this.counts.events[event]++;
      const downMs = random.int(0, 3000);
      await within(180_000, event, async () => {
        if (event === 'apiserver-sigterm' || event === 'apiserver-sigkill') {
          const signal = event === 'apiserver-sigterm' ? 'SIGTERM' : 'SIGKILL';
          this.options.note(`API server ${signal}, down ${downMs} ms`);
          const { forced } = await this.options.environment.restartApiServer({ signal, downMs });
          if (forced) this.options.supervisor.incident('azo apiserver ignored SIGTERM for 30 s');
        } else if (event === 'kill-random') {
          this.options.note(`operator SIGKILL (random), down ${downMs} ms`);
          await this.options.supervisor.kill(downMs);
        } else await this.targetedKill(event, random, downMs);
      });
      this.options.note(`${event} done`);
    }
  }

  /** Kills the operator around a PUT of an object whose tags the user just changed. */
  private async targetedKill(event: ProcessEvent, random: Random, downMs: number): Promise<void> {
    const { intent, user } = this.options;
    const now = Date.now();
    const object = random.pick(
      user
        .liveObjects()
        .filter(
          (candidate) =>
            kinds[candidate.kind].tags &&
            intent.available(candidate.unit, now) &&
            (event === 'kill-put-held' || longRunningKinds.has(candidate.kind)),
        ),
    );
    if (object === undefined) {
      this.counts.fallbacks++;
      await this.options.supervisor.kill(downMs);
      return;
    }
    // The user stays out of the unit meanwhile; a held PUT lands after the kill, so until it surely did.
    intent.hold(object.unit);
    try {
      await this.killAround(event, object, downMs);
    } finally {
      intent.thaw(object.unit, event === 'kill-put-held' ? 15_000 : 0);
    }
  }

  private async killAround(event: ProcessEvent, object: FleetObject, downMs: number): Promise<void> {
    const { user, environment, supervisor } = this.options;
    if (event === 'kill-mid-lro') await environment.emulatorAdmin('PATCH', 'config', { latencyMs: 6000 });
    let seen: boolean;
    if (event === 'kill-after-put') {
      // Between ARM's answer to the PUT and the operator's write of the resume token: the kill follows the answer's
      // entry in the request log (written as the answer is sent) by a poll, tens of milliseconds.
      const since = this.options.logSequence();
      const changed = Date.now();
      await user.changeTags(object);
      seen = await this.waitAnswered(object.armId, since, changed, 30_000);
    } else {
      // A no-op rule on the object's PUT shows when it arrives; `kill-put-held` also makes ARM hold it for 3 s.
      const hold = event === 'kill-put-held' ? 3000 : 1;
      const rule = { method: 'PUT', path: `^${escape(object.armId)}$`, latencyMs: hold, count: 1 };
      const id = await this.postFault(rule, 'marker');
      await user.changeTags(object);
      seen = await this.waitTaken(id, 30_000, 20);
      if (!seen) await environment.emulatorAdmin('DELETE', `faults/${id}`);
    }
    if (!seen) this.counts.fallbacks++;
    if (seen && event === 'kill-mid-lro' && (await this.waitResumeToken(object, 4000))) this.counts.resumeTokenSeen++;
    this.options.note(`operator SIGKILL (${event}${seen ? '' : ', no PUT seen'}) on ${object.key}, down ${downMs} ms`);
    await supervisor.kill(downMs);
    if (event === 'kill-mid-lro') {
      await environment.emulatorAdmin('PATCH', 'config', { latencyMs: this.options.latencyMs });
    }
  }

  /** Polls the request log until a PUT to `armId` that arrived after `after` was answered 2xx; false after `ms`. */
  private async waitAnswered(armId: string, since: number, after: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    let seq = since;
    while (Date.now() < deadline) {
      const { value } = (await this.options.environment.emulatorAdmin('GET', `requests?since=${seq}`)) as {
        value: Array<{ seq: number; time: string; method: string; path: string; status: number }>;
      };
      seq = value.at(-1)?.seq ?? seq;
      const answered = value.some(
        (entry) =>
          entry.method === 'PUT' &&
          entry.path.toLowerCase() === armId.toLowerCase() &&
          entry.status >= 200 &&
          entry.status < 300 &&
          Date.parse(entry.time) >= after,
      );
      if (answered) return true;
      await sleep(20);
    }
    return false;
  }

  /** true once the object carries a poller resume token (within `ms`). */
  private async waitResumeToken(object: FleetObject, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const token = await this.options.user.kubectl([
        'get',
        '-n',
        namespace,
        kubectlName(object),
        '-o',
        'jsonpath={.metadata.annotations.serviceoperator\\.azure\\.com/poller-resume-token}',
      ]);
      if (token.trim() !== '') return true;
      await sleep(200);
    }
    return false;
  }

  private async postFault(rule: Record<string, unknown>, kind: FaultKind | 'marker'): Promise<string> {
    const { id } = (await this.options.environment.emulatorAdmin('POST', 'faults', rule)) as { id: string };
    this.faultKinds.set(id, kind);
    if (kind !== 'marker') this.counts.rules[kind]++;
    return id;
  }

  /** Ends a rule that may hold writes to `unit` after 20 s; the user may come back 10 s after that. */
  private async retire(id: string, unit: number): Promise<void> {
    try {
      if (!(await this.waitTaken(id, 20_000, 1000)))
        await this.options.environment.emulatorAdmin('DELETE', `faults/${id}`);
    } finally {
      this.options.intent.thaw(unit, 10_000);
    }
  }

  /** Polls the emulator's rules every `everyMs` until rule `id` is used up or deleted (true) or `ms` passed (false). */
  private async waitTaken(id: string, ms: number, everyMs: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const { value } = (await this.options.environment.emulatorAdmin('GET', 'faults')) as {
        value: Array<{ id: string }>;
      };
      if (!value.some((rule) => rule.id === id)) return true;
      await sleep(everyMs);
    }
    return false;
  }
}

/** Runs `step`, failing when it takes longer than `ms` (a hung process must fail the soak, not hang it). */
export async function within<T>(ms: number, what: string, step: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  const running = step();
  running.catch(() => undefined); // settled later, after the deadline: nobody waits for it any more
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
