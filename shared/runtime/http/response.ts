/**
 * FC 3.0 HTTP responses out, and the ONE mapping from error codes to HTTP statuses (the domain
 * keeps stable codes only). Handlers return `jsonResponse(...)`; anything they throw goes through
 * `toHttpResponse`, which exposes only CrossroleError codes and messages (written for callers) and
 * turns everything else into a generic 500, logging the details instead of returning them.
 */
import { z } from 'zod';
import { CrossroleError, type ErrorCode } from '../../domain/errors';
import type { Logger } from '../../domain/ports';
import { fromZodError } from '../../domain/validation';
import { createLogger } from '../logger';

/** The status each error code answers with. Every code has one (the type says so). */
export const HTTP_STATUS = {
  // 400: the request is malformed
  VALIDATION: 400,
  INVALID_JSON: 400,
  INVALID_DURATION: 400,
  INVALID_ROLE_NAME: 400,
  INVALID_ACCOUNT_ID: 400,
  INVALID_ARN: 400,
  INVALID_POLICY: 400,
  // The operator's mistake, not the caller's: toHttpResponse answers 500 for it.
  INVALID_CONFIG: 400,
  TICKET_REQUIRED: 400,
  TICKET_INVALID: 400,
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
  FORBIDDEN_NOT_REQUESTER: 403,
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
  ROLE_NAME_TAKEN: 409,
  NOT_ACTIVE: 409,
  EXTENSION_OPEN: 409,
  NOT_BREAK_GLASS: 409,
  ALREADY_REVIEWED: 409,
  // 413
  PAYLOAD_TOO_LARGE: 413,
  // 422: well-formed, but not acceptable by the catalog
  UNKNOWN_PROFILE: 422,
  DURATION_OVER_MAXIMUM: 422,
  EXTENSION_TOO_LONG: 422,
  POLICY_GUARDRAIL: 422,
  LIMIT_EXCEEDED: 422,
  // 429
  THROTTLED: 429,
  // 503: a dependency failed; the caller may retry
  DEPENDENCY_UNAVAILABLE: 503,
  CLOUD_ERROR: 503,
  INTERNAL: 500,
} as const satisfies Record<ErrorCode, number>;

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** What an FC 3.0 HTTP handler returns. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** Sent with every response: API answers carry grants and must not be cached or sniffed. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) extra[k.toLowerCase()] = v;
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...extra, ...SECURITY_HEADERS },
    body: body === undefined ? '' : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
  requestId: string;
}

interface ResponseContext {
  requestId?: string;
  /** Where 5xx details (and 4xx summaries) are logged. Default: a JSON logger on stdout. */
  logger?: Logger;
}

let defaultLogger: Logger | undefined;
function loggerOf(ctx: ResponseContext): Logger {
  if (ctx.logger !== undefined) return ctx.logger;
  defaultLogger ??= createLogger();
  return defaultLogger;
}

/** True for a value that is already a complete FC HTTP response (a handler's result). */
function isHttpResponse(value: unknown): value is HttpResponse {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.statusCode === 'number' && typeof v.body === 'string' && v.isBase64Encoded === false && typeof v.headers === 'object' && v.headers !== null;
}

function isZodError(e: unknown): e is z.ZodError {
  return e instanceof z.ZodError;
}

const GENERIC_500 = 'internal error; quote the requestId when reporting it';

/**
 * Map a handler's outcome to an FC HTTP response: a ready HttpResponse passes through (with the
 * security headers enforced); anything else is treated as an error:
 * - CrossroleError → its status in HTTP_STATUS, body `{error: {code, message, field?}, requestId}`;
 * - ZodError → 400 VALIDATION naming the field;
 * - anything else (and INVALID_CONFIG, which is the operator's fault, not the caller's) → 500
 *   INTERNAL with a generic message, details logged, nothing leaked.
 */
export function toHttpResponse(outcome: unknown, ctx: ResponseContext = {}): HttpResponse {
  if (isHttpResponse(outcome)) return { ...outcome, headers: { ...outcome.headers, ...SECURITY_HEADERS } };
  const requestId = ctx.requestId ?? '';
  const log = loggerOf(ctx);
  let err: CrossroleError | undefined;
  if (outcome instanceof CrossroleError) err = outcome;
  else if (isZodError(outcome)) err = fromZodError(outcome);

  if (err === undefined || err.code === 'INVALID_CONFIG' || err.code === 'INTERNAL') {
    log.error('unhandled error', { requestId, error: outcome });
    return errorResponse(500, { code: 'INTERNAL', message: GENERIC_500 }, requestId);
  }
  const status = httpStatusOf(err.code);
  const body: ErrorBody['error'] = { code: err.code, message: err.message, ...(err.field === undefined ? {} : { field: err.field }) };
  if (status >= 500) log.error('request failed', { requestId, error: err });
  else if (status === 401 || status === 403) log.warn('request refused', { requestId, code: err.code, message: err.message });
  else log.info('request rejected', { requestId, code: err.code, message: err.message });

  const headers: Record<string, string> = {};
  const allow = err.details?.allow;
  if (err.code === 'METHOD_NOT_ALLOWED' && Array.isArray(allow)) headers.allow = allow.join(', ');
  const retryAfter = err.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number' && (status === 429 || status === 503)) headers['retry-after'] = String(Math.ceil(retryAfter));
  return errorResponse(status, body, requestId, headers);
}

function errorResponse(status: number, error: ErrorBody['error'], requestId: string, headers: Record<string, string> = {}): HttpResponse {
  const body: ErrorBody = { error, requestId };
  return jsonResponse(status, body, headers);
}
