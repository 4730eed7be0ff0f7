/**
 * The emulator's HTTPS server: one listener for the admin API (`/_emulator/`), the Entra token service
 * (`/{tenant}/…`) and ARM (everything else). ARM requests are authenticated (bearer JWT issued here), throttled
 * (token buckets), given ARM's tracing headers, handled by the engine, and logged.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadArmCatalog, type ArmCatalog, type KindModel } from '../../model/index.js';
import { loadOrCreateServerCredentials } from '../../tls/index.js';
import {
  compileFault,
  describeFault,
  faultError,
  takeFault,
  type ActiveFault,
  type EmulatorRequest,
  type FaultRule,
} from './admin.js';
import { ArmEngine, type LroOutcome, type Principal } from './arm.js';
import { TypeCatalog } from './catalog.js';
import { handleEntra, type RegisteredClient } from './entra.js';
import { handleGraph } from './graph.js';
import { ArmError } from './errors.js';
import { isObject, parseJsonBody, readBody, send } from './http.js';
import { createSigningKey, parseClientCertificate, signingKeyFromPem, verifyJwt, type SigningKey } from './jwt.js';
import { StateStore, writeAtomic } from './state.js';
import { classify, Throttler, type ThrottlingLimits } from './throttle.js';

/** Resolved options of one emulator. */
export interface ServerOptions {
  port: number;
  host: string;
  dataDir?: string;
  tenantId?: string;
  latencyMs: number;
  retryAfterSeconds?: number;
  pageSize: number;
  strictApiVersions: boolean;
  /** Typical provisioning times × this factor instead of `latencyMs` (`--latency realistic`). */
  latencyFactor?: number;
  models: KindModel[];
  /** The ARM type catalog (published versions, fixed names, implicit singletons); undefined: the generated one. */
  catalog?: ArmCatalog | false;
  throttling: ThrottlingLimits | false;
  logger: Logger;
}

/** A started emulator server. */
export interface EmulatorServer {
  url: string;
  port: number;
  caCertPem: string;
  caFile?: string;
  tenantId: string;
  requestLog(): EmulatorRequest[];
  resetRequestLog(): void;
  addFault(rule: FaultRule): string;
  clearFaults(): void;
  setLatency(latencyMs: number): void;
  close(): Promise<void>;
}

const maxLogEntries = 10_000;
const armAudiences = ['https://management.azure.com', 'https://management.core.windows.net'];
/** The emulator tenant's default domain (as ARM's tenant list reports it). */
const tenantDomain = 'emulator.onmicrosoft.com';

