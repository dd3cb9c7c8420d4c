/**
 * Authentication of POP (RPC-style) requests: RAM, STS, ECS. Verifies ACS3-HMAC-SHA256
 * (Authorization header) and the legacy RPC HMAC-SHA1 (`Signature` parameter) exactly as the
 * official SDKs sign (@alicloud/openapi-core src/utils.ts), rejects stale timestamps and replayed nonces,
 * and resolves the access key (and STS token) to a Principal through the IdentityProvider.
 */
import type { IdentityProvider, LocalRequest, Principal } from './contract';
import { AuthErrors, missingParameter, ServiceError } from './errors';
import { headerValue, MAX_CLOCK_SKEW_MS, safeEqual, sha256Hex, withinClockSkew } from './signing/common';
import { computeAcs3Signature, computeRpcSignature, parseAcs3Authorization } from './signing/pop';

const ACS3_REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Remembers nonces for the skew window. Entries are appended in time order, so expired ones
 * are pruned from the front of the Map: amortised O(1) per request.
 */
class NonceCache {
  private readonly seen = new Map<string, number>();

  /** False if `nonce` was already used within the window. */
  use(nonce: string, nowMs: number): boolean {
    for (const [k, exp] of this.seen) {
      if (exp > nowMs) break;
      this.seen.delete(k);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs + 2 * MAX_CLOCK_SKEW_MS);
    return true;
  }

  reset(): void {
    this.seen.clear();
  }
}

export type SignatureScheme = 'ACS3-HMAC-SHA256' | 'HMAC-SHA1';

interface AuthenticatedCall {
  principal: Principal;
  scheme: SignatureScheme;
}

export class PopAuthenticator {
  readonly nonces = new NonceCache();

  constructor(private readonly identity: IdentityProvider) {}

  /**
   * @param params all request parameters (query + form body), decoded, in wire order.
   * @throws ServiceError with the cloud's code for any authentication failure.
   */
  authenticate(req: LocalRequest, params: Array<[string, string]>): AuthenticatedCall {
    const authorization = headerValue(req.headers, 'authorization');
    if (authorization !== undefined && authorization.startsWith('ACS3-')) return this.acs3(req, authorization);
    if (params.some(([k]) => k === 'Signature')) return this.rpc(req, params);
    throw missingParameter('Signature');
  }

  private checkTimestamp(value: string, now: Date): void {
    if (!UTC_SECONDS.test(value)) throw AuthErrors.timestampFormat(value);
    const t = Date.parse(value);
    if (Number.isNaN(t)) throw AuthErrors.timestampFormat(value);
    if (!withinClockSkew(t, now)) throw AuthErrors.timestampExpired(value);
  }

  private resolve(accessKeyId: string, token: string | undefined, now: Date): { secret: string; principal: Principal } {
    const found = this.identity.lookupKey(accessKeyId, token, now);
    if (!found.ok) throw new ServiceError(found.code, AuthErrors.keyLookupStatus(found.code), found.message);
    return { secret: found.secret, principal: found.principal };
  }

  private acs3(req: LocalRequest, authorization: string): AuthenticatedCall {
    const auth = parseAcs3Authorization(authorization);
    if (!auth) throw AuthErrors.incompleteSignature('The Authorization header does not conform to the ACS3 format.');
    if (auth.algorithm !== 'ACS3-HMAC-SHA256') throw AuthErrors.unsupportedSignatureMethod(auth.algorithm);
    const signed = new Set(auth.signedHeaders.map((h) => h.toLowerCase()));
    const token = headerValue(req.headers, 'x-acs-security-token');
    const mustSign = token === undefined ? ACS3_REQUIRED_SIGNED : [...ACS3_REQUIRED_SIGNED, 'x-acs-security-token'];
    for (const h of mustSign) {
      if (!signed.has(h)) throw AuthErrors.incompleteSignature(`The header ${h} must be signed.`);
      if (headerValue(req.headers, h) === undefined) throw missingParameter(h);
    }
    const date = headerValue(req.headers, 'x-acs-date') ?? '';
    this.checkTimestamp(date, req.receivedAt);
    const akHeader = headerValue(req.headers, 'x-acs-accesskey-id');
    if (akHeader !== undefined && akHeader !== auth.accessKeyId) {
      throw new ServiceError('InvalidAccessKeyId.Mismatch', 400, 'The x-acs-accesskey-id header does not match the Credential of the signature.');
    }
    const { secret, principal } = this.resolve(auth.accessKeyId, token, req.receivedAt);
    if (sha256Hex(req.body) !== headerValue(req.headers, 'x-acs-content-sha256')) {
      throw AuthErrors.signatureDoesNotMatch(' x-acs-content-sha256 does not match the request body.');
    }
    const expected = computeAcs3Signature(
      { method: req.method, path: req.path, rawQuery: req.rawQuery, headers: req.headers, body: req.body },
      auth.signedHeaders,
      secret,
    );
    if (!safeEqual(expected.signature, auth.signature.toLowerCase())) throw AuthErrors.signatureDoesNotMatch(expected.stringToSign);
    if (!this.nonces.use(headerValue(req.headers, 'x-acs-signature-nonce') ?? '', req.receivedAt.getTime())) throw AuthErrors.nonceUsed();
    return { principal, scheme: 'ACS3-HMAC-SHA256' };
  }

  private rpc(req: LocalRequest, params: Array<[string, string]>): AuthenticatedCall {
    const get = (k: string): string | undefined => params.find(([n]) => n === k)?.[1];
    const need = (k: string): string => {
      const v = get(k);
      if (v === undefined || v === '') throw missingParameter(k);
      return v;
    };
    const method = need('SignatureMethod');
    if (method !== 'HMAC-SHA1') throw AuthErrors.unsupportedSignatureMethod(method);
    const accessKeyId = need('AccessKeyId');
    const timestamp = need('Timestamp');
    const nonce = need('SignatureNonce');
    this.checkTimestamp(timestamp, req.receivedAt);
    const { secret, principal } = this.resolve(accessKeyId, get('SecurityToken'), req.receivedAt);
    const signature = need('Signature');
    const expected = computeRpcSignature(req.method, params.filter(([k]) => k !== 'Signature'), secret);
    if (!safeEqual(expected.signature, signature)) throw AuthErrors.signatureDoesNotMatch(expected.stringToSign);
    if (!this.nonces.use(nonce, req.receivedAt.getTime())) throw AuthErrors.nonceUsed();
    return { principal, scheme: 'HMAC-SHA1' };
  }
}
