/**
 * The MNS signature (www.alibabacloud.com/help/doc-detail/27487.htm; @alicloud/mns lib/client.js):
 *
 *   base64(HMAC-SHA1(secret, VERB\nContent-MD5\nContent-Type\nDate\n + x-mns-* headers + resource))
 *
 * where the resource is the request target exactly as @alicloud/mns built it (not sorted, not
 * re-encoded). The local MNS verifier (mns/auth.ts) and the tests that sign raw requests both
 * use these functions; the recorded SDK vectors keep them honest.
 */
import { canonicalPrefixedHeaders, headerValue, hmacBase64, lowerHeaders, type HeaderBag } from './common';

interface MnsSigningInput {
  method: string;
  /** CanonicalizedResource: the request target (path and query) as the client signed it. */
  resource: string;
  headers: HeaderBag;
}

export function mnsStringToSign(input: MnsSigningInput): string {
  const h = lowerHeaders(input.headers);
  const field = (name: string): string => headerValue(h, name) ?? '';
  return `${input.method}\n${field('content-md5')}\n${field('content-type')}\n${field('date')}\n${canonicalPrefixedHeaders(h, 'x-mns-')}${input.resource}`;
}

export function mnsSignature(secret: string, stringToSign: string): string {
  return hmacBase64('sha1', secret, stringToSign);
}

/** String to sign and signature for a request target as sent (the vectors' form). */
export function computeMnsSignature(
  input: { method: string; target: string; headers: HeaderBag },
  secret: string,
): { stringToSign: string; signature: string } {
  const stringToSign = mnsStringToSign({ method: input.method, resource: input.target, headers: input.headers });
  return { stringToSign, signature: mnsSignature(secret, stringToSign) };
}

/** The Authorization header a client sends: `MNS <AccessKeyId>:<Signature>`. */
export function mnsAuthorization(accessKeyId: string, secret: string, input: MnsSigningInput): string {
  return `MNS ${accessKeyId}:${mnsSignature(secret, mnsStringToSign(input))}`;
}

/** `MNS <AccessKeyId>:<Signature>` → its parts; undefined when the header has another shape. */
export function parseMnsAuthorization(value: string): { accessKeyId: string; signature: string } | undefined {
  const m = /^MNS ([^:\s]+):(\S+)$/.exec(value);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { accessKeyId: m[1], signature: m[2] };
}

/**
 * Node's legacy url.parse (used by the SDK's HTTP client) escapes these characters after the SDK
 * signed the raw string (@alicloud/mns lib/client.js), so a verifier also tries the target with them undone.
 */
const URL_PARSE_ESCAPES = /%(20|22|27|3C|3E|5C|5E|60|7B|7C|7D|09|0A|0B|0C|0D)/gi;

/** The resources a request target may have been signed as: as sent, then with url.parse's escapes undone. */
export function mnsResourceCandidates(target: string): string[] {
  const unescaped = target.replace(URL_PARSE_ESCAPES, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return unescaped === target ? [target] : [target, unescaped];
}
