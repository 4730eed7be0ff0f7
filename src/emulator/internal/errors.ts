/**
 * ARM's error envelope: `{"error":{"code","message","target","details"}}`, thrown by handlers and rendered by the
 * server.
 */

/** One entry of an ARM error's `details`. */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/** An ARM error response: HTTP status, ARM code, message, optional target/details and extra response headers. */
export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly details: ArmErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { target?: string; details?: ArmErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ArmError';
    this.status = status;
    this.code = code;
    this.target = extra.target;
    this.details = extra.details ?? [];
    this.headers = extra.headers ?? {};
  }

  /** The JSON body ARM sends for this error. */
  toBody(): { error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.target !== undefined ? { target: this.target } : {}),
        ...(this.details.length > 0 ? { details: this.details } : {}),
      },
    };
  }
}

/** 400 for a body that is not JSON (or not a JSON object). */
export function invalidRequestContent(reason: string): ArmError {
  return new ArmError(
    400,
    'InvalidRequestContent',
    `The request content was invalid and could not be deserialized: '${reason}'.`,
  );
}

export function resourceGroupNotFound(name: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

export function resourceNotFound(type: string, name: string, resourceGroup: string | undefined): ArmError {
  const where = resourceGroup === undefined ? '' : ` under resource group '${resourceGroup}'`;
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}'${where} was not found. For more details please go to ` +
      `https://aka.ms/ARMResourceNotFoundFix`,
  );
}
