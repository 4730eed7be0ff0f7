/**
 * `azo dev`: the whole system on this machine in one command — the embedded API server, the ARM emulator (real Azure
 * only with `--azure`, whatever AZURE_* variables the shell holds) and the operator, with the CRDs installed, a
 * kubeconfig written, and a live table of managed objects. It keeps its ports across restarts (the last ones, when
 * free), so a kubeconfig or a sourced `emulator.env` keeps working. Ctrl-C stops everything; state stays in the data
 * directory.
 */
import type { Command } from 'commander';
import { defaultLatencyFactor, parseLatency } from '../internal/latency.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { destination, pino, type Logger } from 'pino';
import { matchesCrdPattern, renderCrd } from '../../codegen/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { startApiServer } from '../../kube/index.js';
import { convertBySchema, listKindModels, loadKindVersions } from '../../model/index.js';
import { hasEnvironmentCredential, startOperator } from '../../operator/index.js';
import { ArmClient, createArmCredential } from '../../arm/index.js';
import { startWebView, type RunningWebView } from '../internal/web-view.js';
import { lockDataDir } from '../internal/data-dir-lock.js';
import { catchStopSignals } from '../internal/signals.js';
import { isPortFree, parsePortFlag, UserError } from '../internal/user-error.js';
import {
  describeChange,
  listStatusRows,
  renderStatusTable,
  type ListedKind,
  type StatusRow,
} from '../internal/status-table.js';

interface DevFlags {
  dataDir: string;
  pattern: string;
  port: string;
  emulatorPort: string;
  latency: string;
  latencyFactor?: string;
  table: boolean;
  ui: boolean;
  uiPort?: string;
  logLevel: string;
  azure?: boolean;
}

/** A global credential's variables: with `--azure` they choose the subscription; without, none reaches the operator. */
const azureCredentialVariables = [
  'AZURE_SUBSCRIPTION_ID',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'USE_WORKLOAD_IDENTITY_AUTH',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_RESOURCE_MANAGER_ENDPOINT',
  'AZURE_RESOURCE_MANAGER_AUDIENCE',
  'AZURE_AUTHORITY_HOST',
];

/** The subscription the emulator-backed operator uses unless AZURE_SUBSCRIPTION_ID says otherwise. */
const devSubscriptionId = '00000000-0000-0000-0000-000000000001';
/** The emulator's Entra ID accepts any GUID client with any secret; this one names azo dev in its request log. */
const devClientId = '00000000-0000-0000-0000-00000000a20d';
/** The web view's own client, so that its reads stand apart from the operator's in the emulator's log. */
const webViewClientId = '00000000-0000-0000-0000-00000000a20e';
const refreshIntervalMs = 2000;

