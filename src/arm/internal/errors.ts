/**
 * `ArmError`: every failure the ARM client reports (an ARM error response, a failed long-running operation, a
 * client-side throttle, a network or token failure), with ARM's error `code`. Messages never contain credentials.
 */

/** One entry of ARM's `error.details`. */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/** What `ArmError` is built from. */
export interface ArmErrorInit {
  /**
   * ARM's error code (`ResourceNotFound`, `InvalidTemplate`, …) or a client code (`ClientThrottled`, `NetworkError`,
   * `AuthenticationFailed`).
   */
  code: string;
  /** HTTP status; 0 when no response arrived (network or token failure). */
  statusCode: number;
  message: string;
  details?: ArmErrorDetail[];
  /** From `Retry-After` (or the client's own throttle): when a retry may succeed. */
  retryAfterMs?: number;
  /** `x-ms-request-id` / `x-ms-client-request-id` of the failed request, for support. */
  requestId?: string;
  /** true when a long-running operation ended in failure: its poll state is spent (poll again → same failure). */
  operationEnded?: boolean;
}

/** An error from ARM or from the way to it. See `ArmErrorInit` for the fields. */
export class ArmError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: ArmErrorDetail[];
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  /** See `ArmErrorInit.operationEnded`; default false. */
  readonly operationEnded: boolean;

  constructor(init: ArmErrorInit) {
    super(init.message);
    this.name = 'ArmError';
    this.code = init.code;
    this.statusCode = init.statusCode;
    this.details = init.details ?? [];
    this.retryAfterMs = init.retryAfterMs;
    this.requestId = init.requestId;
    this.operationEnded = init.operationEnded ?? false;
  }
}

/** Type guard for `ArmError`. */
export function isArmError(value: unknown): value is ArmError {
  return value instanceof ArmError;
}

/** true for a 404 from ARM (the resource, its resource group or its parent does not exist). */
export function isNotFound(value: unknown): boolean {
  return isArmError(value) && value.statusCode === 404;
}

/**
 * Builds an `ArmError` from an ARM error body (`{error: {code, message, details}}`, a bare `{code, message}`, or
 * anything else), the HTTP status and headers.
 */
export function armErrorFromResponse(options: {
  statusCode: number;
  body: unknown;
  retryAfterMs?: number;
  requestId?: string;
}): ArmError {
  const { statusCode, body } = options;
  const envelope = isRecord(body) && isRecord(body['error']) ? body['error'] : isRecord(body) ? body : {};
  const code =
    typeof envelope['code'] === 'string' && envelope['code'] !== '' ? envelope['code'] : defaultCode(statusCode);
  const message =
    typeof envelope['message'] === 'string' && envelope['message'] !== ''
      ? envelope['message']
      : `ARM returned HTTP ${statusCode}`;
  const details = Array.isArray(envelope['details'])
    ? envelope['details'].filter(isRecord).map((detail) => ({
        code: typeof detail['code'] === 'string' ? detail['code'] : 'Unknown',
        message: typeof detail['message'] === 'string' ? detail['message'] : '',
        ...(typeof detail['target'] === 'string' ? { target: detail['target'] } : {}),
      }))
    : [];
  return new ArmError({
    code,
    statusCode,
    message,
    details,
    ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
  });
}

function defaultCode(statusCode: number): string {
  if (statusCode === 404) return 'NotFound';
  if (statusCode === 409) return 'Conflict';
  if (statusCode === 429) return 'TooManyRequests';
  if (statusCode === 401) return 'AuthenticationFailed';
  if (statusCode === 403) return 'AuthorizationFailed';
  if (statusCode >= 500) return 'InternalServerError';
  return 'BadRequest';
}

/** true for a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
