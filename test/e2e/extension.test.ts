/**
 * Extending and shortening an ACTIVE grant, end to end through the HTTP triggers and the CLI
 * against one local stack: the partner asks, the approver decides (or the profile's autoExtend
 * does), provisioning moves the guard policy's default version and the role's expiry tag (checked
 * with the RAM SDK), then the ledger; the old `expire` message does nothing and the grant ends at
 * its new time. Refusals by HTTP status and code.
 *
 * Time: the local cloud reads the wall clock. As in workflow.test.ts, the grant's end is moved into
 * the past with SQL on the stack's ledger socket, which is the state the functions meet once the
 * time has really come; the old `expire` message is delivered early as a copy.
 */
import * as R from '@alicloud/ram20150501';
import { Client } from 'pg';
import { QueueName } from '../../shared/domain/ports';
import { OWNER_ACCOUNT_ID } from '../../local/world';
import { json, runCli } from '../helpers/cli';
import { expectCloudError } from '../helpers/local-server';
import { credsOf, startTestStack, type ApiClient, type ApiRequest, type ApiResponse, type TestStack } from '../helpers/stack';

jest.setTimeout(30_000);

let t: TestStack;
let partner: ApiClient;
let approver: ApiClient;
let bob: ApiClient;
let pg: Client;

type RequestBody = { request: ApiRequest };
type ExtensionBody = { request: ApiRequest; extension: { id: string; status: string; kind: string; newExpiresAt: string; fromExpiresAt: string; decidedBy?: string } };
type ViewBody = { request: ApiRequest; history: Array<{ action: string; actor: string }>; extensions?: ExtensionBody['extension'][] };

beforeAll(async () => {
  t = await startTestStack();
  partner = t.api('partner-admin');
  approver = t.api('approver');
  bob = t.api('bob');
  pg = new Client({ connectionString: t.stack.ledgerUrl });
  await pg.connect();
}, 120_000);

afterAll(async () => {
  await pg?.end();
  await t?.close();
});

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

async function activeGrant(profile: 'ecs-readonly' | 'ecs-readonly-auto', duration: string): Promise<ApiRequest> {
  const res = await partner.call<RequestBody>('intake', 'POST', '/requests', { body: { profile, duration, reason: 'extension e2e' } });
  expect(res.status).toBe(202);
  if (res.body.request.status === 'PENDING') expect((await approver.call('approval', 'POST', `/requests/${res.body.request.id}/approve`, { body: {} })).status).toBe(200);
  return t.waitForStatus(res.body.request.id, 'ACTIVE');
}

