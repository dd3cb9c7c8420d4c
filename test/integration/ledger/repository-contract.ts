/**
 * The one RequestRepository contract, run against every driver (pglite.test.ts, pg.test.ts).
 * One ledger per file; tests keep out of each other's way with unique ids, unique partner
 * accounts and disjoint time windows (each time-based test uses its own year, far from "now").
 */
import { randomUUID } from 'node:crypto';
import { CrossroleError, IllegalTransitionError, NotFoundError, VersionConflictError } from '../../../shared/domain/errors';
import { requesterFilterOf, requesterMatches, type RequesterFilter } from '../../../shared/domain/partner-roles';
import { holdsRoleName } from '../../../shared/domain/role-names';
import type { Clock } from '../../../shared/domain/ports';
import { ALL_STATUSES, Status, Transition } from '../../../shared/domain/state-machine';
import type { AccessRequest } from '../../../shared/domain/access-request';
import type { Db, Ledger } from '../../../shared/ledger';
import type { Queryable } from '../../../shared/ledger/db';
import { DUE_FOR_EXPIRY_INDEX, MIGRATIONS, SqlRequestRepository, migrate } from '../../../shared/ledger';
import { ROLE_NAME_INDEX } from '../../../shared/ledger/migration-003-role-names';
import { UNRELEASED_INDEX } from '../../../shared/ledger/migrations';
import { fullRequest, minimalRequest, randomAccountId } from '../../helpers/ledger-fixtures';
import { describeQuorumContract } from './quorum-contract';
import { describeExtensionContract } from './extension-contract';
import { describeReviewAndAuditContract } from './review-audit-contract';

export interface ContractHarness {
  repo: Ledger;
  /** Raw access to the same database, for what the port deliberately cannot do. */
  db: Db;
  dispose(): Promise<void>;
}

export type HarnessFactory = (clock: Clock) => Promise<ContractHarness>;

class TestClock implements Clock {
  current = new Date('2026-06-01T00:00:00.000Z');
  now(): Date {
    return new Date(this.current.getTime());
  }
}

