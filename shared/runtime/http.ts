/**
 * The HTTP edge of the functions: FC 3.0 HTTP events in (reference/fc-sdevs-ram.md §2.2),
 * FC responses out, and the one mapping from errors to HTTP statuses.
 *
 * Handlers return `jsonResponse(...)`; anything they throw goes through `toHttpResponse`, which
 * exposes only CrossroleError codes and messages (written for callers) and turns everything else
 * into a generic 500, logging the details instead of returning them.
 */
import { z } from 'zod/v3';
import { CrossroleError, ValidationError, type ErrorCode } from '../domain/errors';
import { formatPath } from '../domain/catalog';
import { truncate } from '../domain/duration';
import type { Logger } from '../domain/ports';
import { DEFAULT_MAX_BODY_BYTES } from './config';
import { createLogger } from './logger';

// ---------------------------------------------------------------- request

export interface HttpRequest {
  /** Upper-case method, e.g. `POST`. */
  method: string;
  /** URL-encoded path as sent (`rawPath`), without the query string. */
  rawPath: string;
  /** Decoded path (`requestContext.http.path`, or `rawPath` decoded). */
  path: string;
  /** Header names lower-cased; multi-valued headers comma-joined, as FC delivers them. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The body as UTF-8 text, base64-decoded when the event said so; '' when absent. */
  body: string;
  /** Size of the decoded body in bytes. */
  bodyBytes: number;
  /** FC's request id for this invocation ('' when the event carries none). */
  requestId: string;
  sourceIp?: string;
  /** When FC received the request (ISO-8601), if present. */
  time?: string;
}

export interface ParseHttpEventOptions {
  /** Largest accepted decoded body; larger ones fail with PAYLOAD_TOO_LARGE (413). */
  maxBodyBytes?: number;
}

const stringMap = z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional();

/** FC 3.0 HTTP event v1, as FC's built-in runtimes deliver it. Unknown fields are tolerated (FC adds some). */
export const httpEventSchema = z.object({
  version: z.literal('v1').optional(),
  rawPath: z.string().startsWith('/').optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  headers: stringMap,
  queryParameters: stringMap,
  requestContext: z.object({
    accountId: z.string().optional(),
    domainName: z.string().optional(),
    domainPrefix: z.string().optional(),
    http: z.object({
      method: z.string().regex(/^[A-Za-z]{1,16}$/, 'must be an HTTP method'),
      path: z.string().startsWith('/'),
      protocol: z.string().optional(),
      sourceIp: z.string().optional(),
      userAgent: z.string().optional(),
    }),
    requestId: z.string().optional(),
    time: z.string().optional(),
    timeEpoch: z.string().optional(),
  }),
});
export type HttpEvent = z.infer<typeof httpEventSchema>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Turn FC's `event` argument (a Buffer in the real runtime; strings and objects accepted for tests)
 * into an HttpRequest. Throws ValidationError VALIDATION for a malformed event or base64 body,
 * and CrossroleError PAYLOAD_TOO_LARGE when the body exceeds the limit.
 */
export function parseHttpEvent(event: Buffer | string | object, options: ParseHttpEventOptions = {}): HttpRequest {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const raw = decodeEventArgument(event, 'event');
  const r = httpEventSchema.safeParse(raw);
  if (!r.success) throw fromZodError(r.error, 'event', 'not an FC HTTP event');
  const e = r.data;

  const encoded = e.body ?? '';
  let body: string;
  let bodyBytes: number;
  if (e.isBase64Encoded === true) {
    // Check the size before decoding: the decoded size is known from the encoded length.
    if (Math.floor((encoded.length * 3) / 4) - 2 > maxBodyBytes) throw tooLarge(maxBodyBytes);
    const compact = encoded.replace(/\s+/g, '');
    if (compact.length % 4 === 1 || !BASE64.test(compact)) throw new ValidationError('VALIDATION', 'body', 'isBase64Encoded is true but the body is not valid base64');
    const bytes = Buffer.from(compact, 'base64');
    bodyBytes = bytes.length;
    body = bytes.toString('utf8');
  } else {
    body = encoded;
    bodyBytes = Buffer.byteLength(encoded, 'utf8');
  }
  if (bodyBytes > maxBodyBytes) throw tooLarge(maxBodyBytes);

  const ctx = e.requestContext;
  const rawPath = stripQuery(e.rawPath ?? ctx.http.path);
  return {
    method: ctx.http.method.toUpperCase(),
    rawPath,
    path: ctx.http.path,
    headers: lowerCaseKeys(e.headers ?? {}),
    query: joinValues(e.queryParameters ?? {}),
    body,
    bodyBytes,
    requestId: ctx.requestId ?? '',
    ...(ctx.http.sourceIp === undefined ? {} : { sourceIp: ctx.http.sourceIp }),
    ...(ctx.time === undefined ? {} : { time: ctx.time }),
  };
}

/** FC hands the event over as a Buffer of JSON text; accept the forms tests and local runners use too. */
export function decodeEventArgument(event: unknown, field: string): unknown {
  if (Buffer.isBuffer(event) || typeof event === 'string') {
    const text = Buffer.isBuffer(event) ? event.toString('utf8') : event;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ValidationError('VALIDATION', field, 'is not JSON');
    }
  }
  if (event instanceof Uint8Array) return decodeEventArgument(Buffer.from(event), field);
  return event;
}

function tooLarge(maxBodyBytes: number): CrossroleError {
  return new CrossroleError('PAYLOAD_TOO_LARGE', `request body exceeds ${maxBodyBytes} bytes`, { details: { maxBodyBytes } });
}

function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

function lowerCaseKeys(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(',') : v;
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}

