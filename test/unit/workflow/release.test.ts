/**
 * The scan's retention phase (7): trust-mode revocations keep the role and its guard policy only
 * for `revokedRoleRetention`; then the delete-mode cleanup frees them so the account's RAM role
 * quota is not used up by history.
 */
import type { AccessRequest } from '../../../shared/domain/access-request';
import { guardPolicyName } from '../../../shared/domain/access-request';
import { CrossroleError } from '../../../shared/domain/errors';
import { runExpiryScan } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, makeWorld, pump, SimulatedCrash } from '../../fakes';
import type { World } from '../../fakes';
import { active, approved, codeOf, submitted } from './helpers';

const DAY = 86400;
const RETENTION = 7 * DAY;

/** An ACTIVE grant revoked (approver, `mode`) and pumped to REVOKED. */
async function revoked(w: World, mode: 'trust' | 'delete' = 'trust', input: Record<string, unknown> = {}): Promise<AccessRequest> {
  const r = await active(w, input);
  await requestRevocation(w.deps, callers.alice, r.id, { mode, reason: 'work done' });
  await pump(w);
  const now = await w.ledger.get(r.id);
  if (now?.status !== 'REVOKED') throw new Error(`expected REVOKED, got ${now?.status}`);
  return now;
}

/** Put the clock `seconds` after the revocation of `r`. */
function after(w: World, r: AccessRequest, seconds: number): void {
  w.clock.set(new Date(Date.parse(r.updatedAt) + seconds * 1000));
}

function holds(w: World, r: AccessRequest): { role: boolean; guard: boolean } {
  return { role: w.ram.role(r.roleName) !== undefined, guard: w.ram.policy(guardPolicyName(r.id)) !== undefined };
}

