/**
 * Typed domain errors with stable, literal codes. Adapters translate SDK error
 * codes into these; `shared/runtime/http-errors.ts` is the one place that maps
 * them to HTTP responses (via {@link httpStatusOf}).
 */

export const ERROR_HTTP_STATUS = {
  // 400: the request is malformed
  VALIDATION: 400,
  INVALID_JSON: 400,
  INVALID_DURATION: 400,
  INVALID_ROLE_NAME: 400,
  INVALID_ACCOUNT_ID: 400,
  INVALID_ARN: 400,
  INVALID_POLICY: 400,
  INVALID_CONFIG: 400,
  // 401: the caller is not authenticated
  IDENTITY_MISSING: 401,
  IDENTITY_INVALID: 401,
  IDENTITY_ENDPOINT_NOT_ALLOWED: 401,
  IDENTITY_ACTION_NOT_ALLOWED: 401,
  IDENTITY_EXPIRED: 401,
  IDENTITY_REPLAYED: 401,
  IDENTITY_REJECTED: 401,
  // 403: authenticated, but a rule forbids it
  FORBIDDEN_PARTNER_ACCOUNT: 403,
  FORBIDDEN_PARTNER_NOT_ALLOWED: 403,
  FORBIDDEN_NOT_APPROVER: 403,
  FORBIDDEN_APPROVER_ACCOUNT: 403,
  FORBIDDEN_SELF_APPROVAL: 403,
  FORBIDDEN_NOT_OWNER: 403,
  FORBIDDEN_PRIVILEGED_PROFILE: 403,
  // 404
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  // 405
  METHOD_NOT_ALLOWED: 405,
  // 409: the state does not allow it
  ILLEGAL_TRANSITION: 409,
  VERSION_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_OWNED_ELSEWHERE: 409,
  DELETE_CONFLICT: 409,
  // 413
  PAYLOAD_TOO_LARGE: 413,
  // 422: well-formed, but not acceptable by the catalog
  UNKNOWN_PROFILE: 422,
  DURATION_OVER_MAXIMUM: 422,
  POLICY_GUARDRAIL: 422,
  LIMIT_EXCEEDED: 422,
  // 429
  THROTTLED: 429,
  // 503: a dependency failed; the caller may retry
  DEPENDENCY_UNAVAILABLE: 503,
  CLOUD_ERROR: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export interface CrossroleErrorOptions extends ErrorOptions {
  /** The offending field, for validation errors (e.g. `profiles[2].maxDuration`). */
  field?: string;
  /** Extra, non-sensitive detail for logs and clients. */
  details?: Record<string, unknown>;
}

/** Base of every expected failure. Anything that is not a CrossroleError is a bug (500). */
export class CrossroleError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: CrossroleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CrossroleError';
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.details !== undefined) this.details = options.details;
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; field?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** A value failed validation; `field` names it. */
export class ValidationError extends CrossroleError {
  constructor(code: ErrorCode, field: string, message: string, options: CrossroleErrorOptions = {}) {
    super(code, `${field}: ${message}`, { ...options, field });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends CrossroleError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found`, { details: { id } });
    this.name = 'NotFoundError';
  }
}

export class IllegalTransitionError extends CrossroleError {
  constructor(from: string, to: string, id?: string) {
    super('ILLEGAL_TRANSITION', `cannot move ${id ? `request ${id} ` : ''}from ${from} to ${to}`, { details: { from, to, ...(id ? { id } : {}) } });
    this.name = 'IllegalTransitionError';
  }
}

/** Optimistic concurrency: somebody else moved the row first. */
export class VersionConflictError extends CrossroleError {
  constructor(id: string, expectedVersion: number) {
    super('VERSION_CONFLICT', `request ${id} was changed concurrently (expected version ${expectedVersion})`, { details: { id, expectedVersion } });
    this.name = 'VersionConflictError';
  }
}

export class ForbiddenError extends CrossroleError {
  constructor(code: Extract<ErrorCode, `FORBIDDEN_${string}`>, message: string) {
    super(code, message);
    this.name = 'ForbiddenError';
  }
}

export class AuthenticationError extends CrossroleError {
  constructor(code: Extract<ErrorCode, `IDENTITY_${string}`>, message: string, options: CrossroleErrorOptions = {}) {
    super(code, message, options);
    this.name = 'AuthenticationError';
  }
}

export function isCrossroleError(e: unknown): e is CrossroleError {
  return e instanceof CrossroleError;
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_HTTP_STATUS[code];
}

/** Narrow an unknown thrown value to an Error (for `catch (e: unknown)`). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
