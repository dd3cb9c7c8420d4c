/**
 * The ExtensionLedger contract (migration 4), run inside describeRepositoryContract against every
 * driver: a change's steps and the grant's row move together, guarded by the change's status and
 * the grant's version and status; one open change per grant, decided by the database.
 * Its rows expire in 2150, after every earlier test's due rows and before the bulk rows of 2200.
 */
import { randomUUID } from 'node:crypto';
import type { AccessRequest } from '../../../shared/domain/access-request';
import type { Extension } from '../../../shared/domain/extension';
import type { Clock } from '../../../shared/domain/ports';
import { Status, Transition } from '../../../shared/domain/state-machine';
import type { Ledger } from '../../../shared/ledger';
import { minimalRequest } from '../../helpers/ledger-fixtures';

const actor = 'acs:ram::1234567890123456:user/tester';
const EXPIRES = '2150-01-01T10:00:00.000Z';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${String(e)}`;
  }
  throw new Error('expected a rejection');
}

function change(r: AccessRequest, newExpiresAt: string, status: 'PENDING' | 'APPROVED' = 'PENDING', kind: 'extend' | 'shorten' = 'extend'): Extension {
  return {
    id: randomUUID(), requestId: r.id, kind, status, requestedBy: r.requesterArn, reason: 'more time',
    fromExpiresAt: r.expiresAt ?? EXPIRES, newExpiresAt, createdAt: '2150-01-01T00:00:00.000Z', updatedAt: '2150-01-01T00:00:00.000Z',
  };
}

export function describeExtensionContract(repo: () => Ledger, clock: { current: Date } & Clock): void {
  describe('extensions (migration 4)', () => {
    async function activeGrant(expiresAt = EXPIRES): Promise<AccessRequest> {
      const r = await repo().create(minimalRequest({ status: Status.APPROVED }), { actor });
      return repo().transition(r.id, r.version, Transition.ACTIVATE, { expiresAt }, { actor });
    }

    it('PENDING leaves the grant; APPROVE sets its target and bumps its version; APPLY moves the expiry and the duration', async () => {
      const r = await activeGrant();
      const later = '2150-01-01T12:00:00.000Z';
      const asked = await repo().createExtension(change(r, later), r.version, { actor, reason: 'more time' });
      expect(asked.request).toEqual(r);
      expect(asked.extension).toMatchObject({ status: 'PENDING', fromExpiresAt: EXPIRES, newExpiresAt: later });
      expect(await codeOf(repo().createExtension(change(r, later), r.version, { actor }))).toBe('EXTENSION_OPEN');
      expect(await codeOf(repo().stepExtension(asked.extension.id, 'APPROVE', r.version - 1, {}, { actor }))).toBe('VERSION_CONFLICT');
      expect((await repo().getExtension(asked.extension.id))?.status).toBe('PENDING');

      const approved = await repo().stepExtension(asked.extension.id, 'APPROVE', r.version, { decidedBy: actor, decisionReason: 'ok' }, { actor });
      expect(approved.extension).toMatchObject({ status: 'APPROVED', decidedBy: actor, decisionReason: 'ok' });
      expect(approved.request).toMatchObject({ status: 'ACTIVE', version: r.version + 1, expiresAt: EXPIRES, targetExpiresAt: later });

      const applied = await repo().stepExtension(asked.extension.id, 'APPLY', approved.request.version, {}, { actor });
      expect(applied.request).toMatchObject({ version: r.version + 2, expiresAt: later, durationSeconds: r.durationSeconds + 7200 });
      expect(applied.request.targetExpiresAt).toBeUndefined();
      expect(await codeOf(repo().stepExtension(asked.extension.id, 'APPLY', applied.request.version, {}, { actor }))).toBe('ILLEGAL_TRANSITION');
      expect((await repo().listExtensions(r.id)).map((e) => e.status)).toEqual(['APPLIED']);
      const events = (await repo().history(r.id)).filter((e) => e.action === 'EXTENSION');
      expect(events.map((e) => [e.fromStatus, e.toStatus, e.details?.['status'], e.details?.['movesGrant']])).toEqual([
        ['ACTIVE', 'ACTIVE', 'PENDING', false], ['ACTIVE', 'ACTIVE', 'APPROVED', true], ['ACTIVE', 'ACTIVE', 'APPLIED', true],
      ]);
    });

    it('a grant that is not ACTIVE refuses changes (NOT_ACTIVE); CANCEL and REJECT leave its row', async () => {
      const r = await activeGrant();
      const asked = await repo().createExtension(change(r, '2150-01-01T11:00:00.000Z'), r.version, { actor });
      const revoking = await repo().transition(r.id, r.version, Transition.START_REVOKE, {}, { actor });
      expect(await codeOf(repo().stepExtension(asked.extension.id, 'APPROVE', revoking.version, {}, { actor }))).toBe('NOT_ACTIVE');
      expect(await codeOf(repo().createExtension(change(revoking, '2150-01-01T11:00:00.000Z'), revoking.version, { actor }))).toBe('NOT_ACTIVE');
      const cancelled = await repo().stepExtension(asked.extension.id, 'CANCEL', undefined, {}, { actor, reason: 'revoked' });
      expect(cancelled.extension.status).toBe('CANCELLED');
      expect(cancelled.request).toEqual(revoking);
      // Closed: a new change may be asked (and is refused for the state, not for an open one).
      expect(await codeOf(repo().createExtension(change(revoking, '2150-01-01T11:00:00.000Z'), revoking.version, { actor }))).toBe('NOT_ACTIVE');
    });

    it('an APPROVED shortening counts for the due query at once, and stale approved changes are listed', async () => {
      const r = await activeGrant('2150-03-01T00:00:00.000Z');
      const earlier = '2150-02-01T00:00:00.000Z';
      clock.current = new Date('2150-01-15T00:00:00.000Z');
      const s = await repo().createExtension(change(r, earlier, 'APPROVED', 'shorten'), r.version, { actor });
      expect(s.request).toMatchObject({ version: r.version + 1, targetExpiresAt: earlier, expiresAt: '2150-03-01T00:00:00.000Z' });
      expect((await repo().listDueForExpiry(new Date('2150-02-02T00:00:00.000Z'), 1000)).map((x) => x.id)).toContain(r.id);
      expect((await repo().listDueForExpiry(new Date('2150-01-31T00:00:00.000Z'), 1000)).map((x) => x.id)).not.toContain(r.id);
      expect((await repo().listStaleExtensions('APPROVED', new Date('2150-01-16T00:00:00.000Z'), 1000)).map((e) => e.id)).toContain(s.extension.id);
      expect((await repo().listStaleExtensions('APPROVED', new Date('2150-01-14T00:00:00.000Z'), 1000)).map((e) => e.id)).not.toContain(s.extension.id);
    });

    it('10 concurrent asks for one grant: exactly one is open, 9 are EXTENSION_OPEN', async () => {
      const r = await activeGrant();
      const results = await Promise.all(Array.from({ length: 10 }, () => repo().createExtension(change(r, '2150-01-01T11:00:00.000Z'), r.version, { actor }).then(() => 'ok', (e: { code?: string }) => e.code)));
      expect(results.filter((x) => x === 'ok')).toHaveLength(1);
      expect(results.filter((x) => x === 'EXTENSION_OPEN')).toHaveLength(9);
      expect(await repo().listExtensions(r.id)).toHaveLength(1);
    });
  });
}