describe('runExpiryScan (7): releasing the RAM resources of trust-mode revocations', () => {
  it('an expired grant keeps its role for the retention, then role and guard policy are deleted and the request marked released', async () => {
    const w = makeWorld();
    const a = await active(w);
    w.clock.set(a.expiresAt ?? '');
    await runExpiryScan(w.deps);
    await pump(w);
    const r = await w.ledger.get(a.id) as AccessRequest;
    expect(r).toMatchObject({ status: 'REVOKED', revokeMode: 'trust' });
    expect(holds(w, r)).toEqual({ role: true, guard: true });

    after(w, r, RETENTION);
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 0, errors: 0 });
    expect(holds(w, r)).toEqual({ role: true, guard: true });

    after(w, r, RETENTION + 1);
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 1, errors: 0 });
    expect(holds(w, r)).toEqual({ role: false, guard: false });
    const released = await w.ledger.get(r.id);
    // Still REVOKED, same version and updatedAt: the release is a fact, not a transition.
    expect(released).toEqual({ ...r, resourcesReleasedAt: w.clock.now().toISOString() });
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({
      action: 'NOTE', actor: 'system:scan', fromStatus: 'REVOKED', toStatus: 'REVOKED',
      reason: expect.stringMatching(/retention \(7d\) over: role and guard policy deleted/),
      details: expect.objectContaining({ roleName: r.roleName, deleted: true, foreign: false, detached: 1 }),
    });
  });

  it('deletes only the grant\'s own resources: the profile\'s shared custom policy stays', async () => {
    const w = makeWorld();
    const r = await revoked(w, 'trust', { profile: 'ops' });
    const shared = w.ram.customPolicyNames().filter((n) => n !== guardPolicyName(r.id));
    expect(shared).toHaveLength(1);
    after(w, r, RETENTION + 1);
    expect((await runExpiryScan(w.deps)).released).toBe(1);
    expect(w.ram.roleNames()).toEqual([]);
    expect(w.ram.customPolicyNames()).toEqual(shared);
  });

  it('leaves grants revoked less than the retention ago untouched, and follows the catalog\'s retention', async () => {
    const w = makeWorld({ catalog: { revokedRoleRetention: '1d' } });
    expect(w.catalog.revokedRoleRetentionSeconds).toBe(DAY);
    const old = await revoked(w);
    w.clock.advance(12 * 3600);
    const young = await revoked(w);
    after(w, old, DAY + 1);
    expect((await runExpiryScan(w.deps)).released).toBe(1);
    expect(holds(w, old)).toEqual({ role: false, guard: false });
    expect(holds(w, young)).toEqual({ role: true, guard: true });
    expect((await w.ledger.get(young.id))?.resourcesReleasedAt).toBeUndefined();
    after(w, young, DAY + 1);
    expect((await runExpiryScan(w.deps)).released).toBe(1);
    expect(w.ram.roleNames()).toEqual([]);
  });

  it('never lists a delete-mode revocation (it already deleted everything)', async () => {
    const w = makeWorld();
    const r = await revoked(w, 'delete');
    expect(holds(w, r)).toEqual({ role: false, guard: false });
    after(w, r, 30 * DAY);
    expect(await w.ledger.listUnreleased(w.clock.now(), 100)).toEqual([]);
    const calls = w.ram.callCount();
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 0, errors: 0 });
    expect(w.ram.callCount() - calls).toBe(1); // the reconcile's ListRoles only
    expect((await w.ledger.get(r.id))?.resourcesReleasedAt).toBeUndefined();
  });

  it('a second scan does nothing more (no RAM call, no audit event)', async () => {
    const w = makeWorld();
    const r = await revoked(w);
    after(w, r, RETENTION + 1);
    expect((await runExpiryScan(w.deps)).released).toBe(1);
    const calls = w.ram.callCount();
    const events = (await w.ledger.history(r.id)).length;
    w.clock.advance(60);
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 0, errors: 0 });
    expect(w.ram.callCount() - calls).toBe(1); // the reconcile's ListRoles only
    expect(await w.ledger.history(r.id)).toHaveLength(events);
  });

  it('a role under the grant\'s name that is not its own is left untouched, and the request is still released, with a note', async () => {
    const w = makeWorld();
    const r = await revoked(w);
    w.ram.tamper(r.roleName, (role) => {
      role.tags['crossrole:request-id'] = 'somebody-else';
    });
    const before = w.ram.role(r.roleName);
    const logged = w.ram.log.length;
    after(w, r, RETENTION + 1);
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 1, errors: 0 });
    expect(w.ram.role(r.roleName)).toEqual(before);
    expect(w.ram.policy(guardPolicyName(r.id))).toBeDefined();
    // Reads only: the reconcile's ListRoles and ListPoliciesForRole (its tag names a request the
    // ledger does not know, an orphan, but one already stripped), and the release's GetRole.
    expect(w.ram.log.slice(logged).map((c) => c.action)).toEqual(['listRolesByTag', 'listPoliciesForRole', 'getRole']);
    expect((await w.ledger.get(r.id))?.resourcesReleasedAt).toBe(w.clock.now().toISOString());
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({
      action: 'NOTE', reason: expect.stringMatching(/not this grant's, left untouched/), details: expect.objectContaining({ foreign: true, deleted: false }),
    });
    expect(w.logger.has('not this grant', 'warn')).toBe(true);
    // Released: the release phase does not look at it again every minute (the reconcile still
    // lists its policies, as for every managed role).
    const calls = w.ram.callCount();
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 0 });
    expect(w.ram.callCount() - calls).toBe(2);
  });

  it('a role already gone (deleted by hand) is released too', async () => {
    const w = makeWorld();
    const r = await revoked(w);
    for (const p of w.ram.attachments(r.roleName)) await w.ram.detachPolicyFromRole(r.roleName, p);
    await w.ram.deleteRole(r.roleName);
    after(w, r, RETENTION + 1);
    expect((await runExpiryScan(w.deps)).released).toBe(1);
    expect(holds(w, r)).toEqual({ role: false, guard: false });
    expect((await w.ledger.history(r.id)).at(-1)?.details).toMatchObject({ roleFound: false, deleted: false });
  });

  it.each([0, 1, 2, 3, 4, 5, 6])('a crash before RAM call %i of the scan converges on the next scan', async (n) => {
    const w = makeWorld();
    const r = await revoked(w, 'trust', { profile: 'ops' });
    after(w, r, RETENTION + 1);
    w.ram.crashAfter(n);
    const first = await runExpiryScan(w.deps);
    // The release is recorded only once the RAM work is done.
    const mid = await w.ledger.get(r.id);
    if (mid?.resourcesReleasedAt !== undefined) expect(holds(w, r)).toEqual({ role: false, guard: false });
    else expect(first.errors).toBeGreaterThan(0);
    w.ram.disarm();
    w.clock.advance(60);
    const second = await runExpiryScan(w.deps);
    expect(first.released + second.released).toBe(1);
    expect(second.errors).toBe(0);
    expect(holds(w, r)).toEqual({ role: false, guard: false });
    expect((await w.ledger.get(r.id))?.resourcesReleasedAt).toBeDefined();
  });

  it('a crash after the RAM work but before the ledger write: the next scan finds nothing left in RAM and records the release', async () => {
    const w = makeWorld();
    const r = await revoked(w);
    after(w, r, RETENTION + 1);
    w.ledger.failNext('markReleased', new SimulatedCrash('deleteRole'));
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 0, errors: 1 });
    expect(holds(w, r)).toEqual({ role: false, guard: false });
    expect((await w.ledger.get(r.id))?.resourcesReleasedAt).toBeUndefined();
    expect(await runExpiryScan(w.deps)).toMatchObject({ released: 1, errors: 0 });
    expect((await w.ledger.history(r.id)).at(-1)?.details).toMatchObject({ roleFound: false });
  });

  it('is bounded per run, oldest first', async () => {
    const w = makeWorld();
    const rs: AccessRequest[] = [];
    for (let i = 0; i < 3; i++) {
      rs.push(await revoked(w));
      w.clock.advance(60);
    }
    w.clock.advance(RETENTION);
    // The third was revoked 60 s before this point: all three are past the retention.
    expect((await runExpiryScan(w.deps, { releaseLimit: 2 })).released).toBe(2);
    expect(rs.map((r) => holds(w, r).role)).toEqual([false, false, true]);
    expect((await runExpiryScan(w.deps, { releaseLimit: 2 })).released).toBe(1);
    expect(w.ram.roleNames()).toEqual([]);
  });

  it('a row that keeps failing does not starve the ones behind it', async () => {
    const w = makeWorld();
    const stuck = await revoked(w);
    w.clock.advance(60);
    const next = await revoked(w);
    w.clock.advance(RETENTION + 1);
    const down = new CrossroleError('CLOUD_ERROR', 'RAM refused');
    w.ram.failNext('getRole', down, (args) => args[0] === stuck.roleName);
    expect(await runExpiryScan(w.deps, { releaseLimit: 1 })).toMatchObject({ released: 1, errors: 1 });
    expect(holds(w, stuck).role).toBe(true);
    expect(holds(w, next).role).toBe(false);
    expect((await runExpiryScan(w.deps, { releaseLimit: 1 })).released).toBe(1);
    expect(w.ram.roleNames()).toEqual([]);
  });

  it('keeps the account under its RAM role quota: once released, new grants can be provisioned again', async () => {
    const w = makeWorld();
    w.ram.quotas.roles = 2;
    const first = await revoked(w);
    await revoked(w);
    const blocked = await approved(w);
    await pump(w);
    expect(await w.ledger.get(blocked.id)).toMatchObject({ status: 'FAILED', lastError: expect.stringMatching(/RAM quota/) });
    after(w, first, RETENTION + 3600);
    expect((await runExpiryScan(w.deps)).released).toBe(2);
    await expect(active(w)).resolves.toMatchObject({ status: 'ACTIVE' });
  });
});

