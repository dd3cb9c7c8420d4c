/**
 * POP (RAM, STS, ECS) signatures as the official SDKs compute them (@alicloud/openapi-core
 * src/utils.ts, `getAuthorization` and `getRPCSignature`):
 * ACS3-HMAC-SHA256 in the Authorization header and the legacy RPC HMAC-SHA1 `Signature`
 * parameter. Pure functions: the verifier (core/pop-auth.ts) recomputes what the client must
 * have signed from what arrived; tests sign with the same functions.
 */
import { createHmac } from 'node:crypto';
import { headerValue, sha256Hex, type HeaderBag } from './common';

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

// ------------------------------------------------------------------ ACS3-HMAC-SHA256

interface Acs3Authorization {
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

interface Acs3Input {
  method: string;
  path: string;
  rawQuery: string;
  headers: HeaderBag;
  body: Buffer;
}

function canonicalQueryString(rawQuery: string): string {
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
