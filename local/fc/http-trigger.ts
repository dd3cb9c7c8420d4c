/**
 * FC 3.0 HTTP trigger for built-in runtimes: the HTTP request becomes the v1 HTTP event
 * (help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function) and the
 * handler's `{statusCode, headers, body, isBase64Encoded}` becomes the HTTP response.
 */
import type { LocalRequest, LocalResponse } from '../core/contract';
import type { FunctionResult } from './types';

interface HttpEventInput {
  req: LocalRequest;
  /** Path after `/fn/<functionName>`, still URL-encoded; '' means '/'. */
  rawSubPath: string;
  accountId: string;
  requestId: string;
}

interface HttpEventV1 {
  version: 'v1';
  rawPath: string;
  headers: Record<string, string>;
  queryParameters: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  requestContext: {
    accountId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    time: string;
    timeEpoch: string;
  };
}

/** `content-type` → `Content-Type`, as FC presents header names (fc3's http.json event template). */
function canonicalHeaderName(name: string): string {
  return name.split('-').map((p) => (p === '' ? p : p[0]?.toUpperCase() + p.slice(1))).join('-');
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))/i;

/** Binary bodies travel base64-encoded; text is passed as is. */
function isTextBody(body: Buffer, contentType: string | undefined): boolean {
  if (body.length === 0) return true;
  if (contentType !== undefined && contentType !== '' && !TEXT_TYPES.test(contentType)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `2023-09-05T06:41:11Z`: FC's request time has no milliseconds. */
export function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export function buildHttpEvent({ req, rawSubPath, accountId, requestId }: HttpEventInput): HttpEventV1 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    headers[canonicalHeaderName(k)] = Array.isArray(v) ? v.join(',') : v;
  }
  const queryParameters: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(req.rawQuery)) {
    // Multi-valued query parameters are comma-joined (the FC 3.0 HTTP trigger page).
    queryParameters[k] = k in queryParameters ? `${queryParameters[k]},${v}` : v;
  }
  const rawPath = rawSubPath === '' ? '/' : rawSubPath;
  const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined;
  const text = isTextBody(req.body, contentType);
  const host = typeof req.headers.host === 'string' ? req.headers.host : '127.0.0.1';
  return {
    version: 'v1',
    rawPath,
    headers,
    queryParameters,
    body: text ? req.body.toString('utf8') : req.body.toString('base64'),
    isBase64Encoded: !text,
    requestContext: {
      accountId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method.toUpperCase(),
        path: safeDecode(rawPath),
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : '',
      },
      requestId,
      time: isoSeconds(req.receivedAt),
      timeEpoch: String(req.receivedAt.getTime()),
    },
  };
}

// FC does not let a function set these response headers (HTTP trigger limits).
const FORBIDDEN_RESPONSE_HEADERS = new Set(['connection', 'content-length', 'date', 'keep-alive', 'server', 'transfer-encoding']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isResponseStruct(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && (typeof v.statusCode === 'number' || typeof v.isBase64Encoded === 'boolean');
}

function fromStruct(v: Record<string, unknown>): LocalResponse {
  const headers: Record<string, string> = {};
  if (isRecord(v.headers)) {
    for (const [k, x] of Object.entries(v.headers)) {
      if (x === undefined || x === null) continue;
      const lk = k.toLowerCase();
      if (FORBIDDEN_RESPONSE_HEADERS.has(lk) || lk.startsWith('x-fc-')) continue;
      headers[lk] = Array.isArray(x) ? x.map(String).join(',') : String(x);
    }
  }
  let body: Buffer;
  if (v.body === undefined || v.body === null) body = Buffer.alloc(0);
  else if (typeof v.body === 'string') body = v.isBase64Encoded === true ? Buffer.from(v.body, 'base64') : Buffer.from(v.body, 'utf8');
  else {
    // Not in the documented struct; serialising it is friendlier than failing.
    body = Buffer.from(JSON.stringify(v.body), 'utf8');
    if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  }
  const status = typeof v.statusCode === 'number' && v.statusCode >= 100 && v.statusCode <= 599 ? Math.trunc(v.statusCode) : 200;
  return { status, headers, body };
}

/**
 * Map the handler's return value to the HTTP response. The documented struct wins; other values
 * (FC's rules for them are UNCONFIRMED, local/COVERAGE.md) are sent as a 200 with the value as body.
 */
export function mapHttpResult(r: FunctionResult): LocalResponse {
  switch (r.kind) {
    case 'empty':
      return { status: 200, headers: {}, body: Buffer.alloc(0) };
    case 'bytes':
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: r.data };
    case 'json':
      if (isResponseStruct(r.value)) return fromStruct(r.value);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(r.text, 'utf8') };
    case 'string': {
      // Handlers written as `callback(null, JSON.stringify({statusCode, ...}))` are common.
      if (r.text.startsWith('{')) {
        try {
          const parsed: unknown = JSON.parse(r.text);
          if (isResponseStruct(parsed)) return fromStruct(parsed);
        } catch {
          // not JSON: plain text body
        }
      }
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(r.text, 'utf8') };
    }
  }
}
