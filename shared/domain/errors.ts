/**
 * Typed domain errors with stable, literal codes. Adapters translate SDK error codes into these;
 * the HTTP edge (shared/runtime/http/response.ts) holds the one table that maps them to statuses.
 */

/** Every code a CrossroleError may carry. Stable: clients (the CLI's hints) match on them. */
export const ERROR_CODES = [
  // the request is malformed
  'VALIDATION', 'INVALID_JSON', 'INVALID_DURATION', 'INVALID_ROLE_NAME', 'INVALID_ACCOUNT_ID', 'INVALID_ARN', 'INVALID_POLICY', 'INVALID_CONFIG',
  'TICKET_REQUIRED', 'TICKET_INVALID',
  // the caller is not authenticated
  'IDENTITY_MISSING', 'IDENTITY_INVALID', 'IDENTITY_ENDPOINT_NOT_ALLOWED', 'IDENTITY_ACTION_NOT_ALLOWED', 'IDENTITY_EXPIRED', 'IDENTITY_REPLAYED', 'IDENTITY_REJECTED',
  // authenticated, but a rule forbids it
  'FORBIDDEN_PARTNER_ACCOUNT', 'FORBIDDEN_PARTNER_NOT_ALLOWED', 'FORBIDDEN_NOT_APPROVER', 'FORBIDDEN_APPROVER_ACCOUNT', 'FORBIDDEN_SELF_APPROVAL', 'FORBIDDEN_NOT_OWNER', 'FORBIDDEN_PRIVILEGED_PROFILE', 'FORBIDDEN_NOT_REQUESTER',
  // nothing there
  'NOT_FOUND', 'ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED',
  // the state does not allow it
  'ILLEGAL_TRANSITION', 'VERSION_CONFLICT', 'ALREADY_EXISTS', 'RESOURCE_OWNED_ELSEWHERE', 'DELETE_CONFLICT', 'ROLE_NAME_TAKEN',
  // extensions (shared/domain/extension.ts): the grant is not ACTIVE, or another change of its expiry is open
  'NOT_ACTIVE', 'EXTENSION_OPEN',
  'NOT_BREAK_GLASS', 'ALREADY_REVIEWED',
  'PAYLOAD_TOO_LARGE',
  // well-formed, but not acceptable by the catalog
  'UNKNOWN_PROFILE', 'DURATION_OVER_MAXIMUM', 'EXTENSION_TOO_LONG', 'POLICY_GUARDRAIL', 'LIMIT_EXCEEDED',
  'THROTTLED',
  // a dependency failed; the caller may retry
  'DEPENDENCY_UNAVAILABLE', 'CLOUD_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

interface CrossroleErrorOptions extends ErrorOptions {
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

/** Narrow an unknown thrown value to an Error (for `catch (e: unknown)`). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** The message of anything thrown, for logs and for wrapping it in a message of our own. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