function joinValues(map: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/**
 * Parse the body as a JSON object. Empty or malformed JSON → INVALID_JSON (400); valid JSON that is
 * not an object (array, string, number, null) → VALIDATION (400); too big → PAYLOAD_TOO_LARGE (413).
 */
export function parseJsonBody(req: Pick<HttpRequest, 'body' | 'bodyBytes'>, maxBytes: number = DEFAULT_MAX_BODY_BYTES): Record<string, unknown> {
  if (req.bodyBytes > maxBytes || Buffer.byteLength(req.body, 'utf8') > maxBytes) throw tooLarge(maxBytes);
  if (req.body.trim() === '') throw new ValidationError('INVALID_JSON', 'body', 'is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(req.body);
  } catch (e) {
    // JSON.parse's own message says where it stopped ("Unexpected token } in JSON at position 12").
    const why = e instanceof Error ? e.message : 'syntax error';
    throw new ValidationError('INVALID_JSON', 'body', `is not valid JSON (${truncate(why, 120)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('VALIDATION', 'body', `must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

// ---------------------------------------------------------------- response

/** What an FC 3.0 HTTP handler returns. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** Sent with every response: API answers carry grants and must not be cached or sniffed. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
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

export interface ResponseContext {
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
export function isHttpResponse(value: unknown): value is HttpResponse {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.statusCode === 'number' && typeof v.body === 'string' && v.isBase64Encoded === false && typeof v.headers === 'object' && v.headers !== null;
}

export function isZodError(e: unknown): e is z.ZodError {
  return e instanceof z.ZodError;
}

/** A zod failure as a ValidationError naming the first offending field (under `prefix`). */
export function fromZodError(error: z.ZodError, prefix?: string, what = 'invalid'): ValidationError {
  const issue = error.issues[0];
  const path = issue === undefined ? '' : formatPath(issue.path);
  const field = prefix === undefined ? path : path === '(root)' || path === '' ? prefix : `${prefix}.${path}`;
  return new ValidationError('VALIDATION', field || '(root)', issue === undefined ? what : issue.message, {
    details: { issues: error.issues.slice(0, 10).map((i) => ({ field: formatPath(i.path), message: i.message })) },
  });
}

const GENERIC_500 = 'internal error; quote the requestId when reporting it';

/**
 * Map a handler's outcome to an FC HTTP response: a ready HttpResponse passes through (with the
 * security headers enforced); anything else is treated as an error:
 * - CrossroleError → its httpStatus, body `{error: {code, message, field?}, requestId}`;
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
  const status = err.httpStatus;
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

// ---------------------------------------------------------------- router

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: HttpRequest, params: RouteParams) => Promise<HttpResponse> | HttpResponse;

export interface Route {
  method: string;
  /** Literal segments and `:name` parameters, e.g. `/requests/:id/approve`. */
  pattern: string;
  handler: RouteHandler;
}

export interface RouteMatch {
  route: Route;
  params: RouteParams;
}

/**
 * The path the routes see: FC's trigger URL puts the function at the root, while the local cloud
 * (and FC's `/fn/<name>` style URLs) prefix it, so the prefix is dropped and both work the same.
 */
export function routablePath(rawPath: string): string {
  const m = /^\/fn\/[^/]+(\/.*)?$/.exec(rawPath);
  const path = m ? (m[1] ?? '/') : rawPath;
  // One trailing slash is forgiven (`/requests/` = `/requests`).
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function splitSegments(path: string): string[] {
  return path === '/' ? [] : path.replace(/^\//, '').split('/');
}

function matchPattern(pattern: string, segments: readonly string[]): RouteParams | undefined {
  const parts = splitSegments(pattern);
  if (parts.length !== segments.length) return undefined;
  const params: RouteParams = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const s = segments[i] as string;
    if (p.startsWith(':')) {
      if (s === '') return undefined;
      let decoded: string;
      try {
        decoded = decodeURIComponent(s);
      } catch {
        return undefined;
      }
      params[p.slice(1)] = decoded;
    } else if (p !== s) {
      return undefined;
    }
  }
  return params;
}

/**
 * Find the route for a request. Throws ROUTE_NOT_FOUND (404) when no pattern matches the path, and
 * METHOD_NOT_ALLOWED (405, `details.allow` = the methods that would match) when only the method is wrong.
 */
export function matchRoute(req: Pick<HttpRequest, 'method' | 'rawPath'>, routes: readonly Route[]): RouteMatch {
  const segments = splitSegments(routablePath(req.rawPath));
  const allowed = new Set<string>();
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === undefined) continue;
    if (route.method.toUpperCase() === req.method.toUpperCase()) return { route, params };
    allowed.add(route.method.toUpperCase());
  }
  if (allowed.size > 0) {
    const allow = [...allowed].sort();
    throw new CrossroleError('METHOD_NOT_ALLOWED', `method ${truncate(req.method, 16)} is not allowed here; use ${allow.join(' or ')}`, { details: { allow } });
  }
  throw new CrossroleError('ROUTE_NOT_FOUND', `no route for ${truncate(req.method, 16)} ${truncate(routablePath(req.rawPath), 100)}`);
}

/**
 * Dispatch a request to its route and return the response; every failure (no route, wrong method,
 * a handler's error) is mapped by toHttpResponse, so this never throws.
 */
export async function route(req: HttpRequest, routes: readonly Route[], ctx: ResponseContext = {}): Promise<HttpResponse> {
  const context: ResponseContext = { ...ctx, requestId: ctx.requestId ?? req.requestId };
  try {
    const { route: r, params } = matchRoute(req, routes);
    return toHttpResponse(await r.handler(req, params), context);
  } catch (e) {
    return toHttpResponse(e, context);
  }
}
