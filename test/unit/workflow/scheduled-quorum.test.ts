/**
 * Scheduled start (startAt, SCHEDULED, the delayed `start` and the scan's fallback) and quorum
 * (`approvals: N`, one decision per approver, one rejection rejects), over the in-memory world.
 */
import { parseCatalog, validateCatalog } from '../../../shared/domain/catalog';
import { QueueName } from '../../../shared/domain/ports';
import { approverKey, parseStartAt } from '../../../shared/domain/quorum';
import { approveRequest, cancelRequest, getRequest, rejectRequest, runExpiryScan, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, catalogInput, deliver, identity, makeWorld, OWNER, pump } from '../../fakes';
import { provisionGrant, revokeGrant } from '../../../shared/workflow';
import type { World } from '../../fakes';
import { codeOf } from './helpers';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

function world(): World {
  return makeWorld({
    start: T0,
    catalog: {
      profiles: [
        ...(catalogInput.profiles ?? []),
        { name: 'two-man', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '8h', approvals: 2, maxLeadTime: '30d' },
      ],
    },
  });
}

const ask = (w: World, input: Record<string, unknown>) => submitRequest(w.deps, callers.bob, { profile: 'ecs-read', duration: '2h', reason: 'scheduled', ...input });
const status = async (w: World, id: string) => (await w.ledger.get(id))?.status;

