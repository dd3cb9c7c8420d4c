/**
 * Migration 6's part of the repository contract (run by repository-contract.ts on each driver):
 * tickets and break-glass reviews round-trip, a review is written once with its REVIEW event, the
 * unreviewed list, and the audit export's keyset pages over 2,100 events. Its rows live in years
 * of their own (2090–2091, 2201) so the shared ledger's other tests never meet them.
 */
import type { AccessRequest } from '../../../shared/domain/access-request';
import type { Clock } from '../../../shared/domain/ports';
import { Status, Transition } from '../../../shared/domain/state-machine';
import type { Db, Ledger } from '../../../shared/ledger';
import { minimalRequest, randomAccountId } from '../../helpers/ledger-fixtures';

const actor = 'acs:ram::1234567890123456:user/approver';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${String(e)}`;
  }
  throw new Error('expected a rejection');
}

export function describeReviewAndAuditContract(harness: () => { repo: Ledger; db: Db }, clock: Clock & { current: Date }): void {
  describe('break-glass reviews and the audit export (migration 6)', () => {
    it('a review is written once, with one REVIEW event, moving neither version nor updatedAt', async () => {
      const { repo } = harness();
      const r = await repo.create(minimalRequest({ status: Status.APPROVED, ticket: 'INC-77', breakGlass: { reviewDueAt: '2201-01-01T00:00:00.000Z' } }, '2200-12-31T00:00:00.000Z'), { actor: 'system:break-glass' });
      expect(r).toMatchObject({ ticket: 'INC-77', breakGlass: { reviewDueAt: '2201-01-01T00:00:00.000Z' } });
      clock.current = new Date('2200-12-31T05:00:00.000Z');
      const reviewed = await repo.review(r.id, { verdict: 'flagged', by: actor, note: 'no incident open' }, { actor, reason: 'no incident open', details: { verdict: 'flagged' } });
      expect(reviewed).toEqual({ ...r, breakGlass: { reviewDueAt: '2201-01-01T00:00:00.000Z', verdict: 'flagged', reviewedBy: actor, reviewNote: 'no incident open', reviewedAt: '2200-12-31T05:00:00.000Z' } });
      expect(await repo.get(r.id)).toEqual(reviewed);
      expect(await codeOf(repo.review(r.id, { verdict: 'ok', by: actor, note: 'again' }, { actor }))).toBe('ALREADY_REVIEWED');
      const plain = await repo.create(minimalRequest({}, '2200-12-31T00:00:00.000Z'), { actor });
      expect(await codeOf(repo.review(plain.id, { verdict: 'ok', by: actor, note: 'x' }, { actor }))).toBe('NOT_BREAK_GLASS');
      expect(await codeOf(repo.review('no-such-request', { verdict: 'ok', by: actor, note: 'x' }, { actor }))).toBe('NOT_FOUND');
      const history = await repo.history(r.id);
      expect(history.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([['CREATE', null, 'APPROVED'], ['REVIEW', 'APPROVED', 'APPROVED']]);
    });

    it('lists unreviewed break-glass grants by due time, with an overdue cut-off and a keyset cursor', async () => {
      const { repo } = harness();
      const due = ['2201-03-03T00:00:00.000Z', '2201-03-01T00:00:00.000Z', '2201-03-02T00:00:00.000Z'];
      const made: AccessRequest[] = [];
      for (const d of due) made.push(await repo.create(minimalRequest({ status: Status.APPROVED, breakGlass: { reviewDueAt: d } }), { actor: 'system:break-glass' }));
      const mine = new Set(made.map((r) => r.id));
      const order = (rs: AccessRequest[]): string[] => rs.filter((r) => mine.has(r.id)).map((r) => r.breakGlass?.reviewDueAt ?? '');
      expect(order(await repo.listUnreviewed({ limit: 1000 }))).toEqual([due[1], due[2], due[0]]);
      expect(order(await repo.listUnreviewed({ dueBefore: new Date('2201-03-02T12:00:00.000Z'), limit: 1000 }))).toEqual([due[1], due[2]]);
      const second = made[2] as AccessRequest;
      expect(order(await repo.listUnreviewed({ after: second.id, limit: 1000 }))).toEqual([due[0]]);
      await repo.review((made[1] as AccessRequest).id, { verdict: 'ok', by: actor, note: 'fine' }, { actor });
      expect(order(await repo.listUnreviewed({ limit: 1000 }))).toEqual([due[2], due[0]]);
    });

    it('pages 2,100 audit events by (at, id): complete, in order, no repeats; since inclusive, until exclusive; by partner', async () => {
      const { repo, db } = harness();
      const [p1, p2] = [randomAccountId(), randomAccountId()];
      const a = await repo.create(minimalRequest({ partnerAccountId: p1, ticket: 'CHG-1' }, '2090-01-01T00:00:00.000Z'), { actor });
      const b = await repo.create(minimalRequest({ partnerAccountId: p2 }, '2090-01-01T00:00:00.000Z'), { actor });
      // 2,098 more events, three per second (equal `at`s are ordered by id), alternating requests.
      await db.query(
        `INSERT INTO audit_events (request_id, at, actor, action, from_status, to_status, reason, details)
         SELECT CASE WHEN g % 2 = 0 THEN $1 ELSE $2 END, TIMESTAMPTZ '2090-01-01T00:00:01Z' + (g / 3) * INTERVAL '1 second', 'system:scan', 'NOTE', 'PENDING', 'PENDING', 'bulk ' || g,
                CASE WHEN g % 7 = 0 THEN jsonb_build_object('ramActions', jsonb_build_array(jsonb_build_object('action', 'DeleteRole', 'resource', 'role/x', 'at', '2090-01-01T00:00:00Z', 'result', 'ok')), 'n', g) END
         FROM generate_series(0, 2097) AS g`,
        [a.id, b.id],
      );
      const since = new Date('2090-01-01T00:00:00.000Z');
      const until = new Date('2090-01-02T00:00:00.000Z');
      const seen: Array<{ at: string; id: number }> = [];
      let after: { at: string; id: number } | undefined;
      let pages = 0;
      for (;;) {
        const page = await repo.auditPage({ since, until, limit: 500, ...(after === undefined ? {} : { after }) });
        pages++;
        seen.push(...page.map((e) => ({ at: e.at, id: e.id })));
        const last = page[page.length - 1];
        if (page.length < 500 || last === undefined) break;
        after = { at: last.at, id: last.id };
      }
      expect(seen).toHaveLength(2100);
      expect(pages).toBe(5);
      expect(new Set(seen.map((e) => e.id)).size).toBe(2100);
      for (let i = 1; i < seen.length; i++) {
        const [x, y] = [seen[i - 1], seen[i]] as [{ at: string; id: number }, { at: string; id: number }];
        expect(x.at < y.at || (x.at === y.at && x.id < y.id)).toBe(true);
      }
      const [first] = await repo.auditPage({ since, until, limit: 1 });
      expect(first).toMatchObject({ requestId: a.id, action: 'CREATE', partnerAccountId: p1, ticket: 'CHG-1', profile: 'readonly', roleName: a.roleName, ramCalls: [], toStatus: 'PENDING' });
      const withCalls = (await repo.auditPage({ since: new Date('2090-01-01T00:00:01.000Z'), until, limit: 1 }))[0];
      expect(withCalls).toMatchObject({ reason: 'bulk 0', ramCalls: [{ action: 'DeleteRole', resource: 'role/x', at: '2090-01-01T00:00:00Z', result: 'ok' }], details: { n: 0 } });
      // The window: since inclusive, until exclusive (the 3 events of second 1 are in [00:00:01, 00:00:02)).
      expect(await repo.auditPage({ since: new Date('2090-01-01T00:00:01.000Z'), until: new Date('2090-01-01T00:00:02.000Z'), limit: 100 })).toHaveLength(3);
      // The ledger caps a page at 1,000 rows whatever is asked.
      const onlyB = await repo.auditPage({ since, until, partnerAccountId: p2, limit: 5000 });
      const lastB = onlyB[onlyB.length - 1] as { at: string; id: number };
      const restB = await repo.auditPage({ since, until, partnerAccountId: p2, limit: 5000, after: { at: lastB.at, id: lastB.id } });
      expect([onlyB.length, restB.length]).toEqual([1000, 50]);
      expect([...onlyB, ...restB].every((e) => e.requestId === b.id)).toBe(true);
      // A transition's event carries its from and to status; its time is the clock's.
      clock.current = new Date('2090-06-01T00:00:00.000Z');
      await repo.transition(a.id, a.version, Transition.CANCEL, {}, { actor, reason: 'withdrawn' });
      const [cancel] = await repo.auditPage({ since: new Date('2090-06-01T00:00:00.000Z'), until: new Date('2090-06-02T00:00:00.000Z'), limit: 10 });
      expect(cancel).toMatchObject({ action: 'CANCEL', fromStatus: 'PENDING', toStatus: 'CANCELLED', reason: 'withdrawn', at: '2090-06-01T00:00:00.000Z' });
    }, 60_000);
  });
}
