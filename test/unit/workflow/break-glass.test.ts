/**
 * Break-glass profiles, tickets, reviews and the audit export, through the use cases over the
 * in-memory world: the rules and their error codes. (The SQL side: test/integration/ledger; the
 * whole path through HTTP and the CLI: test/e2e/break-glass-audit.test.ts.)
 */
import { validateCatalog, reviewWindowSeconds } from '../../../shared/domain/catalog';
import { checkTicket } from '../../../shared/domain/intake';
import { checkCatalogDocument } from '../../../shared/policy';
import { exportAudit, listRequests, overdueBreakGlassReviews, reviewGrant, submitRequest } from '../../../shared/workflow';
import { callers, catalogInput, makeWorld, OTHER_PARTNER, PARTNER, pump } from '../../fakes';
import { baseInput, codeOf, submitted } from './helpers';

const READ = [{ type: 'System' as const, name: 'AliyunECSReadOnlyAccess' }];
const profiles = [
  ...catalogInput.profiles,
  { name: 'glass', policies: READ, maxDuration: '1h', breakGlass: true },
  { name: 'glass-fast', policies: READ, maxDuration: '30m', breakGlass: true, reviewWithin: '2h', ticket: { required: true, pattern: '^INC-\\d+$' } },
  { name: 'change', policies: READ, maxDuration: '8h', ticket: { required: true, pattern: '^(CHG|INC)-\\d+$', description: 'a change number' } },
];
const world = () => makeWorld({ catalog: { profiles, reviewWithin: '24h' } });
const JUSTIFIED = 'production is down, restarting the web tier';

