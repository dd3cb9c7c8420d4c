import { createHash, createHmac } from 'node:crypto';
import { AuthenticationError, CrossroleError } from '../../../shared/domain/errors';
import { silentLogger, type Logger } from '../../../shared/domain/ports';
import { buildIdentityProof, buildIdentityRequest } from '../../../shared/identity/proof';
import { encodeProof, type IdentityProofEnvelope } from '../../../shared/identity/proof-format';
import { createIdentityVerifier } from '../../../shared/identity/verify';
import { httpStatusOf } from '../../../shared/runtime/http/response';

const logger: Logger = silentLogger;
const NOW = new Date('2026-11-29T10:00:00Z');
const STS = '127.0.0.1:9494';
const ALLOWED = 'http://127.0.0.1:9494/';
const creds = { accessKeyId: 'LTAI5tFAKEACCESSKEYID01', accessKeySecret: 'FakeSecret0123456789abcdefghijkl' };
const stsCreds = { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbezFAKE', accessKeySecret: 'StsFakeSecret9876543210zyxwvuts', securityToken: 'CAIS+fakeSecurityToken/with+plus=and/slash==' };

const IDENTITY = { RequestId: 'R', AccountId: '1234567890123456', UserId: '2169', PrincipalId: '2169', IdentityType: 'RAMUser', Arn: 'acs:ram::1234567890123456:user/alice', RoleId: '' };

function setup(answer: { status?: number; body?: unknown; throws?: Error } = {}) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const used = new Map<string, Date>();
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    if (answer.throws) throw answer.throws;
    return new Response(JSON.stringify(answer.body ?? IDENTITY), { status: answer.status ?? 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const nonces = { useNonce: async (nonce: string, expiresAt: Date) => { if (used.has(nonce)) return false; used.set(nonce, expiresAt); return true; } };
  const verifier = createIdentityVerifier({ allowedStsUrls: [ALLOWED, 'https://sts.aliyuncs.com/'], nonces, clock: { now: () => NOW }, fetchImpl, logger });
  return { verifier, calls, used };
}

const request = (over: Partial<Parameters<typeof buildIdentityRequest>[0]> = {}): IdentityProofEnvelope =>
  buildIdentityRequest({ stsEndpoint: STS, protocol: 'http', credentials: creds, now: NOW, ...over });

async function refusal(p: Promise<unknown>): Promise<CrossroleError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof CrossroleError)) throw new Error(`expected a CrossroleError, got ${String(e)}`);
  return e;
}

