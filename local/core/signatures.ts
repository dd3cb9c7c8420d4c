/**
 * Signature algorithms of the official SDKs, verifier side (protocols.md §2.4, §2.5, §3.3, §4.3).
 * Pure functions: they compute what the client must have signed from what arrived on the wire,
 * so each service compares the result with the signature it received. Intermediate strings are
 * returned too, for tests against signature-test-vectors.json and for error messages.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** POP percent-encoding: encodeURIComponent plus `! ' ( ) *`. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    // POP clients never send '+' for a space, but a form body may: decoding it as a space is safe.
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/** Split a raw `a=1&b=2` string into decoded pairs, keeping order and duplicates. */
export function parseFormPairs(raw: string): Array<[string, string]> {
  if (raw === '') return [];
  const out: Array<[string, string]> = [];
  for (const kv of raw.split('&')) {
    if (kv === '') continue;
    const i = kv.indexOf('=');
    out.push(i < 0 ? [safeDecode(kv), ''] : [safeDecode(kv.slice(0, i)), safeDecode(kv.slice(i + 1))]);
  }
  return out;
}

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function headerValue(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  if (Array.isArray(v)) return v.join(',');
  return v;
}

/** Constant-time string comparison (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ------------------------------------------------------------------ ACS3-HMAC-SHA256

export interface Acs3Authorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parse `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`; undefined if malformed. */
export function parseAcs3Authorization(value: string | undefined): Acs3Authorization | undefined {
  if (value === undefined) return undefined;
  const m = /^(ACS3-[A-Z0-9-]+) (.*)$/.exec(value.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const parts = new Map<string, string>();
  for (const p of m[2].split(',')) {
    const i = p.indexOf('=');
    if (i > 0) parts.set(p.slice(0, i).trim(), p.slice(i + 1).trim());
  }
  const accessKeyId = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { algorithm: m[1], accessKeyId, signedHeaders: signedHeaders.split(';').filter((h) => h !== ''), signature };
}

export interface Acs3Input {
  method: string;
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function canonicalQueryString(rawQuery: string): string {
  return parseFormPairs(rawQuery)
    .sort(byKey)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

/** The canonical request, string to sign and signature the client must have computed. */
export function computeAcs3Signature(
  input: Acs3Input,
  signedHeaders: string[],
  secret: string,
): { canonicalRequest: string; stringToSign: string; signature: string; payloadHash: string } {
  const payloadHash = sha256Hex(input.body);
  const names = [...signedHeaders].map((n) => n.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(headerValue(input.headers, n) ?? '').trim()}\n`).join('');
  const canonicalRequest = [input.method, input.path, canonicalQueryString(input.rawQuery), canonicalHeaders, names.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', secret).update(stringToSign).digest('hex');
  return { canonicalRequest, stringToSign, signature, payloadHash };
}

// ------------------------------------------------------------------ RPC HMAC-SHA1

/** `params` are all request parameters (query + form body) EXCEPT `Signature`. */
export function computeRpcSignature(method: string, params: Array<[string, string]>, secret: string): { stringToSign: string; signature: string } {
  const canonicalized = [...params]
    .sort(byKey)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalized)}`;
  const signature = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  return { stringToSign, signature };
}

// ------------------------------------------------------------------ MNS and FC (for their plug-ins)

function canonicalPrefixedHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, prefix: string): string {
  const names = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .filter((n) => n.startsWith(prefix))
    .sort();
  return names.map((n) => `${n}:${headerValue(headers, n) ?? headerValue(headers, n.toLowerCase()) ?? ''}\n`).join('');
}

function lowerHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** MNS: HMAC-SHA1 over verb, MD5, type, date, x-mns-* headers and the raw request target. */
export function computeMnsSignature(
  input: { method: string; target: string; headers: IncomingHttpHeaders | Record<string, string | string[] | undefined> },
  secret: string,
): { stringToSign: string; signature: string } {
  const h = lowerHeaders(input.headers);
  const stringToSign = `${input.method}\n${headerValue(h, 'content-md5') ?? ''}\n${headerValue(h, 'content-type') ?? ''}\n${headerValue(h, 'date') ?? ''}\n${canonicalPrefixedHeaders(h, 'x-mns-')}${input.target}`;
  return { stringToSign, signature: createHmac('sha1', secret).update(stringToSign).digest('base64') };
}

/** FC 2.0: HMAC-SHA256 over verb, MD5, type, date, x-fc-* headers and the path (query only for /proxy/). */
export function computeFcSignature(
  input: { method: string; target: string; headers: IncomingHttpHeaders | Record<string, string | string[] | undefined> },
  secret: string,
): { stringToSign: string; signature: string } {
  const h = lowerHeaders(input.headers);
  const q = input.target.indexOf('?');
  const path = q < 0 ? input.target : input.target.slice(0, q);
  let resource = path.startsWith('/2016-08-15') ? path : `/2016-08-15${path}`;
  if (path.includes('/proxy/')) {
    const pairs = q < 0 ? [] : parseFormPairs(input.target.slice(q + 1)).map(([k, v]) => `${k}=${v}`).sort();
    resource += `\n${pairs.join('\n')}`;
  }
  const stringToSign = `${input.method}\n${headerValue(h, 'content-md5') ?? ''}\n${headerValue(h, 'content-type') ?? ''}\n${headerValue(h, 'date') ?? ''}\n${canonicalPrefixedHeaders(h, 'x-fc-')}${resource}`;
  return { stringToSign, signature: createHmac('sha256', secret).update(stringToSign).digest('base64') };
}