describe('catalog: breakGlass and ticket', () => {
  const issues = (p: Record<string, unknown>) => {
    const r = validateCatalog({ ...catalogInput, profiles: [{ name: 'p', policies: READ, maxDuration: '1h', ...p }] });
    return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.message}`);
  };

  it('bounds a break-glass profile: at most 1h, never privileged; reviewWithin only on break-glass', () => {
    expect(issues({ breakGlass: true })).toEqual([]);
    expect(issues({ breakGlass: true, maxDuration: '2h' })).toEqual(['profiles[0].maxDuration: a break-glass profile lasts at most 1h (it is granted without an approver), not 2h']);
    expect(issues({ breakGlass: true, privileged: true })).toEqual(['profiles[0].breakGlass: a privileged profile cannot be break-glass: escalating policies need an approver before, not a review after']);
    expect(issues({ reviewWithin: '4h' })).toEqual(['profiles[0].reviewWithin: only a break-glass profile ("breakGlass": true) is reviewed afterwards']);
  });

  it('compiles ticket patterns at load and wants them anchored', () => {
    expect(issues({ ticket: { required: true, pattern: '^CHG-\\d+$' } })).toEqual([]);
    expect(issues({ ticket: { pattern: 'CHG-\\d+' } })).toEqual(['profiles[0].ticket.pattern: must be anchored: start with ^ and end with $']);
    expect(issues({ ticket: { pattern: '^CHG-(\\d+$' } })[0]).toMatch(/^profiles\[0\]\.ticket\.pattern: not a valid regular expression/);
    expect(issues({ ticket: { required: 'yes' } })[0]).toMatch(/^profiles\[0\]\.ticket\.required/);
  });

  it('config check refuses a break-glass profile whose policies escalate or are unknown', () => {
    const report = checkCatalogDocument({
      ...catalogInput,
      profiles: [
        { name: 'admin-glass', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '1h', breakGlass: true },
        { name: 'mystery-glass', policies: [{ type: 'System', name: 'AliyunMysteryAccess' }], maxDuration: '1h', breakGlass: true },
      ],
    });
    expect(report.errors.map((e) => `${e.rule} ${e.field}`)).toEqual(expect.arrayContaining([
      'privileged-break-glass profiles[0].breakGlass', 'unknown-policy-break-glass profiles[1].breakGlass',
    ]));
  });

  it('the review window: the profile\'s, else the catalog\'s (default 24h)', () => {
    const w = world();
    expect(reviewWindowSeconds(w.catalog, { reviewWithin: '2h' })).toBe(7200);
    expect(reviewWindowSeconds(w.catalog, {})).toBe(86400);
    expect(makeWorld().catalog.reviewWithinSeconds).toBe(86400);
  });
});

describe('checkTicket (intake)', () => {
  const change = { name: 'change', breakGlass: false, ticket: { required: true, pattern: '^(CHG|INC)-\\d+$', description: 'a change number' } };
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as { code: string; message: string }).code;
    }
    return 'none';
  };

  it('requires, trims and matches the ticket; the message shows the expected format', () => {
    expect(checkTicket(change, { ticket: ' CHG-42 ', reason: 'x' })).toBe('CHG-42');
    expect(code(() => checkTicket(change, { reason: 'x' }))).toBe('TICKET_REQUIRED');
    expect(code(() => checkTicket(change, { ticket: '  ', reason: 'x' }))).toBe('TICKET_REQUIRED');
    expect(code(() => checkTicket(change, { ticket: 'see CHG-42', reason: 'x' }))).toBe('TICKET_INVALID');
    expect(() => checkTicket(change, { ticket: 'CHG-x', reason: 'x' })).toThrow('ticket: does not match the ticket format of profile "change" (a change number, matching ^(CHG|INC)-\\d+$)');
    expect(code(() => checkTicket(change, { ticket: 'CHG-1\n2', reason: 'x' }))).toBe('TICKET_INVALID');
    expect(code(() => checkTicket(change, { ticket: `CHG-${'1'.repeat(200)}`, reason: 'x' }))).toBe('TICKET_INVALID');
  });

  it('a break-glass profile needs a ticket or a justification of 20+ characters', () => {
    const glass = { name: 'glass', breakGlass: true };
    expect(code(() => checkTicket(glass, { reason: 'fix' }))).toBe('TICKET_REQUIRED');
    expect(checkTicket(glass, { reason: JUSTIFIED })).toBeUndefined();
    expect(checkTicket(glass, { reason: 'fix', ticket: 'INC-1' })).toBe('INC-1');
    // Without a profile rule, any ticket is kept as given.
    expect(checkTicket({ name: 'plain', breakGlass: false }, { reason: 'x', ticket: 'JIRA OPS 7' })).toBe('JIRA OPS 7');
  });
});

describe('break-glass requests and their review', () => {
  it('are approved at once by system:break-glass, with the review due after the window, and provisioned', async () => {
    const w = world();
    const r = await submitRequest(w.deps, callers.bob, { profile: 'glass', duration: '1h', reason: JUSTIFIED });
    expect(r).toMatchObject({ status: 'APPROVED', decidedBy: 'system:break-glass', breakGlass: { reviewDueAt: '2026-01-02T00:00:00.000Z' } });
    const fast = await submitRequest(w.deps, callers.bob, { profile: 'glass-fast', duration: '30m', reason: 'fix', ticket: 'INC-7' });
    expect(fast).toMatchObject({ ticket: 'INC-7', breakGlass: { reviewDueAt: '2026-01-01T02:00:00.000Z' } });
    const [create] = await w.ledger.history(r.id);
    expect(create).toMatchObject({ action: 'CREATE', actor: 'system:break-glass', toStatus: 'APPROVED', details: expect.objectContaining({ breakGlass: true, reviewDueAt: '2026-01-02T00:00:00.000Z' }) });
    expect(w.logger.entries.some((e) => e.message === 'break-glass granted')).toBe(true);
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
  });

  it('refuses what the profile does not allow, with stable codes', async () => {
    const w = world();
    expect(await codeOf(submitRequest(w.deps, callers.bob, { profile: 'glass', duration: '1h', reason: 'fix' }))).toBe('TICKET_REQUIRED');
    expect(await codeOf(submitRequest(w.deps, callers.bob, { profile: 'glass', duration: '2h', reason: JUSTIFIED }))).toBe('DURATION_OVER_MAXIMUM');
    expect(await codeOf(submitRequest(w.deps, callers.bob, { profile: 'change', duration: '1h', reason: 'x' }))).toBe('TICKET_REQUIRED');
    expect(await codeOf(submitRequest(w.deps, callers.bob, { profile: 'change', duration: '1h', reason: 'x', ticket: 'chg-1' }))).toBe('TICKET_INVALID');
    const ok = await submitRequest(w.deps, callers.bob, { profile: 'change', duration: '1h', reason: 'x', ticket: 'CHG-1' });
    expect(ok).toMatchObject({ status: 'PENDING', ticket: 'CHG-1' });
    expect(ok.breakGlass).toBeUndefined();
  });

  it('is reviewed once, by an approver, never by the partner; REVIEW is on the audit trail', async () => {
    const w = world();
    const r = await submitRequest(w.deps, callers.bob, { profile: 'glass', duration: '1h', reason: JUSTIFIED });
    expect(await codeOf(reviewGrant(w.deps, callers.bob, r.id, { verdict: 'ok', note: 'fine' }))).toBe('FORBIDDEN_APPROVER_ACCOUNT');
    expect(await codeOf(reviewGrant(w.deps, callers.eve, r.id, { verdict: 'ok', note: 'fine' }))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(reviewGrant(w.deps, callers.alice, r.id, { verdict: 'maybe', note: 'x' }))).toBe('VALIDATION');
    expect(await codeOf(reviewGrant(w.deps, callers.alice, r.id, { verdict: 'ok', note: ' ' }))).toBe('VALIDATION');
    expect(await codeOf(reviewGrant(w.deps, callers.alice, 'nope', { verdict: 'ok', note: 'x' }))).toBe('NOT_FOUND');
    w.clock.advance(3600);
    const reviewed = await reviewGrant(w.deps, callers.alice, r.id, { verdict: 'flag', note: 'no incident was open' });
    expect(reviewed.breakGlass).toEqual({ reviewDueAt: '2026-01-02T00:00:00.000Z', verdict: 'flagged', reviewedBy: callers.alice.arn, reviewNote: 'no incident was open', reviewedAt: '2026-01-01T01:00:00.000Z' });
    expect(reviewed.version).toBe(r.version);
    expect(await codeOf(reviewGrant(w.deps, callers.approverSession, r.id, { verdict: 'ok', note: 'changed my mind' }))).toBe('ALREADY_REVIEWED');
    const events = await w.ledger.history(r.id);
    expect(events.filter((e) => e.action === 'REVIEW')).toEqual([expect.objectContaining({ actor: callers.alice.arn, reason: 'no incident was open', details: { verdict: 'flagged', reviewDueAt: '2026-01-02T00:00:00.000Z', overdue: false } })]);
    const plain = await submitted(w);
    expect(await codeOf(reviewGrant(w.deps, callers.alice, plain.id, { verdict: 'ok', note: 'x' }))).toBe('NOT_BREAK_GLASS');
  });

  it('unreviewed grants are listed for approvers and operators, overdue ones once past due', async () => {
    const w = world();
    const a = await submitRequest(w.deps, callers.bob, { profile: 'glass', duration: '1h', reason: JUSTIFIED });
    w.clock.advance(60);
    const b = await submitRequest(w.deps, callers.bob, { profile: 'glass-fast', duration: '30m', reason: 'fix', ticket: 'INC-8' });
    const ids = async (caller = callers.alice, unreviewed: 'all' | 'overdue' = 'all') => (await listRequests(w.deps, caller, { unreviewed })).items.map((r) => r.id);
    expect(await ids()).toEqual([b.id, a.id]);
    expect(await ids(callers.ownerRoot)).toEqual([b.id, a.id]);
    expect(await ids(callers.alice, 'overdue')).toEqual([]);
    expect(await codeOf(listRequests(w.deps, callers.bob, { unreviewed: 'all' }))).toBe('FORBIDDEN_NOT_APPROVER');
    w.clock.advance(3 * 3600);
    expect((await overdueBreakGlassReviews(w.deps)).map((r) => r.id)).toEqual([b.id]);
    w.clock.advance(86400);
    expect(await ids(callers.alice, 'overdue')).toEqual([b.id, a.id]);
    await reviewGrant(w.deps, callers.alice, b.id, { verdict: 'ok', note: 'INC-8 checked' });
    expect(await ids()).toEqual([a.id]);
  });
});

describe('exportAudit', () => {
  it('pages by (at, id) within the window, filters by partner, and says whether the window is settled', async () => {
    const w = world();
    const mine = await submitRequest(w.deps, callers.bob, { profile: 'change', duration: '1h', reason: 'x', ticket: 'CHG-9' });
    w.clock.advance(1);
    const theirs = await submitRequest(w.deps, callers.carol, baseInput);
    w.clock.advance(1);
    await submitRequest(w.deps, callers.bob, { profile: 'glass', duration: '1h', reason: JUSTIFIED });
    w.clock.advance(600);
    const since = '2026-01-01T00:00:00Z';
    const first = await exportAudit(w.deps, callers.alice, { since, limit: 2 });
    expect(first).toMatchObject({ until: '2026-01-01T00:07:57.000Z', settled: true, next: expect.any(String) });
    expect(first.items.map((e) => [e.requestId, e.action])).toEqual([[mine.id, 'CREATE'], [theirs.id, 'CREATE']]);
    expect(first.items[0]).toMatchObject({ ticket: 'CHG-9', partnerAccountId: PARTNER, profile: 'change', actor: callers.bob.arn, fromStatus: null, toStatus: 'PENDING', ramCalls: [] });
    const second = await exportAudit(w.deps, callers.ownerRoot, { since, until: first.until, cursor: first.next ?? '', limit: 2 });
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeUndefined();
    const other = await exportAudit(w.deps, callers.alice, { since, partner: OTHER_PARTNER });
    expect(other.items.map((e) => e.requestId)).toEqual([theirs.id]);
    const live = await exportAudit(w.deps, callers.alice, { since, until: '2026-01-01T00:10:03Z' });
    expect(live).toMatchObject({ settled: false });
    expect(live.items).toHaveLength(3);
  });

  it('refuses partners and other owner identities, and malformed queries, with codes', async () => {
    const w = world();
    expect(await codeOf(exportAudit(w.deps, callers.bob, { since: '2026-01-01T00:00:00Z' }))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(exportAudit(w.deps, callers.eve, { since: '2026-01-01T00:00:00Z' }))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: 'yesterday' }))).toBe('VALIDATION');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: '2026-01-01T00:00:00' }))).toBe('VALIDATION');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: '0000-01-01T00:00:00Z' }))).toBe('VALIDATION');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }))).toBe('VALIDATION');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: '2025-12-31T00:00:00Z', limit: 501 }))).toBe('VALIDATION');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: '2025-12-31T00:00:00Z', cursor: 'bm9wZQ' }))).toBe('VALIDATION');
    const impossible = Buffer.from(JSON.stringify(['2026-13-45T10:00:00Z', 1])).toString('base64url');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: '2025-12-31T00:00:00Z', cursor: impossible }))).toBe('VALIDATION');
    expect(await codeOf(exportAudit(w.deps, callers.alice, { since: '2025-12-31T00:00:00Z', partner: '12' }))).toBe('INVALID_ACCOUNT_ID');
  });
});
