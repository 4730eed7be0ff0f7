/**
 * The Entra ID (Azure AD) side of the emulator: OpenID metadata, JWKS, instance discovery and the token endpoint
 * (`/{tenant}/oauth2/v2.0/token`, plus the v1 `/{tenant}/oauth2/token`) for the client-credentials grant with a
 * client secret or a client assertion (certificate JWT or a workload-identity federated token).
 */
import { randomUUID } from 'node:crypto';
import {
  decodeJwt,
  jwksOf,
  signJwt,
  stableUuid,
  verifyClientAssertion,
  type ClientCertificate,
  type SigningKey,
} from './jwt.js';

/**
 * A client registered through the admin API. Only the credentials it lists work: a client secret must equal `secret`,
 * a certificate assertion must be signed by one of `certificates`, a federated assertion must name one of `federated`.
 * Unregistered clients get a token for any secret or assertion.
 */
export interface RegisteredClient {
  clientId: string;
  secret?: string;
  /** Certificates whose keys may sign client assertions. */
  certificates?: ClientCertificate[];
  /** Allowed `iss`/`sub` pairs of federated assertions (workload identity). */
  federated?: Array<{ issuer: string; subject: string }>;
}

/** What the token endpoint needs from the server. */
export interface EntraContext {
  key: SigningKey;
  defaultTenantId: string;
  clients: Map<string, RegisteredClient>;
  /**
   * Federated credentials stored in ARM for a client ID (the `federatedIdentityCredentials` of the user-assigned
   * identity with that client ID); undefined when no such identity exists.
   */
  federatedCredentialsOf?: (
    clientId: string,
  ) => Array<{ issuer: string; subject: string; audiences: string[] }> | undefined;
  nowSeconds: () => number;
}