async function view(id: string): Promise<ViewBody> {
  const res = await approver.call<ViewBody>('approval', 'GET', `/requests/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Poll until the ledger reports `expiresAt` (the change applied). */
async function appliedAt(id: string, expiresAt: string): Promise<ViewBody> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await view(id);
    if (v.request.expiresAt === expiresAt) return v;
    if (Date.now() > deadline) throw new Error(`${id}: expiresAt ${v.request.expiresAt ?? '?'}, not ${expiresAt}; extensions ${JSON.stringify(v.extensions)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What RAM says, through the SDK as A's admin: the guard's default version, and the role's expiry tag. */
async function inRam(r: ApiRequest): Promise<{ versionId: string; document: string; tag: string | undefined }> {
  const ram = t.ram(credsOf(t.contract.principals['owner-admin']));
  const policy = await ram.getPolicy(new R.GetPolicyRequest({ policyName: r.grant?.guardPolicyName ?? '', policyType: 'Custom' }));
  const tags = await ram.listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role', resourceNames: [r.roleName] }));
  return {
    versionId: policy.body?.defaultPolicyVersion?.versionId ?? '',
    document: policy.body?.defaultPolicyVersion?.policyDocument ?? '',
    tag: tags.body?.tagResources?.find((x) => x.tagKey === 'crossrole:expires-at')?.tagValue,
  };
}

const policyTime = (iso: string): string => iso.replace(/\.\d{3}Z$/, 'Z');
const plus = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString();

describe('extension through the HTTP triggers', () => {
  let grant: ApiRequest;
  let newAt: string;

  it('the partner asks, the approver approves; the guard\'s default version, the tag and the ledger carry the new time', async () => {
    grant = await activeGrant('ecs-readonly', '1h');
    const asked = await partner.call<ExtensionBody>('intake', 'POST', `/requests/${grant.id}/extend`, { body: { duration: '2h', reason: 'migration overran' } });
    expect(asked.status).toBe(202);
    expect(asked.body.extension).toMatchObject({ status: 'PENDING', kind: 'extend', fromExpiresAt: grant.expiresAt });
    newAt = asked.body.extension.newExpiresAt;
    expect(newAt).toBe(plus(grant.expiresAt ?? '', 7200));
    // Pending: RAM and the ledger still say the old time.
    expect((await inRam(grant)).versionId).toBe('v1');

    const decided = await approver.call<ExtensionBody>('approval', 'POST', `/requests/${grant.id}/extension/approve`, { body: { reason: 'ok' } });
    expect(decided.status).toBe(200);
    expect(decided.body.extension.status).toBe('APPROVED');
    const v = await appliedAt(grant.id, newAt);
    expect(v.request.status).toBe('ACTIVE');
    expect(v.extensions?.map((e) => e.status)).toEqual(['APPLIED']);
    const ram = await inRam(grant);
    expect(ram.versionId).toBe('v2');
    expect(ram.document).toContain(policyTime(newAt));
    expect(ram.tag).toBe(newAt);
  });

  it('the old expire message does nothing; the grant expires at the new time', async () => {
    // A copy of the expire message provisioning sent at activation (its version is the old one).
    const old = { requestId: grant.id, version: grant.version, kind: 'expire' };
    t.stack.mns.sendMessage(OWNER_ACCOUNT_ID, QueueName.REVOKE, JSON.stringify(old));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await view(grant.id)).request.status).toBe('ACTIVE');
    // The new time comes (moved into the past in the ledger): the timer's scan ends it.
    const moved = await pg.query("UPDATE requests SET expires_at = now() - interval '1 minute' WHERE id = $1 AND status = 'ACTIVE'", [grant.id]);
    expect(moved.rowCount).toBe(1);
    const fired = await t.stack.fc.fireTimer('crossrole-expiry');
    if (!fired.ok) throw new Error(`expiry timer failed: ${fired.error.errorMessage}`);
    await t.waitForStatus(grant.id, 'REVOKED');
    expect((await view(grant.id)).history.filter((e) => e.action === 'START_REVOKE').map((e) => e.actor)).toEqual(['system:expiry']);
  });

  it('shortening: recorded at once, applied to RAM, then the ledger; autoExtend approves small extensions', async () => {
    const g = await activeGrant('ecs-readonly-auto', '1h');
    const auto = await bob.call<ExtensionBody>('intake', 'POST', `/requests/${g.id}/extend`, { body: { duration: '30m', reason: 'a bit more' } });
    // Bob is not the requester nor a manager of B: refused like any stranger to the grant.
    expectError(auto, 403, 'FORBIDDEN_NOT_OWNER');
    const ok = await partner.call<ExtensionBody>('intake', 'POST', `/requests/${g.id}/extend`, { body: { duration: '30m', reason: 'a bit more' } });
    expect(ok.status).toBe(202);
    expect(ok.body.extension).toMatchObject({ status: 'APPROVED', decidedBy: 'system:auto-approve' });
    await appliedAt(g.id, plus(g.expiresAt ?? '', 1800));
    // 1h + 30m + 1h would pass the profile's maxTotalDuration of 2h.
    expectError(await partner.call('intake', 'POST', `/requests/${g.id}/extend`, { body: { duration: '1h', reason: 'too much' } }), 422, 'EXTENSION_TOO_LONG');
    const until = plus(g.expiresAt ?? '', -1200);
    const s = await partner.call<ExtensionBody>('intake', 'POST', `/requests/${g.id}/shorten`, { body: { until, reason: 'done early' } });
    expect(s.status).toBe(202);
    expect(s.body.extension).toMatchObject({ kind: 'shorten', status: 'APPROVED' });
    await appliedAt(g.id, until);
    const moved = await inRam(g);
    expect(moved.versionId).toBe('v3');
    expect(moved.document).toContain(policyTime(until));
    expect(moved.tag).toBe(until);
    expectError(await partner.call('intake', 'POST', `/requests/${g.id}/shorten`, { body: { until: new Date(Date.now() - 1000).toISOString(), reason: 'x' } }), 400, 'VALIDATION');
    await approver.call('approval', 'POST', `/requests/${g.id}/revoke`, { body: { mode: 'delete', reason: 'done' } });
    await t.waitForStatus(g.id, 'REVOKED');
    // The versioned guard is deleted with its older versions (DeletePolicyVersion, then DeletePolicy).
    const ram = t.ram(credsOf(t.contract.principals['owner-admin']));
    await expectCloudError(ram.getPolicy(new R.GetPolicyRequest({ policyName: g.grant?.guardPolicyName ?? '', policyType: 'Custom' })), 'EntityNotExist.Policy', 404);
  });

  it('refusals: not ACTIVE (409), another change open (409), a stranger (403), approving without a pending extension (404)', async () => {
    const pending = await partner.call<RequestBody>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'not yet' } });
    expectError(await partner.call('intake', 'POST', `/requests/${pending.body.request.id}/extend`, { body: { duration: '1h', reason: 'x' } }), 409, 'NOT_ACTIVE');
    const g = await activeGrant('ecs-readonly', '1h');
    expect((await partner.call('intake', 'POST', `/requests/${g.id}/extend`, { body: { duration: '1h', reason: 'x' } })).status).toBe(202);
    expectError(await partner.call('intake', 'POST', `/requests/${g.id}/extend`, { body: { duration: '1h', reason: 'again' } }), 409, 'EXTENSION_OPEN');
    expectError(await t.api('owner-admin').call('approval', 'POST', `/requests/${g.id}/extension/approve`, { body: {} }), 403, 'FORBIDDEN_NOT_APPROVER');
    expectError(await partner.call('approval', 'POST', `/requests/${g.id}/extension/approve`, { body: {} }), 403, 'FORBIDDEN_APPROVER_ACCOUNT');
    expect((await approver.call('approval', 'POST', `/requests/${g.id}/extension/reject`, { body: { reason: 'no ticket' } })).status).toBe(200);
    expectError(await approver.call('approval', 'POST', `/requests/${g.id}/extension/approve`, { body: {} }), 404, 'NOT_FOUND');
    // 1h + 8d is past ecs-readonly's maxTotalDuration (its maxDuration, 7d); "2 hours" is no duration.
    expectError(await partner.call('intake', 'POST', `/requests/${g.id}/extend`, { body: { duration: '8d', reason: 'x' } }), 422, 'EXTENSION_TOO_LONG');
    expectError(await partner.call('intake', 'POST', `/requests/${g.id}/extend`, { body: { duration: '2 hours', reason: 'x' } }), 400, 'INVALID_DURATION');
  });
});

