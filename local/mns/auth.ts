/**
 * MNS request authentication (www.alibabacloud.com/help/doc-detail/27487.htm): header checks, Content-MD5, the access key
 * lookup through the shared IdentityProvider, and the HMAC-SHA1 signature over the request
 * target exactly as sent. The signature itself comes from core/signing/mns.ts.
 */
import type { IdentityProvider, LocalRequest, Principal } from '../core/contract';
import { contentMd5OfDigest, contentMd5OfHex, headerValue, safeEqual, withinClockSkew } from '../core/signing/common';
import { mnsResourceCandidates, mnsSignature, mnsStringToSign, parseMnsAuthorization } from '../core/signing/mns';
import { MNS_VERSION } from './codec';
import { MnsError } from './errors';

export function header(req: LocalRequest, name: string): string | undefined {
  return headerValue(req.headers, name);
}

/** Authenticate an MNS request; returns the calling principal or throws the real error code. */
export function authenticate(req: LocalRequest, identity: IdentityProvider, now: Date): Principal {
  const authorization = header(req, 'authorization');
  if (authorization === undefined || authorization === '') throw new MnsError('MissingAuthorizationHeader', 'Authorization header is required.');
  const auth = parseMnsAuthorization(authorization);
  if (!auth) throw new MnsError('InvalidAuthorizationHeader', 'The Authorization header format is invalid.');

  const version = header(req, 'x-mns-version');
  if (version === undefined) throw new MnsError('MissingVersionHeader', 'Version header is required.');
  if (version !== MNS_VERSION) throw new MnsError('InvalidVersionHeader', 'The Version header format is invalid.');

  const date = header(req, 'date');
  if (date === undefined) throw new MnsError('MissingDateHeader', 'Date header is required.');
  const at = Date.parse(date);
  if (Number.isNaN(at)) throw new MnsError('InvalidDateHeader', 'The Date header format is invalid.');
  // Skew is measured against the wall clock at receipt, not the service clock: a test clock that
  // jumps ahead to age messages must not make every real client's request "expired".
  if (!withinClockSkew(at, req.receivedAt)) throw new MnsError('TimeExpired', 'The Http request you sent is expired.');

  const md5 = header(req, 'content-md5');
  // This SDK sends base64 of the hex digest; the documented form (RFC 1864) is base64 of the raw digest.
  if (md5 !== undefined && md5 !== contentMd5OfHex(req.body) && md5 !== contentMd5OfDigest(req.body)) {
    throw new MnsError('InvalidDegist', 'The Content-MD5 you specified is invalid.');
  }

  const found = identity.lookupKey(auth.accessKeyId, header(req, 'security-token'), now);
  if (!found.ok) {
    if (found.code === 'InvalidAccessKeyId.NotFound' || found.code === 'InvalidAccessKeyId.Inactive') {
      throw new MnsError('InvalidAccessKeyId', 'The AccessKey Id you provided is not exist.');
    }
    throw new MnsError(found.code, found.message);
  }

  const matches = (resource: string): boolean =>
    safeEqual(mnsSignature(found.secret, mnsStringToSign({ method: req.method, resource, headers: req.headers })), auth.signature);
  if (!mnsResourceCandidates(req.target).some(matches)) {
    throw new MnsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return found.principal;
}