const actor = 'acs:ram::1234567890123456:user/tester';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${String(e)}`;
  }
  throw new Error('expected a rejection');
}

const ids = (rs: AccessRequest[]): string[] => rs.map((r) => r.id);

/** A Db whose every statement runs inside one open transaction (so a whole scenario can be rolled back). */
function dbInside(tx: Queryable, driver: Db['driver']): Db {
  return {
    driver,
    query: <T = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => tx.query<T>(sql, params),
    transaction: <T>(fn: (q: Queryable) => Promise<T>) => fn(tx),
    close: async () => undefined,
  };
}

class RolledBack extends Error {}
const year = (y: number, rest = '-01-01T00:00:00.000Z'): string => `${y}${rest}`;

export function describeRepositoryContract(name: string, factory: HarnessFactory): void {
  describe(`RequestRepository contract: ${name}`, () => {
    const clock = new TestClock();
    let h: ContractHarness;
    let repo: Ledger;

    beforeAll(async () => {
      h = await factory(clock);
      repo = h.repo;
    }, 60_000);

    afterAll(async () => {
      await h?.dispose();
    }, 30_000);

    // Migration 6: break-glass reviews and the audit export (review-audit-contract.ts).
    describeReviewAndAuditContract(() => h, clock);

    beforeEach(() => {
      clock.current = new Date('2026-06-01T00:00:00.000Z');
    });

    /** Create APPROVED then ACTIVATE with the given expiry (clock at `at`). */
    async function activeRequest(expiresAt: string, at: string, overrides: Partial<AccessRequest> = {}): Promise<AccessRequest> {
      const created = await repo.create(minimalRequest({ status: Status.APPROVED, ...overrides }, at), { actor });
      clock.current = new Date(at);
      return repo.transition(created.id, created.version, Transition.ACTIVATE, { expiresAt }, { actor });
    }

    // ------------------------------------------------------------------ schema

    it('migrations are recorded and re-running them is a no-op', async () => {
      expect(await migrate(h.db)).toEqual([]);
      const { rows } = await h.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('the status CHECK admits exactly the state machine statuses', async () => {
      const insert = (status: string) =>
        h.db.query(
          `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason, role_name, principals, external_id, created_at, updated_at)
           VALUES ($1, 1, $2, '1', 'arn', 'p', 60, 'r', $1, '[]'::jsonb, 'x', now(), now())`,
          [randomUUID(), status],
        );
      for (const status of ALL_STATUSES) await expect(insert(status)).resolves.toBeDefined();
      expect(await codeOf(insert('BOGUS'))).toBe('23514');
    });

    // ------------------------------------------------------------------ create / get

    it('round-trips every field of a full request, and omits absent optionals', async () => {
      const full = fullRequest();
      expect(await repo.create(full, { actor })).toEqual(full);
      expect(await repo.get(full.id)).toEqual(full);

      const minimal = minimalRequest();
      await repo.create(minimal, { actor, reason: 'submitted', details: { source: 'test' } });
      const got = await repo.get(minimal.id);
      expect(got).toEqual(minimal);
      expect(Object.keys(got ?? {})).not.toEqual(expect.arrayContaining(['expiresAt']));

      expect(await repo.history(minimal.id)).toEqual([
        { id: expect.any(Number), requestId: minimal.id, at: minimal.createdAt, actor, action: 'CREATE', fromStatus: null, toStatus: Status.PENDING, reason: 'submitted', details: { source: 'test' } },
      ]);
    });

    it('get of an unknown id is undefined; a duplicate create is ALREADY_EXISTS; create refuses non-initial statuses', async () => {
      expect(await repo.get(randomUUID())).toBeUndefined();
      const r = minimalRequest();
      await repo.create(r, { actor });
      expect(await codeOf(repo.create(r, { actor }))).toBe('ALREADY_EXISTS');
      expect(await codeOf(repo.create(minimalRequest({ status: Status.ACTIVE }), { actor }))).toBe('VALIDATION');
      expect(await repo.history(r.id)).toHaveLength(1);
    });

    // ------------------------------------------------------------------ listing

    it('listByStatus pages with a keyset cursor in (createdAt, id) order', async () => {
      // PENDING rows alone in January 1971, two sharing a createdAt to exercise the id tiebreak.
      const times = [year(1971, '-01-03T00:00:00.000Z'), year(1971, '-01-01T00:00:00.000Z'), year(1971, '-01-02T00:00:00.000Z'), year(1971, '-01-02T00:00:00.000Z'), year(1971, '-01-05T00:00:00.000Z')];
      const mine = [];
      for (const t of times) mine.push(await repo.create(minimalRequest({}, t), { actor }));
      const expected = [...mine].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

      const all: AccessRequest[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 1000; pages++) {
        const page = await repo.listByStatus(Status.PENDING, { limit: 2, ...(after === undefined ? {} : { after }) });
        expect(page.length).toBeLessThanOrEqual(2);
        if (page.length === 0) break;
        all.push(...page);
        after = page[page.length - 1]?.id;
      }
      expect(all.every((r) => r.status === Status.PENDING)).toBe(true);
      expect(new Set(ids(all)).size).toBe(all.length);
      const keys = all.map((r) => `${r.createdAt}|${r.id}`);
      expect(keys).toEqual([...keys].sort());
      // Nothing else in the ledger was created in January 1971, so ours form one run, in order.
      const first = all.findIndex((r) => r.id === expected[0]?.id);
      expect(ids(all.slice(first, first + 5))).toEqual(ids(expected));
      expect(await repo.listByStatus(Status.PENDING, { after: randomUUID() })).toEqual([]);
    });

    it('listByPartner pages and filters by status', async () => {
      const partner = randomAccountId();
      const created = [];
      for (let i = 0; i < 5; i++) {
        const status = i % 2 === 0 ? Status.PENDING : Status.APPROVED;
        created.push(await repo.create(minimalRequest({ partnerAccountId: partner, status }, year(2026, `-02-0${i + 1}T00:00:00.000Z`)), { actor }));
      }
      await repo.create(minimalRequest(), { actor }); // another partner

      const p1 = await repo.listByPartner(partner, { limit: 2 });
      const p2 = await repo.listByPartner(partner, { limit: 2, after: p1[1]?.id });
      const p3 = await repo.listByPartner(partner, { limit: 2, after: p2[1]?.id });
      expect([...ids(p1), ...ids(p2), ...ids(p3)]).toEqual(ids(created));
      expect(p3).toHaveLength(1);
      expect(ids(await repo.listByPartner(partner, { status: Status.APPROVED }))).toEqual([created[1]?.id, created[3]?.id]);
      expect(ids(await repo.listByPartner(partner, { status: Status.PENDING, limit: 1, after: created[0]?.id }))).toEqual([created[2]?.id]);
      expect(await repo.listByPartner(randomAccountId())).toEqual([]);
    });

    it('listDueForExpiry returns only ACTIVE rows due by now, oldest expiry first, up to limit', async () => {
      const at = year(1975);
      const due3 = await activeRequest(year(1975, '-01-03T00:00:00.000Z'), at);
      const due1 = await activeRequest(year(1975, '-01-01T00:00:00.000Z'), at);
      const due2 = await activeRequest(year(1975, '-01-02T00:00:00.000Z'), at);
      await activeRequest(year(1975, '-06-01T00:00:00.000Z'), at); // not yet due
      // Due-looking but not ACTIVE: an APPROVED row carrying an expiry, and a REVOKING one.
      await repo.create(minimalRequest({ status: Status.APPROVED, expiresAt: year(1975, '-01-01T00:00:00.000Z') }, at), { actor });
      const revoking = await activeRequest(year(1975, '-01-01T12:00:00.000Z'), at);
      await repo.transition(revoking.id, revoking.version, Transition.START_REVOKE, {}, { actor });

      const now = new Date(year(1975, '-03-01T00:00:00.000Z'));
      const due = await repo.listDueForExpiry(now, 100);
      expect(ids(due)).toEqual([due1.id, due2.id, due3.id]);
      expect(due.every((r) => r.status === Status.ACTIVE)).toBe(true);
      expect(ids(await repo.listDueForExpiry(now, 2))).toEqual([due1.id, due2.id]);
      // Boundary: expiresAt == now is due.
      expect(ids(await repo.listDueForExpiry(new Date(year(1975, '-01-02T00:00:00.000Z')), 100))).toEqual([due1.id, due2.id]);
    });

    it('listStale returns rows in a status whose updatedAt is older than the cut-off', async () => {
      const old1 = await repo.create(minimalRequest({}, year(1960, '-01-01T00:00:00.000Z')), { actor });
      const old2 = await repo.create(minimalRequest({}, year(1960, '-01-02T00:00:00.000Z')), { actor });
      await repo.create(minimalRequest({}, year(1960, '-09-01T00:00:00.000Z')), { actor }); // fresh
      const cut = new Date(year(1960, '-06-01T00:00:00.000Z'));
      expect(ids(await repo.listStale(Status.PENDING, cut, 10))).toEqual([old1.id, old2.id]);
      expect(ids(await repo.listStale(Status.PENDING, cut, 1))).toEqual([old1.id]);

      // A stuck REVOKING: its updatedAt is the time of the START_REVOKE transition (the clock).
      const a = await activeRequest(year(2100), year(1960, '-01-01T00:00:00.000Z'));
      clock.current = new Date(year(1960, '-02-01T00:00:00.000Z'));
      const stuck = await repo.transition(a.id, a.version, Transition.START_REVOKE, {}, { actor });
      expect(stuck.updatedAt).toBe(year(1960, '-02-01T00:00:00.000Z'));
      expect(ids(await repo.listStale(Status.REVOKING, cut, 10))).toEqual([stuck.id]);
      expect(await repo.listStale(Status.REVOKING, new Date(year(1960, '-02-01T00:00:00.000Z')), 10)).toEqual([]);
    });

    // ------------------------------------------------------------------ transitions

    it('a transition bumps the version, applies the patch, stamps updatedAt and writes exactly one audit event', async () => {
      const r = await repo.create(minimalRequest(), { actor });
      clock.current = new Date('2026-06-02T03:04:05.678Z');
      const approved = await repo.transition(r.id, r.version, Transition.APPROVE, { decidedBy: actor, decisionReason: 'ok', durationSeconds: 1800 }, { actor, reason: 'looks fine', details: { ticket: 7 } });
      expect(approved).toEqual({ ...r, version: r.version + 1, status: Status.APPROVED, updatedAt: '2026-06-02T03:04:05.678Z', decidedBy: actor, decisionReason: 'ok', durationSeconds: 1800 });
      expect(await repo.get(r.id)).toEqual(approved);
      const history = await repo.history(r.id);
      expect(history.map((e) => e.action)).toEqual(['CREATE', Transition.APPROVE]);
      expect(history[1]).toEqual({ id: expect.any(Number), requestId: r.id, at: '2026-06-02T03:04:05.678Z', actor, action: Transition.APPROVE, fromStatus: Status.PENDING, toStatus: Status.APPROVED, reason: 'looks fine', details: { ticket: 7 } });
      expect(history[1]!.id).toBeGreaterThan(history[0]!.id);
    });

    it('a multi-source transition records the status it actually left; a present-undefined patch key clears the column', async () => {
      const a = await activeRequest(year(2100), '2026-01-01T00:00:00.000Z');
      const revoking = await repo.transition(a.id, a.version, Transition.START_REVOKE, { revokeMode: 'trust' }, { actor });
      const failed = await repo.transition(a.id, revoking.version, Transition.REVOKE_FAILED, { lastError: 'boom' }, { actor });
      expect(failed.lastError).toBe('boom');
      const again = await repo.transition(a.id, failed.version, Transition.START_REVOKE, { lastError: undefined }, { actor });
      expect(again.lastError).toBeUndefined();
      expect(again.revokeMode).toBe('trust');
      expect(again.version).toBe(a.version + 3);
      const moves = (await repo.history(a.id)).map((e) => `${e.action}:${e.fromStatus}->${e.toStatus}`);
      expect(moves).toEqual([
        'CREATE:null->APPROVED', 'ACTIVATE:APPROVED->ACTIVE', 'START_REVOKE:ACTIVE->REVOKING', 'REVOKE_FAILED:REVOKING->FAILED', 'START_REVOKE:FAILED->REVOKING',
      ]);
    });

    it('an illegal transition is ILLEGAL_TRANSITION and changes nothing', async () => {
      const r = await repo.create(minimalRequest(), { actor });
      const err = await repo.transition(r.id, r.version, Transition.ACTIVATE, {}, { actor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IllegalTransitionError);
      expect((err as IllegalTransitionError).code).toBe('ILLEGAL_TRANSITION');
      expect((err as IllegalTransitionError).details).toMatchObject({ from: Status.PENDING, to: Status.ACTIVE, id: r.id });
      expect(await repo.get(r.id)).toEqual(r);
      expect(await repo.history(r.id)).toHaveLength(1);
    });

    it('a request whose revocation failed can never RETRY back to APPROVED (it is re-revoked instead)', async () => {
      const r = await repo.create({ ...minimalRequest(), status: Status.APPROVED }, { actor });
      const active = await repo.transition(r.id, r.version, Transition.ACTIVATE, {}, { actor });
      const revoking = await repo.transition(r.id, active.version, Transition.START_REVOKE, { revokeMode: 'trust' }, { actor });
      const failed = await repo.transition(r.id, revoking.version, Transition.REVOKE_FAILED, { lastError: 'boom' }, { actor });
      expect(await codeOf(repo.transition(r.id, failed.version, Transition.RETRY, {}, { actor }))).toBe('ILLEGAL_TRANSITION');
      expect((await repo.get(r.id))?.status).toBe(Status.FAILED);
      const again = await repo.transition(r.id, failed.version, Transition.START_REVOKE, {}, { actor });
      expect(again.status).toBe(Status.REVOKING);
    });

    it('a stale version is VERSION_CONFLICT (even when the edge is also illegal now) and changes nothing', async () => {
      const r = await repo.create(minimalRequest(), { actor });
      const approved = await repo.transition(r.id, r.version, Transition.APPROVE, {}, { actor });
      const err = await repo.transition(r.id, r.version, Transition.REJECT, {}, { actor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VersionConflictError);
      expect((err as VersionConflictError).code).toBe('VERSION_CONFLICT');
      expect(await codeOf(repo.transition(r.id, r.version + 5, Transition.ACTIVATE, {}, { actor }))).toBe('VERSION_CONFLICT');
      expect(await repo.get(r.id)).toEqual(approved);
      expect(await repo.history(r.id)).toHaveLength(2);
    });

    it('a missing request is NOT_FOUND for transition and note', async () => {
      const id = randomUUID();
      const err = await repo.transition(id, 1, Transition.APPROVE, {}, { actor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).code).toBe('NOT_FOUND');
      expect(await codeOf(repo.note(id, { lastError: 'x' }, { actor }))).toBe('NOT_FOUND');
      expect(await repo.history(id)).toEqual([]);
    });

    it('note records a NOTE event and patches lastError without bumping version or updatedAt', async () => {
      const r = await repo.create(minimalRequest(), { actor });
      clock.current = new Date('2026-07-01T00:00:00.000Z');
      await repo.note(r.id, { lastError: 'drift: trust policy changed' }, { actor: 'scan', reason: 'drift', details: { field: 'trust' } });
      expect(await repo.get(r.id)).toEqual({ ...r, lastError: 'drift: trust policy changed' });
      await repo.note(r.id, {}, { actor: 'scan' });
      const notes = (await repo.history(r.id)).filter((e) => e.action === 'NOTE');
      expect(notes).toHaveLength(2);
      expect(notes[0]).toMatchObject({ at: '2026-07-01T00:00:00.000Z', actor: 'scan', fromStatus: Status.PENDING, toStatus: Status.PENDING, reason: 'drift', details: { field: 'trust' } });
      // The version the caller read is still good for a transition.
      await expect(repo.transition(r.id, r.version, Transition.APPROVE, {}, { actor })).resolves.toMatchObject({ version: r.version + 1 });
    });

    it('audit events cannot be updated, deleted or truncated', async () => {
      const r = await repo.create(minimalRequest(), { actor });
      const before = await repo.history(r.id);
      await expect(h.db.query('UPDATE audit_events SET actor = $1 WHERE request_id = $2', ['mallory', r.id])).rejects.toThrow(/append-only/);
      await expect(h.db.query('DELETE FROM audit_events WHERE request_id = $1', [r.id])).rejects.toThrow(/append-only/);
      await expect(h.db.query('TRUNCATE audit_events CASCADE')).rejects.toThrow(/append-only/);
      expect(await codeOf(h.db.query('DELETE FROM audit_events'))).toBe('42501');
      expect(await repo.history(r.id)).toEqual(before);
    });

    // ------------------------------------------------------------------ nonces

    it('nonces are single-use until purged; purge removes only expired ones', async () => {
      const n1 = `n-${randomUUID()}`;
      const n2 = `n-${randomUUID()}`;
      expect(await repo.useNonce(n1, new Date('1990-01-01T00:05:00Z'))).toBe(true);
      expect(await repo.useNonce(n1, new Date('1990-01-01T00:05:00Z'))).toBe(false);
      expect(await repo.useNonce(n1, new Date('2999-01-01T00:00:00Z'))).toBe(false);
      expect(await repo.useNonce(n2, new Date('1990-01-01T00:20:00Z'))).toBe(true);
      expect(await repo.purgeExpiredNonces(new Date('1990-01-01T00:10:00Z'))).toBe(1);
      expect(await repo.useNonce(n2, new Date('1990-01-01T00:20:00Z'))).toBe(false);
      expect(await repo.purgeExpiredNonces(new Date('1990-01-01T00:10:00Z'))).toBe(0);
    });

    // ------------------------------------------------------------------ retention (migration 2)

    /** A request revoked in `mode` at `at` (each step at `at`: its updatedAt is the revocation time). */
    async function revokedRequest(mode: 'trust' | 'delete', at: string): Promise<AccessRequest> {
      const a = await activeRequest(year(2100), at);
      const revoking = await repo.transition(a.id, a.version, Transition.START_REVOKE, { revokeMode: mode }, { actor });
      return repo.transition(a.id, revoking.version, Transition.FINISH_REVOKE, {}, { actor });
    }

    it('listUnreleased returns REVOKED trust-mode rows revoked before the cut-off, oldest first; delete mode and other statuses never', async () => {
      const t1 = await revokedRequest('trust', year(1950, '-01-01T00:00:00.000Z'));
      const t2 = await revokedRequest('trust', year(1950, '-01-02T00:00:00.000Z'));
      await revokedRequest('delete', year(1950, '-01-01T12:00:00.000Z'));
      await activeRequest(year(2100), year(1950, '-01-01T00:00:00.000Z'));
      const stuck = await activeRequest(year(2100), year(1950, '-01-01T00:00:00.000Z'));
      await repo.transition(stuck.id, stuck.version, Transition.START_REVOKE, { revokeMode: 'trust' }, { actor }); // REVOKING
      const young = await revokedRequest('trust', year(1950, '-09-01T00:00:00.000Z'));
      expect(t2.updatedAt).toBe(year(1950, '-01-02T00:00:00.000Z'));

      const cut = new Date(year(1950, '-06-01T00:00:00.000Z'));
      expect(ids(await repo.listUnreleased(cut, 10))).toEqual([t1.id, t2.id]);
      expect(ids(await repo.listUnreleased(cut, 1))).toEqual([t1.id]);
      // Strictly before: revoked exactly at the cut-off is not yet past the retention.
      expect(ids(await repo.listUnreleased(new Date(t2.updatedAt), 10))).toEqual([t1.id]);
      expect(ids(await repo.listUnreleased(new Date(year(1950, '-12-31T00:00:00.000Z')), 10))).toEqual([t1.id, t2.id, young.id]);
      expect((await repo.listUnreleased(cut, 10))[0]).toEqual(t1);
    });

    it('markReleased stamps resourcesReleasedAt with one NOTE, moves neither version nor updatedAt, and is idempotent', async () => {
      const r = await revokedRequest('trust', year(1951, '-01-01T00:00:00.000Z'));
      // 1950's rows (the test above) are older: this one is looked for among them.
      const cut = new Date(year(1951, '-06-01T00:00:00.000Z'));
      expect(ids(await repo.listUnreleased(cut, 100))).toContain(r.id);

      clock.current = new Date(year(1951, '-02-01T00:00:00.000Z'));
      await repo.markReleased(r.id, { actor: 'system:scan', reason: 'retention over', details: { deleted: true } });
      const released = { ...r, resourcesReleasedAt: year(1951, '-02-01T00:00:00.000Z') };
      expect(await repo.get(r.id)).toEqual(released);
      expect(ids(await repo.listUnreleased(cut, 100))).not.toContain(r.id);
      expect((await repo.history(r.id)).at(-1)).toEqual({
        id: expect.any(Number), requestId: r.id, at: year(1951, '-02-01T00:00:00.000Z'), actor: 'system:scan', action: 'NOTE',
        fromStatus: Status.REVOKED, toStatus: Status.REVOKED, reason: 'retention over', details: { deleted: true },
      });
      const events = (await repo.history(r.id)).length;

      clock.current = new Date(year(1951, '-03-01T00:00:00.000Z'));
      await repo.markReleased(r.id, { actor: 'system:scan', reason: 'again' });
      expect(await repo.get(r.id)).toEqual(released);
      expect(await repo.history(r.id)).toHaveLength(events);
    });

    it('markReleased is NOT_FOUND for an unknown id and ILLEGAL_TRANSITION for a request that is not REVOKED', async () => {
      expect(await codeOf(repo.markReleased(randomUUID(), { actor }))).toBe('NOT_FOUND');
      const a = await activeRequest(year(2100), year(1952));
      expect(await codeOf(repo.markReleased(a.id, { actor }))).toBe('ILLEGAL_TRANSITION');
      expect(await repo.get(a.id)).toEqual(a);
      expect(await repo.history(a.id)).toHaveLength(2);
    });

    it('migration 2 applies on an existing migration-1 database: old rows start unreleased and are listed', async () => {
      const schema = `m1_${randomUUID().replace(/-/g, '')}`;
      const id = randomUUID();
      const outcome = h.db.transaction(async (tx) => {
        // A fresh schema holding exactly what a migration-1 deployment has; all of it rolled back.
        await tx.query(`CREATE SCHEMA ${schema}`);
        await tx.query(`SET LOCAL search_path TO ${schema}`);
        await tx.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
        const first = MIGRATIONS[0];
        if (first?.version !== 1) throw new Error('migration 1 missing');
        for (const statement of first.statements) await tx.query(statement);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES (1, $1)', [first.name]);
        await tx.query(
          `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason, role_name, principals, external_id, created_at, updated_at, revoke_mode)
           VALUES ($1, 4, 'REVOKED', '1', 'arn', 'p', 60, 'r', 'crossrole-old', '[]'::jsonb, 'x', $2::timestamptz, $2::timestamptz, 'trust')`,
          [id, year(1940)],
        );

        const db = dbInside(tx, h.db.driver);
        expect(await migrate(db)).toEqual(MIGRATIONS.filter((m) => m.version > 1).map((m) => m.version));
        const { rows: columns } = await tx.query<{ data_type: string; is_nullable: string }>(
          "SELECT data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'requests' AND column_name = 'resources_released_at'",
          [schema],
        );
        expect(columns).toEqual([{ data_type: 'timestamp with time zone', is_nullable: 'YES' }]);
        const { rows: indexes } = await tx.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, UNRELEASED_INDEX]);
        expect(indexes[0]?.indexdef).toMatch(/WHERE .*status = 'REVOKED'.*resources_released_at IS NULL/);

        const migrated = new SqlRequestRepository(db, clock);
        const old = await migrated.get(id);
        expect(old).toMatchObject({ id, status: Status.REVOKED, revokeMode: 'trust', updatedAt: year(1940) });
        expect(old).not.toHaveProperty('resourcesReleasedAt');
        expect(ids(await migrated.listUnreleased(new Date(year(1941)), 10))).toEqual([id]);
        await migrated.markReleased(id, { actor: 'system:scan' });
        expect(await migrated.listUnreleased(new Date(year(1941)), 10)).toEqual([]);
        expect(await migrate(db)).toEqual([]);
        throw new RolledBack();
      });
      await expect(outcome).rejects.toBeInstanceOf(RolledBack);
      const { rows } = await h.db.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      expect(rows).toEqual([]);
    });

    // ------------------------------------------------------------------ concurrency

    it('a statement from another caller never lands inside somebody else\'s transaction', async () => {
      const inTx = `tx-${randomUUID()}`;
      const outside = `out-${randomUUID()}`;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const tx = h.db.transaction(async (q) => {
        await q.query('INSERT INTO used_nonces (nonce, expires_at) VALUES ($1, now())', [inTx]);
        entered();
        await gate; // hold the transaction open while the other caller writes
        throw new Error('roll back');
      });
      await inside;
      const plain = repo.useNonce(outside, new Date('2999-01-01T00:00:00Z'));
      // Give the plain statement every chance to run (it must wait or use another connection).
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await expect(tx).rejects.toThrow('roll back');
      expect(await plain).toBe(true);
      const { rows } = await h.db.query<{ nonce: string }>('SELECT nonce FROM used_nonces WHERE nonce = ANY($1::text[])', [[inTx, outside]]);
      expect(rows.map((r) => r.nonce)).toEqual([outside]);
    });


    it('50 concurrent APPROVED->ACTIVE attempts: exactly one wins, 49 are VERSION_CONFLICT, one ACTIVATE event', async () => {
      const r = await repo.create(minimalRequest({ status: Status.APPROVED }), { actor });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => repo.transition(r.id, r.version, Transition.ACTIVATE, { lastError: `worker ${i}` }, { actor: `worker-${i}` })),
      );
      const won = results.filter((x): x is PromiseFulfilledResult<AccessRequest> => x.status === 'fulfilled');
      const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((x) => (x.reason as { code?: string }).code)).toEqual(Array(49).fill('VERSION_CONFLICT'));
      const row = await repo.get(r.id);
      expect(row).toMatchObject({ status: Status.ACTIVE, version: r.version + 1, lastError: won[0]?.value.lastError });
      const events = await repo.history(r.id);
      expect(events.filter((e) => e.action === Transition.ACTIVATE)).toHaveLength(1);
      expect(events).toHaveLength(2);
    }, 30_000);

    // ------------------------------------------------------------------ role names (migration 3)

    const uniqueName = (): string => `crossrole-t-${randomUUID().slice(0, 8)}`;

    /** Can a new request take `roleName` now? (Rolled forward: a success leaves a PENDING holder.) */
    async function canTake(roleName: string): Promise<boolean> {
      try {
        await repo.create(minimalRequest({ roleName }), { actor });
        return true;
      } catch (e) {
        if (e instanceof CrossroleError && e.code === 'ROLE_NAME_TAKEN') return false;
        throw e;
      }
    }

    it('create refuses a role name another request holds, case-insensitively: ROLE_NAME_TAKEN naming no request, nothing written', async () => {
      const name = uniqueName();
      const holder = await repo.create(minimalRequest({ roleName: name }), { actor });
      const second = minimalRequest({ roleName: name.toUpperCase() });
      const err = await repo.create(second, { actor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CrossroleError);
      expect((err as CrossroleError).toJSON()).toEqual({ code: 'ROLE_NAME_TAKEN', field: 'roleName', message: expect.stringContaining(name.toUpperCase()) });
      const text = JSON.stringify((err as CrossroleError).toJSON());
      expect(text).not.toContain(holder.id);
      expect(text).not.toContain(holder.partnerAccountId);
      expect(await repo.get(second.id)).toBeUndefined();
      expect(await repo.history(second.id)).toEqual([]);
      // A duplicate id is still ALREADY_EXISTS, not a role-name refusal.
      expect(await codeOf(repo.create({ ...holder, roleName: uniqueName() }, { actor }))).toBe('ALREADY_EXISTS');
    });

    it('the index reserves exactly what holdsRoleName says, in every state a request can reach', async () => {
      type Step = [Transition, Partial<AccessRequest>];
      const paths: Record<string, Step[]> = {
        PENDING: [],
        APPROVED: [[Transition.APPROVE, {}]],
        ACTIVE: [[Transition.APPROVE, {}], [Transition.ACTIVATE, {}]],
        'REVOKING trust': [[Transition.APPROVE, {}], [Transition.ACTIVATE, {}], [Transition.START_REVOKE, { revokeMode: 'trust' }]],
        'REVOKING delete': [[Transition.APPROVE, {}], [Transition.ACTIVATE, {}], [Transition.START_REVOKE, { revokeMode: 'delete' }]],
        'FAILED provisioning': [[Transition.APPROVE, {}], [Transition.PROVISION_FAILED, {}]],
        'FAILED revocation': [[Transition.APPROVE, {}], [Transition.ACTIVATE, {}], [Transition.START_REVOKE, { revokeMode: 'delete' }], [Transition.REVOKE_FAILED, {}]],
        'REVOKED trust': [[Transition.APPROVE, {}], [Transition.ACTIVATE, {}], [Transition.START_REVOKE, { revokeMode: 'trust' }], [Transition.FINISH_REVOKE, {}]],
        'REVOKED delete': [[Transition.APPROVE, {}], [Transition.ACTIVATE, {}], [Transition.START_REVOKE, { revokeMode: 'delete' }], [Transition.FINISH_REVOKE, {}]],
        REJECTED: [[Transition.REJECT, {}]],
        CANCELLED: [[Transition.CANCEL, {}]],
        LAPSED: [[Transition.LAPSE, {}]],
      };
      const seen: Record<string, { held: boolean; taken: boolean }> = {};
      for (const [label, steps] of Object.entries(paths)) {
        const name = uniqueName();
        let r = await repo.create(minimalRequest({ roleName: name }), { actor });
        for (const [t, patch] of steps) r = await repo.transition(r.id, r.version, t, patch, { actor });
        seen[label] = { held: holdsRoleName(r), taken: !(await canTake(name)) };
      }
      for (const [label, v] of Object.entries(seen)) expect({ label, taken: v.taken }).toEqual({ label, taken: v.held });
      // The ones that matter most, spelled out.
      expect(seen['REVOKED trust']).toEqual({ held: true, taken: true });
      expect(seen['REVOKED delete']).toEqual({ held: false, taken: false });
      expect(seen['FAILED provisioning']).toEqual({ held: true, taken: true });
      expect(seen.CANCELLED).toEqual({ held: false, taken: false });
    });

    it('a trust-mode REVOKED grant keeps its name until markReleased, then frees it', async () => {
      const name = uniqueName();
      const a = await activeRequest(year(2100), year(1953), { roleName: name });
      const revoking = await repo.transition(a.id, a.version, Transition.START_REVOKE, { revokeMode: 'trust' }, { actor });
      await repo.transition(a.id, revoking.version, Transition.FINISH_REVOKE, {}, { actor });
      expect(await canTake(name)).toBe(false);
      await repo.markReleased(a.id, { actor: 'system:scan' });
      expect(holdsRoleName((await repo.get(a.id))!)).toBe(false);
      expect(await canTake(name)).toBe(true);
      expect(await canTake(name)).toBe(false); // and the new request holds it now
    });

    it('20 concurrent creates for one role name: exactly one wins, 19 are ROLE_NAME_TAKEN', async () => {
      const name = uniqueName();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => repo.create(minimalRequest({ roleName: i % 2 === 0 ? name : name.toUpperCase() }), { actor: `racer-${i}` })),
      );
      const won = results.filter((x): x is PromiseFulfilledResult<AccessRequest> => x.status === 'fulfilled');
      const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((x) => (x.reason as { code?: string }).code)).toEqual(Array(19).fill('ROLE_NAME_TAKEN'));
      const { rows } = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM requests WHERE lower(role_name) = $1', [name]);
      expect(Number(rows[0]?.n)).toBe(1);
    }, 30_000);

    it('listByPartner filters to one requester: the same ARN, or every session of the same role (role name case-insensitive)', async () => {
      const partner = randomAccountId();
      const asked = [
        `acs:ram::${partner}:user/alice`, `acs:ram::${partner}:user/bob`, `acs:ram::${partner}:user/Alice`,
        `acs:ram::${partner}:assumed-role/Ops/s1`, `acs:ram::${partner}:assumed-role/ops/s2`, `acs:ram::${partner}:assumed-role/ops2/s1`,
        `acs:ram::${partner}:user/carol`, `acs:ram::${partner}:root`, `acs:ram::${partner}:user/alice`,
      ];
      const created: AccessRequest[] = [];
      for (const [i, requesterArn] of asked.entries()) {
        created.push(await repo.create(minimalRequest({ partnerAccountId: partner, requesterArn, status: i === 0 ? Status.APPROVED : Status.PENDING }, year(1954, `-01-0${i + 1}T00:00:00.000Z`)), { actor }));
      }
      const filters: RequesterFilter[] = [
        requesterFilterOf(`acs:ram::${partner}:user/alice`),
        requesterFilterOf(`acs:ram::${partner}:assumed-role/OPS/new-session`),
        // Never produced from a valid ARN, but a LIKE wildcard must stay literal: `op_` is not `ops`.
        { kind: 'role-sessions', accountId: partner, roleName: 'op_' },
        requesterFilterOf(`acs:ram::${partner}:root`),
      ];
      for (const requester of filters) {
        const expected = created.filter((r) => requesterMatches(requester, r.requesterArn));
        expect({ requester, ids: ids(await repo.listByPartner(partner, { requester })) }).toEqual({ requester, ids: ids(expected) });
      }
      expect(ids(await repo.listByPartner(partner, { requester: filters[0]! }))).toEqual([created[0]!.id, created[8]!.id]);
      expect(ids(await repo.listByPartner(partner, { requester: filters[1]! }))).toEqual([created[3]!.id, created[4]!.id]);
      expect(await repo.listByPartner(partner, { requester: filters[2]! })).toEqual([]);
      // With status and a cursor.
      expect(ids(await repo.listByPartner(partner, { requester: filters[0]!, status: Status.PENDING }))).toEqual([created[8]!.id]);
      expect(ids(await repo.listByPartner(partner, { requester: filters[0]!, limit: 1, after: created[0]!.id }))).toEqual([created[8]!.id]);
      expect(await repo.listByPartner(randomAccountId(), { requester: filters[0]! })).toEqual([]);
    });

    it('migration 3 applies on a migration-2 database that already holds a name twice: the oldest keeps it, the later is marked', async () => {
      const schema = `m2_${randomUUID().replace(/-/g, '')}`;
      const outcome = h.db.transaction(async (tx) => {
        await tx.query(`CREATE SCHEMA ${schema}`);
        await tx.query(`SET LOCAL search_path TO ${schema}`);
        await tx.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
        for (const m of MIGRATIONS.filter((x) => x.version <= 2)) {
          for (const statement of m.statements) await tx.query(statement);
          await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        }
        const row = async (id: string, status: string, roleName: string, at: string, revokeMode: string | null = null): Promise<void> => {
          await tx.query(
            `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason, role_name, principals, external_id, created_at, updated_at, revoke_mode)
             VALUES ($1, 2, $2, '1', 'arn', 'p', 60, 'r', $3, '[]'::jsonb, 'x', $4::timestamptz, $4::timestamptz, $5)`,
            [id, status, roleName, at, revokeMode],
          );
        };
        await row('old-holder', 'ACTIVE', 'crossrole-shared', year(1930));
        await row('later-failed', 'FAILED', 'Crossrole-Shared', year(1931));
        await row('gone', 'REVOKED', 'crossrole-shared', year(1929), 'delete');
        await row('other', 'PENDING', 'crossrole-other', year(1931));

        const db = dbInside(tx, h.db.driver);
        expect(await migrate(db)).toEqual(MIGRATIONS.filter((m) => m.version > 2).map((m) => m.version));
        const { rows: flags } = await tx.query<{ id: string; role_name_legacy_duplicate: boolean }>('SELECT id, role_name_legacy_duplicate FROM requests ORDER BY id');
        expect(flags).toEqual([
          { id: 'gone', role_name_legacy_duplicate: false },
          { id: 'later-failed', role_name_legacy_duplicate: true },
          { id: 'old-holder', role_name_legacy_duplicate: false },
          { id: 'other', role_name_legacy_duplicate: false },
        ]);
        const { rows: indexes } = await tx.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, ROLE_NAME_INDEX]);
        expect(indexes[0]?.indexdef).toMatch(/CREATE UNIQUE INDEX .* \(lower\(role_name\)\) WHERE/);

        const migrated = new SqlRequestRepository(db, clock);
        // A failed statement aborts the enclosing transaction: each refusal inside a savepoint.
        const refusal = async (roleName: string): Promise<string> => {
          await tx.query('SAVEPOINT attempt');
          const code = await codeOf(migrated.create(minimalRequest({ roleName }), { actor }));
          await tx.query('ROLLBACK TO SAVEPOINT attempt');
          return code;
        };
        expect(await refusal('crossrole-shared')).toBe('ROLE_NAME_TAKEN');
        expect(await refusal('crossrole-other')).toBe('ROLE_NAME_TAKEN');
        await expect(migrated.create(minimalRequest({ roleName: 'crossrole-free' }), { actor })).resolves.toBeDefined();
        expect(await migrate(db)).toEqual([]);
        throw new RolledBack();
      });
      await expect(outcome).rejects.toBeInstanceOf(RolledBack);
    });

    // ------------------------------------------------------------------ the partial index (last: adds many rows)

    it('the due-for-expiry query is served by the partial index, not a sequential scan', async () => {
      const partner = randomAccountId();
      // 2,000 ACTIVE grants far from due (plus every earlier test's rows), a few due.
      await h.db.query(
        `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason, role_name, principals, external_id, created_at, updated_at, expires_at)
         SELECT 'bulk-' || g || '-' || $1, 2, $2, $1, 'acs:ram::' || $1 || ':root', 'readonly', 3600, 'bulk', 'crossrole-bulk-' || g, '[]'::jsonb, 'x', now(), now(),
                TIMESTAMPTZ '2200-01-01' + g * INTERVAL '1 minute'
         FROM generate_series(1, 2000) AS g`,
        [partner, Status.ACTIVE],
      );
      await h.db.query('ANALYZE requests');
      const now = new Date(year(1975, '-03-01T00:00:00.000Z'));
      const plan = await repo.explainDueForExpiry(now);
      expect(plan).toContain(DUE_FOR_EXPIRY_INDEX);
      expect(plan).not.toMatch(/Seq Scan on requests/);
      expect(await repo.listDueForExpiry(now, 100)).toHaveLength(3);
    }, 30_000);

    it('the unreleased query is served by its partial index, not a sequential scan', async () => {
      const partner = randomAccountId();
      // 2,000 revoked grants already released (history), on top of the 2,000 ACTIVE ones above.
      await h.db.query(
        `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason, role_name, principals, external_id, created_at, updated_at, revoke_mode, resources_released_at)
         SELECT 'released-' || g || '-' || $1, 4, $2, $1, 'acs:ram::' || $1 || ':root', 'readonly', 3600, 'bulk', 'crossrole-rel-' || g, '[]'::jsonb, 'x', now(), now(), 'trust', now()
         FROM generate_series(1, 2000) AS g`,
        [partner, Status.REVOKED],
      );
      await h.db.query('ANALYZE requests');
      const plan = await repo.explainUnreleased(new Date(year(1950, '-06-01T00:00:00.000Z')));
      expect(plan).toContain(UNRELEASED_INDEX);
      expect(plan).not.toMatch(/Seq Scan on requests/);
    }, 30_000);

    describeQuorumContract(() => ({ repo, db: h.db, clock }));
    describeExtensionContract(() => repo, clock);
  });
}