export function register(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the API server, the ARM emulator (or real Azure with --azure) and the operator together, for local use.',
    )
    .option('--data-dir <dir>', 'state of every component, the kubeconfig and the log', '.azo')
    .option(
      '--pattern <pattern>',
      "CRDs to install and serve (ASO crdPattern, e.g. 'resources.azure.com/*;storage.azure.com/*')",
      '*',
    )
    .option(
      '--port <port>',
      'API server port (default: the last one used with this data dir if free, else any free one)',
    )
    .option(
      '--emulator-port <port>',
      'ARM emulator port (default: the last one used with this data dir if free, else any free one)',
    )
    .option(
      '--latency <ms>',
      "how long the emulator's long-running operations take (ms), or 'realistic' (Azure's typical time per type " +
        '× --latency-factor)',
      '1000',
    )
    .option(
      '--latency-factor <f>',
      `with --latency realistic: the factor on Azure's typical times (default ${defaultLatencyFactor})`,
    )
    .option('--no-table', 'print one line per status change instead of the live table')
    .option(
      '--ui-port <port>',
      'web view port on 127.0.0.1 (default: the last one used with this data dir if free, else any free one)',
    )
    .option('--no-ui', 'do not serve the web view')
    .option(
      '--azure',
      'work on real Azure with the AZURE_* credentials of this shell (without it: the local emulator, always)',
    )
    .option('--log-level <level>', 'log level of the components (written to DATA_DIR/azo.log)', 'info')
    .action(async (flags: DevFlags) => {
      const signals = catchStopSignals();
      const startTime = performance.now();
      const progress = (line: string) =>
        console.log(`[${((performance.now() - startTime) / 1000).toFixed(1)} s] ${line}`);
      const latency = parseLatency(flags.latency, flags.latencyFactor);
      const realAzure = flags.azure === true;
      if (realAzure && !hasEnvironmentCredential(process.env)) {
        throw new UserError(
          '--azure needs AZURE_SUBSCRIPTION_ID, AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret, certificate or ' +
            'workload identity in the environment (see docs/credentials.md); without --azure, azo dev uses the ' +
            'local emulator',
        );
      }
      const dataDir = resolve(flags.dataDir);
      mkdirSync(dataDir, { recursive: true });
      const lock = lockDataDir(dataDir, 'azo dev');
      const last = readLastPorts(dataDir);
      const apiServerPort = await choosePort(flags.port, '--port', last.apiServer);
      const emulatorPort = await choosePort(flags.emulatorPort, '--emulator-port', last.emulator);
      const uiPort = flags.ui ? await choosePort(flags.uiPort, '--ui-port', last.ui) : 0;
      progress(`loading the resource models (${flags.pattern === '*' ? 'every kind' : flags.pattern})`);
      const models = (await listKindModels()).filter(
        (model) => flags.pattern === '*' || matchesCrdPattern(flags.pattern, model.group, model.kind),
      );
      if (models.length === 0) {
        lock.release();
        throw new UserError(
          `--pattern ${JSON.stringify(flags.pattern)} matches no kind; try '*' or e.g. 'storage.azure.com/*'`,
        );
      }
      const crds = await Promise.all(
        models.map(async (model) => {
          const [hub = model, ...others] = await loadKindVersions(model.group, model.kind);
          return renderCrd(hub, {}, others) as unknown as V1CustomResourceDefinition;
        }),
      );

      const logFile = join(dataDir, 'azo.log');
      const logger = pino({ level: flags.logLevel }, destination({ dest: logFile, mkdir: true, sync: false }));
      // What has started, stopped in reverse order on Ctrl-C or when a later part fails to start.
      const started: Array<() => Promise<void> | void> = [() => lock.release(), () => logger.flush()];
      const stopAll = async () => {
        for (const stop of started.reverse()) await stop();
      };
      let stopped: Promise<void>;
      try {
        const kubeconfigPath = join(dataDir, 'kubeconfig');
        progress(`starting the API server${apiServerPort === 0 ? '' : ` on port ${apiServerPort}`}`);
        const apiServer = await startApiServer({
          port: apiServerPort,
          dataDir: join(dataDir, 'apiserver'),
          kubeconfigPath,
          logger: logger.child({ component: 'apiserver' }),
          convert: convertBySchema,
        });
        started.push(() => apiServer.close());
        let emulator: RunningEmulator | undefined;
        let operatorEnv: Record<string, string | undefined> = process.env;
        if (realAzure) {
          printRealAzureBanner(process.env);
        } else {
          if (hasEnvironmentCredential(process.env)) {
            console.log(
              'note: AZURE_* credentials are set in this shell; azo dev ignores them and uses the local ARM ' +
                'emulator (pass --azure to work on real Azure)',
            );
          }
          progress(`starting the ARM emulator${emulatorPort === 0 ? '' : ` on port ${emulatorPort}`}`);
          const running = await startEmulator({
            port: emulatorPort,
            dataDir: join(dataDir, 'emulator'),
            ...latency,
            models,
            logger: logger.child({ component: 'emulator' }),
          });
          started.push(() => running.close());
          emulator = running;
          operatorEnv = emulatorEnvironment(process.env, running);
          writeEmulatorEnvFile(join(dataDir, 'emulator.env'), running);
        }

        const kubeConfig = new KubeConfig();
        kubeConfig.loadFromString(apiServer.kubeconfig);
        progress(`installing ${crds.length} CRDs and starting the operator`);
        const operator = await startOperator({
          kubeConfig,
          env: operatorEnv,
          logger: logger.child({ component: 'operator' }),
          installCrds: crds,
          ...(emulator ? { armCaCertPem: emulator.caCertPem } : {}),
        });
        started.push(() => operator.stop());
        let webView: RunningWebView | undefined;
        if (flags.ui) {
          webView = await startWebView({
            port: uiPort,
            kubeConfig,
            ...(emulator ? { emulator: { url: emulator.url, caCertPem: emulator.caCertPem } } : {}),
            subscriptionId: operatorEnv['AZURE_SUBSCRIPTION_ID'] ?? devSubscriptionId,
            ...webViewAzureReader(operatorEnv, emulator),
            logger: logger.child({ component: 'web-view' }),
          });
          const running = webView;
          started.push(() => running.close());
        }
        writeLastPorts(dataDir, {
          apiServer: portOf(apiServer.url),
          emulator: emulator === undefined ? last.emulator : portOf(emulator.url),
          ui: webView === undefined ? last.ui : portOf(webView.url),
        });

        // Everything from here to the end of this block is synchronous, so a signal sees the display in `started`.
        stopped = signals.stopWith(async () => {
          await stopAll();
          console.log(`stopped; state kept in ${displayPath(dataDir)}`);
        });
        printSummary({
          dataDir,
          kubeconfigPath,
          apiServerUrl: apiServer.url,
          emulator,
          latency: flags.latency,
          kinds: operator.servedKinds().length,
          logFile,
          webViewUrl: webView?.url,
        });
        const listed: ListedKind[] = crds.map((crd) => ({
          group: crd.spec.group,
          version: crd.spec.versions.find((version) => version.storage)?.name ?? '',
          plural: crd.spec.names.plural,
          kind: crd.spec.names.kind,
        }));
        const display = startStatusDisplay(kubeConfig, listed, {
          table: flags.table && process.stdout.isTTY === true,
          logger,
        });
        started.push(() => display.stop());
      } catch (error) {
        await stopAll();
        throw error;
      }

      await stopped;
    });
}

