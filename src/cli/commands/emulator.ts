/** `azo emulator`: runs the ARM + Entra ID emulator alone until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { defaultLatencyFactor, parseLatency } from '../internal/latency.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { destination, pino } from 'pino';
import { startEmulator } from '../../emulator/index.js';
import { listKindModels, type KindModel } from '../../model/index.js';
import { catchStopSignals } from '../internal/signals.js';
import { parsePortFlag, UserError } from '../internal/user-error.js';

interface EmulatorFlags {
  port: string;
  host: string;
  dataDir?: string;
  latency: string;
  latencyFactor?: string;
  retryAfter?: string;
  throttling: boolean;
  models: boolean;
  anyApiVersion?: boolean;
  logLevel: string;
}

export function register(program: Command): void {
  program
    .command('emulator')
    .description(
      'Run the local ARM + Entra ID emulator (HTTPS): point AZURE_AUTHORITY_HOST, the ARM endpoint and ' +
        'NODE_EXTRA_CA_CERTS at it.',
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8443')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'keep the CA (ca.pem), token key and all resources here across restarts (default: a temporary directory ' +
        'removed on exit)',
    )
    .option(
      '--latency <ms>',
      'duration of long-running operations in milliseconds (0: PUT/PATCH/DELETE complete at once), or ' +
        "'realistic': each type's typical Azure time × --latency-factor",
      '0',
    )
    .option(
      '--latency-factor <f>',
      `with --latency realistic: the factor on Azure's typical times (default ${defaultLatencyFactor})`,
    )
    .option(
      '--retry-after <seconds>',
      'fixed Retry-After seconds on long-running operations (default: the remaining time, at least 1)',
    )
    .option(
      '--no-throttling',
      "disable ARM's token-bucket throttling (reads 250/25 per s, writes and deletes 200/10 per s)",
    )
    .option('--no-models', 'do not validate bodies against the generated resource models')
    .option(
      '--any-api-version',
      'accept api-versions the models do not know for modelled types (unvalidated) instead of ' +
        'NoRegisteredProviderFound',
    )
    .option('--log-level <level>', 'pino log level (fatal, error, warn, info, debug)', 'warn')
    .action(async (flags: EmulatorFlags) => {
      const port = parsePortFlag(flags.port, '--port');
      const latency = parseLatency(flags.latency, flags.latencyFactor);
      const retryAfterSeconds = flags.retryAfter === undefined ? undefined : Number(flags.retryAfter);
      if (retryAfterSeconds !== undefined && (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0))
        throw new UserError(`--retry-after must be a non-negative integer, got ${flags.retryAfter}`);
      const signals = catchStopSignals();
      const logger = pino({ level: flags.logLevel }, destination(2));
      const temporaryDir = flags.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'azo-emulator-'));
      const dataDir = flags.dataDir ? resolve(flags.dataDir) : (temporaryDir ?? '');
      const models: KindModel[] = flags.models ? await listKindModels() : [];
      const emulator = await startEmulator({
        port,
        host: flags.host,
        dataDir,
        ...latency,
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        models,
        strictApiVersions: flags.anyApiVersion !== true,
        ...(flags.throttling ? {} : { throttling: false as const }),
        logger,
      });
      const caFile = emulator.caFile ?? join(dataDir, 'ca.pem');
      const stopped = signals.stopWith(async () => {
        await emulator.close();
        if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true });
      });
      console.log(`azo emulator listening on ${emulator.url}`);
      console.log(`CA certificate: ${caFile}`);
      const latencyText =
        latency.latencyFactor !== undefined ? `realistic × ${latency.latencyFactor}` : `${latency.latencyMs} ms`;
      const dataText = temporaryDir ? 'temporary (removed on exit)' : dataDir;
      console.log(
        `tenant: ${emulator.tenantId}   models: ${models.length}   latency: ${latencyText}   data: ${dataText}`,
      );
      console.log('point Azure SDK clients at it with:');
      console.log(`  export NODE_EXTRA_CA_CERTS=${caFile}`);
      console.log(
        `  export AZURE_AUTHORITY_HOST=${emulator.url} AZURE_RESOURCE_MANAGER_ENDPOINT=${emulator.url} ` +
          `AZURE_TENANT_ID=${emulator.tenantId}`,
      );
      console.log('  (credentials also need disableInstanceDiscovery: true; see docs/emulator.md)');
      await stopped;
    });
}