/** An Entra response: status and JSON body. */
export interface EntraResponse {
  status: number;
  body: unknown;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tokenLifetimeSeconds = 3599;

/**
 * Routes an Entra request (`segments` = the decoded path segments). Returns undefined when the path is not an
 * Entra path, so the caller can try ARM.
 */
export function handleEntra(
  method: string,
  segments: string[],
  origin: string,
  form: URLSearchParams | undefined,
  authorization: string | undefined,
  context: EntraContext,
): EntraResponse | undefined {
  const [tenant, ...rest] = segments;
  if (tenant === undefined) return undefined;
  const path = rest.join('/').toLowerCase();
  if (method === 'GET' && tenant.toLowerCase() === 'common' && path === 'discovery/instance') {
    return { status: 200, body: instanceDiscovery(origin, context.defaultTenantId) };
  }
  if (
    method === 'GET' &&
    (path === 'v2.0/.well-known/openid-configuration' || path === '.well-known/openid-configuration')
  ) {
    const tenantId = resolveTenant(tenant, context);
    if (tenantId === undefined) return tenantNotFound(tenant);
    return { status: 200, body: openIdConfiguration(origin, tenant, path.startsWith('v2.0')) };
  }
  if (method === 'GET' && (path === 'discovery/v2.0/keys' || path === 'discovery/keys')) {
    return { status: 200, body: jwksOf(context.key) };
  }
  if (path === 'oauth2/v2.0/token' || path === 'oauth2/token') {
    if (method !== 'POST')
      return entraError(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
    return issueToken(tenant, form ?? new URLSearchParams(), authorization, origin, path === 'oauth2/token', context);
  }
  return undefined;
}

function resolveTenant(tenant: string, context: EntraContext): string | undefined {
  if (guidPattern.test(tenant)) return tenant.toLowerCase();
  if (/^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i.test(tenant) || ['organizations', 'common'].includes(tenant.toLowerCase()))
    return context.defaultTenantId;
  return undefined;
}

function openIdConfiguration(origin: string, tenant: string, v2: boolean): Record<string, unknown> {
  const base = `${origin}/${tenant}`;
  return {
    issuer: v2 ? `${base}/v2.0` : `${base}/`,
    authorization_endpoint: v2 ? `${base}/oauth2/v2.0/authorize` : `${base}/oauth2/authorize`,
    token_endpoint: v2 ? `${base}/oauth2/v2.0/token` : `${base}/oauth2/token`,
    jwks_uri: v2 ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
    end_session_endpoint: v2 ? `${base}/oauth2/v2.0/logout` : `${base}/oauth2/logout`,
    response_types_supported: ['code', 'id_token', 'token id_token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    tenant_region_scope: null,
    cloud_instance_name: 'azo-emulator',
  };
}

function instanceDiscovery(origin: string, tenantId: string): Record<string, unknown> {
  const host = new URL(origin).host;
  return {
    tenant_discovery_endpoint: `${origin}/${tenantId}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

function issueToken(
  tenant: string,
  form: URLSearchParams,
  authorization: string | undefined,
  origin: string,
  v1: boolean,
  context: EntraContext,
): EntraResponse {
  const tenantId = resolveTenant(tenant, context);
  if (tenantId === undefined) return tenantNotFound(tenant);
  const grantType = form.get('grant_type');
  if (!grantType) return missingParameter('grant_type');
  if (grantType !== 'client_credentials') {
    return entraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  }
  let clientId = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  if (authorization?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  if (!clientId) return missingParameter('client_id');
  if (!guidPattern.test(clientId)) {
    return entraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
    );
  }
  let audience: string;
  if (v1) {
    const resource = form.get('resource');
    if (!resource) return missingParameter('resource');
    audience = resource;
  } else {
    const scope = form.get('scope');
    if (!scope) return missingParameter('scope');
    const defaults = scope.split(/\s+/).filter((item) => item.endsWith('/.default'));
    const first = defaults[0];
    if (first === undefined || defaults.length > 1) {
      return entraError(
        400,
        'invalid_scope',
        70011,
        `The provided request must include a 'scope' input parameter. The provided value for the input ` +
          `parameter 'scope' is not valid. The scope ${scope} is not valid. The scope format is invalid. Scope ` +
          `must be in a valid URI form <https://example/scope> or a valid Guid <guid/scope>.`,
      );
    }
    audience = first.slice(0, -'/.default'.length);
  }
  const registered = context.clients.get(clientId.toLowerCase());
  const assertion = form.get('client_assertion') ?? undefined;
  if (assertion !== undefined) {
    const assertionType = form.get('client_assertion_type');
    if (assertionType !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return entraError(
        400,
        'invalid_request',
        50027,
        `AADSTS50027: Invalid client_assertion_type '${assertionType ?? ''}'.`,
      );
    }
    const decoded = decodeJwt(assertion);
    if (!decoded) return entraError(400, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
    const now = context.nowSeconds();
    const exp = decoded.claims.exp;
    const nbf = decoded.claims.nbf;
    if (typeof exp !== 'number' || exp <= now || (typeof nbf === 'number' && nbf > now + 300)) {
      return entraError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }
    const issuer = String(decoded.claims.iss ?? '');
    const subject = String(decoded.claims.sub ?? '');
    const federated =
      decoded.claims.aud === 'api://AzureADTokenExchange' ||
      (Array.isArray(decoded.claims.aud) && decoded.claims.aud.includes('api://AzureADTokenExchange'));
    if (!federated && (issuer !== clientId || subject !== clientId)) {
      return entraError(
        401,
        'invalid_client',
        700023,
        `Client assertion audience or subject does not match the application '${clientId}'.`,
      );
    }
    if (!federated && registered) {
      const check = verifyClientAssertion(assertion, registered.certificates ?? []);
      const thumbprint = String(decoded.header['x5t#S256'] ?? decoded.header.x5t ?? '');
      if (check === 'unknownKey')
        return entraError(
          401,
          'invalid_client',
          700027,
          `The certificate with identifier '${thumbprint}' used to sign the client assertion is not registered ` +
            `on application '${clientId}'.`,
        );
      if (check === 'signature')
        return entraError(401, 'invalid_client', 700027, 'Client assertion contains an invalid signature.');
    }
    const fromArm = federated ? context.federatedCredentialsOf?.(clientId) : undefined;
    const audiences = Array.isArray(decoded.claims.aud) ? decoded.claims.aud.map(String) : [String(decoded.claims.aud)];
    if (
      fromArm &&
      !fromArm.some(
        (entry) =>
          entry.issuer === issuer &&
          entry.subject === subject &&
          entry.audiences.some((audience) => audiences.includes(audience)),
      )
    ) {
      return entraError(
        400,
        'invalid_client',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. ` +
          `Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(',')}'.`,
      );
    }
    if (
      federated &&
      registered &&
      !fromArm &&
      !(registered.federated ?? []).some((entry) => entry.issuer === issuer && entry.subject === subject)
    ) {
      return entraError(
        400,
        'invalid_client',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. ` +
          `Assertion Subject: '${subject}'.`,
      );
    }
  } else if (secret !== undefined && secret !== '') {
    if (registered && registered.secret !== secret) {
      return entraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret ` +
          `value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
  } else {
    return entraError(
      401,
      'invalid_client',
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    );
  }
  const now = context.nowSeconds();
  const objectId = stableUuid(`${tenantId}/${clientId.toLowerCase()}`);
  const claims = {
    aud: audience,
    iss: `${origin}/${tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + tokenLifetimeSeconds + 1,
    appid: clientId,
    azp: clientId,
    idtyp: 'app',
    oid: objectId,
    sub: objectId,
    tid: tenantId,
    ver: v1 ? '1.0' : '2.0',
    uti: randomUUID(),
  };
  const accessToken = signJwt(context.key, claims);
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    expires_in: tokenLifetimeSeconds,
    ext_expires_in: tokenLifetimeSeconds,
    access_token: accessToken,
  };
  if (v1)
    Object.assign(body, {
      expires_on: String(now + tokenLifetimeSeconds),
      not_before: String(now),
      resource: audience,
    });
  return { status: 200, body };
}

function missingParameter(name: string): EntraResponse {
  return entraError(
    400,
    'invalid_request',
    900144,
    `The request body must contain the following parameter: '${name}'.`,
  );
}

function tenantNotFound(tenant: string): EntraResponse {
  return entraError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing ` +
      `into the correct cloud.`,
  );
}

function entraError(status: number, error: string, code: number, description: string): EntraResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description:
        `AADSTS${code}: ${description.replace(/^AADSTS\d+: /, '')} Trace ID: ${traceId} Correlation ID: ` +
        `${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    },
  };
}
