/**
 * The workflow end to end through the local stack (issue "The workflow", Tests): the tutorial's
 * grant requested, approved, provisioned, used by Bob with the real STS and ECS SDKs, revoked;
 * expiry by the delayed message and by the timer alone; delete mode; and every authorization
 * rule of ARCHITECTURE.md "Who may do what", each asserted by HTTP status AND error code.
 *
 * Time: the local cloud reads the wall clock, so nothing here waits for a grant to run out.
 * Test-only time travel: the ledger's `expires_at` is moved into the past with SQL on the stack's
 * ledger socket, which is exactly the state the functions meet once the time has really come.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from '@alicloud/ecs20140526';
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { Client } from 'pg';
import { buildIdentityProof } from '../../shared/identity';
import { buildIdentityRequest } from '../../shared/identity/proof';
import { encodeProof } from '../../shared/identity/proof-format';
import { QueueName } from '../../shared/domain/ports';
import { OWNER_ACCOUNT_ID, PARTNER_ACCOUNT_ID } from '../../local/world';
import type { LocalPrincipal } from '../../local/stack';
import { expectCloudError, type Creds } from '../helpers/local-server';
import { credsOf, startTestStack, type ApiClient, type ApiRequest, type ApiResponse, type TestStack } from '../helpers/stack';

const THIRD_ACCOUNT_ID = '1333333333333333';
const REGION = 'cn-hangzhou';

// Each step waits for queue-driven work of the stack (provisioning, revocation).
jest.setTimeout(20_000);

let t: TestStack;
let partner: ApiClient;
let approver: ApiClient;
let ownerAdmin: ApiClient;
let bobApi: ApiClient;
let carol: ApiClient;
let pg: Client;

type RequestBody = { request: ApiRequest };
type ViewBody = { request: ApiRequest; history: Array<{ actor: string; action: string; fromStatus: string | null; toStatus: string | null; reason?: string }> };

beforeAll(async () => {
  t = await startTestStack();
  partner = t.api('partner-admin');
  approver = t.api('approver');
  ownerAdmin = t.api('owner-admin');
  bobApi = t.api('bob');
  // A third company, C, with one user: a stranger to the grants of B.
  const { ram } = t.stack.server;
  ram.createAccount(THIRD_ACCOUNT_ID, 'Company C');
  ram.createUser(THIRD_ACCOUNT_ID, 'carol');
  const key = ram.createAccessKey(THIRD_ACCOUNT_ID, 'carol');
  const carolPrincipal: LocalPrincipal = { accountId: THIRD_ACCOUNT_ID, arn: `acs:ram::${THIRD_ACCOUNT_ID}:user/carol`, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
  carol = t.api(carolPrincipal);
  pg = new Client({ connectionString: t.stack.ledgerUrl });
  await pg.connect();
}, 120_000);

afterAll(async () => {
  await pg?.end();
  await t?.close();
});

// ---------------------------------------------------------------- helpers

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

async function submit(body: Record<string, unknown>, who: ApiClient = partner): Promise<ApiRequest> {
  const res = await who.call<RequestBody>('intake', 'POST', '/requests', { body });
  expect(res.status).toBe(202);
  return res.body.request;
}

/** An auto-approved grant (profile ecs-readonly-auto), waited for until ACTIVE. */
async function activeAutoGrant(reason: string): Promise<ApiRequest> {
  const r = await submit({ profile: 'ecs-readonly-auto', duration: '1h', reason });
  expect(r.status).toBe('APPROVED');
  return t.waitForStatus(r.id, 'ACTIVE');
}