/**
 * How the web view reads a resource from Azure: through the emulator with a client of its own (so its GETs are told
 * apart in the request log), or on real Azure with the shell's client secret; without one, it does not read Azure.
 */
function webViewAzureReader(
  env: Record<string, string | undefined>,
  emulator: RunningEmulator | undefined,
): { readAzure?: (armId: string, apiVersion: string) => Promise<unknown> } {
  const tenantId = emulator?.tenantId ?? env['AZURE_TENANT_ID'];
  const clientId = emulator === undefined ? env['AZURE_CLIENT_ID'] : webViewClientId;
  const clientSecret = emulator === undefined ? env['AZURE_CLIENT_SECRET'] : 'azo-dev-web-view';
  if (tenantId === undefined || clientId === undefined || clientSecret === undefined) return {};
  const caCertPem = emulator?.caCertPem;
  // Built on the first read: a setting the credential refuses is that read's error, not a failed start.
  let client: ArmClient | undefined;
  const connect = (): ArmClient => {
    client ??= armClientFor();
    return client;
  };
  const armClientFor = (): ArmClient => {
    const credential = createArmCredential({
      tenantId,
      clientId,
      proof: { kind: 'clientSecret', clientSecret },
      ...(emulator
        ? { authorityHost: emulator.url }
        : env['AZURE_AUTHORITY_HOST']
          ? { authorityHost: env['AZURE_AUTHORITY_HOST'] }
          : {}),
      ...(caCertPem !== undefined ? { caCertPem } : {}),
    });
    const endpoint = emulator?.url ?? env['AZURE_RESOURCE_MANAGER_ENDPOINT'];
    return new ArmClient({
      credential,
      principal: { tenantId, clientId },
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(caCertPem !== undefined ? { caCertPem } : {}),
    });
  };
  return { readAzure: async (armId, apiVersion) => connect().tryGet(armId, apiVersion) };
}