describe('buildIdentityProof', () => {
  it('is an ACS3-signed GetCallerIdentity request, recomputable by an independent verifier (protocols.md §2.4)', () => {
    const env = request({ nonce: 'a'.repeat(64) });
    expect(env).toMatchObject({ v: 1, method: 'POST', url: 'http://127.0.0.1:9494/' });
    const h = env.headers;
    expect(h).toMatchObject({ host: STS, 'x-acs-action': 'GetCallerIdentity', 'x-acs-version': '2015-04-01', 'x-acs-date': '2026-11-29T10:00:00Z', 'x-acs-signature-nonce': 'a'.repeat(64) });
    const m = /^ACS3-HMAC-SHA256 Credential=(.+),SignedHeaders=(.+),Signature=([0-9a-f]{64})$/.exec(h['authorization']!);
    expect(m).not.toBeNull();
    const names = m![2]!.split(';');
    const canon = ['POST', '/', '', names.map((n) => `${n}:${h[n]!.trim()}\n`).join(''), names.join(';'), h['x-acs-content-sha256']].join('\n');
    const sts = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canon).digest('hex')}`;
    expect(m![3]).toBe(createHmac('sha256', creds.accessKeySecret).update(sts).digest('hex'));
    expect(m![1]).toBe(creds.accessKeyId);
    expect(JSON.stringify(env)).not.toContain(creds.accessKeySecret);
  });

  it('signs the security token and key id of STS credentials', () => {
    const env = request({ credentials: stsCreds });
    expect(env.headers['x-acs-security-token']).toBe(stsCreds.securityToken);
    expect(env.headers['authorization']).toMatch(/SignedHeaders=host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,/);
    expect(JSON.stringify(env)).not.toContain(stsCreds.accessKeySecret);
  });

  it('uses a fresh nonce each time and fits the header limit', () => {
    const a = buildIdentityProof({ stsEndpoint: STS, protocol: 'http', credentials: stsCreds });
    const b = buildIdentityProof({ stsEndpoint: STS, protocol: 'http', credentials: stsCreds });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a.length).toBeLessThan(8192);
  });

  it.each(['http://127.0.0.1:9494', '127.0.0.1:9494/x', 'sts.aliyuncs.com:443'])('refuses a non-canonical endpoint %s', (endpoint) => {
    expect(() => buildIdentityProof({ stsEndpoint: endpoint, protocol: 'https', credentials: creds })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('createIdentityVerifier', () => {
  it('accepts a fresh proof, replays it to the allowed STS with redirect: manual, and returns the identity', async () => {
    const { verifier, calls, used } = setup();
    const identity = await verifier.verify(encodeProof(request({ nonce: 'n'.repeat(64) })));
    expect(identity).toEqual({ accountId: '1234567890123456', arn: 'acs:ram::1234567890123456:user/alice', principalId: '2169', identityType: 'RAMUser' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(ALLOWED);
    expect(calls[0]!.init).toMatchObject({ method: 'POST', redirect: 'manual' });
    expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    const sent = calls[0]!.init.headers as Record<string, string>;
    expect(Object.keys(sent).sort()).toEqual(['accept', 'authorization', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-credentials-provider', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version']);
    expect(used.get('n'.repeat(64))).toEqual(new Date(NOW.getTime() + 10 * 60_000));
  });

  it('forwards only allowlisted headers', async () => {
    const { verifier, calls } = setup();
    const env = request();
    env.headers['user-agent'] = 'x';
    env.headers['cookie'] = 'session=1';
    env.headers['x-forwarded-for'] = '10.0.0.1';
    await verifier.verify(encodeProof(env));
    const sent = calls[0]!.init.headers as Record<string, string>;
    expect(sent).not.toHaveProperty('cookie');
    expect(sent).not.toHaveProperty('user-agent');
    expect(sent).not.toHaveProperty('x-forwarded-for');
  });

  it('refuses a replayed proof (IDENTITY_REPLAYED) and does not call STS again', async () => {
    const { verifier, calls } = setup();
    const proof = encodeProof(request());
    await verifier.verify(proof);
    const e = await refusal(verifier.verify(proof));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.code).toBe('IDENTITY_REPLAYED');
    expect(calls).toHaveLength(1);
  });

  const local: Array<[string, () => string | undefined, string]> = [
    ['missing header', () => undefined, 'IDENTITY_MISSING'],
    ['empty header', () => '  ', 'IDENTITY_MISSING'],
    ['not base64url', () => 'abc+/=', 'IDENTITY_INVALID'],
    ['not JSON', () => Buffer.from('{nope').toString('base64url'), 'IDENTITY_INVALID'],
    ['JSON array', () => Buffer.from('[]').toString('base64url'), 'IDENTITY_INVALID'],
    ['extra field', () => Buffer.from(JSON.stringify({ ...request(), body: 'x' })).toString('base64url'), 'IDENTITY_INVALID'],
    ['wrong version', () => Buffer.from(JSON.stringify({ ...request(), v: 2 })).toString('base64url'), 'IDENTITY_INVALID'],
    ['oversized proof', () => { const env = request(); env.headers['x-acs-padding'] = 'p'.repeat(9000); return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['method GET', () => encodeProof({ ...request(), method: 'GET' }), 'IDENTITY_INVALID'],
    ['header with CRLF', () => { const env = request(); env.headers['x-acs-extra'] = 'a\r\nx-evil: 1'; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['control character in a forwarded header', () => { const env = request(); env.headers['x-acs-credentials-provider'] = 'static\u0001ak'; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['non-ASCII in a forwarded header', () => { const env = request(); env.headers['x-acs-credentials-provider'] = 'статик'; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['duplicate header by case', () => { const env = request(); env.headers['X-Acs-Action'] = 'GetCallerIdentity'; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['another port', () => encodeProof({ ...request(), url: 'http://127.0.0.1:9495/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['localhost', () => encodeProof({ ...request(), url: 'http://localhost:9494/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['IPv6 loopback', () => encodeProof({ ...request(), url: 'http://[::1]:9494/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['decimal IP', () => encodeProof({ ...request(), url: 'http://2130706433:9494/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['hex IP', () => encodeProof({ ...request(), url: 'http://0x7f.0.0.1:9494/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['octal IP', () => encodeProof({ ...request(), url: 'http://0177.0.0.1:9494/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['userinfo', () => encodeProof({ ...request(), url: 'http://user@127.0.0.1:9494/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['other path', () => encodeProof({ ...request(), url: 'http://127.0.0.1:9494/other' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['fragment', () => encodeProof({ ...request(), url: 'http://127.0.0.1:9494/#x' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['empty fragment', () => encodeProof({ ...request(), url: 'http://127.0.0.1:9494/#' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['query', () => encodeProof({ ...request(), url: 'http://127.0.0.1:9494/?Action=AssumeRole' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['https on the http endpoint', () => encodeProof({ ...request(), url: 'https://127.0.0.1:9494/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['no trailing slash', () => encodeProof({ ...request(), url: 'http://127.0.0.1:9494' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['upper-case host', () => encodeProof({ ...request({ stsEndpoint: 'sts.aliyuncs.com', protocol: 'https' }), url: 'https://STS.aliyuncs.com/' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['attacker host', () => encodeProof(request({ stsEndpoint: 'evil.example', protocol: 'https' })), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['not a URL', () => encodeProof({ ...request(), url: 'not a url' }), 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['Host header differs from URL', () => { const env = request(); env.headers['host'] = 'evil.example'; return encodeProof(env); }, 'IDENTITY_ENDPOINT_NOT_ALLOWED'],
    ['other action', () => { const env = request(); env.headers['x-acs-action'] = 'AssumeRole'; return encodeProof(env); }, 'IDENTITY_ACTION_NOT_ALLOWED'],
    ['other version', () => { const env = request(); env.headers['x-acs-version'] = '2015-05-01'; return encodeProof(env); }, 'IDENTITY_ACTION_NOT_ALLOWED'],
    ['no Authorization', () => { const env = request(); delete env.headers['authorization']; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['HMAC-SHA1 style Authorization', () => { const env = request(); env.headers['authorization'] = 'acs AK:sig'; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['nonce not signed', () => {
      const env = request();
      env.headers['authorization'] = env.headers['authorization']!.replace(';x-acs-signature-nonce', '');
      return encodeProof(env);
    }, 'IDENTITY_INVALID'],
    ['security token not signed', () => {
      const env = request({ credentials: stsCreds });
      env.headers['authorization'] = env.headers['authorization']!.replace(';x-acs-security-token', '');
      return encodeProof(env);
    }, 'IDENTITY_INVALID'],
    ['non-empty body hash', () => { const env = request(); env.headers['x-acs-content-sha256'] = '0'.repeat(64); return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['malformed date', () => { const env = request(); env.headers['x-acs-date'] = 'Sun, 29 Nov 2026 10:00:00 GMT'; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['impossible date', () => { const env = request(); env.headers['x-acs-date'] = '2026-02-31T10:00:00Z'; return encodeProof(env); }, 'IDENTITY_INVALID'],
    ['signed 6 minutes ago', () => encodeProof(request({ now: new Date(NOW.getTime() - 6 * 60_000) })), 'IDENTITY_EXPIRED'],
    ['signed 6 minutes in the future', () => encodeProof(request({ now: new Date(NOW.getTime() + 6 * 60_000) })), 'IDENTITY_EXPIRED'],
    ['malformed nonce', () => encodeProof(request({ nonce: 'x' })), 'IDENTITY_INVALID'],
  ];

  it.each(local.map(([name, make, code]) => ({ name, make, code })))('refuses $name with $code, without calling STS or burning a nonce', async ({ make, code }) => {
    const { verifier, calls, used } = setup();
    const e = await refusal(verifier.verify(make()));
    expect(e.code).toBe(code);
    expect(httpStatusOf(e.code)).toBe(401);
    expect(calls).toHaveLength(0);
    expect(used.size).toBe(0);
  });

  it('accepts a proof signed 4 minutes ago', async () => {
    const { verifier } = setup();
    await expect(verifier.verify(encodeProof(request({ now: new Date(NOW.getTime() - 4 * 60_000) })))).resolves.toMatchObject({ accountId: '1234567890123456' });
  });

  it('accepts the other allowlisted endpoint', async () => {
    const { verifier, calls } = setup();
    await verifier.verify(encodeProof(request({ stsEndpoint: 'sts.aliyuncs.com', protocol: 'https' })));
    expect(calls[0]!.url).toBe('https://sts.aliyuncs.com/');
  });

  it('maps an STS refusal to IDENTITY_REJECTED with the STS code', async () => {
    const { verifier } = setup({ status: 400, body: { Code: 'SignatureDoesNotMatch', Message: 'bad', RequestId: 'R9' } });
    const e = await refusal(verifier.verify(encodeProof(request())));
    expect(e.code).toBe('IDENTITY_REJECTED');
    expect(e.details).toMatchObject({ stsCode: 'SignatureDoesNotMatch', status: 400, requestId: 'R9' });
  });

  it('treats a redirect as IDENTITY_REJECTED', async () => {
    const { verifier } = setup({ status: 302, body: {} });
    expect((await refusal(verifier.verify(encodeProof(request())))).code).toBe('IDENTITY_REJECTED');
  });

  it('treats an answer without AccountId/Arn as IDENTITY_REJECTED', async () => {
    const { verifier } = setup({ body: { RequestId: 'x' } });
    expect((await refusal(verifier.verify(encodeProof(request())))).code).toBe('IDENTITY_REJECTED');
    const other = setup({ body: { ...IDENTITY, Arn: 'acs:ram::999:user/mallory' } });
    expect((await refusal(other.verifier.verify(encodeProof(request())))).code).toBe('IDENTITY_REJECTED');
  });

  it('maps a network failure to DEPENDENCY_UNAVAILABLE (503)', async () => {
    const { verifier } = setup({ throws: new TypeError('fetch failed') });
    const e = await refusal(verifier.verify(encodeProof(request())));
    expect(e.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(httpStatusOf(e.code)).toBe(503);
  });

  it('maps STS 5xx to DEPENDENCY_UNAVAILABLE', async () => {
    const { verifier } = setup({ status: 500, body: { Code: 'InternalError' } });
    expect((await refusal(verifier.verify(encodeProof(request())))).code).toBe('DEPENDENCY_UNAVAILABLE');
  });

  it.each([[[]], [['http://127.0.0.1:9494/?x=1']], [['ftp://127.0.0.1/']], [['http://u@127.0.0.1:9494/']]])('refuses a bad allowlist %j at construction', (urls) => {
    expect(() => createIdentityVerifier({ allowedStsUrls: urls, nonces: { useNonce: async () => true }, clock: { now: () => NOW }, logger }))
      .toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
