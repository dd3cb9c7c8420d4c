/**
 * The ledger's part of quorum and scheduled start (migration 5), run inside the repository
 * contract on every driver (repository-contract.ts calls it): each approver's decision recorded
 * with its audit event; the N-th distinct approval moves the request in the same transaction, even
 * when the last approvals arrive at once (on the server: separate connections); one approver
 * counts once; one rejection rejects; SCHEDULED is a status the database accepts and holds the
 * role name; the start-due query is served by its partial index.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/domain/ports';
import { approverKey } from '../../../shared/domain/quorum';
import { Status, Transition } from '../../../shared/domain/state-machine';
import type { Db, Ledger } from '../../../shared/ledger';
import { START_DUE_INDEX } from '../../../shared/ledger/migration-005-scheduled-quorum';
import { minimalRequest, randomAccountId } from '../../helpers/ledger-fixtures';

const OWNER = '1234567890123456';
const approver = (n: number): string => `acs:ram::${OWNER}:user/approver-${n}`;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${String(e)}`;
  }
  throw new Error('expected a rejection');
}

export function describeQuorumContract(get: () => { repo: Ledger; db: Db; clock: Clock & { current: Date } }): void {
  describe('quorum and scheduled start (migration 5)', () => {
    const approve = (id: string, arn: string, onQuorum: { transition: Transition; patch: { decidedBy: string } } = { transition: Transition.APPROVE, patch: { decidedBy: arn } }) =>
      get().repo.decide(id, { approver: approverKey(arn), arn, decision: 'approve', onQuorum }, { actor: arn });

    it('round-trips startAt and approvalsRequired; creates SCHEDULED; refuses an unknown status in the database', async () => {
      const { repo, db } = get();
      const r = minimalRequest({ status: Status.SCHEDULED, startAt: '2026-06-02T00:00:00.000Z', approvalsRequired: 3 });
      expect(await repo.create(r, { actor: 'a' })).toEqual(r);
      expect(await repo.get(r.id)).toEqual(r);
      // check_violation: migration 5 re-created the CHECK with SCHEDULED, and nothing else.
      expect(await codeOf(db.query("UPDATE requests SET status = 'PAUSED' WHERE id = $1", [r.id]))).toBe('23514');
    });

    it('a SCHEDULED request holds its role name', async () => {
      const { repo } = get();
      const name = `crossrole-sched-${randomUUID().slice(0, 8)}`;
      await repo.create(minimalRequest({ status: Status.SCHEDULED, roleName: name, startAt: '2026-06-02T00:00:00.000Z' }), { actor: 'a' });
      expect(await codeOf(repo.create(minimalRequest({ roleName: name }), { actor: 'a' }))).toBe('ROLE_NAME_TAKEN');
    });

    it('records each decision with an audit event; moves on the N-th distinct approval; a repeat counts once', async () => {
      const { repo } = get();
      const r = await repo.create(minimalRequest({ approvalsRequired: 2 }), { actor: 'a' });
      const first = await approve(r.id, approver(1));
      expect(first).toMatchObject({ counted: true, request: { status: 'PENDING', version: 1 } });
      expect(await approve(r.id, approver(1))).toMatchObject({ counted: false, request: { status: 'PENDING' } });
      expect((await repo.history(r.id)).map((e) => [e.action, e.reason])).toEqual([['CREATE', undefined], ['NOTE', 'approval 1 of 2']]);
      const second = await approve(r.id, approver(2));
      expect(second).toMatchObject({ counted: true, request: { status: 'APPROVED', version: 2, decidedBy: approver(2) } });
      expect(second.approvals.map((a) => a.approver)).toEqual(expect.arrayContaining([approver(1), approver(2)]));
      expect((await repo.history(r.id)).at(-1)).toMatchObject({ action: 'APPROVE', fromStatus: 'PENDING', toStatus: 'APPROVED', details: expect.objectContaining({ approvals: 2, required: 2 }) });
      // Late: another approver after the quorum is refused; the first approving again gets the state as it is.
      expect(await codeOf(approve(r.id, approver(3)))).toBe('ILLEGAL_TRANSITION');
      expect(await approve(r.id, approver(1))).toMatchObject({ counted: false, request: { status: 'APPROVED' } });
      expect(await repo.approvals(r.id)).toHaveLength(2);
    });

    it('one rejection rejects (replacing that approver\'s own approval); refuses the requester and the partner account; NOT_FOUND', async () => {
      const { repo } = get();
      const r = await repo.create(minimalRequest({ approvalsRequired: 2 }), { actor: 'a' });
      await approve(r.id, approver(1));
      const rejected = await repo.decide(r.id, { approver: approver(1), arn: approver(1), decision: 'reject', reason: 'no' }, { actor: approver(1), reason: 'no' });
      expect(rejected.request).toMatchObject({ status: 'REJECTED', decisionReason: 'no' });
      expect((await repo.approvals(r.id)).map((a) => a.decision)).toEqual(['reject']);
      const other = await repo.create(minimalRequest(), { actor: 'a' });
      expect(await codeOf(approve(other.id, other.requesterArn))).toBe('FORBIDDEN_SELF_APPROVAL');
      expect(await codeOf(approve(other.id, `acs:ram::${other.partnerAccountId}:user/colleague`))).toBe('FORBIDDEN_SELF_APPROVAL');
      expect(await codeOf(approve(randomUUID(), approver(1)))).toBe('NOT_FOUND');
      expect(await repo.approvals(other.id)).toEqual([]);
    });

    it('concurrent last approvals: each request moves exactly once, no approval is lost; one approver at once counts once', async () => {
      const { repo } = get();
      const requests = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.create(minimalRequest({ approvalsRequired: i % 2 === 0 ? 2 : 3 }), { actor: 'a' })));
      await Promise.all(requests.map((r) => Promise.allSettled([1, 2, 3].map((n) => approve(r.id, approver(n))))));
      for (const r of requests) {
        const events = await repo.history(r.id);
        expect(events.filter((e) => e.action === 'APPROVE')).toHaveLength(1);
        expect((await repo.get(r.id))?.status).toBe('APPROVED');
        const required = r.approvalsRequired ?? 1;
        expect((await repo.approvals(r.id)).length).toBe(required);
      }
      const one = await repo.create(minimalRequest({ approvalsRequired: 2 }), { actor: 'a' });
      const same = await Promise.all(Array.from({ length: 5 }, () => approve(one.id, approver(1))));
      expect(same.filter((d) => d.counted)).toHaveLength(1);
      expect(await repo.approvals(one.id)).toHaveLength(1);
      expect((await repo.history(one.id)).filter((e) => e.action === 'NOTE')).toHaveLength(1);
    }, 30_000);

    it('SCHEDULE on quorum, START, CANCEL from SCHEDULED; listStartDue by start time, served by its partial index', async () => {
      const { repo, db } = get();
      const partner = randomAccountId();
      const year = 1981;
      const due = await repo.create(minimalRequest({ partnerAccountId: partner, startAt: `${year}-01-01T00:00:00.000Z` }), { actor: 'a' });
      const later = await repo.create(minimalRequest({ partnerAccountId: partner, startAt: `${year}-06-01T00:00:00.000Z` }), { actor: 'a' });
      const pendingDue = await repo.create(minimalRequest({ partnerAccountId: partner, startAt: `${year}-01-02T00:00:00.000Z` }), { actor: 'a' });
      for (const r of [due, later]) await approve(r.id, approver(1), { transition: Transition.SCHEDULE, patch: { decidedBy: approver(1) } });
      const now = new Date(`${year}-03-01T00:00:00.000Z`);
      expect((await repo.listStartDue(Status.SCHEDULED, now, 100)).map((r) => r.id)).toEqual([due.id]);
      expect((await repo.listStartDue(Status.PENDING, now, 100)).map((r) => r.id)).toEqual([pendingDue.id]);
      const started = await repo.transition(due.id, 2, Transition.START, {}, { actor: 'system:scheduler' });
      expect(started.status).toBe('APPROVED');
      expect((await repo.transition(later.id, 2, Transition.CANCEL, {}, { actor: 'p' })).status).toBe('CANCELLED');
      expect(await repo.listStartDue(Status.SCHEDULED, now, 100)).toEqual([]);
      // History: 2,000 requests that had a start and are long over (not in the index), so that the plan means something.
      await db.query(
        `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason, role_name, principals, external_id, created_at, updated_at, revoke_mode, start_at)
         SELECT 'sbulk-' || g || '-' || $1, 5, 'REVOKED', $1, 'acs:ram::' || $1 || ':root', 'readonly', 3600, 'bulk', 'crossrole-sbulk-' || g, '[]'::jsonb, 'x', now(), now(), 'delete',
                TIMESTAMPTZ '1970-01-01' + g * INTERVAL '1 minute'
         FROM generate_series(1, 2000) AS g`,
        [partner],
      );
      await db.query('ANALYZE requests');
      const plan = await db.query<Record<string, string>>(`EXPLAIN SELECT * FROM requests WHERE status = 'SCHEDULED' AND start_at IS NOT NULL AND start_at <= $1::timestamptz ORDER BY start_at, id LIMIT 100`, [now.toISOString()]);
      const text = plan.rows.map((row) => Object.values(row).join(' ')).join('\n');
      expect(text).toContain(START_DUE_INDEX);
      expect(text).not.toMatch(/Seq Scan on requests/);
    }, 30_000);
  });
}
