/** The error every patch algorithm throws when a patch cannot apply. */

/**
 * A patch that cannot apply: 400 (malformed patch) or 422 (test op failed / bad path on valid object), 409 conflict.
 */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly httpStatus: 400 | 409 | 422,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** Type guard for PatchError. */
export function isPatchError(error: unknown): error is PatchError {
  return error instanceof PatchError;
}