describe('InMemoryLedger listUnreleased / markReleased (as the SQL repository)', () => {
  it('markReleased: NOT_FOUND, ILLEGAL_TRANSITION before REVOKED, then idempotent with one NOTE', async () => {
    const w = makeWorld();
    const p = await submitted(w);
    expect(await codeOf(w.ledger.markReleased('nope', { actor: 't' }))).toBe('NOT_FOUND');
    expect(await codeOf(w.ledger.markReleased(p.id, { actor: 't' }))).toBe('ILLEGAL_TRANSITION');
    expect((await w.ledger.get(p.id))?.resourcesReleasedAt).toBeUndefined();
    const r = await revoked(w);
    w.clock.advance(5);
    await w.ledger.markReleased(r.id, { actor: 't', reason: 'freed' });
    const at = w.clock.now().toISOString();
    w.clock.advance(5);
    await w.ledger.markReleased(r.id, { actor: 't', reason: 'again' });
    expect(await w.ledger.get(r.id)).toEqual({ ...r, resourcesReleasedAt: at });
    expect((await w.ledger.history(r.id)).filter((e) => e.action === 'NOTE').map((e) => e.reason)).toEqual(['freed']);
  });

  it('listUnreleased: REVOKED trust-mode rows revoked strictly before the cut-off, oldest first, up to limit', async () => {
    const w = makeWorld();
    const a = await revoked(w);
    w.clock.advance(10);
    const b = await revoked(w);
    await revoked(w, 'delete');
    await active(w);
    const cut = new Date(Date.parse(b.updatedAt) + 1);
    expect((await w.ledger.listUnreleased(cut, 10)).map((r) => r.id)).toEqual([a.id, b.id]);
    expect((await w.ledger.listUnreleased(cut, 1)).map((r) => r.id)).toEqual([a.id]);
    expect((await w.ledger.listUnreleased(new Date(b.updatedAt), 10)).map((r) => r.id)).toEqual([a.id]);
    await w.ledger.markReleased(a.id, { actor: 't' });
    expect((await w.ledger.listUnreleased(cut, 10)).map((r) => r.id)).toEqual([b.id]);
  });
});