/** The operator's environment on the emulator: no credential or endpoint of the shell's reaches it. */
function emulatorEnvironment(env: NodeJS.ProcessEnv, emulator: RunningEmulator): Record<string, string | undefined> {
  const rest = Object.fromEntries(Object.entries(env).filter(([name]) => !azureCredentialVariables.includes(name)));
  return {
    ...rest,
    AZURE_SUBSCRIPTION_ID: devSubscriptionId,
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: devClientId,
    AZURE_CLIENT_SECRET: 'azo-dev-secret',
    AZURE_RESOURCE_MANAGER_ENDPOINT: emulator.url,
    AZURE_AUTHORITY_HOST: emulator.url,
    AZURE_GRAPH_ENDPOINT: emulator.url,
  };
}

/**
 * `DIR/emulator.env`, for `source`: points curl, scripts and Azure SDK clients at the emulator. It names no client
 * credential on purpose: a shell that sources it and runs `azo dev` again must still get the emulator, not real Azure.
 */
function writeEmulatorEnvFile(file: string, emulator: RunningEmulator): void {
  const lines = [
    '# Written by azo dev at every start: `source` it to point curl, scripts and Azure SDK clients at the ARM ' +
      'emulator.',
    `export AZURE_RESOURCE_MANAGER_ENDPOINT=${emulator.url}`,
    `export AZURE_AUTHORITY_HOST=${emulator.url}`,
    `export AZURE_TENANT_ID=${emulator.tenantId}`,
    `export AZURE_SUBSCRIPTION_ID=${devSubscriptionId}`,
    ...(emulator.caFile !== undefined ? [`export NODE_EXTRA_CA_CERTS=${emulator.caFile}`] : []),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function printRealAzureBanner(env: NodeJS.ProcessEnv): void {
  const bar = '!'.repeat(78);
  console.log(bar);
  console.log('!! REAL AZURE: AZURE_* credentials are set, so the operator creates, changes and deletes');
  console.log(
    `!! real resources in subscription ${env['AZURE_SUBSCRIPTION_ID'] ?? ''} (tenant ${env['AZURE_TENANT_ID'] ?? ''}).`,
  );
  console.log('!! (--azure was given.) Run azo dev without --azure to use the local emulator instead.');
  console.log(bar);
}

function printSummary(summary: {
  dataDir: string;
  kubeconfigPath: string;
  apiServerUrl: string;
  emulator: RunningEmulator | undefined;
  latency: string;
  kinds: number;
  logFile: string;
  webViewUrl: string | undefined;
}): void {
  console.log('azo dev is running:');
  console.log(`  API server    ${summary.apiServerUrl}`);
  if (summary.emulator) {
    console.log(
      `  ARM emulator  ${summary.emulator.url}  (latency ${summary.latency}` +
        `${summary.latency === 'realistic' ? '' : ' ms'}, request log: ${summary.emulator.url}` +
        `/_emulator/requests)`,
    );
    console.log(
      `  emulator env  ${displayPath(join(summary.dataDir, 'emulator.env'))}  (source it: endpoint, ` +
        `tenant, subscription, CA for curl and Azure SDK clients)`,
    );
  } else {
    console.log('  ARM           real Azure (see the banner above)');
  }
  console.log(`  operator      ${summary.kinds} ${summary.kinds === 1 ? 'kind' : 'kinds'} served`);
  if (summary.webViewUrl !== undefined) {
    console.log(`  web view      ${summary.webViewUrl}  (objects, graph, request log; --no-ui turns it off)`);
  }
  console.log(`  state         ${displayPath(summary.dataDir)}   log: ${displayPath(summary.logFile)}`);
  console.log('');
  const examples = examplesDir();
  console.log('Next, in another terminal:');
  console.log(`  export KUBECONFIG=${summary.kubeconfigPath}`);
  if (examples !== undefined)
    console.log(`  kubectl apply -f ${displayPath(join(examples, '01-resource-group.yaml'))}`);
  console.log('  kubectl get resourcegroups');
  console.log('Press Ctrl-C to stop.');
  console.log('');
}

/** The `examples/` folder shipped beside this package, if present. */
function examplesDir(): string | undefined {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    const candidate = fileURLToPath(new URL('examples', dir));
    if (existsSync(join(candidate, '01-resource-group.yaml'))) return candidate;
  }
  return undefined;
}

interface StatusDisplay {
  stop(): void;
}

/** Refreshes the table in place on a terminal, or prints one line per change otherwise. */
function startStatusDisplay(
  kubeConfig: KubeConfig,
  kinds: ListedKind[],
  options: { table: boolean; logger: Logger },
): StatusDisplay {
  let drawnLines = 0;
  const lastSeen = new Map<string, { row: StatusRow; state: string }>();
  let running = false;
  const refresh = async () => {
    if (running) return;
    running = true;
    try {
      const rows = await listStatusRows(kubeConfig, kinds);
      if (options.table) drawnLines = redraw(renderStatusTable(rows, new Date(), terminalWidth()), drawnLines);
      else printChanges(rows, lastSeen);
    } catch (error) {
      options.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'status table refresh failed',
      );
    } finally {
      running = false;
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), refreshIntervalMs);
  return { stop: () => clearInterval(timer) };
}

