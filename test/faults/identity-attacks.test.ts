/**
 * Worst day #6: attackers at the HTTP triggers (the real local FC trigger, real HTTP).
 * - Identity proofs that must be refused with 401 and their code; a proof that fails the local
 *   checks causes NO outbound request (decoy servers on other ports count what they receive).
 * - Authorization: each forbidden or invalid request refused with its status and code.
 * - Injection: hostile strings are refused or stored verbatim, and never change what the role's
 *   trust policy means.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildIdentityRequest } from '../../shared/identity/proof';
import { encodeProof, type IdentityProofEnvelope } from '../../shared/identity/proof-format';
import type { LocalPrincipal } from '../../local/stack';
import { OWNER_ACCOUNT_ID, PARTNER_ACCOUNT_ID } from '../../local/world';
import { startTestStack, type ApiClient, type ApiRequest, type ApiResponse, type TestStack } from '../helpers/stack';
import { managedRoles } from './helpers';

const THIRD = '1333333333333333';
jest.setTimeout(60_000);

let t: TestStack;
let partner: ApiClient;
let approver: ApiClient;
let carol: ApiClient;
let partnerApprover: ApiClient;
let stsPort: number;
const decoys: Array<{ server: Server; port: number; hits: string[] }> = [];

async function decoy(handler: (res: import('node:http').ServerResponse) => void): Promise<{ port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    handler(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  decoys.push({ server, port, hits });
  return { port, hits };
}

function userIn(accountId: string, name: string): LocalPrincipal {
  const { ram } = t.stack.server;
  if (ram.getAccount(accountId) === undefined) ram.createAccount(accountId, `Company ${accountId}`);
  ram.createUser(accountId, name);
  const key = ram.createAccessKey(accountId, name);
  return { accountId, arn: `acs:ram::${accountId}:user/${name}`, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
}

beforeAll(async () => {
  t = await startTestStack();
  partner = t.api('partner-admin');
  approver = t.api('approver');
  carol = t.api(userIn(THIRD, 'carol'));
  // A user named like the approver, but in the partner's account.
  partnerApprover = t.api(userIn(PARTNER_ACCOUNT_ID, 'approver'));
  stsPort = Number(t.contract.endpoint.split(':')[1]);
}, 120_000);

afterAll(async () => {
  for (const d of decoys) await new Promise<void>((r) => d.server.close(() => r()));
  await t?.close();
});

const envelope = (): IdentityProofEnvelope => {
  const p = t.contract.principals['partner-admin'];
  return buildIdentityRequest({ stsEndpoint: t.contract.endpoint, protocol: 'http', credentials: { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret } });
};

async function expectRefused(res: ApiResponse, status: number, code: string): Promise<void> {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

const listWith = (proof: string): Promise<ApiResponse> => partner.call('intake', 'GET', '/requests', { proof });

describe('identity proofs', () => {
  test('bad signature: STS refuses it (401 IDENTITY_REJECTED)', async () => {
    const e = envelope();
    e.headers.authorization = (e.headers.authorization ?? '').replace(/Signature=([0-9a-f])/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
    await expectRefused(await listWith(encodeProof(e)), 401, 'IDENTITY_REJECTED');
  });

  test('another action (AssumeRole) than GetCallerIdentity: 401 IDENTITY_ACTION_NOT_ALLOWED', async () => {
    const e = envelope();
    e.headers['x-acs-action'] = 'AssumeRole';
    await expectRefused(await listWith(encodeProof(e)), 401, 'IDENTITY_ACTION_NOT_ALLOWED');
  });

  test('signed outside the 5-minute window: 401 IDENTITY_EXPIRED (past and future)', async () => {
    const p = t.contract.principals['partner-admin'];
    const creds = { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret };
    for (const offset of [-6 * 60_000, 6 * 60_000]) {
      const e = buildIdentityRequest({ stsEndpoint: t.contract.endpoint, protocol: 'http', credentials: creds, now: new Date(Date.now() + offset) });
      await expectRefused(await listWith(encodeProof(e)), 401, 'IDENTITY_EXPIRED');
    }
  });

  test('a replayed proof: accepted once, then 401 IDENTITY_REPLAYED', async () => {
    const proof = partner.proof();
    expect((await listWith(proof)).status).toBe(200);
    await expectRefused(await listWith(proof), 401, 'IDENTITY_REPLAYED');
    // Even on the other function: nonces are shared by the ledger.
    await expectRefused(await partner.call('approval', 'GET', '/requests', { proof }), 401, 'IDENTITY_REPLAYED');
  });

  test('proofs addressed elsewhere are refused locally (401 IDENTITY_ENDPOINT_NOT_ALLOWED) and nothing is sent there', async () => {
    const other = await decoy((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ AccountId: OWNER_ACCOUNT_ID, Arn: `acs:ram::${OWNER_ACCOUNT_ID}:user/approver`, RequestId: 'x' }));
    });
    const redirector = await decoy((res) => {
      res.writeHead(307, { location: `http://${t.contract.endpoint}/` });
      res.end();
    });
    const urls = [
      `http://127.0.0.1:${other.port}/`, // another port on the same host
      `http://127.0.0.1:${redirector.port}/`, // a redirect to the real STS
      `http://127.0.0.1:${stsPort}/other-path`, // another path
      `http://127.0.0.1:${stsPort}@127.0.0.1:${other.port}/`, // userinfo trick
      `http://x@127.0.0.1:${stsPort}/`,
      `http://[::1]:${stsPort}/`, // IPv6 loopback
      `http://[::ffff:127.0.0.1]:${other.port}/`,
      `http://2130706433:${stsPort}/`, // decimal 127.0.0.1
      `http://0x7f000001:${stsPort}/`, // hex
      `http://127.1:${stsPort}/`,
      `http://localhost:${stsPort}/`,
      `https://127.0.0.1:${stsPort}/`,
      `http://127.0.0.1:${stsPort}/?Action=GetCallerIdentity`,
      `http://127.0.0.1:${stsPort}/#x`,
      `HTTP://127.0.0.1:${stsPort}/`,
      `http://127.0.0.1:${other.port}\\@127.0.0.1:${stsPort}/`,
    ];
    for (const url of urls) {
      const e = envelope();
      e.url = url;
      try {
        e.headers.host = new URL(url).host;
      } catch {
        // unparseable on purpose: keep the signed host
      }
      const res = await listWith(encodeProof(e));
      expect({ url, status: res.status, code: res.body?.error?.code }).toEqual({ url, status: 401, code: 'IDENTITY_ENDPOINT_NOT_ALLOWED' });
    }
    // A Host header that disagrees with the (allowed) URL is refused too.
    const e = envelope();
    e.headers.host = `127.0.0.1:${other.port}`;
    await expectRefused(await listWith(encodeProof(e)), 401, 'IDENTITY_ENDPOINT_NOT_ALLOWED');
    expect(other.hits).toEqual([]);
    expect(redirector.hits).toEqual([]);
  });

  test('oversized, malformed and missing proofs: 401 with their code', async () => {
    const big = encodeProof({ ...envelope(), headers: { ...envelope().headers, 'x-padding': 'A'.repeat(20_000) } });
    await expectRefused(await listWith(big), 401, 'IDENTITY_INVALID');
    await expectRefused(await listWith('%%%not-base64url%%%'), 401, 'IDENTITY_INVALID');
    await expectRefused(await listWith(Buffer.from('{"v":1}').toString('base64url')), 401, 'IDENTITY_INVALID');
    await expectRefused(await partner.call('intake', 'GET', '/requests', { proof: null }), 401, 'IDENTITY_MISSING');
  });
});

describe('authorization through HTTP', () => {
  const submit = (who: ApiClient, body: Record<string, unknown>): Promise<ApiResponse<{ request: ApiRequest }>> =>
    who.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'authz', ...body } });

  test('a partner asking for another account: 403 FORBIDDEN_PARTNER_ACCOUNT', async () => {
    await expectRefused(await submit(partner, { principals: [`acs:ram::${THIRD}:root`] }), 403, 'FORBIDDEN_PARTNER_ACCOUNT');
    await expectRefused(await submit(partner, { principals: [`acs:ram::${OWNER_ACCOUNT_ID}:user/approver`] }), 403, 'FORBIDDEN_PARTNER_ACCOUNT');
  });

  test('profile not in the catalog: 422 UNKNOWN_PROFILE; duration over the maximum: 422 DURATION_OVER_MAXIMUM', async () => {
    await expectRefused(await submit(partner, { profile: 'admin' }), 422, 'UNKNOWN_PROFILE');
    await expectRefused(await submit(partner, { profile: 'ecs-readonly-auto', duration: '2h' }), 422, 'DURATION_OVER_MAXIMUM');
    await expectRefused(await submit(partner, { duration: '8d' }), 422, 'DURATION_OVER_MAXIMUM');
  });

  test('non-approvers approving, an "approver" of the partner account, and a stranger revoking', async () => {
    const r = await submit(partner, {});
    expect(r.status).toBe(202);
    const id = r.body.request.id;
    await expectRefused(await partner.call('approval', 'POST', `/requests/${id}/approve`, { body: {} }), 403, 'FORBIDDEN_APPROVER_ACCOUNT');
    await expectRefused(await t.api('bob').call('approval', 'POST', `/requests/${id}/approve`, { body: {} }), 403, 'FORBIDDEN_APPROVER_ACCOUNT');
    await expectRefused(await partnerApprover.call('approval', 'POST', `/requests/${id}/approve`, { body: {} }), 403, 'FORBIDDEN_APPROVER_ACCOUNT');
    await expectRefused(await t.api('owner-admin').call('approval', 'POST', `/requests/${id}/approve`, { body: {} }), 403, 'FORBIDDEN_NOT_APPROVER');
    await expectRefused(await carol.call('approval', 'POST', `/requests/${id}/approve`, { body: {} }), 403, 'FORBIDDEN_APPROVER_ACCOUNT');
    expect((await approver.call('approval', 'POST', `/requests/${id}/approve`, { body: {} })).status).toBe(200);
    await t.waitForStatus(id, 'ACTIVE');
    // C cannot revoke B's grant, nor read it; the answer for an unknown id is the same.
    await expectRefused(await carol.call('approval', 'POST', `/requests/${id}/revoke`, { body: { reason: 'mine now' } }), 403, 'FORBIDDEN_NOT_OWNER');
    await expectRefused(await carol.call('approval', 'POST', '/requests/00000000-0000-4000-8000-000000000000/revoke', { body: { reason: 'x' } }), 403, 'FORBIDDEN_NOT_OWNER');
    expect((await carol.call('intake', 'GET', `/requests/${id}`)).status).toBeGreaterThanOrEqual(403);
    const still = await t.waitForStatus(id, 'ACTIVE');
    expect(still.status).toBe('ACTIVE');
  });
});

describe('injection', () => {
  const hostile = [
    'a"b', "a'b", '"}],"Principal":{"RAM":["acs:ram::1333333333333333:root"]},"x":[{"', '{"Effect":"Allow","Action":"*"}',
    '\u202eevil', '😀 grant', 'line\nbreak', 'tab\there', 'a\u0000b', 'a\u001bb', '\u0085', '<script>alert(1)</script>', "'; DROP TABLE requests; --",
  ];

  test('hostile reasons are stored verbatim or refused (control characters: 400 VALIDATION)', async () => {
    for (const reason of hostile) {
      const res = await partner.call<{ request: ApiRequest & { reason: string } }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason } });
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(reason)) {
        await expectRefused(res, 400, 'VALIDATION');
        continue;
      }
      expect({ reason, status: res.status }).toEqual({ reason, status: 202 });
      expect(res.body.request.reason).toBe(reason.trim());
      const back = await partner.call<{ request: { reason: string } }>('intake', 'GET', `/requests/${res.body.request.id}`);
      expect(back.body.request.reason).toBe(reason.trim());
    }
  });

  test('hostile role names and principals are refused with their code', async () => {
    // A plain name is accepted but always confined to the crossrole- prefix (the functions' RAM scope).
    const plain = await partner.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'x', roleName: 'AliyunECSReadOnlyAccess' } });
    expect(plain.status).toBe(202);
    expect(plain.body.request.roleName).toBe('crossrole-aliyunecsreadonlyaccess');
    for (const roleName of hostile.concat(['crossrole-a"b', 'crossrole-x/../y', 'crossrole-' + 'x'.repeat(70)])) {
      const res = await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'x', roleName } });
      expect({ roleName, status: res.status, code: res.body?.error?.code }).toEqual({ roleName, status: 400, code: expect.stringMatching(/^(INVALID_ROLE_NAME|VALIDATION)$/) });
    }
    for (const principal of ['user/a"b', 'user/a*', `acs:ram::${PARTNER_ACCOUNT_ID}:user/*`, `acs:ram::${PARTNER_ACCOUNT_ID}:root","acs:ram::${THIRD}:root`, `acs:ram::${PARTNER_ACCOUNT_ID}:user/a\u0000`, 'role/x","Service":"fc.aliyuncs.com']) {
      const res = await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'x', principals: [principal] } });
      expect({ principal, status: res.status }).toEqual({ principal, status: res.status >= 400 && res.status < 500 ? res.status : 'a 4xx' });
      expect(res.body?.error?.code).toMatch(/^(INVALID_ARN|VALIDATION|FORBIDDEN_PARTNER_ACCOUNT)$/);
    }
  });

  test('after provisioning a grant full of hostile text, the trust policy trusts exactly the intended principal with the ExternalId', async () => {
    const reason = '"}],"Principal":{"RAM":["acs:ram::1333333333333333:root"]}} \u202e 😀';
    const res = await partner.call<{ request: ApiRequest }>('intake', 'POST', '/requests', {
      body: { profile: 'ecs-readonly-auto', duration: '1h', reason, principals: ['user/bob'] },
    });
    expect(res.status).toBe(202);
    const g = await t.waitForStatus(res.body.request.id, 'ACTIVE');
    const role = managedRoles(t.stack.server).find((r) => r.requestId === g.id);
    expect(JSON.parse(role?.trust ?? '{}')).toEqual({
      Version: '1',
      Statement: [{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${PARTNER_ACCOUNT_ID}:user/bob`] },
        Condition: { StringEquals: { 'sts:ExternalId': g.externalId } },
      }],
    });
  });
});
