/**
 * The admin API under `/_emulator/` (no authentication: the emulator listens on loopback) and the structures behind
 * it: the request log, fault rules (fail, delay or drop the next N requests matching a method and path pattern, or
 * make the long-running operation they start end Failed/Canceled), run-time settings and registered clients.
 */
import { randomUUID } from 'node:crypto';
import { ArmError } from './errors.js';
import { isObject } from './http.js';

/** One logged request (ARM and token requests; admin requests are not logged). */
export interface EmulatorRequest {
  /** Its place in the log (from 1, in the order requests finish): `GET /_emulator/requests?since=N` reads after N. */
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** Path without the query string. */
  path: string;
  apiVersion?: string;
  /** Parsed JSON body (token requests: omitted, they carry secrets). */
  body?: unknown;
  status: number;
  durationMs: number;
  /** `x-ms-client-request-id` sent by the client, if any. */
  clientRequestId?: string;
  /** The fault rule that handled the request, if any. */
  faultId?: string;
}

/** A fault rule as posted to `POST /_emulator/faults`. */
export interface FaultRule {
  /** HTTP method to match (case-insensitive); absent or `*` → any. */
  method?: string;
  /** Regular expression (case-insensitive) tested against the path without query; absent → any path. */
  path?: string;
  /** How many matching requests to affect (default 1; 0 → unlimited until deleted). */
  count?: number;
  /**
   * Respond with this status and an ARM error body instead of handling the request; with `provisioningState`, the
   * HTTP status the operation's Location poll fails with instead (default 400).
   */
  status?: number;
  /**
   * ARM error code for `status` (default from the status: 429 → `SubscriptionRequestsThrottled`, 503 →
   * `ServiceUnavailable`…).
   */
  code?: string;
  message?: string;
  /** `Retry-After` seconds for the error response (429/503 default 0 so SDK retry policies retry at once). */
  retryAfterSeconds?: number;
  /** Wait this long before handling (or failing, or dropping) the request. */
  latencyMs?: number;
  /** Destroy the connection without a response. */
  drop?: boolean;
  /**
   * Let the request start its long-running operation normally, but end it Failed or Canceled (with `code`/`message`).
   */
  provisioningState?: 'Failed' | 'Canceled';
}

/** A stored rule with its id and remaining count. */
export interface ActiveFault extends FaultRule {
  id: string;
  remaining: number;
  pattern: RegExp | undefined;
}

const defaultCodes: Record<number, string> = {
  400: 'BadRequest',
  401: 'AuthenticationFailed',
  403: 'AuthorizationFailed',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'SubscriptionRequestsThrottled',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Validates a posted rule and makes it active. */
export function compileFault(input: unknown): ActiveFault {
  if (!isObject(input)) throw new ArmError(400, 'InvalidRequestContent', 'A fault rule must be a JSON object.');
  const rule = input as FaultRule;
  if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599))
    throw new ArmError(400, 'InvalidParameter', "'status' must be an HTTP error status (400-599).", {
      target: 'status',
    });
  if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 0))
    throw new ArmError(400, 'InvalidParameter', "'count' must be a non-negative integer.", { target: 'count' });
  if (
    rule.provisioningState !== undefined &&
    rule.provisioningState !== 'Failed' &&
    rule.provisioningState !== 'Canceled'
  )
    throw new ArmError(400, 'InvalidParameter', "'provisioningState' must be 'Failed' or 'Canceled'.", {
      target: 'provisioningState',
    });
  if (
    rule.status === undefined &&
    rule.drop !== true &&
    rule.latencyMs === undefined &&
    rule.provisioningState === undefined
  ) {
    throw new ArmError(
      400,
      'InvalidParameter',
      "A fault rule needs 'status', 'drop', 'latencyMs' or 'provisioningState'.",
    );
  }
  let pattern: RegExp | undefined;
  if (rule.path !== undefined) {
    try {
      pattern = new RegExp(rule.path, 'i');
    } catch (error) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `'path' is not a valid regular expression: ${(error as Error).message}`,
        { target: 'path' },
      );
    }
  }
  const count = rule.count ?? 1;
  return { ...rule, count, id: randomUUID(), remaining: count === 0 ? Number.POSITIVE_INFINITY : count, pattern };
}

/** Finds the first rule matching the request and uses one of its counts. */
export function takeFault(faults: ActiveFault[], method: string, path: string): ActiveFault | undefined {
  const index = faults.findIndex(
    (fault) =>
      (fault.method === undefined || fault.method === '*' || fault.method.toUpperCase() === method) &&
      (fault.pattern === undefined || fault.pattern.test(path)),
  );
  const fault = index < 0 ? undefined : faults[index];
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) faults.splice(index, 1);
  return fault;
}

/** The ARM error a status fault answers with. */
export function faultError(fault: ActiveFault): ArmError {
  const status = fault.status ?? 500;
  const code = fault.code ?? defaultCodes[status] ?? 'InjectedFault';
  const retryAfter = fault.retryAfterSeconds ?? (status === 429 || status === 503 ? 0 : undefined);
  return new ArmError(
    status,
    code,
    fault.message ?? `Injected fault ${fault.id}: ${status} ${code}.`,
    retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } },
  );
}

/** A public view of a rule (no compiled pattern). */
export function describeFault(fault: ActiveFault): Record<string, unknown> {
  const { pattern: _pattern, remaining, ...rest } = fault;
  return { ...rest, remaining: Number.isFinite(remaining) ? remaining : null };
}
