/**
 * The ARM + Entra ID token emulator: a local Azure Resource Manager for any resource type, validated by the resource
 * model, with long-running operations, throttling, faults and a request log. Real Azure SDK clients talk to it over
 * HTTPS (trust `caFile`/`caCertPem` through `NODE_EXTRA_CA_CERTS`) with `authorityHost` = `url`,
 * `disableInstanceDiscovery: true`, and an ARM `endpoint` = `url`. See docs/emulator.md.
 */
import { pino, type Logger } from 'pino';
import type { ArmCatalog, KindModel } from '../model/index.js';
import { startServer } from './internal/server.js';
import { armLimits, type ThrottlingLimits } from './internal/throttle.js';
import type { EmulatorRequest, FaultRule } from './internal/admin.js';

export type { EmulatorRequest, FaultRule } from './internal/admin.js';
export type { ThrottlingLimits } from './internal/throttle.js';
export { armLimits } from './internal/throttle.js';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Keeps the CA (`ca.pem`), the token signing key and every resource (`state.json`) across restarts; default: memory
   * only.
   */
  dataDir?: string;
  /** The default tenant of a new emulator (with a data dir, the saved one wins); default: a random GUID. */
  tenantId?: string;
  /** Duration of long-running operations in ms (default 0: PUT/PATCH/DELETE of resources complete synchronously). */
  latencyMs?: number;
  /**
   * `--latency realistic`: each operation lasts the type's typical Azure provisioning time (a PostgreSQL server
   * minutes, a storage account seconds) times this factor; `latencyMs` is then ignored. Default: unset.
   */
  latencyFactor?: number;
  /** Fixed `Retry-After` seconds on long-running operation responses (default: the remaining time, at least 1). */
  retryAfterSeconds?: number;
  /** Page size of lists (default 100; `$top` may lower it). */
  pageSize?: number;
  /**
   * true (default): a known type (modelled, or in the catalog) at an api-version Azure never published → 400
   * `NoRegisteredProviderFound` with the published list; false: such requests are accepted without validation.
   */
  strictApiVersions?: boolean;
  /**
   * The ARM type catalog: every published api-version of every type of the modelled providers, fixed names of
   * singletons (and the singleton children Azure creates with their parent). Default: the generated catalog
   * (`generated/catalog.ts`); false: none (only the models' versions are known).
   */
  catalog?: ArmCatalog | false;
  /** Kind models used to validate bodies and api-versions of known types; unknown types are accepted as-is. */
  models?: KindModel[];
  /** ARM's token buckets per subscription (or tenant) and principal; default {@link armLimits}; false disables. */
  throttling?: ThrottlingLimits | false;
  /** Logger (default: silent). */
  logger?: Logger;
}

/** A running emulator. */
export interface RunningEmulator {
  /** `https://127.0.0.1:PORT`: the ARM endpoint and the authority host. */
  url: string;
  port: number;
  /** PEM of the CA that signed the server certificate. */
  caCertPem: string;
  /** `DIR/ca.pem` when started with a data directory. */
  caFile?: string;
  /** The default tenant (used for tenant names that are not GUIDs, and in `WWW-Authenticate`). */
  tenantId: string;
  /** A copy of the request log (ARM and token requests, oldest first). */
  requestLog(): EmulatorRequest[];
  resetRequestLog(): void;
  /** Adds a fault rule (as `POST /_emulator/faults`); returns its id. */
  addFault(rule: FaultRule): string;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** Changes the duration of long-running operations started from now on. */
  setLatency(latencyMs: number): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Starts an emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startServer({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
    latencyMs: options.latencyMs ?? 0,
    ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
    pageSize: options.pageSize ?? 100,
    strictApiVersions: options.strictApiVersions ?? true,
    ...(options.latencyFactor !== undefined ? { latencyFactor: options.latencyFactor } : {}),
    ...(options.catalog !== undefined ? { catalog: options.catalog } : {}),
    models: options.models ?? [],
    throttling: options.throttling === undefined ? armLimits : options.throttling,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
}