async function view(id: string): Promise<ViewBody> {
  const res = await approver.call<ViewBody>('approval', 'GET', `/requests/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Test-only time travel: the grant's end, as the ledger records it, moved into the past. */
async function moveExpiryIntoThePast(id: string): Promise<void> {
  const r = await pg.query("UPDATE requests SET expires_at = now() - interval '1 minute' WHERE id = $1 AND status = 'ACTIVE'", [id]);
  expect(r.rowCount).toBe(1);
}

interface JournalMessage {
  body: string;
  enqueueTime: number;
  visibleAt: number;
}

/**
 * The messages the local MNS holds for a queue, read from its durable journal (the data directory
 * is ours). MNS's API cannot show a delayed message before it is due; its record says when it is.
 */
function journalMessages(queue: string): JournalMessage[] {
  const live = new Map<string, JournalMessage>();
  const prefix = `${OWNER_ACCOUNT_ID}/${queue}/`;
  for (const line of readFileSync(join(t.dataDir, 'cloud', 'mns.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as { n: string; k: string; v?: JournalMessage };
    if (e.n !== 'mns.messages' || !e.k.startsWith(prefix)) continue;
    if (e.v === undefined) live.delete(e.k);
    else live.set(e.k, e.v);
  }
  return [...live.values()];
}

function parsedBodies(queue: string): Array<{ requestId: string; version?: number; kind: string }> {
  return t.stack.mns.peekMessages(OWNER_ACCOUNT_ID, queue, 16).map((m) => JSON.parse(m.body) as { requestId: string; version?: number; kind: string });
}

const assumeRequest = (roleArn: string, externalId: string | undefined, session = 'bob'): S.AssumeRoleRequest =>
  new S.AssumeRoleRequest({ roleArn, roleSessionName: session, durationSeconds: 900, ...(externalId === undefined ? {} : { externalId }) });

function tokenOf(res: S.AssumeRoleResponse): Creds {
  const c = res.body?.credentials;
  return { accessKeyId: c?.accessKeyId ?? '', accessKeySecret: c?.accessKeySecret ?? '', securityToken: c?.securityToken ?? '' };
}

// ---------------------------------------------------------------- the tutorial

describe('the tutorial, through the HTTP triggers', () => {
  let grant: ApiRequest;
  let bobToken: Creds;
  const bob = (): Creds => credsOf(t.contract.principals.bob);

  it('partner requests ecs-readonly for 8h: 202 PENDING, and the approvers are told on crossrole-approvals', async () => {
    const res = await partner.call<RequestBody>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '8h', reason: 'Quarterly audit of the ECS fleet' } });
    expect(res.status).toBe(202);
    const r = res.body.request;
    expect(r).toMatchObject({ status: 'PENDING', partnerAccountId: PARTNER_ACCOUNT_ID, requesterArn: t.contract.principals['partner-admin'].arn, profile: 'ecs-readonly', durationSeconds: 8 * 3600 });
    expect(parsedBodies(QueueName.APPROVALS)).toContainEqual({ requestId: r.id, version: 1, kind: 'approval-needed' });
    // The partner reads its own request; the approver sees it among the pending ones.
    const own = await partner.call<ViewBody>('intake', 'GET', `/requests/${r.id}`);
    expect(own.status).toBe(200);
    expect(own.body.request.status).toBe('PENDING');
    const pending = await approver.call<{ items: ApiRequest[] }>('approval', 'GET', '/requests?status=PENDING');
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((i) => i.id)).toContain(r.id);
    grant = r;
  });

  it('the approver approves; provisioning makes it ACTIVE with the role, ExternalId and partner policy', async () => {
    const res = await approver.call<RequestBody>('approval', 'POST', `/requests/${grant.id}/approve`, { body: { reason: 'audit agreed with B' } });
    expect(res.status).toBe(200);
    expect(res.body.request.status).toBe('APPROVED');
    grant = await t.waitForStatus(grant.id, 'ACTIVE');
    const g = grant.grant;
    expect(g).toBeDefined();
    expect(g?.roleArn).toBe(`acs:ram::${OWNER_ACCOUNT_ID}:role/${grant.roleName}`);
    expect(g?.externalId).toBe(grant.externalId);
    expect(JSON.parse(g?.partnerPolicy ?? '{}')).toEqual({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: g?.roleArn }] });
    // ~8 h from now (whole seconds).
    expect(Date.parse(grant.expiresAt ?? '') - Date.now()).toBeGreaterThan(8 * 3600_000 - 60_000);
    // In RAM: the role trusts B with the ExternalId, and carries the guard and the profile's policy.
    const role = t.stack.server.ram.findRole(OWNER_ACCOUNT_ID, grant.roleName);
    expect(role).toBeDefined();
    const attached = t.stack.server.ram.listPoliciesForRole(OWNER_ACCOUNT_ID, grant.roleName).map((p) => `${p.policyType}:${p.policyName}`).sort();
    expect(attached).toEqual([`Custom:${g?.guardPolicyName ?? ''}`, 'System:AliyunECSReadOnlyAccess'].sort());
    // The delayed `expire` message is waiting on crossrole-revoke, due at expiresAt.
    const expire = journalMessages(QueueName.REVOKE).find((m) => m.body.includes(grant.id) && m.body.includes('"expire"'));
    expect(expire).toBeDefined();
    expect(Math.abs((expire?.visibleAt ?? 0) - Date.parse(grant.expiresAt ?? ''))).toBeLessThan(2000);
    expect(t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE).delayed).toBeGreaterThanOrEqual(1);
  });

  it('Bob cannot assume the role until B\'s admin attaches the partner policy; then only with the ExternalId', async () => {
    const roleArn = grant.grant?.roleArn ?? '';
    const bobSts = t.sts(bob());
    await expectCloudError(bobSts.assumeRole(assumeRequest(roleArn, grant.externalId)), 'NoPermission', 403);

    // Tutorial step 2, by B's admin with the RAM SDK: the returned policy, attached to Bob.
    const ramB = t.ram(credsOf(t.contract.principals['partner-admin']));
    await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeCrossroleGrant', policyDocument: grant.grant?.partnerPolicy ?? '' }));
    await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeCrossroleGrant', userName: 'bob' }));

    await expectCloudError(bobSts.assumeRole(assumeRequest(roleArn, undefined)), 'NoPermission', 403);
    await expectCloudError(bobSts.assumeRole(assumeRequest(roleArn, 'not-the-external-id')), 'NoPermission', 403);
    bobToken = tokenOf(await bobSts.assumeRole(assumeRequest(roleArn, grant.externalId)));
    const listed = await t.ecs(bobToken).describeInstances(new E.DescribeInstancesRequest({ regionId: REGION }));
    expect(listed.body?.instances?.instance?.length).toBe(3);
    // Read-only ECS, nothing else: no RAM in A.
    await expectCloudError(t.ram(bobToken).listRoles(new R.ListRolesRequest({})), 'NoPermission', 403);
  });

  it('revoke (trust) by the approver: REVOKED, no new AssumeRole, and the old token is cut off', async () => {
    const res = await approver.call<RequestBody>('approval', 'POST', `/requests/${grant.id}/revoke`, { body: { reason: 'audit finished early' } });
    expect(res.status).toBe(200);
    expect(res.body.request).toMatchObject({ status: 'REVOKING', revokeMode: 'trust' });
    await t.waitForStatus(grant.id, 'REVOKED');
    const roleArn = grant.grant?.roleArn ?? '';
    await expectCloudError(t.sts(bob()).assumeRole(assumeRequest(roleArn, grant.externalId)), 'NoPermission', 403);
    await expectCloudError(t.ecs(bobToken).describeInstances(new E.DescribeInstancesRequest({ regionId: REGION })), 'Forbidden.RAM', 403);
    // Trust mode keeps the role (reversible) but it no longer trusts B, and only the guard stays.
    const role = t.stack.server.ram.findRole(OWNER_ACCOUNT_ID, grant.roleName);
    expect(role).toBeDefined();
    expect(JSON.stringify(role?.assumeRolePolicyDocument)).not.toContain(PARTNER_ACCOUNT_ID);
    expect(t.stack.server.ram.listPoliciesForRole(OWNER_ACCOUNT_ID, grant.roleName).map((p) => p.policyName)).toEqual([grant.grant?.guardPolicyName]);
    // Revoking again is idempotent.
    const again = await partner.call<RequestBody>('approval', 'POST', `/requests/${grant.id}/revoke`, { body: { reason: 'again' } });
    expect(again.status).toBe(200);
    expect(again.body.request.status).toBe('REVOKED');
  });
});

// ---------------------------------------------------------------- expiry

describe('expiry', () => {
  it('the delayed expire message ends a grant that is due (delivered now, as MNS delivers it at expiresAt)', async () => {
    const g = await activeAutoGrant('expiry by message');
    const expire = journalMessages(QueueName.REVOKE).find((m) => m.body.includes(g.id));
    expect(expire).toBeDefined();
    const body = JSON.parse(expire?.body ?? '{}') as Record<string, unknown>;
    expect(body).toEqual({ requestId: g.id, version: g.version, kind: 'expire' });
    // Delay = the grant's duration (1 h), to the second.
    expect(Math.round(((expire?.visibleAt ?? 0) - (expire?.enqueueTime ?? 0)) / 1000)).toBeGreaterThanOrEqual(3599);
    expect(Math.abs((expire?.visibleAt ?? 0) - Date.parse(g.expiresAt ?? ''))).toBeLessThan(2000);

    // Early (the grant is not due yet): the revocation function re-sends it with the remaining delay.
    const delayedBefore = t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE).delayed;
    t.stack.mns.sendMessage(OWNER_ACCOUNT_ID, QueueName.REVOKE, expire?.body ?? '');
    await waitUntil(() => t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE).delayed === delayedBefore + 1, 5000, 'the early expire re-sent with a delay');
    expect((await view(g.id)).request.status).toBe('ACTIVE');

    await moveExpiryIntoThePast(g.id);
    t.stack.mns.sendMessage(OWNER_ACCOUNT_ID, QueueName.REVOKE, expire?.body ?? '');
    await t.waitForStatus(g.id, 'REVOKED');
    const { history } = await view(g.id);
    expect(history).toContainEqual(expect.objectContaining({ actor: 'system:expiry', action: 'START_REVOKE', reason: 'expired', toStatus: 'REVOKING' }));
    expect(t.stack.server.ram.listPoliciesForRole(OWNER_ACCOUNT_ID, g.roleName).map((p) => p.policyName)).toEqual([g.grant?.guardPolicyName]);
  });

  it('the timer alone ends a due grant (its delayed message still far in the future)', async () => {
    const g = await activeAutoGrant('expiry by the timer');
    const delayed = t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE).delayed;
    await moveExpiryIntoThePast(g.id);
    const fired = await t.stack.fc.fireTimer('crossrole-expiry');
    if (!fired.ok) throw new Error(`expiry timer failed: ${fired.error.errorMessage}`);
    expect(fired.result.kind).toBe('json');
    expect(fired.result.kind === 'json' ? fired.result.value : undefined).toMatchObject({ expired: 1, errors: 0 });
    await t.waitForStatus(g.id, 'REVOKED');
    // The grant's own expire message was not what did it: it is still delayed.
    expect(journalMessages(QueueName.REVOKE).some((m) => m.body.includes(g.id) && m.visibleAt > Date.now())).toBe(true);
    expect(t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE).delayed).toBe(delayed);
    const { history } = await view(g.id);
    expect(history).toContainEqual(expect.objectContaining({ actor: 'system:expiry', action: 'START_REVOKE', toStatus: 'REVOKING' }));
  });

  it('revoke in delete mode (by the partner, for its own grant) leaves no role or policy behind', async () => {
    const g = await activeAutoGrant('delete mode');
    const res = await partner.call<RequestBody>('approval', 'POST', `/requests/${g.id}/revoke`, { body: { mode: 'delete', reason: 'done for good' } });
    expect(res.status).toBe(200);
    expect(res.body.request).toMatchObject({ status: 'REVOKING', revokeMode: 'delete' });
    await t.waitForStatus(g.id, 'REVOKED');
    expect(t.stack.server.ram.findRole(OWNER_ACCOUNT_ID, g.roleName)).toBeUndefined();
    expect(t.stack.server.ram.listPolicies(OWNER_ACCOUNT_ID).map((p) => p.policyName)).not.toContain(g.grant?.guardPolicyName);
  });
});

async function waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---------------------------------------------------------------- who may do what

describe('authorization rules (status and error code)', () => {
  let pendingId: string;
  let activeGrant: ApiRequest;

  beforeAll(async () => {
    pendingId = (await submit({ profile: 'ecs-readonly', duration: '2h', reason: 'pending for the negative tests' })).id;
    activeGrant = await activeAutoGrant('active for the negative tests');
  });

  it('a partner requests only for its own account', async () => {
    const res = await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'x', principals: [`acs:ram::${THIRD_ACCOUNT_ID}:user/carol`] } });
    expectError(res, 403, 'FORBIDDEN_PARTNER_ACCOUNT');
    const owner = await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'x', principals: [`acs:ram::${OWNER_ACCOUNT_ID}:root`] } });
    expectError(owner, 403, 'FORBIDDEN_PARTNER_ACCOUNT');
  });

  it('the owner account cannot request (so an approver can never decide a request of its own)', async () => {
    expectError(await approver.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'self' } }), 403, 'FORBIDDEN_PARTNER_ACCOUNT');
    expectError(await ownerAdmin.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'self' } }), 403, 'FORBIDDEN_PARTNER_ACCOUNT');
  });

  it('only listed approvers of the owner account decide', async () => {
    expectError(await ownerAdmin.call('approval', 'POST', `/requests/${pendingId}/approve`, { body: {} }), 403, 'FORBIDDEN_NOT_APPROVER');
    expectError(await partner.call('approval', 'POST', `/requests/${pendingId}/approve`, { body: {} }), 403, 'FORBIDDEN_APPROVER_ACCOUNT');
    expectError(await bobApi.call('approval', 'POST', `/requests/${pendingId}/reject`, { body: { reason: 'no' } }), 403, 'FORBIDDEN_APPROVER_ACCOUNT');
    // Listing is not deciding: a stranger's list (even through the approval function) is empty.
    const listed = await carol.call<{ items: ApiRequest[] }>('approval', 'GET', '/requests?status=PENDING');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([]);
    expect((await view(pendingId)).request.status).toBe('PENDING');
  });

  it('nobody revokes or reads somebody else\'s grant; an unknown id gives the same answer', async () => {
    expectError(await carol.call('approval', 'POST', `/requests/${activeGrant.id}/revoke`, { body: { reason: 'not mine' } }), 403, 'FORBIDDEN_NOT_OWNER');
    expectError(await carol.call('approval', 'POST', '/requests/00000000-0000-4000-8000-000000000000/revoke', { body: { reason: 'unknown' } }), 403, 'FORBIDDEN_NOT_OWNER');
    expectError(await carol.call('intake', 'POST', `/requests/${pendingId}/cancel`, { body: {} }), 403, 'FORBIDDEN_NOT_OWNER');
    expectError(await carol.call('intake', 'GET', `/requests/${activeGrant.id}`), 404, 'NOT_FOUND');
    const list = await carol.call<{ items: ApiRequest[] }>('intake', 'GET', '/requests');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    expect((await view(activeGrant.id)).request.status).toBe('ACTIVE');
  });

  it('the catalog bounds what may be asked: unknown profile, duration over the maximum (422)', async () => {
    expectError(await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-admin', duration: '1h', reason: 'x' } }), 422, 'UNKNOWN_PROFILE');
    expectError(await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '8d', reason: 'x' } }), 422, 'DURATION_OVER_MAXIMUM');
    expectError(await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly-auto', duration: '2h', reason: 'x' } }), 422, 'DURATION_OVER_MAXIMUM');
    // An approver may shorten, never lengthen.
    expectError(await approver.call('approval', 'POST', `/requests/${pendingId}/approve`, { body: { duration: '3h' } }), 422, 'DURATION_OVER_MAXIMUM');
  });

  it('malformed input: bad JSON, bad duration, bad role name, unknown field (400); body over 256 KB (413)', async () => {
    expectError(await partner.call('intake', 'POST', '/requests', { body: '{"profile": "ecs-readonly",' }), 400, 'INVALID_JSON');
    expectError(await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '8 hours', reason: 'x' } }), 400, 'INVALID_DURATION');
    expectError(await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'x', roleName: 'bad name!' } }), 400, 'INVALID_ROLE_NAME');
    expectError(await partner.call('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'x', admin: true } }), 400, 'VALIDATION');
    const big = JSON.stringify({ profile: 'ecs-readonly', duration: '1h', reason: 'x'.repeat(262_144) });
    expectError(await partner.call('intake', 'POST', '/requests', { body: big }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('state rules: a decided request cannot be decided again (409)', async () => {
    expectError(await approver.call('approval', 'POST', `/requests/${activeGrant.id}/approve`, { body: {} }), 409, 'ILLEGAL_TRANSITION');
    expectError(await approver.call('approval', 'POST', `/requests/${activeGrant.id}/reject`, { body: { reason: 'late' } }), 409, 'ILLEGAL_TRANSITION');
  });

  it('identity proofs: missing, replayed, another action, another host, unknown keys (401)', async () => {
    expectError(await partner.call('intake', 'GET', '/requests', { proof: null }), 401, 'IDENTITY_MISSING');
    expectError(await partner.call('intake', 'GET', '/requests', { proof: 'not-a-proof' }), 401, 'IDENTITY_INVALID');

    const once = partner.proof();
    expect((await partner.call('intake', 'GET', '/requests', { proof: once })).status).toBe(200);
    expectError(await partner.call('intake', 'GET', '/requests', { proof: once }), 401, 'IDENTITY_REPLAYED');

    const keys = { accessKeyId: partner.principal.accessKeyId, accessKeySecret: partner.principal.accessKeySecret };
    const signed = buildIdentityRequest({ stsEndpoint: t.contract.endpoint, protocol: 'http', credentials: keys });
    const otherAction = encodeProof({ ...signed, headers: { ...signed.headers, 'x-acs-action': 'AssumeRole' } });
    expectError(await partner.call('intake', 'GET', '/requests', { proof: otherAction }), 401, 'IDENTITY_ACTION_NOT_ALLOWED');

    const otherHost = buildIdentityProof({ stsEndpoint: 'sts.aliyuncs.com', protocol: 'https', credentials: keys });
    expectError(await partner.call('intake', 'GET', '/requests', { proof: otherHost }), 401, 'IDENTITY_ENDPOINT_NOT_ALLOWED');

    // Well-formed, but signed with keys STS does not know.
    const unknown = buildIdentityProof({ stsEndpoint: t.contract.endpoint, protocol: 'http', credentials: { accessKeyId: 'LTAI-unknown-key', accessKeySecret: 'nope' } });
    expectError(await partner.call('intake', 'GET', '/requests', { proof: unknown }), 401, 'IDENTITY_REJECTED');
  });
});

describe('afterwards', () => {
  it('no queue delivery failed and nothing was dead-lettered', () => {
    expect(t.runtimeProblems()).toEqual([]);
    expect(t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.DEADLETTER)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
