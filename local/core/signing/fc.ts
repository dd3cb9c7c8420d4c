/**
 * The Function Compute 2.0 signature (@alicloud/fc2 lib/client.js `getSignature`; help.aliyun.com/en/functioncompute/
 * fc-2-0/developer-reference/signature-authentication):
 *
 *   base64(HMAC-SHA256(secret, VERB\nContent-MD5\nContent-Type\nDate\n + x-fc-* headers + resource
 *                              [+ "\n" + sorted "k=v" lines, for /proxy/ (HTTP trigger) paths]))
 *
 * Used by the local FC API and HTTP-trigger verifier (fc/fc-api.ts) and by tests that sign.
 */
import { canonicalPrefixedHeaders, headerValue, hmacBase64, lowerHeaders, type HeaderBag } from './common';
import { parseFormPairs } from './pop';

const FC_API_VERSION_PREFIX = '/2016-08-15';

/** FC's StringToSign; `queries` (decoded pairs) only for HTTP-trigger (`/proxy/`) requests. */
export function fcStringToSign(method: string, resource: string, headers: HeaderBag, queries?: Array<[string, string]>): string {
  const h = lowerHeaders(headers);
  const field = (name: string): string => headerValue(h, name) ?? '';
  let s = `${method}\n${field('content-md5')}\n${field('content-type')}\n${field('date')}\n${canonicalPrefixedHeaders(h, 'x-fc-')}${resource}`;
  if (queries) s += `\n${queries.map(([k, v]) => `${k}=${v}`).sort().join('\n')}`;
  return s;
}

export function fcSignature(secret: string, stringToSign: string): string {
  return hmacBase64('sha256', secret, stringToSign);
}

/**
 * What the SDK signs for a raw request target: the path (prefixed with the API version, as the
 * SDK does), and the query lines only for `/proxy/` paths; other queries are not signed.
 */
function fcSignedParts(target: string): { resource: string; queries?: Array<[string, string]> } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const resource = path.startsWith(FC_API_VERSION_PREFIX) ? path : `${FC_API_VERSION_PREFIX}${path}`;
  if (!path.includes('/proxy/')) return { resource };
  return { resource, queries: q < 0 ? [] : parseFormPairs(target.slice(q + 1)) };
}

/** String to sign and signature for a request target as sent (the vectors' form). */
export function computeFcSignature(
  input: { method: string; target: string; headers: HeaderBag },
  secret: string,
): { stringToSign: string; signature: string } {
  const { resource, queries } = fcSignedParts(input.target);
  const stringToSign = fcStringToSign(input.method, resource, input.headers, queries);
  return { stringToSign, signature: fcSignature(secret, stringToSign) };
}

/** The Authorization header a client sends: `FC <AccessKeyId>:<Signature>`. */
export function fcAuthorization(accessKeyId: string, secret: string, stringToSign: string): string {
  return `FC ${accessKeyId}:${fcSignature(secret, stringToSign)}`;
}

/** `FC <AccessKeyId>:<Signature>` → its parts; undefined when the header has another shape. */
export function parseFcAuthorization(value: string): { accessKeyId: string; signature: string } | undefined {
  const m = /^FC ([^:]+):(.+)$/.exec(value);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { accessKeyId: m[1], signature: m[2] };
}
