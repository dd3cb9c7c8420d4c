/**
 * Scheduled start and quorum end to end (issue 15), through the HTTP triggers and the CLI against
 * the local stack, with RAM read through the official SDK. Lean: one stack, no timer (the delayed
 * `start` message alone starts the grant), one wait of a few seconds for a start time.
 */
import * as R from '@alicloud/ram20150501';
import { expectCloudError } from '../helpers/local-server';
import { baseEnv, ensureCliBuilt, json, runCli, type CliResult } from '../helpers/cli';
import { credsOf, startTestStack, type ApiRequest, type TestStack } from '../helpers/stack';

jest.setTimeout(30_000);

interface Approvals { required: number; received: number; remaining: number; decisions: Array<{ approver: string; decision: string; at: string }> }
type View = { request: ApiRequest; approvals: Approvals };

let t: TestStack;
const cli = (args: string[]): Promise<CliResult> => runCli(args, { env: { ...baseEnv(), CROSSROLE_DATA_DIR: t.dataDir, NO_COLOR: '1' } });

async function ask(profile: string, extra: Record<string, unknown> = {}): Promise<ApiRequest> {
  const r = await t.api('partner-admin').call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile, duration: '1h', reason: 'issue 15', ...extra } });
  expect(r.status).toBe(202);
  return r.body.request;
}

async function approveAs(who: 'approver' | 'approver-2', id: string): Promise<{ status: number; request: ApiRequest }> {
  const r = await t.api(who).call<{ request: ApiRequest }>('approval', 'POST', `/requests/${id}/approve`, { body: {} });
  return { status: r.status, request: r.body.request };
}

async function view(id: string): Promise<View> {
  return (await t.api('approver').call<View>('approval', 'GET', `/requests/${id}`)).body;
}

const getRole = (name: string) => t.ram(credsOf(t.contract.principals['owner-admin'])).getRole(new R.GetRoleRequest({ roleName: name }));

beforeAll(async () => {
  await ensureCliBuilt();
  t = await startTestStack();
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('scheduled start', () => {
  it('a start a few seconds ahead: SCHEDULED with no role in RAM, then ACTIVE from the start, expiring at start + duration', async () => {
    // A few seconds, of which the CLI's own start takes one or two on a loaded machine.
    const asked = await cli(['request', '--as', 'partner-admin', '--profile', 'ecs-readonly', '--duration', '1h', '--reason', 'maintenance window', '--start-at', '+8s', '--json']);
    expect(asked.code).toBe(0);
    const r = json<{ request: ApiRequest }>(asked).request;
    expect(r).toMatchObject({ status: 'PENDING', startAt: expect.any(String) });
    expect((await approveAs('approver', r.id)).request.status).toBe('SCHEDULED');

    const listed = json<{ items: ApiRequest[] }>(await cli(['list', '--status', 'SCHEDULED', '--as', 'partner-admin', '--json']));
    expect(listed.items.map((i) => i.id)).toContain(r.id);
    await expectCloudError(getRole(r.roleName), 'EntityNotExist.Role', 404);

    const active = await t.waitForStatus(r.id, 'ACTIVE', 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(r.startAt ?? ''));
    expect(active.expiresAt).toBe(new Date(Date.parse(r.startAt ?? '') + 3600_000).toISOString());
    const role = await getRole(r.roleName);
    expect(role.body?.role?.roleName).toBe(r.roleName);
    const status = await cli(['status', r.id, '--as', 'partner-admin']);
    expect(status.stdout).toMatch(/SCHEDULE\s+PENDING -> SCHEDULED/);
    expect(status.stdout).toMatch(/START\s+SCHEDULED -> APPROVED/);
  });

  it('a scheduled grant is cancelled by the partner (CLI) before its start; too far ahead is refused', async () => {
    const r = await ask('ecs-readonly', { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const approved = await cli(['approve', r.id, '--as', 'approver']);
    expect(approved.stdout).toContain(`Request ${r.id} approved; it starts at ${r.startAt ?? ''}. Status: SCHEDULED`);
    const cancelled = await cli(['cancel', r.id, '--as', 'partner-admin']);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('Status: CANCELLED');
    await expectCloudError(getRole(r.roleName), 'EntityNotExist.Role', 404);
    const far = await t.api('partner-admin').call<{ error: { code: string; field: string } }>('intake', 'POST', '/requests', {
      body: { profile: 'ecs-readonly', duration: '1h', reason: 'too far', startAt: new Date(Date.now() + 15 * 86400_000).toISOString() },
    });
    expect([far.status, far.body.error.code, far.body.error.field]).toEqual([422, 'DURATION_OVER_MAXIMUM', 'startAt']);
    const past = await t.api('partner-admin').call<{ error: { code: string } }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'past', startAt: '2020-01-01T00:00:00Z' } });
    expect([past.status, past.body.error.code]).toEqual([400, 'VALIDATION']);
  });
});

describe('quorum: ecs-readonly-quorum needs approver and approver-2', () => {
  it('one approval: PENDING with 1 of 2; the same approver again counts once; the second approver (from the inbox) makes it ACTIVE', async () => {
    const r = await ask('ecs-readonly-quorum');
    expect(r.approvalsRequired).toBe(2);
    const first = await cli(['approve', r.id, '--as', 'approver']);
    expect(first.stdout).toContain('Approval recorded: 1 of 2; 1 more needed');
    const again = await approveAs('approver', r.id);
    expect([again.status, again.request.status]).toEqual([200, 'PENDING']);
    expect((await view(r.id)).approvals).toMatchObject({ required: 2, received: 1, remaining: 1, decisions: [{ approver: t.contract.principals.approver.arn, decision: 'approve' }] });
    const status = await cli(['status', r.id, '--as', 'partner-admin']);
    expect(status.stdout).toContain('1 of 2 approvals, 1 more needed');

    // The approvals message is still there for approver-2 (approver's inbox leaves it alone).
    const mine = json<{ items: Array<{ request: ApiRequest }> }>(await cli(['inbox', '--as', 'approver', '--json']));
    expect(mine.items.map((i) => i.request.id)).not.toContain(r.id);
    await new Promise((res) => setTimeout(res, 1_100));
    const decided = await cli(['inbox', '--as', 'approver-2', '--decision', 'approve']);
    expect(decided.stdout).toContain(`${r.id}: approved`);
    const active = await t.waitForStatus(r.id, 'ACTIVE', 15_000);
    expect(active.decidedBy).toBe(t.contract.principals['approver-2'].arn);
    expect((await view(r.id)).approvals).toMatchObject({ received: 2, remaining: 0 });
    expect((await getRole(r.roleName)).body?.role?.roleName).toBe(r.roleName);
  });

  it('one rejection rejects, after an approval; nothing is created', async () => {
    const r = await ask('ecs-readonly-quorum');
    expect((await approveAs('approver', r.id)).request.status).toBe('PENDING');
    const rejected = await cli(['reject', r.id, '--as', 'approver-2', '--reason', 'not this week']);
    expect(rejected.stdout).toContain('Status: REJECTED');
    expect((await approveAs('approver', r.id)).request.status).toBe('REJECTED');
    expect((await view(r.id)).approvals.decisions.map((d) => d.decision).sort()).toEqual(['approve', 'reject']);
    const partnerTries = await t.api('partner-admin').call<{ error: { code: string } }>('approval', 'POST', `/requests/${r.id}/approve`, { body: {} });
    expect([partnerTries.status, partnerTries.body.error.code]).toEqual([403, 'FORBIDDEN_APPROVER_ACCOUNT']);
    await expectCloudError(getRole(r.roleName), 'EntityNotExist.Role', 404);
  });
});
