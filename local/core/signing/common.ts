/**
 * What every signature scheme of the local cloud shares: the one constant-time comparison, the
 * one clock-skew limit, header access and the MD5/SHA helpers. The per-scheme files (pop.ts,
 * mns.ts, fc.ts) build strings to sign on top of these; verifiers and tests both use them.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Headers as node delivers them (lower-case names) or as a test or a vector spells them. */
export type HeaderBag = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/**
 * How far a signed timestamp may be from the receiver's clock, for every scheme:
 * - MNS: "If the interval between the time when the request is generated and the time when the
 *   request is received exceeds 15 minutes, MNS determines that the request is invalid"
 *   (www.alibabacloud.com/help/en/doc-detail/27485.htm, common parameters).
 * - POP ACS3: x-acs-date must be within 15 minutes (help.aliyun.com/zh/model-studio/user-guide/
 *   roa-style-request-body-signature-mechanism); the RPC Timestamp is treated the same.
 * - FC: the signature docs (help.aliyun.com/en/functioncompute/fc-2-0/developer-reference/
 *   signature-authentication) state a skew limit; 15 min is the figure given in
 *   developer.aliyun.com/ask/624616. UNCONFIRMED for FC, and no looser than the others.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** True when `signedAtMs` is a number within MAX_CLOCK_SKEW_MS of `receivedAt` (either side). */
export function withinClockSkew(signedAtMs: number, receivedAt: Date): boolean {
  return !Number.isNaN(signedAtMs) && Math.abs(receivedAt.getTime() - signedAtMs) <= MAX_CLOCK_SKEW_MS;
}

/** Constant-time string comparison (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A header's value; repeated headers are joined with ',' as HTTP folds them. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function lowerHeaders(headers: HeaderBag): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** `name:value\n` for every header whose lower-cased name starts with `prefix`, sorted; values untrimmed. */
export function canonicalPrefixedHeaders(headers: HeaderBag, prefix: string): string {
  const h = lowerHeaders(headers);
  return Object.keys(h)
    .filter((n) => n.startsWith(prefix))
    .sort()
    .map((n) => `${n}:${headerValue(h, n) ?? ''}\n`)
    .join('');
}

export function hmacBase64(algorithm: 'sha1' | 'sha256', key: string, text: string): string {
  return createHmac(algorithm, key).update(text, 'utf8').digest('base64');
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Content-MD5 as @alicloud/mns and @alicloud/fc2 send it: base64 of the 32-char hex digest. */
export function contentMd5OfHex(body: Buffer | string): string {
  return Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');
}

/** Content-MD5 as RFC 1864 defines it: base64 of the 16 raw digest bytes. */
export function contentMd5OfDigest(body: Buffer | string): string {
  return createHash('md5').update(body).digest('base64');
}
