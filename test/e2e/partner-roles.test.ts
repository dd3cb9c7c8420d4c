/**
 * Roles inside the partner account, end to end through the local stack's HTTP triggers: two
 * identities of Company B, `partner-admin` (a manager in deploy/local-catalog.json) and `bob` (no
 * standing: he may ask, and sees only what he asked); role names reserved across accounts,
 * atomically, and the deployment's own name never granted.
 */
import type { LocalPrincipal } from '../../local/stack';
import { startTestStack, type ApiClient, type ApiRequest, type ApiResponse, type TestStack } from '../helpers/stack';

const THIRD_ACCOUNT_ID = '1444444444444444';
jest.setTimeout(30_000);

let t: TestStack;
let admin: ApiClient;
let bob: ApiClient;
let carol: ApiClient;

type RequestBody = { request: ApiRequest };
type PageBody = { items: ApiRequest[] };

beforeAll(async () => {
  t = await startTestStack();
  admin = t.api('partner-admin');
  bob = t.api('bob');
  const { ram: iam } = t.stack.server;
  iam.createAccount(THIRD_ACCOUNT_ID, 'Company D');
  iam.createUser(THIRD_ACCOUNT_ID, 'carol');
  const key = iam.createAccessKey(THIRD_ACCOUNT_ID, 'carol');
  const principal: LocalPrincipal = { accountId: THIRD_ACCOUNT_ID, arn: `acs:ram::${THIRD_ACCOUNT_ID}:user/carol`, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
  carol = t.api(principal);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

function ask(who: ApiClient, body: Record<string, unknown>): Promise<ApiResponse<RequestBody>> {
  return who.call<RequestBody>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'partner roles e2e', ...body } });
}

async function asked(who: ApiClient, body: Record<string, unknown>): Promise<ApiRequest> {
  const res = await ask(who, body);
  expect(res.status).toBe(202);
  return res.body.request;
}

const idsOf = (res: ApiResponse<PageBody>): string[] => res.body.items.map((r) => r.id);

