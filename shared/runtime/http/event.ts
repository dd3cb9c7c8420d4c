/**
 * FC 3.0 HTTP trigger events in (help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/
 * http-trigger-invoking-function): the event as an HttpRequest,
 * and a route's JSON body. Failures are typed (VALIDATION, INVALID_JSON, PAYLOAD_TOO_LARGE);
 * ./response maps them to statuses.
 */
import { z } from 'zod';
import { CrossroleError, ValidationError, errorMessage } from '../../domain/errors';
import { truncate } from '../../domain/duration';
import { fromZodError } from '../../domain/validation';
import { DEFAULT_MAX_BODY_BYTES } from '../config';
import { decodeEventArgument } from '../event-argument';

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

interface ParseHttpEventOptions {
  /** Largest accepted decoded body; larger ones fail with PAYLOAD_TOO_LARGE (413). */
  maxBodyBytes?: number;
}

const stringMap = z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional();

/** FC 3.0 HTTP event v1, as FC's built-in runtimes deliver it. Unknown fields are tolerated (FC adds some). */
const httpEventSchema = z.object({
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

/** A request body that is a JSON object (what every POST route takes). */
export type JsonObject = Record<string, unknown>;

/**
 * Parse the body as a JSON object. Empty or malformed JSON → INVALID_JSON (400); valid JSON that is
 * not an object (array, string, number, null) → VALIDATION (400); too big → PAYLOAD_TOO_LARGE (413).
 */
export function parseJsonBody(req: Pick<HttpRequest, 'body' | 'bodyBytes'>, maxBytes: number = DEFAULT_MAX_BODY_BYTES): JsonObject {
  if (req.bodyBytes > maxBytes || Buffer.byteLength(req.body, 'utf8') > maxBytes) throw tooLarge(maxBytes);
  if (req.body.trim() === '') throw new ValidationError('INVALID_JSON', 'body', 'is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(req.body);
  } catch (e) {
    // JSON.parse's own message says where it stopped ("Unexpected token } in JSON at position 12").
    const why = errorMessage(e);
    throw new ValidationError('INVALID_JSON', 'body', `is not valid JSON (${truncate(why, 120)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('VALIDATION', 'body', `must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as JsonObject;
}