/** Starts the server and resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<EmulatorServer> {
  const logger = options.logger;
  const credentials = await loadOrCreateServerCredentials({
    caName: 'azo ARM emulator CA',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const store = new StateStore(options.dataDir, () => options.tenantId ?? randomUUID());
  const signingKey = loadOrCreateSigningKey(options.dataDir);
  const catalog = new TypeCatalog(
    options.catalog === false ? undefined : (options.catalog ?? (await loadArmCatalog())),
  );
  const engineOptions = {
    latencyMs: options.latencyMs,
    pageSize: options.pageSize,
    strictApiVersions: options.strictApiVersions,
    now: Date.now,
    ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
    ...(options.latencyFactor !== undefined ? { latencyFactor: options.latencyFactor } : {}),
  };
  // Kinds that are not ARM resources (Graph groups) are served by graph.ts, not the ARM engine.
  const armModels = options.models.filter((model) => model.handcrafted === undefined);
  const engine = new ArmEngine(store, engineOptions, armModels, catalog);
  const throttler = options.throttling === false ? undefined : new Throttler(options.throttling);
  const clients = new Map<string, RegisteredClient>();
  let faults: ActiveFault[] = [];
  /** Signature-checked tokens → claims (expiry is still checked on every use). */
  const verifiedTokens = new Map<string, Record<string, unknown>>();
  let log: EmulatorRequest[] = [];
  /** The sequence number of the last logged request (entries are numbered from 1, in the order they finish). */
  let logSequence = 0;
  const sockets = new Set<Socket>();
  let port = options.port;

  const server: Server = createServer({ cert: credentials.certPem, key: credentials.keyPem }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'emulator request failed');
      if (!response.headersSent)
        send(
          request,
          response,
          500,
          new ArmError(500, 'InternalServerError', 'The emulator failed to process the request.').toBody(),
        );
      else response.destroy();
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (error) => logger.debug({ err: error }, 'TLS client error'));

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'https://emulator.invalid');
    const origin = `https://${request.headers.host ?? `${options.host}:${port}`}`;
    let segments: string[];
    try {
      segments = url.pathname
        .split('/')
        .filter((segment) => segment !== '')
        .map((segment) => decodeURIComponent(segment));
    } catch {
      send(request, response, 400, new ArmError(400, 'InvalidRequestUri', 'The request URI is not valid.').toBody());
      return;
    }
    if (segments[0] === '_emulator') {
      await handleAdmin(request, response, method, segments.slice(1), url.searchParams);
      return;
    }
    const entry: EmulatorRequest = {
      seq: 0,
      time: new Date(started).toISOString(),
      method,
      path: url.pathname,
      status: 0,
      durationMs: 0,
    };
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion !== null) entry.apiVersion = apiVersion;
    const clientRequestId = request.headers['x-ms-client-request-id'];
    if (typeof clientRequestId === 'string') entry.clientRequestId = clientRequestId;
    const record = (status: number) => {
      entry.status = status;
      entry.durationMs = Date.now() - started;
      entry.seq = ++logSequence;
      log.push(entry);
      if (log.length > maxLogEntries) log = log.slice(log.length - maxLogEntries);
    };
    response.on('finish', () => record(response.statusCode));

    const fault = takeFault(faults, method, url.pathname);
    if (fault) entry.faultId = fault.id;
    if (fault?.latencyMs) await new Promise((done) => setTimeout(done, fault.latencyMs));
    if (fault?.drop) {
      record(0);
      request.socket.destroy();
      return;
    }
    const armHeaders = tracingHeaders(request);
    let raw: Buffer;
    try {
      raw = await readBody(request);
    } catch (error) {
      if (error instanceof ArmError) {
        sendError(request, response, error, armHeaders);
        return;
      }
      throw error;
    }
    if (fault?.status !== undefined && fault.provisioningState === undefined) {
      sendError(request, response, faultError(fault), armHeaders);
      return;
    }
    if (
      method === 'GET' &&
      segments.length === 2 &&
      segments[0]?.toLowerCase() === 'metadata' &&
      segments[1]?.toLowerCase() === 'endpoints'
    ) {
      send(request, response, 200, cloudMetadata(origin), armHeaders);
      return;
    }
    const tokenRequest = method === 'POST' && segments[1]?.toLowerCase() === 'oauth2';
    const entra = handleEntra(
      method,
      segments,
      origin,
      tokenRequest ? new URLSearchParams(raw.toString('utf8')) : undefined,
      request.headers.authorization,
      {
        key: signingKey,
        defaultTenantId: store.state.tenantId,
        clients,
        federatedCredentialsOf,
        nowSeconds: () => Math.floor(Date.now() / 1000),
      },
    );
    if (entra) {
      send(request, response, entra.status, entra.body, { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
      return;
    }
    if (segments[0]?.toLowerCase() === 'v1.0') {
      handleGraphRequest(request, response, method, segments.slice(1), url.searchParams, raw, entry);
      return;
    }
    try {
      const principal = authenticate(request, origin);
      const rateHeaders = throttle(segments, method, principal);
      Object.assign(armHeaders, rateHeaders);
      const body = parseJsonBody(raw);
      if (body !== undefined && method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') entry.body = body;
      const lroOutcome: LroOutcome | undefined = fault?.provisioningState
        ? {
            provisioningState: fault.provisioningState,
            status: fault.status ?? 400,
            code: fault.code ?? (fault.provisioningState === 'Canceled' ? 'OperationCanceled' : 'InjectedFailure'),
            message:
              fault.message ?? `The operation was ${fault.provisioningState.toLowerCase()} by an injected fault.`,
          }
        : undefined;
      const correlationId = armHeaders['x-ms-correlation-request-id'];
      const result = engine.handle({
        method,
        segments,
        pathname: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        origin,
        principal,
        ...(correlationId !== undefined ? { correlationId } : {}),
        ...(lroOutcome ? { lroOutcome } : {}),
      });
      send(request, response, result.status, result.body, { ...armHeaders, ...(result.headers ?? {}) });
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      sendError(request, response, error, armHeaders);
    }
  }

  /** Microsoft Graph (`/v1.0/groups…`): see graph.ts. */
  function handleGraphRequest(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    segments: string[],
    query: URLSearchParams,
    raw: Buffer,
    entry: EmulatorRequest,
  ): void {
    let body: unknown;
    try {
      body = parseJsonBody(raw);
    } catch {
      send(request, response, 400, { error: { code: 'BadRequest', message: 'Unable to read JSON request payload.' } });
      return;
    }
    if (body !== undefined && method !== 'GET' && method !== 'DELETE') entry.body = body;
    const result = handleGraph(
      { method, segments, query, body, authorization: request.headers.authorization },
      {
        groups: store.state.groups,
        verify: (token) => verifyJwt(signingKey, token, Math.floor(Date.now() / 1000)),
        domain: tenantDomain,
        now: () => new Date(),
      },
    );
    if (result.changed) store.commit();
    send(request, response, result.status, result.body, { 'request-id': randomUUID() });
  }

  /** The federated credentials of the user-assigned identity whose client ID is `clientId`, if one exists. */
  function federatedCredentialsOf(
    clientId: string,
  ): Array<{ issuer: string; subject: string; audiences: string[] }> | undefined {
    const wanted = clientId.toLowerCase();
    const identity = [...store.state.resources.values()].find((resource) => {
      const properties = resource.body.properties;
      return (
        resource.fullType.toLowerCase() === 'microsoft.managedidentity/userassignedidentities' &&
        isObject(properties) &&
        String(properties.clientId).toLowerCase() === wanted
      );
    });
    if (!identity) return undefined;
    return [...store.state.resources.values()]
      .filter(
        (resource) =>
          resource.parentKey === identity.key &&
          resource.fullType.toLowerCase().endsWith('/federatedidentitycredentials'),
      )
      .map((resource) => {
        const properties = isObject(resource.body.properties) ? resource.body.properties : {};
        return {
          issuer: String(properties.issuer ?? ''),
          subject: String(properties.subject ?? ''),
          audiences: Array.isArray(properties.audiences)
            ? properties.audiences.map(String)
            : ['api://AzureADTokenExchange'],
        };
      });
  }

  function sendError(
    request: IncomingMessage,
    response: ServerResponse,
    error: ArmError,
    headers: Record<string, string>,
  ): void {
    if (error.status >= 500) logger.warn({ code: error.code, status: error.status }, error.message);
    send(request, response, error.status, error.toBody(), { ...headers, ...error.headers });
  }

  function tracingHeaders(request: IncomingMessage): Record<string, string> {
    const requestId = randomUUID();
    const correlation = request.headers['x-ms-correlation-request-id'];
    const client = request.headers['x-ms-client-request-id'];
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    return {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': typeof correlation === 'string' ? correlation : randomUUID(),
      ...(typeof client === 'string' ? { 'x-ms-client-request-id': client } : {}),
      'x-ms-routing-request-id': `EMULATOR:${stamp}:${requestId}`,
      'cache-control': 'no-cache',
    };
  }

  function authenticate(request: IncomingMessage, origin: string): Principal {
    const header = request.headers.authorization;
    const challenge = (tenant: string, description: string) => ({
      'www-authenticate':
        `Bearer authorization_uri="${origin}/${tenant}", error="invalid_token", error_description="` +
        `${description}"`,
    });
    const tenant = store.state.tenantId;
    if (header === undefined || header === '') {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", {
        headers: challenge(tenant, 'The authentication failed because of missing Authorization header.'),
      });
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new ArmError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        { headers: challenge(tenant, 'The authentication failed because of an invalid Authorization header.') },
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const cached = verifiedTokens.get(match[1]);
    const verified =
      cached !== undefined && typeof cached.exp === 'number' && cached.exp > now
        ? { claims: cached }
        : verifyJwt(signingKey, match[1], now);
    if (!('problem' in verified) && cached === undefined) {
      if (verifiedTokens.size >= 1000) verifiedTokens.clear();
      verifiedTokens.set(match[1], verified.claims);
    }
    if ('problem' in verified) {
      if (verified.problem === 'expired') {
        throw new ArmError(
          401,
          'ExpiredAuthenticationToken',
          `The access token expiry UTC time is earlier than current UTC time '${new Date(now * 1000).toISOString()}'.`,
          { headers: challenge(tenant, 'The access token has expired.') },
        );
      }
      throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
        headers: challenge(tenant, 'The access token is invalid.'),
      });
    }
    const claims = verified.claims;
    const tokenTenant = String(claims.tid ?? tenant);
    const audience = String(claims.aud ?? '')
      .replace(/\/+$/, '')
      .toLowerCase();
    const allowed = [...armAudiences, origin.toLowerCase(), `https://localhost:${port}`, `https://127.0.0.1:${port}`];
    if (!allowed.includes(audience)) {
      throw new ArmError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${String(claims.aud)}'. It ` +
          `should exactly match with one of the allowed audiences ` +
          `'https://management.core.windows.net/','https://management.core.windows.net',` +
          `'https://management.azure.com/','https://management.azure.com'.`,
        { headers: challenge(tokenTenant, 'The access token has been obtained for wrong audience or resource.') },
      );
    }
    return {
      tenantId: tokenTenant,
      objectId: String(claims.oid ?? ''),
      clientId: String(claims.appid ?? claims.azp ?? ''),
    };
  }

  function throttle(segments: string[], method: string, principal: Principal): Record<string, string> {
    if (!throttler) return {};
    const subscriptionId = segments[0]?.toLowerCase() === 'subscriptions' ? segments[1]?.toLowerCase() : undefined;
    const operation = classify(method);
    const scopeName = subscriptionId ? 'subscription' : 'tenant';
    const decision = throttler.take(
      `${subscriptionId ? `s:${subscriptionId}` : `t:${principal.tenantId}`}|${principal.objectId}`,
      operation,
    );
    if (!decision.allowed) {
      const verb = operation === 'reads' ? 'read' : operation === 'writes' ? 'write' : 'delete';
      throw new ArmError(
        429,
        subscriptionId ? 'SubscriptionRequestsThrottled' : 'TenantRequestsThrottled',
        `Number of '${verb}' requests for ${scopeName} '${subscriptionId ?? principal.tenantId}' actor '` +
          `${principal.objectId}' exceeded. Please try again after '${decision.retryAfterSeconds}' seconds ` +
          `after the additional tokens are available. Refer to https://aka.ms/arm-throttling`,
        {
          headers: {
            'retry-after': String(decision.retryAfterSeconds),
            [`x-ms-ratelimit-remaining-${scopeName}-${operation}`]: '0',
          },
        },
      );
    }
    return { [`x-ms-ratelimit-remaining-${scopeName}-${operation}`]: String(decision.remaining) };
  }

  async function handleAdmin(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    segments: string[],
    query: URLSearchParams,
  ): Promise<void> {
    try {
      const raw = await readBody(request);
      const body = parseJsonBody(raw);
      const [area, id] = segments;
      if (area === 'health' && method === 'GET')
        return send(request, response, 200, {
          status: 'ok',
          url: `https://${options.host}:${port}`,
          tenantId: store.state.tenantId,
        });
      if (area === 'requests' && id === undefined) {
        if (method === 'GET') {
          // `?since=N`: only the entries after sequence number N (a reader that keeps up never misses one).
          const since = Number(query.get('since') ?? -1);
          return send(request, response, 200, {
            value: Number.isFinite(since) && since >= 0 ? log.filter((entry) => entry.seq > since) : log,
          });
        }
        if (method === 'DELETE') {
          log = [];
          return send(request, response, 204, undefined);
        }
      }
      if (area === 'faults') {
        if (method === 'GET' && id === undefined)
          return send(request, response, 200, { value: faults.map(describeFault) });
        if (method === 'POST' && id === undefined) {
          const fault = compileFault(body);
          faults.push(fault);
          return send(request, response, 201, describeFault(fault));
        }
        if (method === 'DELETE') {
          faults = id === undefined ? [] : faults.filter((fault) => fault.id !== id);
          return send(request, response, 204, undefined);
        }
      }
      if (area === 'config' && id === undefined) {
        if (method === 'PATCH' || method === 'PUT') {
          if (!isObject(body)) throw new ArmError(400, 'InvalidRequestContent', 'The config must be a JSON object.');
          if (body.latencyMs !== undefined) engine.options.latencyMs = nonNegative(body.latencyMs, 'latencyMs');
          if (body.pageSize !== undefined)
            engine.options.pageSize = Math.max(1, nonNegative(body.pageSize, 'pageSize'));
          if (body.retryAfterSeconds === null) delete engine.options.retryAfterSeconds;
          else if (body.retryAfterSeconds !== undefined)
            engine.options.retryAfterSeconds = nonNegative(body.retryAfterSeconds, 'retryAfterSeconds');
        }
        if (method === 'GET' || method === 'PATCH' || method === 'PUT') {
          return send(request, response, 200, {
            latencyMs: engine.options.latencyMs,
            pageSize: engine.options.pageSize,
            retryAfterSeconds: engine.options.retryAfterSeconds ?? null,
            throttling: options.throttling,
          });
        }
      }
      if (area === 'clients' && id !== undefined) {
        if (method === 'PUT') {
          const client = compileClient(id, body);
          clients.set(id.toLowerCase(), client);
          return send(request, response, 200, {
            clientId: id,
            secret: client.secret !== undefined,
            certificates: client.certificates?.length ?? 0,
            ...(client.federated ? { federated: client.federated } : {}),
          });
        }
        if (method === 'DELETE') {
          clients.delete(id.toLowerCase());
          return send(request, response, 204, undefined);
        }
      }
      if (area === 'state' && id === undefined && method === 'DELETE') {
        store.state.resources.clear();
        store.state.operations.clear();
        store.state.subscriptions.clear();
        store.state.groups.clear();
        store.commit();
        return send(request, response, 204, undefined);
      }
      throw new ArmError(
        404,
        'NotFound',
        `No admin endpoint ${method} /_emulator/${segments.join('/')}. See docs/emulator.md.`,
      );
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      send(request, response, error.status, error.toBody(), error.headers);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : options.port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  logger.info({ port, dataDir: options.dataDir }, 'ARM emulator listening');

  return {
    url: `https://${urlHost}:${port}`,
    port,
    caCertPem: credentials.caCertPem,
    ...(options.dataDir ? { caFile: join(options.dataDir, 'ca.pem') } : {}),
    tenantId: store.state.tenantId,
    requestLog: () => log.map((item) => ({ ...item })),
    resetRequestLog: () => {
      log = [];
    },
    addFault: (rule) => {
      const fault = compileFault(rule);
      faults.push(fault);
      return fault.id;
    },
    clearFaults: () => {
      faults = [];
    },
    setLatency: (latencyMs) => {
      engine.options.latencyMs = latencyMs;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}

/** ARM's cloud metadata (`GET /metadata/endpoints`), as the Azure CLI and the Go SDK read it, naming this emulator. */
function cloudMetadata(origin: string): unknown {
  return [
    {
      name: 'AzoEmulator',
      portal: origin,
      resourceManager: `${origin}/`,
      authentication: {
        loginEndpoint: `${origin}/`,
        audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'],
        tenant: 'common',
        identityProvider: 'AAD',
      },
      graph: 'https://graph.windows.net/',
      graphAudience: 'https://graph.windows.net/',
      microsoftGraphResourceId: 'https://graph.microsoft.com/',
      suffixes: {
        storage: 'core.windows.net',
        keyVaultDns: 'vault.azure.net',
        acrLoginServer: 'azurecr.io',
        sqlServerHostname: 'database.windows.net',
      },
    },
  ];
}

/**
 * Validates `PUT /_emulator/clients/{id}`: `{secret?: string, certificates?: PEM[], federated?: [{issuer, subject}]}`.
 */
function compileClient(clientId: string, body: unknown): RegisteredClient {
  if (!isObject(body)) throw new ArmError(400, 'InvalidRequestContent', 'The client must be a JSON object.');
  if (body.secret !== undefined && (typeof body.secret !== 'string' || body.secret === ''))
    throw new ArmError(400, 'InvalidParameter', "'secret' must be a non-empty string.", { target: 'secret' });
  if (body.certificates !== undefined && !Array.isArray(body.certificates))
    throw new ArmError(400, 'InvalidParameter', "'certificates' must be an array of PEM certificates.", {
      target: 'certificates',
    });
  const certificates = (body.certificates ?? []).map((pem: unknown, index: number) => {
    try {
      if (typeof pem !== 'string') throw new Error('not a string');
      return parseClientCertificate(pem);
    } catch (error) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `'certificates[${index}]' is not a PEM certificate: ${(error as Error).message}.`,
        { target: `certificates[${index}]` },
      );
    }
  });
  if (
    body.federated !== undefined &&
    (!Array.isArray(body.federated) ||
      !body.federated.every(
        (entry) => isObject(entry) && typeof entry.issuer === 'string' && typeof entry.subject === 'string',
      ))
  ) {
    throw new ArmError(400, 'InvalidParameter', "'federated' must be an array of {issuer, subject} strings.", {
      target: 'federated',
    });
  }
  return {
    clientId,
    ...(typeof body.secret === 'string' ? { secret: body.secret } : {}),
    ...(certificates.length > 0 ? { certificates } : {}),
    ...(Array.isArray(body.federated)
      ? { federated: body.federated as Array<{ issuer: string; subject: string }> }
      : {}),
  };
}

function nonNegative(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ArmError(400, 'InvalidParameter', `'${name}' must be a non-negative number.`, { target: name });
  return value;
}

function loadOrCreateSigningKey(dataDir: string | undefined): SigningKey {
  const file = dataDir === undefined ? undefined : join(dataDir, 'token-signing-key.pem');
  if (file !== undefined && existsSync(file)) return signingKeyFromPem(readFileSync(file, 'utf8'));
  const key = createSigningKey();
  if (file !== undefined) writeAtomic(file, key.pem);
  return key;
}