describe('two identities of the partner account', () => {
  let bobs: ApiRequest;
  let admins: ApiRequest;

  beforeAll(async () => {
    bobs = await asked(bob, { roleName: 'bob-audit' });
    const auto = await asked(admin, { profile: 'ecs-readonly-auto', roleName: 'admin-grant' });
    admins = await t.waitForStatus(auto.id, 'ACTIVE');
  });

  it('bob reads his own request, with its ExternalId; the admin\'s is 404, exactly like an unknown id', async () => {
    const own = await bob.call<RequestBody>('intake', 'GET', `/requests/${bobs.id}`);
    expect(own.status).toBe(200);
    expect(own.body.request.externalId).toBe(bobs.externalId);
    const colleague = await bob.call('intake', 'GET', `/requests/${admins.id}`);
    const unknown = await bob.call('intake', 'GET', '/requests/00000000-0000-4000-8000-000000000000');
    expectError(colleague, 404, 'NOT_FOUND');
    expectError(unknown, 404, 'NOT_FOUND');
    // Through the approval function too (it serves the same read routes).
    expectError(await bob.call('approval', 'GET', `/requests/${admins.id}`), 404, 'NOT_FOUND');
  });

  it('bob lists his own requests only; the admin (a manager) lists the account\'s', async () => {
    const bobList = await bob.call<PageBody>('intake', 'GET', '/requests');
    expect(bobList.status).toBe(200);
    expect(idsOf(bobList)).toEqual([bobs.id]);
    expect(idsOf(await bob.call<PageBody>('intake', 'GET', '/requests?status=ACTIVE'))).toEqual([]);
    const adminList = await admin.call<PageBody>('intake', 'GET', '/requests');
    expect(idsOf(adminList)).toEqual(expect.arrayContaining([bobs.id, admins.id]));
    const seen = await admin.call<RequestBody>('intake', 'GET', `/requests/${bobs.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.request.externalId).toBe(bobs.externalId);
  });

  it('bob can neither cancel nor revoke the admin\'s requests (403, as for an unknown id); nothing moves', async () => {
    const pending = await asked(admin, { roleName: 'admin-pending' });
    expectError(await bob.call('intake', 'POST', `/requests/${pending.id}/cancel`, { body: {} }), 403, 'FORBIDDEN_NOT_OWNER');
    expectError(await bob.call('intake', 'POST', '/requests/00000000-0000-4000-8000-000000000000/cancel', { body: {} }), 403, 'FORBIDDEN_NOT_OWNER');
    for (const mode of ['trust', 'delete']) {
      expectError(await bob.call('approval', 'POST', `/requests/${admins.id}/revoke`, { body: { mode, reason: 'not mine' } }), 403, 'FORBIDDEN_NOT_OWNER');
    }
    expect((await t.waitForStatus(admins.id, 'ACTIVE')).status).toBe('ACTIVE');
    expect((await t.waitForStatus(pending.id, 'PENDING')).status).toBe('PENDING');
  });

  it('no answer to bob carries the admin\'s ExternalId', async () => {
    const texts = [
      (await bob.call('intake', 'GET', `/requests/${admins.id}`)).text,
      (await bob.call('approval', 'GET', `/requests/${admins.id}`)).text,
      (await bob.call('intake', 'GET', '/requests')).text,
      (await bob.call('approval', 'GET', '/requests?status=ACTIVE')).text,
      (await bob.call('approval', 'POST', `/requests/${admins.id}/revoke`, { body: { reason: 'x' } })).text,
      (await ask(bob, { roleName: 'admin-grant' })).text,
    ];
    for (const text of texts) expect(text).not.toContain(admins.externalId);
  });

  it('the manager cancels bob\'s request; bob revokes his own grant', async () => {
    const cancelled = await admin.call<RequestBody>('intake', 'POST', `/requests/${bobs.id}/cancel`, { body: { reason: 'asked twice' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.request.status).toBe('CANCELLED');
    const grant = await asked(bob, { profile: 'ecs-readonly-auto' });
    await t.waitForStatus(grant.id, 'ACTIVE');
    const revoked = await bob.call<RequestBody>('approval', 'POST', `/requests/${grant.id}/revoke`, { body: { reason: 'done' } });
    expect(revoked.status).toBe(200);
    await t.waitForStatus(grant.id, 'REVOKED');
  });
});

describe('role names reserved at intake', () => {
  it('a name in use is 409 ROLE_NAME_TAKEN for anyone, from any account, naming no request; free again once the holder is cancelled', async () => {
    const holder = await asked(bob, { roleName: 'Shared-Name' });
    const fromColleague = await ask(admin, { roleName: 'shared-name' });
    const fromStranger = await ask(carol, { roleName: 'crossrole-shared-name' });
    for (const res of [fromColleague, fromStranger]) {
      expectError(res, 409, 'ROLE_NAME_TAKEN');
      expect(res.body.error?.message).toBe('role name "crossrole-shared-name" is in use by another request; choose another roleName');
      for (const secret of [holder.id, holder.externalId, bob.principal.arn, 'PENDING']) expect(res.text).not.toContain(secret);
    }
    expect((await bob.call('intake', 'POST', `/requests/${holder.id}/cancel`, { body: {} })).status).toBe(200);
    expect((await asked(carol, { roleName: 'shared-name' })).roleName).toBe('crossrole-shared-name');
  });

  it('the deployment\'s execution role name is never granted (fc-exec -> crossrole-fc-exec)', async () => {
    for (const roleName of ['fc-exec', 'crossrole-fc-exec']) {
      const res = await ask(bob, { roleName });
      expectError(res, 409, 'ROLE_NAME_TAKEN');
      expect(res.body.error?.message).toContain('reserved by the Crossrole deployment');
    }
  });

  it('10 concurrent submits for one name through HTTP: exactly one 202, nine 409', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(i % 2 === 0 ? bob : carol, { roleName: 'race-name' })));
    expect(results.map((r) => r.status).sort()).toEqual([202, ...Array(9).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error?.code === 'ROLE_NAME_TAKEN')).toBe(true);
  });
});
