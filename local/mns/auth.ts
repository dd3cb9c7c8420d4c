/**
 * MNS request authentication (protocols.md §3.3): header checks, Content-MD5, the access key
 * lookup through the shared IdentityProvider, and the HMAC-SHA1 signature over the request
 * target exactly as sent.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IdentityProvider, LocalRequest, Principal } from '../core/contract';
import { MNS_VERSION } from './codec';
import { MnsError } from './errors';

/** The docs allow a Date header at most 15 minutes away from server time. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Node's legacy url.parse (used by the SDK's HTTP client) escapes these characters after the SDK
 * signed the raw string, so a request that fails verification is retried with them unescaped.
 */
const URL_PARSE_ESCAPES = /%(20|22|27|3C|3E|5C|5E|60|7B|7C|7D|09|0A|0B|0C|0D)/gi;

export function header(req: LocalRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function stringToSign(req: LocalRequest, resource: string): string {
  const mnsHeaders = Object.keys(req.headers)
    .filter((k) => k.startsWith('x-mns-'))
    .sort()
    .map((k) => `${k}:${header(req, k) ?? ''}\n`)
    .join('');
  return `${req.method}\n${header(req, 'content-md5') ?? ''}\n${header(req, 'content-type') ?? ''}\n${header(req, 'date') ?? ''}\n${mnsHeaders}${resource}`;
}

export function sign(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Authenticate an MNS request; returns the calling principal or throws the real error code. */
export function authenticate(req: LocalRequest, identity: IdentityProvider, now: Date): Principal {
  const authorization = header(req, 'authorization');
  if (authorization === undefined || authorization === '') throw new MnsError('MissingAuthorizationHeader', 'Authorization header is required.');
  const m = /^MNS ([^:\s]+):(\S+)$/.exec(authorization);
  if (!m) throw new MnsError('InvalidAuthorizationHeader', 'The Authorization header format is invalid.');
  const accessKeyId = m[1] as string;
  const signature = m[2] as string;

  const version = header(req, 'x-mns-version');
  if (version === undefined) throw new MnsError('MissingVersionHeader', 'Version header is required.');
  if (version !== MNS_VERSION) throw new MnsError('InvalidVersionHeader', 'The Version header format is invalid.');

  const date = header(req, 'date');
  if (date === undefined) throw new MnsError('MissingDateHeader', 'Date header is required.');
  const at = Date.parse(date);
  if (Number.isNaN(at)) throw new MnsError('InvalidDateHeader', 'The Date header format is invalid.');
  // Skew is measured against the wall clock at receipt, not the service clock: a test clock that
  // jumps ahead to age messages must not make every real client's request "expired".
  if (Math.abs(req.receivedAt.getTime() - at) > MAX_SKEW_MS) throw new MnsError('TimeExpired', 'The Http request you sent is expired.');

  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    const hex = createHash('md5').update(req.body).digest('hex');
    // This SDK sends base64 of the hex digest; the documented form is base64 of the raw digest.
    const ok = md5 === Buffer.from(hex, 'utf8').toString('base64') || md5 === Buffer.from(hex, 'hex').toString('base64');
    if (!ok) throw new MnsError('InvalidDegist', 'The Content-MD5 you specified is invalid.');
  }

  const found = identity.lookupKey(accessKeyId, header(req, 'security-token'), now);
  if (!found.ok) {
    if (found.code === 'InvalidAccessKeyId.NotFound' || found.code === 'InvalidAccessKeyId.Inactive') {
      throw new MnsError('InvalidAccessKeyId', 'The AccessKey Id you provided is not exist.');
    }
    throw new MnsError(found.code, found.message);
  }

  const candidates = [req.target];
  const unescaped = req.target.replace(URL_PARSE_ESCAPES, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  if (unescaped !== req.target) candidates.push(unescaped);
  if (!candidates.some((resource) => sameString(sign(found.secret, stringToSign(req, resource)), signature))) {
    throw new MnsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return found.principal;
}
