/** Kubernetes `Status` errors: one class carrying the HTTP code, reason, message and field causes. */

/** One cause of a Status error (field-level problem, SSA conflict, terminating namespace…). */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** Details of a Status error: which object, and the causes. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** An error the API server answers with a `Status` object. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  /** The `Status` object for this error. */
  toStatus(): Record<string, unknown> {
    return statusObject({ code: this.code, reason: this.reason, message: this.message, details: this.details });
  }
}

/** A Kubernetes `Status` object (failure unless code < 400). */
export function statusObject(options: {
  code: number;
  reason?: string;
  message?: string;
  details?: StatusDetails;
}): Record<string, unknown> {
  const status: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: options.code < 400 ? 'Success' : 'Failure',
  };
  if (options.message !== undefined) status.message = options.message;
  if (options.reason !== undefined) status.reason = options.reason;
  if (options.details !== undefined) status.details = options.details;
  status.code = options.code;
  return status;
}

/** "widgets.example.com" or "configmaps" (core group has no suffix): how messages name a resource type. */
export function qualifiedResource(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export function badRequest(message: string, details?: StatusDetails): ApiError {
  return new ApiError(400, 'BadRequest', message, details);
}

export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function conflict(
  resource: string,
  group: string,
  name: string,
  detail: string,
  causes?: StatusCause[],
): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${detail}`,
    {
      name,
      group: group || undefined,
      kind: resource,
      ...(causes ? { causes } : {}),
    },
  );
}

export const staleMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid with one cause per field problem: `Kind.group "name" is invalid: [a: msg, b: msg]`. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  const parts = causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message));
  const summary = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message, {});
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message, {});
}

export function forbidden(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError(403, 'Forbidden', message, causes ? { causes } : {});
}

/** A "Required value" cause. */
export function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

/** An "Invalid value" cause, the value rendered as Kubernetes does (JSON for strings/numbers). */
export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${renderValue(value)}: ${detail}`, field };
}

export function forbiddenField(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

export function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}