describe('startAt at intake', () => {
  const profile = { name: 'p', maxLeadTime: '14d', maxLeadTimeSeconds: 14 * 86400 };
  const now = new Date(T0);

  it('takes ISO-8601 with an offset, normalised to whole seconds UTC', () => {
    expect(parseStartAt('2026-01-01T10:00:00.700+08:00', now, profile)).toBe('2026-01-01T02:00:00.000Z');
    expect(parseStartAt('2026-01-02T00:00Z', now, profile)).toBe('2026-01-02T00:00:00.000Z');
  });

  it.each([['2026-01-02T00:00:00'], ['2026-01-02'], ['tomorrow'], ['+2h'], ['2026-13-02T00:00:00Z']])('refuses %s (VALIDATION)', async (text) => {
    expect(() => parseStartAt(text, now, profile)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'startAt' }));
    const w = world();
    expect(await codeOf(ask(w, { startAt: text }))).toBe('VALIDATION');
  });

  it('allows a minute of clock skew into the past, not more; refuses a lead over maxLeadTime (422)', async () => {
    expect(parseStartAt(at(-59), now, profile)).toBe(at(-59));
    expect(() => parseStartAt(at(-61), now, profile)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    const w = world();
    expect(await codeOf(ask(w, { startAt: at(14 * 86400 + 1) }))).toBe('DURATION_OVER_MAXIMUM');
    expect((await ask(w, { startAt: at(14 * 86400) })).startAt).toBe(at(14 * 86400));
  });

  it('the catalog: approvals 1..5, at most the approvers listed, 1 on an auto-approved profile', () => {
    const base = { name: 'x', policies: [{ type: 'System' as const, name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1h' };
    const issues = (p: Record<string, unknown>) => {
      const r = validateCatalog({ ...catalogInput, profiles: [{ ...base, ...p }] });
      return r.ok ? [] : r.issues.map((i) => i.field);
    };
    expect(issues({ approvals: 2 })).toEqual([]);
    expect(issues({ approvals: 3 })).toEqual(['profiles[0].approvals']);
    expect(issues({ approvals: 2, autoApprove: true })).toEqual(['profiles[0].approvals']);
    expect(issues({ approvals: 0 })).toEqual(['profiles[0].approvals']);
    const c = parseCatalog({ ...catalogInput, profiles: [base] });
    expect(c.profiles[0]).toMatchObject({ approvals: 1, maxLeadTime: '14d', maxLeadTimeSeconds: 14 * 86400 });
  });
});

describe('scheduled start', () => {
  it('approved ahead of its start: SCHEDULED, nothing in RAM, then ACTIVE at the start with expiry = start + duration', async () => {
    const w = world();
    const r = await ask(w, { startAt: at(3600) });
    expect(r).toMatchObject({ status: 'PENDING', startAt: at(3600) });
    const s = await approveRequest(w.deps, callers.alice, r.id);
    expect(s.status).toBe('SCHEDULED');
    expect(w.queue.sentTo(QueueName.PROVISION)).toEqual([expect.objectContaining({ message: expect.objectContaining({ kind: 'start' }), delaySeconds: 3600 })]);
    await pump(w);
    expect(w.ram.roleNames()).toEqual([]);
    expect(await status(w, r.id)).toBe('SCHEDULED');

    w.clock.set(at(3601));
    await pump(w);
    const active = await w.ledger.get(r.id);
    expect(active).toMatchObject({ status: 'ACTIVE', expiresAt: at(3600 + 7200) });
    expect(w.ram.role(r.roleName)?.tags['crossrole:expires-at']).toBe(at(3600 + 7200));
    expect((await w.ledger.history(r.id)).map((e) => e.action)).toEqual(['CREATE', 'SCHEDULE', 'START', 'ACTIVATE']);
  });

  it('a lead over MNS\'s 7 days: the start comes after 7 days, early, and is sent again with the rest', async () => {
    const w = world();
    const r = await submitRequest(w.deps, callers.bob, { profile: 'two-man', duration: '1h', reason: 'later', startAt: at(10 * 86400) });
    await approveRequest(w.deps, callers.alice, r.id);
    await approveRequest(w.deps, callers.approverSession, r.id);
    expect(w.queue.sentTo(QueueName.PROVISION).map((s) => s.delaySeconds)).toEqual([604_800]);
    w.clock.set(at(604_800));
    const { outcomes } = await pump(w);
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'rescheduled', status: 'SCHEDULED' })]);
    expect(w.queue.sentTo(QueueName.PROVISION).map((s) => s.delaySeconds)).toEqual([604_800, 3 * 86400]);
    w.clock.set(at(10 * 86400));
    await pump(w);
    expect(await status(w, r.id)).toBe('ACTIVE');
  });

  it('forged or early start messages change nothing: PENDING stays PENDING, an early one is re-sent, the revoke queue refuses the kind', async () => {
    const w = world();
    const pending = await ask(w, { startAt: at(600) });
    expect(await deliver(w, provisionGrant, { requestId: pending.id, kind: 'start' })).toMatchObject({ outcome: 'stale', status: 'PENDING' });
    await approveRequest(w.deps, callers.alice, pending.id);
    expect(await deliver(w, provisionGrant, { requestId: pending.id, kind: 'start' })).toMatchObject({ outcome: 'rescheduled', status: 'SCHEDULED' });
    expect(await deliver(w, revokeGrant, { requestId: pending.id, kind: 'start' })).toMatchObject({ outcome: 'malformed' });
    expect(await status(w, pending.id)).toBe('SCHEDULED');
    expect(w.ram.roleNames()).toEqual([]);
  });

  it('the scan starts a due SCHEDULED request whose start message was lost', async () => {
    const w = world();
    const r = await ask(w, { startAt: at(600) });
    w.queue.failNextSend();
    expect((await approveRequest(w.deps, callers.alice, r.id)).status).toBe('SCHEDULED');
    expect(w.queue.pending(QueueName.PROVISION)).toEqual([]);
    expect(await runExpiryScan(w.deps)).toMatchObject({ started: 0 });
    w.clock.set(at(600));
    expect(await runExpiryScan(w.deps)).toMatchObject({ started: 1 });
    await pump(w);
    expect(await w.ledger.get(r.id)).toMatchObject({ status: 'ACTIVE', expiresAt: at(600 + 7200) });
  });

  it('an auto-approved profile with a start ahead is created SCHEDULED', async () => {
    const w = world();
    const r = await submitRequest(w.deps, callers.bob, { profile: 'auto-read', duration: '1h', reason: 'auto', startAt: at(120) });
    expect(r.status).toBe('SCHEDULED');
    expect(w.queue.sentTo(QueueName.PROVISION)).toEqual([expect.objectContaining({ message: expect.objectContaining({ kind: 'start' }), delaySeconds: 120 })]);
    w.clock.set(at(120));
    await pump(w);
    expect(await w.ledger.get(r.id)).toMatchObject({ status: 'ACTIVE', expiresAt: at(120 + 3600) });
  });

  it('cancelled by the partner, or revoked by an approver, before its start: CANCELLED, the start message is stale', async () => {
    const w = world();
    const a = await ask(w, { startAt: at(600) });
    const b = await ask(w, { startAt: at(600) });
    await approveRequest(w.deps, callers.alice, a.id);
    await approveRequest(w.deps, callers.alice, b.id);
    expect((await cancelRequest(w.deps, callers.bob, a.id)).status).toBe('CANCELLED');
    expect((await requestRevocation(w.deps, callers.alice, b.id, { reason: 'not needed' })).status).toBe('CANCELLED');
    w.clock.set(at(600));
    const { outcomes } = await pump(w);
    expect(outcomes.map((o) => o.outcome)).toEqual(['stale', 'stale']);
    expect(w.ram.roleNames()).toEqual([]);
    expect(await codeOf(cancelRequest(w.deps, callers.bob, a.id))).toBe('ILLEGAL_TRANSITION');
  });

  it('approved late, inside its window: provisioned now, still ending at start + duration; after the window: refused, and the scan lapses it', async () => {
    const w = world();
    const late = await ask(w, { startAt: at(60) });
    const over = await ask(w, { startAt: at(60), duration: '1h' });
    w.clock.set(at(1800));
    expect((await approveRequest(w.deps, callers.alice, late.id)).status).toBe('APPROVED');
    await pump(w);
    expect(await w.ledger.get(late.id)).toMatchObject({ status: 'ACTIVE', expiresAt: at(60 + 7200) });
    w.clock.set(at(60 + 3600));
    expect(await codeOf(approveRequest(w.deps, callers.alice, over.id))).toBe('ILLEGAL_TRANSITION');
    expect(await runExpiryScan(w.deps)).toMatchObject({ lapsed: 1 });
    expect(await status(w, over.id)).toBe('LAPSED');
  });

  it('a role found in RAM for a SCHEDULED request is stripped by the reconciler', async () => {
    const w = world();
    const r = await ask(w, { startAt: at(7200) });
    await approveRequest(w.deps, callers.alice, r.id);
    w.ram.seedRole({
      name: r.roleName,
      trustPolicy: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${r.partnerAccountId}:root`] } }] }),
      tags: { 'crossrole:managed': 'true', 'crossrole:request-id': r.id },
      attached: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }],
    });
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesStripped: 1 });
    expect(w.ram.role(r.roleName)?.attached ?? []).toEqual([]);
    expect(await status(w, r.id)).toBe('SCHEDULED');
  });
});

describe('quorum', () => {
  const two = (w: World, extra: Record<string, unknown> = {}) => submitRequest(w.deps, callers.bob, { profile: 'two-man', duration: '2h', reason: 'quorum', ...extra });

  it('stays PENDING with 1 of 2, counts the same approver once, moves on the second distinct approval', async () => {
    const w = world();
    const r = await two(w);
    expect(r.approvalsRequired).toBe(2);
    expect((await approveRequest(w.deps, callers.alice, r.id)).status).toBe('PENDING');
    expect((await approveRequest(w.deps, callers.alice, r.id)).status).toBe('PENDING');
    const view = await getRequest(w.deps, callers.alice, r.id);
    expect(view.approvals).toMatchObject({ required: 2, received: 1, remaining: 1, callerDecided: true });
    expect(view.approvals?.decisions).toEqual([expect.objectContaining({ approver: callers.alice.arn, decision: 'approve', at: T0 })]);
    expect((await getRequest(w.deps, callers.approverSession, r.id)).approvals?.callerDecided).toBe(false);
    expect(view.history.filter((e) => e.action === 'NOTE')).toHaveLength(1);
    expect(w.queue.sentTo(QueueName.PROVISION)).toEqual([]);

    const done = await approveRequest(w.deps, callers.approverSession, r.id);
    expect(done).toMatchObject({ status: 'APPROVED', decidedBy: callers.approverSession.arn });
    expect(w.queue.sentTo(QueueName.PROVISION)).toHaveLength(1);
    const last = (await w.ledger.history(r.id)).at(-1);
    expect(last).toMatchObject({ action: 'APPROVE', details: expect.objectContaining({ approvals: 2, required: 2 }) });
    expect((await getRequest(w.deps, callers.bob, r.id)).approvals).toMatchObject({ received: 2, remaining: 0 });
  });

  it('two sessions of one approver role are one approver', async () => {
    const w = world();
    const r = await two(w);
    await approveRequest(w.deps, callers.approverSession, r.id);
    const other = identity(`acs:ram::${OWNER}:assumed-role/approvers/bob-desktop`);
    expect((await approveRequest(w.deps, other, r.id)).status).toBe('PENDING');
    expect(approverKey(other.arn)).toBe(approverKey(callers.approverSession.arn));
  });

  it('one rejection rejects, before or after approvals; a later approval is refused', async () => {
    const w = world();
    const a = await two(w);
    await approveRequest(w.deps, callers.alice, a.id);
    expect((await rejectRequest(w.deps, callers.approverSession, a.id, { reason: 'no' })).status).toBe('REJECTED');
    expect(await codeOf(approveRequest(w.deps, callers.approverSession, a.id))).toBe('ILLEGAL_TRANSITION');
    const b = await two(w);
    await approveRequest(w.deps, callers.alice, b.id);
    // The approver who approved changes their mind: the rejection replaces the approval and rejects.
    expect((await rejectRequest(w.deps, callers.alice, b.id, { reason: 'second thoughts' })).status).toBe('REJECTED');
    expect((await w.ledger.approvals(b.id)).map((d) => d.decision)).toEqual(['reject']);
  });

  it('the requester and the partner account never count; non-approvers are refused', async () => {
    const w = world();
    const r = await two(w);
    expect(await codeOf(approveRequest(w.deps, callers.eve, r.id))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(approveRequest(w.deps, callers.bob, r.id))).toBe('FORBIDDEN_APPROVER_ACCOUNT');
    // The ledger refuses too, should a use case ever ask it: the requester, anyone of the partner account.
    for (const arn of [callers.bob.arn, callers.dave.arn]) {
      expect(await codeOf(w.ledger.decide(r.id, { approver: approverKey(arn), arn, decision: 'approve' }, { actor: arn }))).toBe('FORBIDDEN_SELF_APPROVAL');
    }
    expect(await w.ledger.approvals(r.id)).toEqual([]);
  });

  it('every approver may shorten the grant; it gets the shortest, and with a start ahead the quorum schedules it', async () => {
    const w = world();
    const r = await two(w, { startAt: at(300) });
    await approveRequest(w.deps, callers.alice, r.id, { duration: '1h' });
    const s = await approveRequest(w.deps, callers.approverSession, r.id);
    expect(s).toMatchObject({ status: 'SCHEDULED', durationSeconds: 3600 });
    w.clock.set(at(300));
    await pump(w);
    expect(await w.ledger.get(r.id)).toMatchObject({ status: 'ACTIVE', expiresAt: at(300 + 3600) });
  });

  it('concurrent last approvals by two approvers move it once; by one approver count once', async () => {
    const w = world();
    const r = await two(w);
    await approveRequest(w.deps, callers.alice, r.id);
    const other = identity(`acs:ram::${OWNER}:assumed-role/approvers/carol-laptop`);
    const results = await Promise.allSettled([approveRequest(w.deps, callers.approverSession, r.id), approveRequest(w.deps, other, r.id)]);
    // Whoever comes after the quorum is told the request is already decided (409), never moves it again.
    expect(results.map((x) => (x.status === 'fulfilled' ? x.value.status : (x.reason as { code: string }).code))).toEqual(expect.arrayContaining(['APPROVED']));
    expect(results.every((x) => x.status === 'fulfilled' ? x.value.status === 'APPROVED' : (x.reason as { code: string }).code === 'ILLEGAL_TRANSITION')).toBe(true);
    expect((await w.ledger.history(r.id)).filter((e) => e.action === 'APPROVE')).toHaveLength(1);
    expect(w.queue.sentTo(QueueName.PROVISION)).toHaveLength(1);
  });
});
