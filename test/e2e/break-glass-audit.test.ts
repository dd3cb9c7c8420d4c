/**
 * Break-glass grants, tickets and the audit export end to end on one local stack: through the HTTP
 * triggers (the functions as deployed, in their workers) and the CLI as a separate process.
 * Profiles of deploy/local-catalog.json: `ecs-break-glass` (approved automatically, at most 1h,
 * reviewed within 24h) and `ecs-readonly-ticket` (ticket ^(CHG|INC)-\d+$ required).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessRequest } from '../../shared/domain/access-request';
import type { AuditExportEvent, AuditPage } from '../../shared/domain/api';
import { openLedger, type Ledger } from '../../shared/ledger';
import { PARTNER_ACCOUNT_ID } from '../../local/world';
import { json, runCli, runCliInPty, runCliSequence, tempDir, type CliResult } from '../helpers/cli';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(90_000);

let t: TestStack;
let ledger: Ledger;
const tmp = tempDir('crossrole-audit-');
const started = new Date(Date.now() - 1000).toISOString();
const JUSTIFIED = 'INC-42: the web tier is down, restarting it';

const cli = (args: readonly string[]): Promise<CliResult> => runCli([...args, '--data-dir', t.dataDir], { timeoutMs: 60_000 });

beforeAll(async () => {
  t = await startTestStack();
  ledger = await openLedger({ driver: 'pg', url: t.stack.ledgerUrl });
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  await t?.close();
  tmp.cleanup();
});

describe('tickets at intake', () => {
  it('are required and matched, with stable codes and the format in the message', async () => {
    const bob = t.api('bob');
    const ask = (body: Record<string, unknown>) => bob.call('intake', 'POST', '/requests', { body: { duration: '1h', reason: 'read the ECS inventory', ...body } });
    const missing = await ask({ profile: 'ecs-readonly-ticket' });
    expect([missing.status, missing.body.error?.code, missing.body.error?.field]).toEqual([400, 'TICKET_REQUIRED', 'ticket']);
    const bad = await ask({ profile: 'ecs-readonly-ticket', ticket: 'JIRA-1' });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'TICKET_INVALID']);
    expect(bad.body.error?.message).toContain('matching ^(CHG|INC)-\\d+$');
    const shortReason = await ask({ profile: 'ecs-break-glass', reason: 'fix it' });
    expect([shortReason.status, shortReason.body.error?.code]).toEqual([400, 'TICKET_REQUIRED']);

    // Through the CLI: the code, and a hint; then a good one, shown with its ticket.
    const refused = await cli(['request', '--as', 'bob', '--profile', 'ecs-readonly-ticket', '--duration', '1h', '--reason', 'inventory', '--ticket', 'nope']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('TICKET_INVALID');
    const ok = json<{ request: AccessRequest }>(await cli(['request', '--as', 'bob', '--profile', 'ecs-readonly-ticket', '--duration', '1h', '--reason', 'inventory', '--ticket', 'CHG-7', '--json']));
    expect(ok.request).toMatchObject({ status: 'PENDING', ticket: 'CHG-7' });
    const shown = await cli(['status', ok.request.id, '--as', 'approver']);
    expect(shown.stdout).toMatch(/ticket +"CHG-7"/);
  });
});

describe('break-glass', () => {
  let grant: AccessRequest;

  it('is granted without an approver, listed as unreviewed, and reviewed once by an approver, never the requester', async () => {
    const asked = await cli(['request', '--as', 'bob', '--profile', 'ecs-break-glass', '--duration', '30m', '--reason', JUSTIFIED, '--wait', '--json']);
    expect(asked.code).toBe(0);
    grant = json<{ request: AccessRequest }>(asked).request;
    expect(grant).toMatchObject({ status: 'ACTIVE', decidedBy: 'system:break-glass', breakGlass: { reviewDueAt: expect.any(String) } });
    expect(Date.parse(grant.breakGlass?.reviewDueAt ?? '') - Date.parse(grant.createdAt)).toBe(24 * 3600 * 1000);

    const [listed, text] = await runCliSequence([['list', '--as', 'approver', '--unreviewed', '--json'], ['list', '--as', 'approver', '--unreviewed']], { dataDir: t.dataDir });
    expect(json<{ items: AccessRequest[] }>(listed as CliResult).items.map((r) => r.id)).toContain(grant.id);
    expect(text?.stdout).toMatch(new RegExp(`${grant.id}.*bg:unreviewed`));
    const partnerList = await cli(['list', '--as', 'bob', '--unreviewed']);
    expect([partnerList.code, partnerList.stderr.includes('FORBIDDEN_NOT_APPROVER')]).toEqual([1, true]);

    const byRequester = await cli(['review', grant.id, '--as', 'bob', '--ok', '--note', 'all good']);
    expect(byRequester.code).toBe(1);
    expect(byRequester.stderr).toContain('FORBIDDEN_APPROVER_ACCOUNT');
    expect((await cli(['review', grant.id, '--as', 'approver', '--ok', '--flag', '--note', 'x'])).code).toBe(2);
    const reviewed = await cli(['review', grant.id, '--as', 'approver', '--flag', '--note', 'INC-42 was closed an hour earlier', '--json']);
    expect(reviewed.code).toBe(0);
    expect(json<{ request: AccessRequest }>(reviewed).request.breakGlass).toMatchObject({ verdict: 'flagged', reviewedBy: t.contract.principals.approver.arn, reviewNote: 'INC-42 was closed an hour earlier' });
    const again = await t.api('approver').call('approval', 'POST', `/requests/${grant.id}/review`, { body: { verdict: 'ok', note: 'second thoughts' } });
    expect([again.status, again.body.error?.code]).toEqual([409, 'ALREADY_REVIEWED']);
    const notGlass = (await ledger.listByStatus('PENDING', { limit: 1 }))[0];
    const plain = await t.api('approver').call('approval', 'POST', `/requests/${notGlass?.id ?? 'x'}/review`, { body: { verdict: 'ok', note: 'x' } });
    expect([plain.status, plain.body.error?.code]).toEqual([409, 'NOT_BREAK_GLASS']);
  });

  it('doctor reports a break-glass grant overdue for its review (a warning)', async () => {
    // A grant whose review fell due an hour ago, written straight into the stack's ledger.
    const id = randomUUID();
    const now = Date.now();
    await ledger.create({
      id, version: 1, status: 'APPROVED', partnerAccountId: PARTNER_ACCOUNT_ID, requesterArn: t.contract.principals.bob.arn, profile: 'ecs-break-glass', durationSeconds: 1800,
      reason: JUSTIFIED, roleName: `crossrole-${id.replace(/-/g, '').slice(0, 12)}`, principals: [`acs:ram::${PARTNER_ACCOUNT_ID}:root`], externalId: `crx-${id}`,
      createdAt: new Date(now - 25 * 3600 * 1000).toISOString(), updatedAt: new Date(now - 25 * 3600 * 1000).toISOString(), breakGlass: { reviewDueAt: new Date(now - 3600 * 1000).toISOString() },
    }, { actor: 'system:break-glass' });
    const doctor = await cli(['doctor', '--as', 'approver', '--json']);
    const report = json<{ checks: Array<{ check: string; status: string; detail: string }> }>(doctor);
    const line = report.checks.find((c) => c.check === 'break-glass-reviews');
    expect(line).toMatchObject({ status: 'warn' });
    expect(line?.detail).toContain(id);
    expect(line?.detail).not.toContain(grant.id);
    expect(doctor.code).toBe(0);
    const overdue = await t.api('approver').call<{ items: AccessRequest[] }>('approval', 'GET', '/requests?unreviewed=overdue');
    expect(overdue.body.items.map((r) => r.id)).toEqual([id]);
  });
});

describe('audit export', () => {
  const until = (): string => new Date(Date.now() + 60_000).toISOString();

  it('is for approvers and operators only, through a paginated route', async () => {
    const asBob = await t.api('bob').call('approval', 'GET', `/audit?since=${encodeURIComponent(started)}`);
    expect([asBob.status, asBob.body.error?.code]).toEqual([403, 'FORBIDDEN_NOT_APPROVER']);
    const asAdmin = await t.api('owner-admin').call('approval', 'GET', `/audit?since=${encodeURIComponent(started)}`);
    expect([asAdmin.status, asAdmin.body.error?.code]).toEqual([403, 'FORBIDDEN_NOT_APPROVER']);
    const bad = await t.api('approver').call('approval', 'GET', '/audit?since=yesterday');
    expect([bad.status, bad.body.error?.code, bad.body.error?.field]).toEqual([400, 'VALIDATION', 'since']);
    const q = `since=${encodeURIComponent(started)}&until=${encodeURIComponent(until())}&limit=2`;
    const first = await t.api('approver').call<AuditPage>('approval', 'GET', `/audit?${q}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ settled: false, next: expect.any(String) });
    expect(first.body.items).toHaveLength(2);
    const second = await t.api('approver').call<AuditPage>('approval', 'GET', `/audit?${q}&cursor=${encodeURIComponent(first.body.next ?? '')}`);
    expect(second.body.items[0]?.id).not.toBe(first.body.items[1]?.id);
  });

  it('answers junk in its queries and bodies with a typed 4xx, never a 5xx', async () => {
    const approver = t.api('approver');
    const since = encodeURIComponent(started);
    const cursorOf = (v: unknown): string => encodeURIComponent(Buffer.from(JSON.stringify(v)).toString('base64url'));
    const cases: Array<[string, string, unknown?]> = [
      ['GET', '/audit'], ['GET', '/audit?since=%00'], ['GET', `/audit?since=${since}&cursor=%00`], ['GET', `/audit?since=${since}&partner=1%00`],
      ['GET', '/audit?since=0000-01-01T00:00:00Z'], ['GET', '/audit?since=2026-02-30T00:00:00Z'], ['GET', `/audit?since=${since}&until=9999-12-31T23:59:59Z`],
      ['GET', `/audit?since=${since}&cursor=${cursorOf(['2026-13-45T99:99Z', 1])}`], ['GET', `/audit?since=${since}&cursor=${cursorOf(['2026-01-01T00:00:00Z', 1e300])}`],
      ['GET', `/audit?since=${since}&limit=0`], ['GET', `/audit?since=${since}&extra=1`], ['GET', '/requests?unreviewed=maybe'],
      ['POST', '/requests/a%00b/review', { verdict: 'ok', note: 'x' }], ['POST', '/requests/x/review', { verdict: 'ok', note: 'é'.repeat(5000) }], ['POST', '/requests/x/review', []],
    ];
    for (const [method, path, body] of cases) {
      const res = await approver.call('approval', method, path, body === undefined ? {} : { body });
      expect({ path, status: res.status, code: typeof res.body?.error?.code }).toEqual({ path, status: res.status < 500 ? res.status : 'a 4xx', code: res.status === 200 ? 'undefined' : 'string' });
    }
  });

  it('exports JSON Lines and CSV through the CLI, page by page, with --since/--until/--partner', async () => {
    const window = ['--since', started, '--until', until()];
    const jsonl = await cli(['audit', 'export', '--as', 'approver', ...window, '--page-size', '3']);
    expect(jsonl.code).toBe(0);
    expect(jsonl.stderr).toMatch(/events still being committed then may be missing/);
    expect(jsonl.stderr).toMatch(/Exported \d+ audit events/);
    expect(jsonl.stderr).not.toMatch(/\[[#.]{30}\]/);
    const events = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditExportEvent);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const glass = events.filter((e) => e.requestId === (events.find((x) => x.actor === 'system:break-glass')?.requestId ?? ''));
    expect(glass.map((e) => e.action)).toEqual(['CREATE', 'ACTIVATE', 'REVIEW']);
    expect(glass[0]).toMatchObject({ actor: 'system:break-glass', toStatus: 'APPROVED', reason: JUSTIFIED, partnerAccountId: PARTNER_ACCOUNT_ID, profile: 'ecs-break-glass' });
    // The RAM calls provisioning made, recorded on its ACTIVATE event.
    expect(glass[1]?.ramCalls.map((c) => `${c.action} ${c.result}`)).toEqual(['CreateRole ok', 'CreatePolicy ok', 'AttachPolicyToRole ok', 'AttachPolicyToRole ok']);
    expect(glass[1]?.ramCalls[0]?.resource).toBe(`role/${glass[1]?.roleName ?? ''}`);
    expect(glass[2]).toMatchObject({ actor: t.contract.principals.approver.arn, fromStatus: 'ACTIVE', toStatus: 'ACTIVE', details: { verdict: 'flagged' } });
    expect(events.some((e) => e.ticket === 'CHG-7')).toBe(true);

    const file = join(tmp.dir, 'audit.csv');
    const csv = await cli(['audit', 'export', '--as', 'approver', ...window, '--format', 'csv', '--partner', PARTNER_ACCOUNT_ID, '--output', file]);
    expect(csv.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('id,at,requestId,partnerAccountId,requesterArn,profile,roleName,actor,action,fromStatus,toStatus,reason,ticket,ramCalls,details\r\n')).toBe(true);
    expect(text.split('\r\n').filter((l) => /^\d+,/.test(l))).toHaveLength(events.length);
    expect(text).toContain(`"${JUSTIFIED}"`.replace(/^"(.*)"$/, '$1'));
    // On a terminal, the progress bar (stderr) ends full; the data went to the file.
    const tty = await runCliInPty(['audit', 'export', '--as', 'approver', ...window, '--page-size', '2', '--output', join(tmp.dir, 'tty.jsonl'), '--data-dir', t.dataDir], []);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/\[#{30}\] 100% {2}\d+ events/);
    expect(readFileSync(join(tmp.dir, 'tty.jsonl'), 'utf8').trim().split('\n')).toHaveLength(events.length);
    const none = await cli(['audit', 'export', '--as', 'approver', ...window, '--partner', '1000000000000009']);
    expect([none.code, none.stdout]).toEqual([0, '']);
    // Before this test started: only the overdue grant the doctor test wrote 25 hours back.
    const early = await cli(['audit', 'export', '--as', 'approver', '--since', '2000-01-01', '--until', started]);
    expect(early.code).toBe(0);
    expect(early.stdout.trim().split('\n').map((l) => (JSON.parse(l) as AuditExportEvent).action)).toEqual(['CREATE']);
  });
});
