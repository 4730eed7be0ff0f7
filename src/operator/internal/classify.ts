/**
 * `classifyArmError`: one table deciding, for each ARM error code, whether retrying can help (429, 5xx, conflicts
 * that clear, a parent still being created) or not (a bad request: stop until the spec changes), and which severity
 * the Ready condition gets. The ARM code is the condition's reason.
 */

/** How an ARM error is handled. */
export interface ErrorClassification {
  retryable: boolean;
  severity: 'Warning' | 'Error';
  /** The Ready reason: the ARM error code. */
  reason: string;
}

/** Codes whose class does not follow from the HTTP status alone. `true` = retryable. */
const codeTable: Record<string, boolean> = {
  // Throttling and transient service trouble.
  TooManyRequests: true,
  ClientThrottled: true,
  RetryableError: true,
  InternalServerError: true,
  ServiceUnavailable: true,
  GatewayTimeout: true,
  NetworkError: true,
  OperationTimedOut: true,
  // Conflicts that clear on their own.
  Conflict: true,
  AnotherOperationInProgress: true,
  OperationNotAllowed: true,
  ResourceGroupBeingDeleted: true,
  ResourceBusy: true,
  ScopeLocked: true,
  PrincipalNotFound: true,
  // Something the resource sits in does not exist yet (or was just created).
  ResourceNotFound: true,
  ResourceGroupNotFound: true,
  ParentResourceNotFound: true,
  NotFound: true,
  // Credentials and permissions can be fixed outside the spec (a role assignment propagating, a rotated secret).
  AuthenticationFailed: true,
  AuthorizationFailed: true,
  InvalidAuthenticationToken: true,
  LinkedAuthorizationFailed: true,
  MissingSubscriptionRegistration: true,
  SubscriptionNotRegistered: true,
  RequestDisallowedByPolicy: true,
  // Bad requests: only a spec change can help.
  BadRequest: false,
  InvalidParameter: false,
  InvalidRequestContent: false,
  InvalidRequestFormat: false,
  InvalidTemplate: false,
  InvalidResourceName: false,
  InvalidResourceType: false,
  InvalidResourceLocation: false,
  InvalidResourceGroupLocation: false,
  LocationNotAvailableForResourceType: false,
  MissingRequiredProperty: false,
  AccountNameInvalid: false,
  StorageAccountAlreadyTaken: false,
  VaultAlreadyExists: false,
  ConflictingUserInput: false,
  InvalidApiVersionParameter: false,
  NoRegisteredProviderFound: false,
  UnsupportedApiVersion: false,
  PropertyChangeNotAllowed: false,
  // A failed long-running operation: the inner code decides when there is one; without, try again.
  OperationFailed: true,
  ProvisioningFailed: true,
  OperationCanceled: true,
  ProvisioningCanceled: true,
};

/**
 * Classifies an ARM error by code (case-insensitive), then by HTTP status: 408/409/429/5xx and status 0 retry, other
 * 4xx stop.
 */
export function classifyArmError(error: { code: string; statusCode: number }): ErrorClassification {
  const byCode = Object.entries(codeTable).find(([code]) => code.toLowerCase() === error.code.toLowerCase());
  const retryable = byCode !== undefined ? byCode[1] : isRetryableStatus(error.statusCode);
  return { retryable, severity: retryable ? 'Warning' : 'Error', reason: error.code };
}

function isRetryableStatus(status: number): boolean {
  if (status === 0 || status === 408 || status === 409 || status === 429) return true;
  if (status >= 500) return true;
  if (status >= 400) return false;
  return true;
}