describe('extension through the CLI', () => {
  const env = (): Record<string, string> => ({ CROSSROLE_DATA_DIR: t.dataDir, NO_COLOR: '1' });

  it('crossrole extend, crossrole extension approve --wait, crossrole status, crossrole shorten --wait', async () => {
    const g = await activeGrant('ecs-readonly', '1h');
    const asked = await runCli(['extend', g.id, '--by', '1h', '--reason', 'cli extension', '--as', 'partner-admin', '--json'], { env: env() });
    expect(asked.code).toBe(0);
    const ext = json<ExtensionBody>(asked).extension;
    expect(ext.status).toBe('PENDING');
    const decided = await runCli(['extension', 'approve', g.id, '--as', 'approver', '--wait', '--json'], { env: env() });
    expect(decided.code).toBe(0);
    expect(json<ExtensionBody>(decided)).toMatchObject({ extension: { status: 'APPLIED' }, request: { expiresAt: ext.newExpiresAt } });
    const status = await runCli(['status', g.id, '--as', 'partner-admin'], { env: env() });
    expect(status.stdout).toContain('Extensions');
    expect(status.stdout).toMatch(/extend\s+\S+ -> \S+\s+APPLIED/);
    const shortened = await runCli(['shorten', g.id, '--by', '30m', '--reason', 'cli shortening', '--as', 'partner-admin', '--wait', '--json'], { env: env() });
    expect(shortened.code).toBe(0);
    expect(json<ExtensionBody>(shortened).extension.status).toBe('APPLIED');
    expect((await inRam(g)).document).toContain(policyTime(plus(ext.newExpiresAt, -1800)));
    const refused = await runCli(['extend', g.id, '--by', '1h', '--until', ext.newExpiresAt, '--reason', 'x', '--as', 'partner-admin'], { env: env() });
    expect(refused.code).toBe(2);
  });
});
