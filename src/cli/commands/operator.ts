/**
 * `azo operator`: runs the operator against the cluster named by KUBECONFIG (or in-cluster config), configured with
 * ASO's environment variables (see docs/operator.md). `--crd-pattern` installs or upgrades the selected CRDs first.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { destination, pino } from 'pino';
import { matchesCrdPattern, renderCrd } from '../../codegen/index.js';
import { type KindModel, listKindKeys, loadKindModel, loadKindVersions, versionConverter } from '../../model/index.js';
import {
  defaultLeaseName,
  electLeader,
  fencedKubeConfig,
  OperatorMetrics,
  startOperator,
  type ElectionTiming,
  type Leadership,
  type RunningOperator,
  conversionPath,
  type CustomResourceDefinition,
  parseDuration,
  readOperatorConfig,
  startConversionWebhook,
  type ConversionWebhookOptions,
  type WebhookEndpoint,
} from '../../operator/index.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type ElectionTimingFlags, parseElectionTiming } from '../internal/election-timing.js';
import { parseHealthPort, parseListenAddress, serveEndpoints, startHealthServer } from '../internal/health.js';
import { loadClusterAccess, unreachable } from '../internal/kubeconfig-files.js';
import { parsePortFlag, UserError } from '../internal/user-error.js';
import { catchStopSignals } from '../internal/signals.js';

interface OperatorFlags extends ElectionTimingFlags {
  crdPattern?: string;
  kubeconfig?: string;
  armCaFile?: string;
  logLevel: string;
  leaderElection?: boolean;
  leaderElectionNamespace?: string;
  healthPort?: string;
  metricsAddr?: string;
  webhookPort?: string;
  webhookService?: string;
  webhookUrl?: string;
}

export function register(program: Command): void {
  program
    .command('operator')
    .description(
      'Run the operator (configured like ASO: KUBECONFIG, AZURE_SUBSCRIPTION_ID, AZURE_TENANT_ID, ' +
        'AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_RESOURCE_MANAGER_ENDPOINT, AZURE_AUTHORITY_HOST, ' +
        'AZURE_SYNC_PERIOD, MAX_CONCURRENT_RECONCILES, AZURE_TARGET_NAMESPACES, DEFAULT_RECONCILE_POLICY).',
    )
    .option(
      '--crd-pattern <pattern>',
      'install or upgrade the CRDs of these kinds first (ASO crdPattern, e.g. ' +
        "'resources.azure.com/*;storage.azure.com/*'); never deletes a CRD",
    )
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option(
      '--arm-ca-file <file>',
      "trust only this CA (PEM) for ARM and Entra ID, e.g. the emulator's (alternative: NODE_EXTRA_CA_CERTS)",
    )
    .option(
      '--leader-election',
      'run only while holding the coordination.k8s.io Lease azo-operator-leader (active-standby replicas)',
    )
    .option('--leader-election-namespace <ns>', 'namespace of the leader Lease (default: $POD_NAMESPACE or default)')
    .option(
      '--leader-election-lease-duration <duration>',
      'a standby takes the Lease over once it has seen it unchanged for this long',
      process.env['AZO_LEADER_ELECTION_LEASE_DURATION'] ?? '15s',
    )
    .option(
      '--leader-election-renew-deadline <duration>',
      'the leader stops working and exits 1 if it could not renew the Lease for this long',
      process.env['AZO_LEADER_ELECTION_RENEW_DEADLINE'] ?? '10s',
    )
    .option(
      '--leader-election-retry-period <duration>',
      'how often a standby tries to take the Lease and the leader renews it',
      process.env['AZO_LEADER_ELECTION_RETRY_PERIOD'] ?? '2s',
    )
    .option(
      '--health-port <port>',
      'serve /healthz (liveness) and /readyz (readiness) over plain HTTP on this port on every interface (0: any ' +
        'free port); default: off',
    )
    .option(
      '--metrics-addr <address>',
      "serve Prometheus metrics on /metrics at this address, as ASO's flag (':8080', '127.0.0.1:8080'; port 0: " +
        'any free one); default: off',
    )
    .option(
      '--webhook-port <port>',
      'serve the conversion webhook (HTTPS, POST /convert) on this port on every interface (0: any free port); ' +
        'default: off',
      process.env['AZO_WEBHOOK_PORT'],
    )
    .option(
      '--webhook-service <name>',
      'with --webhook-port: the Service (in POD_NAMESPACE, port 443) through which API servers reach the webhook',
      process.env['AZO_WEBHOOK_SERVICE'],
    )
    .option(
      '--webhook-url <url>',
      'with --webhook-port: the URL API servers call instead of a Service (an operator outside the cluster)',
      process.env['AZO_WEBHOOK_URL'],
    )
    .option(
      '--log-level <level>',
      'pino log level (fatal, error, warn, info, debug)',
      process.env['AZO_LOG_LEVEL'] ?? 'info',
    )
    .action(async (flags: OperatorFlags, command: Command) => {
      const signals = catchStopSignals();
      let timing: ElectionTiming | undefined;
      try {
        timing = flags.leaderElection === true ? parseElectionTiming(flags) : undefined;
      } catch (error) {
        command.error(`error: ${(error as Error).message}`);
      }
      const logger = pino({ level: flags.logLevel }, destination(2));
      const healthPort = flags.healthPort === undefined ? undefined : parseHealthPort(flags.healthPort);
      const metricsAddress =
        flags.metricsAddr === undefined ? undefined : parseListenAddress(flags.metricsAddr, '--metrics-addr');
      const webhookSettings = parseWebhookFlags(flags);
      const kubeConfig = loadClusterAccess(flags.kubeconfig);
      const webhook =
        webhookSettings === undefined
          ? undefined
          : await startConversionWebhook({ ...webhookSettings, kubeConfig, logger, convert: versionConverter() });
      if (webhook !== undefined) console.log(`conversion webhook on port ${webhook.port} (${conversionPath})`);
      const health = healthPort === undefined ? undefined : await startHealthServer({ port: healthPort });
      const metrics = metricsAddress === undefined ? undefined : new OperatorMetrics();
      if (health !== undefined) console.log(`health endpoints on port ${health.port} (/healthz, /readyz)`);
      const metricsServer =
        metrics === undefined || metricsAddress === undefined
          ? undefined
          : await serveEndpoints(metricsAddress, {
              '/metrics': async () => ({ status: 200, body: await metrics.text(), contentType: metrics.contentType }),
            });
      if (metricsServer !== undefined) console.log(`metrics on port ${metricsServer.port} (/metrics)`);
      let installCrds: CustomResourceDefinition[] = [];
      if (flags.crdPattern !== undefined) {
        // Load only the selected kinds' models (an operator keeps in memory just the kinds it serves).
        const selected = listKindKeys()
          .map((key) => key.split('/'))
          .filter(([group = '', kind = '']) => matchesCrdPattern(flags.crdPattern, group, kind));
        const models = (
          await Promise.all(selected.map(([group = '', kind = '']) => loadKindModel(group, kind)))
        ).filter((model): model is KindModel => model !== undefined);
        if (models.length === 0) throw new Error(`--crd-pattern ${JSON.stringify(flags.crdPattern)} matches no kind`);
        installCrds = await Promise.all(
          models.map(async (model) => {
            const [hub = model, ...others] = await loadKindVersions(model.group, model.kind);
            return renderCrd(hub, {}, others) as unknown as CustomResourceDefinition;
          }),
        );
      }
      const pattern = flags.crdPattern;
      let leadership: Leadership | undefined;
      if (timing !== undefined) {
        const namespace = flags.leaderElectionNamespace ?? process.env['POD_NAMESPACE'] ?? 'default';
        // Unique per process (as client-go's): a restarted process never inherits the previous one's leadership.
        const identity = `${hostname()}_${randomUUID()}`;
        health?.setState('standby');
        console.log(`waiting to become the leader (Lease ${namespace}/${defaultLeaseName}, identity ${identity})`);
        leadership = await electLeader({
          kubeConfig,
          namespace,
          identity,
          logger,
          ...timing,
          onLost: (reason) => {
            // Stop at once: no reconcile may go on once another instance may have taken over.
            console.error(`leader election: ${reason}; exiting`);
            process.exit(1);
          },
        });
        console.log(`became the leader (Lease ${namespace}/${defaultLeaseName})`);
      }
      // A leader sends nothing to Kubernetes or ARM unless it holds the Lease at that very moment.
      const fence = leadership?.fence;
      health?.setState('syncing');
      let operator: RunningOperator;
      try {
        operator = await startOperator({
          kubeConfig: fence === undefined ? kubeConfig : fencedKubeConfig(kubeConfig, fence),
          logger,
          installCrds,
          ...(fence !== undefined ? { armRequestGuard: fence } : {}),
          ...(flags.armCaFile !== undefined ? { armCaCertPem: readFileSync(flags.armCaFile, 'utf8') } : {}),
          ...(metrics !== undefined ? { metrics } : {}),
          ...(pattern !== undefined
            ? { servesKind: (group: string, kind: string) => matchesCrdPattern(pattern, group, kind) }
            : {}),
        });
      } catch (error) {
        throw unreachable(error, kubeConfig);
      }
      await webhook?.refreshCrds();
      health?.setState('ready');
      const stopped = signals.stopWith(async () => {
        await operator.stop();
        await leadership?.release();
        await health?.close();
        await metricsServer?.close();
        await webhook?.close();
      });
      const { config } = operator;
      const kinds = operator.servedKinds().length;
      const namespaces = config.targetNamespaces ? ` in ${config.targetNamespaces.join(', ')}` : '';
      console.log(`azo operator running: ${kinds} kinds served${namespaces}`);
      console.log(`  Kubernetes    ${kubeConfig.getCurrentCluster()?.server ?? 'in-cluster'}`);
      console.log(
        `  ARM           ${config.armEndpoint}  (client-side buckets ${config.armRateLimits ? 'on' : 'off'})`,
      );
      const resync = config.syncPeriodMs === undefined ? 'never' : `every ${config.syncPeriodMs / 1000} s`;
      console.log(`  workers       ${config.maxConcurrentReconciles} per kind; resync ${resync}`);
      console.log(`  leadership    ${leadership === undefined ? 'none (--leader-election is off)' : 'leader'}`);
      if (health !== undefined) console.log(`  health        :${health.port}/healthz, :${health.port}/readyz`);
      if (metricsServer !== undefined)
        console.log(`  metrics       ${metricsAddress?.host ?? ''}:${metricsServer.port}/metrics`);
      if (webhook !== undefined) console.log(`  conversion    :${webhook.port}${conversionPath}`);
      await stopped;
    });
}

/** The conversion webhook's settings from its flags and variables; undefined without `--webhook-port`. */
function parseWebhookFlags(
  flags: OperatorFlags,
): Omit<ConversionWebhookOptions, 'kubeConfig' | 'logger' | 'convert'> | undefined {
  if (flags.webhookPort === undefined || flags.webhookPort === '') return undefined;
  const port = parsePortFlag(flags.webhookPort, '--webhook-port');
  const service = flags.webhookService === '' ? undefined : flags.webhookService;
  const url = flags.webhookUrl === '' ? undefined : flags.webhookUrl;
  if ((service === undefined) === (url === undefined)) {
    throw new UserError(
      '--webhook-port needs exactly one of --webhook-service NAME (in a cluster) or --webhook-url URL (outside one)',
    );
  }
  if (url !== undefined && !/^https:\/\/[^/]/.test(url)) {
    throw new UserError(`--webhook-url ${url}: must be an https:// URL, e.g. https://127.0.0.1:${port}/convert`);
  }
  const namespace = readOperatorConfig(process.env).operatorNamespace;
  const endpoint: WebhookEndpoint =
    service !== undefined
      ? { service: { namespace, name: service, port: 443, path: conversionPath } }
      : { url: url ?? '' };
  return {
    namespace,
    port,
    endpoint,
    caValidityMs: validitySetting('AZO_WEBHOOK_CA_VALIDITY', 3 * 365 * 24 * 3_600_000),
    servingValidityMs: validitySetting('AZO_WEBHOOK_CERT_VALIDITY', 90 * 24 * 3_600_000),
  };
}

/** A certificate lifetime from the environment (a duration such as 2160h), or `fallback`. */
function validitySetting(name: string, fallback: number): number {
  const text = process.env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  let value: number;
  try {
    value = parseDuration(text);
  } catch {
    throw new UserError(`${name} must be a duration such as 2160h or 90s, not ${JSON.stringify(text)}`);
  }
  if (value < 3000) throw new UserError(`${name} must be at least 3s, not ${JSON.stringify(text)}`);
  return value;
}