/** The terminal's width; a terminal that does not say (0 or unknown) gets 120 columns. */
function terminalWidth(): number {
  const columns = process.stdout.columns;
  return typeof columns === 'number' && columns > 0 ? columns : 120;
}

function redraw(lines: string[], previousLines: number): number {
  const moveUp = previousLines > 0 ? `\x1b[${previousLines}A` : '';
  process.stdout.write(`${moveUp}\x1b[J${lines.join('\n')}\n`);
  return lines.length;
}

function printChanges(rows: StatusRow[], lastSeen: Map<string, { row: StatusRow; state: string }>): void {
  const time = () => new Date().toISOString().slice(11, 19);
  const present = new Set<string>();
  for (const row of rows) {
    const key = `${row.kind}/${row.namespace}/${row.name}`;
    present.add(key);
    const state = `${row.ready}|${row.reason}`;
    if (lastSeen.get(key)?.state !== state) {
      lastSeen.set(key, { row, state });
      console.log(`${time()} ${describeChange(row)}`);
    }
  }
  for (const [key, { row }] of lastSeen) {
    if (present.has(key)) continue;
    lastSeen.delete(key);
    console.log(`${time()} ${row.kind} ${row.namespace}/${row.name}: deleted`);
  }
}

/** The ports of the last start in `DIR/ports.json` (0 for none). */
interface LastPorts {
  apiServer: number;
  emulator: number;
  ui: number;
}

function readLastPorts(dataDir: string): LastPorts {
  try {
    const saved = JSON.parse(readFileSync(join(dataDir, 'ports.json'), 'utf8')) as Partial<LastPorts>;
    const valid = (port: unknown) =>
      typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : 0;
    return { apiServer: valid(saved.apiServer), emulator: valid(saved.emulator), ui: valid(saved.ui) };
  } catch {
    return { apiServer: 0, emulator: 0, ui: 0 };
  }
}

function writeLastPorts(dataDir: string, ports: LastPorts): void {
  writeFileSync(join(dataDir, 'ports.json'), `${JSON.stringify(ports)}\n`);
}

/**
 * The port to listen on: the flag's when given (a taken one is the user's to fix), else the last start's when it is
 * still free (so the kubeconfig and a sourced emulator.env stay right), else any free one (0), saying so.
 */
async function choosePort(flag: string | undefined, name: string, last: number): Promise<number> {
  if (flag !== undefined) {
    const port = parsePortFlag(flag, name);
    if (port !== 0 && !(await isPortFree(port, '127.0.0.1'))) {
      throw new UserError(
        `${name} ${port}: the port is in use by another process; choose another, or leave ${name} out to let ` +
          `azo dev pick one`,
      );
    }
    return port;
  }
  if (last === 0) return 0;
  if (await isPortFree(last, '127.0.0.1')) return last;
  console.log(
    `note: port ${last} (used last time) is taken now; picking another (the kubeconfig and emulator.env ` +
      `are rewritten: source them again)`,
  );
  return 0;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' ? '.' : fromHere.startsWith('..') ? path : fromHere;
}
