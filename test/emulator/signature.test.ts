/**
 * Every vector of signature-test-vectors.json verifies with the local verifiers, tampered
 * copies do not, and every verifier (POP, MNS, FC) applies the one clock-skew limit.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { IdentityProvider, KeyLookup, LocalRequest } from '../../local/core/contract';
import { isServiceError } from '../../local/core/errors';
import { PopAuthenticator } from '../../local/core/pop-auth';
import { authenticateFcRequest } from '../../local/fc/fc-api';
import { authenticate as authenticateMns } from '../../local/mns/auth';
import { popParams } from '../../local/core/rpc';
import { MAX_CLOCK_SKEW_MS } from '../../local/core/signing/common';
import { computeFcSignature, fcAuthorization, fcStringToSign } from '../../local/core/signing/fc';
import { computeMnsSignature } from '../../local/core/signing/mns';
import { computeAcs3Signature, computeRpcSignature, parseAcs3Authorization, parseFormPairs } from '../../local/core/signing/pop';

interface Vector {
  name: string;
  accessKeySecret: string;
  request: { method: string; requestTarget: string; headers: Record<string, string>; body: string };
  canonicalRequest?: string;
  stringToSign: string;
  expectedSignature: string;
}

const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'signature-test-vectors.json'), 'utf8')) as Vector[];

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function toLocalRequest(v: Vector, receivedAt: Date): LocalRequest {
  const t = v.request.requestTarget;
  const q = t.indexOf('?');
  return {
    method: v.request.method,
    target: t,
    path: q < 0 ? t : t.slice(0, q),
    rawQuery: q < 0 ? '' : t.slice(q + 1),
    headers: lower(v.request.headers),
    body: Buffer.from(v.request.body),
    sourceIp: '127.0.0.1',
    receivedAt,
  };
}

function fakeIdentity(secretFor: (ak: string) => string | undefined): IdentityProvider {
  return {
    lookupKey(accessKeyId: string): KeyLookup {
      const secret = secretFor(accessKeyId);
      if (secret === undefined) return { ok: false, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
      return { ok: true, secret, principal: { accountId: '1234567890123456', arn: 'acs:ram::1234567890123456:root', kind: 'root', principalId: '1234567890123456', accessKeyId } };
    },
    isAllowed: () => true,
  };
}

function authError(fn: () => unknown): { code: string; status: number } {
  try {
    fn();
  } catch (e) {
    if (isServiceError(e)) return { code: e.code, status: e.httpStatus };
    throw e;
  }
  throw new Error('expected an authentication error');
}

describe('signature test vectors', () => {
  it('covers the 8 vectors of the reference file', () => {
    expect(vectors).toHaveLength(8);
  });

  it.each(vectors.filter((v) => v.name.startsWith('ACS3')).map((v) => [v.name, v] as const))('%s: canonical request, string to sign and signature', (_name, v) => {
    const req = toLocalRequest(v, new Date());
    const auth = parseAcs3Authorization(v.request.headers.Authorization);
    expect(auth).toBeDefined();
    const out = computeAcs3Signature(req, auth?.signedHeaders ?? [], v.accessKeySecret);
    expect(out.canonicalRequest).toBe(v.canonicalRequest);
    expect(out.stringToSign).toBe(v.stringToSign);
    expect(out.signature).toBe(v.expectedSignature);
    expect(auth?.signature).toBe(v.expectedSignature);
  });

  it.each(vectors.filter((v) => v.name.startsWith('RPC')).map((v) => [v.name, v] as const))('%s: string to sign and signature', (_name, v) => {
    const params = parseFormPairs(v.request.requestTarget.slice(v.request.requestTarget.indexOf('?') + 1));
    const out = computeRpcSignature(v.request.method, params.filter(([k]) => k !== 'Signature'), v.accessKeySecret);
    expect(out.stringToSign).toBe(v.stringToSign);
    expect(out.signature).toBe(v.expectedSignature);
    expect(params.find(([k]) => k === 'Signature')?.[1]).toBe(v.expectedSignature);
  });

  it.each(vectors.filter((v) => v.name.startsWith('MNS')).map((v) => [v.name, v] as const))('%s: string to sign and signature', (_name, v) => {
    const out = computeMnsSignature({ method: v.request.method, target: v.request.requestTarget, headers: v.request.headers }, v.accessKeySecret);
    expect(out.stringToSign).toBe(v.stringToSign);
    expect(out.signature).toBe(v.expectedSignature);
  });

  it.each(vectors.filter((v) => v.name.startsWith('FC')).map((v) => [v.name, v] as const))('%s: string to sign and signature', (_name, v) => {
    const out = computeFcSignature({ method: v.request.method, target: v.request.requestTarget, headers: v.request.headers }, v.accessKeySecret);
    expect(out.stringToSign).toBe(v.stringToSign);
    expect(out.signature).toBe(v.expectedSignature);
  });
});

describe('PopAuthenticator on the POP vectors', () => {
  const signedAt = new Date('2026-11-29T10:19:35Z');
  const pop = vectors.filter((v) => v.name.startsWith('ACS3') || v.name.startsWith('RPC'));
  const secrets = (v: Vector) => (ak: string) => (ak === 'LTAI5tFAKEACCESSKEYID01' || ak.startsWith('STS.') ? v.accessKeySecret : undefined);

  it.each(pop.map((v) => [v.name, v] as const))('%s authenticates as sent', (_name, v) => {
    const auth = new PopAuthenticator(fakeIdentity(secrets(v)));
    const req = toLocalRequest(v, signedAt);
    const call = auth.authenticate(req, popParams(req));
    expect(call.principal.accountId).toBe('1234567890123456');
    expect(call.scheme).toBe(v.name.startsWith('ACS3') ? 'ACS3-HMAC-SHA256' : 'HMAC-SHA1');
  });

  it.each(pop.map((v) => [v.name, v] as const))('%s: an altered parameter is SignatureDoesNotMatch (400)', (_name, v) => {
    const auth = new PopAuthenticator(fakeIdentity(secrets(v)));
    const tampered = { ...v, request: { ...v.request, requestTarget: v.request.requestTarget.replace(/probe-role/, 'probe-rolf') } };
    const req = toLocalRequest(tampered, signedAt);
    expect(authError(() => auth.authenticate(req, popParams(req)))).toEqual({ code: 'SignatureDoesNotMatch', status: 400 });
  });

  it.each(pop.map((v) => [v.name, v] as const))('%s: a wrong secret is SignatureDoesNotMatch (400)', (_name, v) => {
    const auth = new PopAuthenticator(fakeIdentity(() => 'not-the-secret'));
    const req = toLocalRequest(v, signedAt);
    expect(authError(() => auth.authenticate(req, popParams(req)))).toEqual({ code: 'SignatureDoesNotMatch', status: 400 });
  });

  it.each(pop.map((v) => [v.name, v] as const))('%s: an unknown key is InvalidAccessKeyId.NotFound (404)', (_name, v) => {
    const auth = new PopAuthenticator(fakeIdentity(() => undefined));
    const req = toLocalRequest(v, signedAt);
    expect(authError(() => auth.authenticate(req, popParams(req)))).toEqual({ code: 'InvalidAccessKeyId.NotFound', status: 404 });
  });

  it.each(pop.map((v) => [v.name, v] as const))('%s: replaying the same request is SignatureNonceUsed (400)', (_name, v) => {
    const auth = new PopAuthenticator(fakeIdentity(secrets(v)));
    const req = toLocalRequest(v, signedAt);
    auth.authenticate(req, popParams(req));
    expect(authError(() => auth.authenticate(req, popParams(req)))).toEqual({ code: 'SignatureNonceUsed', status: 400 });
  });

  it.each(pop.map((v) => [v.name, v] as const))('%s: more than 15 minutes of skew is InvalidTimeStamp.Expired (400)', (_name, v) => {
    expect(MAX_CLOCK_SKEW_MS).toBe(15 * 60_000);
    const auth = new PopAuthenticator(fakeIdentity(secrets(v)));
    const late = toLocalRequest(v, new Date(signedAt.getTime() + 15 * 60_000 + 1000));
    expect(authError(() => auth.authenticate(late, popParams(late)))).toEqual({ code: 'InvalidTimeStamp.Expired', status: 400 });
    const early = toLocalRequest(v, new Date(signedAt.getTime() - 15 * 60_000 - 1000));
    expect(authError(() => auth.authenticate(early, popParams(early)))).toEqual({ code: 'InvalidTimeStamp.Expired', status: 400 });
    const within = toLocalRequest(v, new Date(signedAt.getTime() + 14 * 60_000));
    expect(auth.authenticate(within, popParams(within)).principal.kind).toBe('root');
  });

  it('ACS3: an unsigned security token header is refused', () => {
    const v = pop.find((x) => x.name.includes('GetRole'));
    if (!v) throw new Error('vector missing');
    const auth = new PopAuthenticator(fakeIdentity(secrets(v)));
    const headers = { ...v.request.headers, Authorization: v.request.headers.Authorization?.replace('x-acs-security-token;', '') ?? '' };
    const req = toLocalRequest({ ...v, request: { ...v.request, headers } }, signedAt);
    expect(authError(() => auth.authenticate(req, popParams(req)))).toEqual({ code: 'IncompleteSignature', status: 400 });
  });

  it('HMAC-SHA1: parameters split between query and form body are all signed', () => {
    const secret = 'FakeSecret0123456789abcdefghijkl';
    const query: Array<[string, string]> = [
      ['Version', '2015-04-01'], ['Action', 'AssumeRole'], ['Format', 'JSON'], ['Timestamp', '2026-11-29T10:19:35Z'],
      ['SignatureMethod', 'HMAC-SHA1'], ['SignatureVersion', '1.0'], ['SignatureNonce', 'abc123'], ['AccessKeyId', 'LTAI5tFAKEACCESSKEYID01'],
    ];
    const body: Array<[string, string]> = [['RoleArn', 'acs:ram::1234567890123456:role/probe-role'], ['RoleSessionName', 's1'], ['DurationSeconds', '3600']];
    const sig = computeRpcSignature('POST', [...query, ...body], secret).signature;
    const enc = (pairs: Array<[string, string]>): string => pairs.map(([k, val]) => `${k}=${encodeURIComponent(val)}`).join('&');
    const rawQuery = `${enc(query)}&Signature=${encodeURIComponent(sig)}`;
    const mk = (b: string): LocalRequest => ({
      method: 'POST', target: `/?${rawQuery}`, path: '/', rawQuery,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(b), sourceIp: '127.0.0.1', receivedAt: signedAt,
    });
    const auth = new PopAuthenticator(fakeIdentity(() => secret));
    const ok = mk(enc(body));
    expect(auth.authenticate(ok, popParams(ok)).scheme).toBe('HMAC-SHA1');
    const bad = mk(enc(body).replace('s1', 's2'));
    expect(authError(() => auth.authenticate(bad, popParams(bad)))).toEqual({ code: 'SignatureDoesNotMatch', status: 400 });
  });
});

describe('MNS verifier on the MNS vectors', () => {
  const mns = vectors.filter((v) => v.name.startsWith('MNS'));
  const signedAt = (v: Vector): Date => new Date(v.request.headers.date ?? '');
  const identity = (v: Vector): IdentityProvider => fakeIdentity(() => v.accessKeySecret);

  it.each(mns.map((v) => [v.name, v] as const))('%s authenticates as sent, up to 15 minutes of skew either way', (_name, v) => {
    for (const offset of [0, MAX_CLOCK_SKEW_MS, -MAX_CLOCK_SKEW_MS]) {
      const req = toLocalRequest(v, new Date(signedAt(v).getTime() + offset));
      expect(authenticateMns(req, identity(v), req.receivedAt).accountId).toBe('1234567890123456');
    }
  });

  it.each(mns.map((v) => [v.name, v] as const))('%s: one second more of skew is TimeExpired (408)', (_name, v) => {
    for (const offset of [MAX_CLOCK_SKEW_MS + 1000, -MAX_CLOCK_SKEW_MS - 1000]) {
      const req = toLocalRequest(v, new Date(signedAt(v).getTime() + offset));
      expect(authError(() => authenticateMns(req, identity(v), req.receivedAt))).toEqual({ code: 'TimeExpired', status: 408 });
    }
  });

  it.each(mns.map((v) => [v.name, v] as const))('%s: another target or another secret is SignatureDoesNotMatch (403)', (_name, v) => {
    const moved = toLocalRequest({ ...v, request: { ...v.request, requestTarget: v.request.requestTarget.replace('probe-q', 'probe-r') } }, signedAt(v));
    expect(authError(() => authenticateMns(moved, identity(v), moved.receivedAt))).toEqual({ code: 'SignatureDoesNotMatch', status: 403 });
    const req = toLocalRequest(v, signedAt(v));
    expect(authError(() => authenticateMns(req, fakeIdentity(() => 'not-the-secret'), req.receivedAt))).toEqual({ code: 'SignatureDoesNotMatch', status: 403 });
  });
});

describe('FC verifier on the FC vectors and on an HTTP-trigger request', () => {
  const fc = vectors.filter((v) => v.name.startsWith('FC'));
  const signedAt = (v: Vector): Date => new Date(v.request.headers.date ?? '');
  const resourceOf = (v: Vector): string => v.request.requestTarget.split('?')[0] ?? '';
  const errorCode = (r: ReturnType<typeof authenticateFcRequest>): string =>
    r.ok ? 'ok' : `${r.response.status} ${(JSON.parse(String(r.response.body)) as { ErrorCode: string }).ErrorCode}`;

  it.each(fc.map((v) => [v.name, v] as const))('%s authenticates as sent; more than 15 minutes of skew is RequestTimeTooSkewed (403)', (_name, v) => {
    const identity = fakeIdentity(() => v.accessKeySecret);
    for (const offset of [0, MAX_CLOCK_SKEW_MS, -MAX_CLOCK_SKEW_MS]) {
      expect(errorCode(authenticateFcRequest(toLocalRequest(v, new Date(signedAt(v).getTime() + offset)), identity, resourceOf(v), 'rid'))).toBe('ok');
    }
    for (const offset of [MAX_CLOCK_SKEW_MS + 1000, -MAX_CLOCK_SKEW_MS - 1000]) {
      expect(errorCode(authenticateFcRequest(toLocalRequest(v, new Date(signedAt(v).getTime() + offset)), identity, resourceOf(v), 'rid'))).toBe('403 RequestTimeTooSkewed');
    }
    expect(errorCode(authenticateFcRequest(toLocalRequest(v, signedAt(v)), fakeIdentity(() => 'not-the-secret'), resourceOf(v), 'rid'))).toBe('403 SignatureNotMatch');
  });

  it('an authType=function HTTP-trigger request signs its query lines, and a changed query is refused', () => {
    const secret = 'FakeSecret0123456789abcdefghijkl';
    const date = new Date('2026-11-29T10:19:40Z');
    const headers: Record<string, string> = { date: date.toUTCString(), 'x-fc-trace': 't-1' };
    const queries: Array<[string, string]> = [['b', '2'], ['a', 'x y']];
    headers.authorization = fcAuthorization('LTAI5tFAKEACCESSKEYID01', secret, fcStringToSign('GET', '/fn/fx-http/echo', headers, queries));
    const mk = (rawQuery: string): LocalRequest => ({
      method: 'GET', target: `/fn/fx-http/echo?${rawQuery}`, path: '/fn/fx-http/echo', rawQuery, headers, body: Buffer.alloc(0), sourceIp: '127.0.0.1', receivedAt: date,
    });
    const verify = (rawQuery: string) => authenticateFcRequest(mk(rawQuery), fakeIdentity(() => secret), '/fn/fx-http/echo', 'rid', [...new URLSearchParams(rawQuery)]);
    expect(errorCode(verify('b=2&a=x%20y'))).toBe('ok');
    expect(errorCode(verify('b=3&a=x%20y'))).toBe('403 SignatureNotMatch');
  });
});
