/**
 * Microsoft Graph v1.0 groups, as the emulator serves them (`/v1.0/groups…` on its HTTPS listener): create, read,
 * list with `$filter` on `displayName` or `mailNickname`, update and delete, with Graph's validation and error shape
 * (`{error: {code, message, innerError}}`). Callers need a token for `https://graph.microsoft.com` from the
 * emulator's token service. Groups live in the emulator's state (saved with it under `--data-dir`).
 */
import { randomUUID } from 'node:crypto';
import type { GraphGroupRecord } from './state.js';
import { isObject } from './http.js';

/** What the handler needs from the server. */
export interface GraphContext {
  groups: Map<string, GraphGroupRecord>;
  /** The claims of a valid token, or why it is not valid. */
  verify(token: string): { claims: Record<string, unknown> } | { problem: string };
  /** The tenant's default domain: a group's `mail` is `<mailNickname>@<domain>`. */
  domain: string;
  now(): Date;
}

/** A Graph request: the path segments after `v1.0`. */
export interface GraphRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  authorization: string | undefined;
}

/** The answer; `changed` tells the server to save the state. */
export interface GraphResponse {
  status: number;
  body?: unknown;
  changed: boolean;
}

const graphAudiences = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];
const contextUrl = 'https://graph.microsoft.com/v1.0/$metadata#groups';
/** The group properties a client may send; others are refused as Graph refuses them. */
const writable = new Set([
  'description',
  'displayName',
  'groupTypes',
  'isAssignableToRole',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'visibility',
  'membershipRule',
  'membershipRuleProcessingState',
  'classification',
]);
/** Graph refuses these characters in a mail nickname (and anything outside ASCII). */
const nicknameForbidden = /[@()\\[\]";:<>,\s]/;

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Handles one Graph request; never throws for a client's mistake. */
export function handleGraph(request: GraphRequest, context: GraphContext): GraphResponse {
  try {
    authenticate(request.authorization, context);
    return route(request, context);
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return { status: error.status, body: errorBody(error, context.now()), changed: false };
  }
}

function errorBody(error: GraphError, now: Date) {
  return {
    error: {
      code: error.code,
      message: error.message,
      innerError: { date: now.toISOString().replace(/\.\d+Z$/, ''), 'request-id': randomUUID() },
    },
  };
}

function authenticate(header: string | undefined, context: GraphContext): void {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (token === undefined) {
    throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  }
  const verified = context.verify(token);
  if ('problem' in verified) {
    const message =
      verified.problem === 'expired'
        ? 'Lifetime validation failed, the token is expired.'
        : 'Access token validation failure. Invalid audience.';
    throw new GraphError(401, 'InvalidAuthenticationToken', message);
  }
  const audience = String(verified.claims.aud ?? '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (!graphAudiences.includes(audience)) {
    throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  }
}

function route(request: GraphRequest, context: GraphContext): GraphResponse {
  const [collection, id, ...rest] = request.segments;
  if (collection?.toLowerCase() !== 'groups' || rest.length > 0) {
    const path = ['v1.0', ...request.segments].join('/');
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${path}'.`);
  }
  const method = request.method;
  if (id === undefined) {
    if (method === 'GET')
      return {
        status: 200,
        body: { '@odata.context': contextUrl, value: list(request.query, context) },
        changed: false,
      };
    if (method === 'POST') {
      const group = create(request.body, context);
      return { status: 201, body: { '@odata.context': `${contextUrl}/$entity`, ...group }, changed: true };
    }
  } else {
    const key = id.toLowerCase();
    const group = context.groups.get(key);
    if (group === undefined) {
      throw new GraphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    if (method === 'GET')
      return { status: 200, body: { '@odata.context': `${contextUrl}/$entity`, ...group }, changed: false };
    if (method === 'PATCH') {
      context.groups.set(key, update(group, request.body, context));
      return { status: 204, changed: true };
    }
    if (method === 'DELETE') {
      context.groups.delete(key);
      return { status: 204, changed: true };
    }
  }
  throw new GraphError(405, 'Request_BadRequest', `The HTTP method '${method}' is not allowed on this resource.`);
}

/** `displayName eq 'x'` or `mailNickname eq 'x'` (quotes doubled inside the literal), as Graph spells them. */
export function parseGroupFilter(filter: string): { property: 'displayName' | 'mailNickname'; value: string } {
  const match = /^\s*(displayName|mailNickname)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
  if (!match?.[1] || match[2] === undefined) {
    throw new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified: '${filter}'.`,
    );
  }
  const property = match[1].toLowerCase() === 'displayname' ? 'displayName' : 'mailNickname';
  return { property, value: match[2].replace(/''/g, "'") };
}

function list(query: URLSearchParams, context: GraphContext): GraphGroupRecord[] {
  const all = [...context.groups.values()].sort((a, b) =>
    String(a.createdDateTime).localeCompare(String(b.createdDateTime)),
  );
  const filter = query.get('$filter');
  if (filter === null) return all;
  const { property, value } = parseGroupFilter(filter);
  // Graph compares these properties case-insensitively.
  return all.filter((group) => String(group[property] ?? '').toLowerCase() === value.toLowerCase());
}

function invalidValue(property: string): GraphError {
  return new GraphError(
    400,
    'Request_BadRequest',
    `Invalid value specified for property '${property}' of resource 'Group'.`,
  );
}

function checkProperties(body: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@') || name.includes('@odata.')) continue;
    if (!writable.has(name)) {
      throw new GraphError(
        400,
        'Request_BadRequest',
        `Property '${name}' does not exist on type 'microsoft.graph.group' or is read-only.`,
      );
    }
    const isBoolean = ['mailEnabled', 'securityEnabled', 'isAssignableToRole'].includes(name);
    if (isBoolean && typeof value !== 'boolean') throw invalidValue(name);
    if (
      name === 'groupTypes' &&
      (!Array.isArray(value) || !value.every((item) => ['Unified', 'DynamicMembership'].includes(String(item))))
    ) {
      throw invalidValue(name);
    }
  }
  if (
    'displayName' in body &&
    (typeof body.displayName !== 'string' || body.displayName.trim() === '' || body.displayName.length > 256)
  ) {
    throw invalidValue('displayName');
  }
  if ('mailNickname' in body) {
    const nickname = body.mailNickname;
    if (
      typeof nickname !== 'string' ||
      nickname === '' ||
      nickname.length > 64 ||
      nicknameForbidden.test(nickname) ||
      [...nickname].some((char) => char.charCodeAt(0) > 0x7f)
    ) {
      throw invalidValue('mailNickname');
    }
  }
}

function create(body: unknown, context: GraphContext): GraphGroupRecord {
  if (!isObject(body))
    throw new GraphError(400, 'Request_BadRequest', 'A request body is required and must be a JSON object.');
  checkProperties(body);
  for (const required of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
    if (body[required] === undefined) throw invalidValue(required);
  }
  if (body.isAssignableToRole === true && (body.securityEnabled !== true || body.mailEnabled === true)) {
    throw new GraphError(
      400,
      'Request_BadRequest',
      'IsAssignableToRole can only be set on security groups that are not mail-enabled.',
    );
  }
  const id = randomUUID();
  const group: GraphGroupRecord = {
    id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: context.now().toISOString(),
    description: null,
    displayName: null,
    groupTypes: [],
    isAssignableToRole: null,
    mail: null,
    mailEnabled: false,
    mailNickname: null,
    membershipRule: null,
    membershipRuleProcessingState: null,
    renewedDateTime: context.now().toISOString(),
    securityEnabled: false,
    securityIdentifier: `S-1-12-1-${id.replace(/-/g, '').slice(0, 8)}`,
    visibility: null,
    ...withoutAnnotations(body),
  };
  context.groups.set(id, withMail(group, context.domain));
  return context.groups.get(id) as GraphGroupRecord;
}

function update(group: GraphGroupRecord, body: unknown, context: GraphContext): GraphGroupRecord {
  if (!isObject(body))
    throw new GraphError(400, 'Request_BadRequest', 'A request body is required and must be a JSON object.');
  checkProperties(body);
  if ('isAssignableToRole' in body && body.isAssignableToRole !== group.isAssignableToRole) {
    throw new GraphError(
      400,
      'Request_BadRequest',
      "Property 'isAssignableToRole' is read-only once the group is created.",
    );
  }
  return withMail({ ...group, ...withoutAnnotations(body), id: group.id }, context.domain);
}

function withoutAnnotations(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(([name]) => !name.startsWith('@') && !name.includes('@odata.')),
  );
}

/** Mail-enabled and Microsoft 365 groups have an address in the tenant's domain; other security groups have none. */
function withMail(group: GraphGroupRecord, domain: string): GraphGroupRecord {
  const types = Array.isArray(group.groupTypes) ? group.groupTypes : [];
  const hasMail = group.mailEnabled === true || types.includes('Unified');
  return { ...group, mail: hasMail ? `${String(group.mailNickname)}@${domain}` : null };
}
