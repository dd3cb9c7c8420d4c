/**
 * The reconciler (shared/workflow/support/reconcile.ts), through the scan's reconcile phase and the
 * one-grant use case: RAM ends up saying what the ledger says, whatever interleaving came before.
 */
import type { AccessRequest } from '../../../shared/domain/access-request';
import { guardPolicyName } from '../../../shared/domain/access-request';
import { CrossroleError } from '../../../shared/domain/errors';
import { QueueName, type RamPort, type WorkflowMessage } from '../../../shared/domain/ports';
import { SCAN_PERIOD_SECONDS, STUCK_AFTER_SECONDS } from '../../../shared/domain/timing';
import { pacedRates, RAM_API_QUOTAS } from '../../../shared/cloud/rate-limiter';
import { buildGuardPolicy, buildTrustPolicy, trustedAccounts } from '../../../shared/policy';
import { provisionGrant, reconcileRequest, requestRevocationWithMode, retryFailed, revokeGrant, runExpiryScan, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { provisionApproved } from '../../../shared/workflow/use-cases/provision';
import { sharedPolicyName } from '../../../shared/domain/policy-names';
import { reconcileRole } from '../../../shared/workflow/support/reconcile';
import { callers, makeWorld, OWNER, PARTNER, pump, SimulatedCrash, STRANGER } from '../../fakes';
import type { World } from '../../fakes';
import { active, approved, codeOf } from './helpers';

const msg = (requestId: string, kind: WorkflowMessage['kind']): WorkflowMessage => ({ requestId, kind });
const throttled = (): CrossroleError => new CrossroleError('THROTTLED', 'RAM answered Throttling.User', { details: { cloudCode: 'Throttling.User' } });

/** What a partner can do with the role: assume it (trust) and, once in, use these policies. */
function access(w: World, roleName: string): { partnerTrusted: boolean; permissions: string[] } {
  const role = w.ram.role(roleName);
  return {
    partnerTrusted: trustedAccounts(role?.trustPolicy ?? '{}').some((a) => a !== OWNER),
    permissions: (role?.attached ?? []).filter((p) => !p.name.startsWith('crossrole-guard-')).map((p) => `${p.type} ${p.name}`).sort(),
  };
}
const NO_ACCESS = { partnerTrusted: false, permissions: [] };

/**
 * The interleaving of the bug: a revocation of an APPROVED request runs before provisioning has
 * created anything (it finds no role and finishes: REVOKED); provisioning, which read the row while
 * it was APPROVED, then creates the whole grant, loses ACTIVATE, and its rollback fails on a
 * transient RAM error and throws; the redelivered message finds REVOKED and is acknowledged.
 */
async function revokedButLive(w: World, mode: 'trust' | 'delete' = 'trust'): Promise<AccessRequest> {
  const r = await approved(w);
  w.queue.clear();
  await requestRevocation(w.deps, callers.alice, r.id, { mode, reason: 'wrong partner account' });
  expect(await revokeGrant(w.deps, msg(r.id, 'revoke'))).toMatchObject({ outcome: 'done', status: 'REVOKED' });
  // The rollback's first RAM call (GetRole) is throttled.
  w.ram.failNext('getRole', throttled());
  await expect(provisionApproved(w.deps, r)).rejects.toMatchObject({ code: 'THROTTLED' });
  expect(await provisionGrant(w.deps, msg(r.id, 'provision'))).toMatchObject({ outcome: 'stale', status: 'REVOKED' });
  return r;
}

describe('the revoke-during-provisioning race ends with the role stripped after one scan', () => {
  it('revocation saw no role: the ledger says REVOKED, the partner could still assume the role; one scan strips it', async () => {
    const w = makeWorld();
    const r = await revokedButLive(w);
    // The bad state the old sweep left until expiry + 300 s.
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    expect(access(w, r.roleName)).toEqual({ partnerTrusted: true, permissions: ['System AliyunECSReadOnlyAccess'] });

    w.clock.advance(SCAN_PERIOD_SECONDS);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesChecked: 1, rolesStripped: 1, orphanRoles: 0, errors: 0 });
    expect(access(w, r.roleName)).toEqual(NO_ACCESS);
    expect(trustedAccounts(w.ram.role(r.roleName)?.trustPolicy ?? '')).toEqual([OWNER]);
    // The guard stays (trust mode), and the change is on the request's audit trail.
    expect(w.ram.attachments(r.roleName)).toEqual([{ type: 'Custom', name: guardPolicyName(r.id) }]);
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({
      action: 'NOTE', actor: 'system:scan', fromStatus: 'REVOKED', toStatus: 'REVOKED', reason: 'reconciled: role stripped (REVOKED (trust mode))',
      details: { roleName: r.roleName, desired: 'no-access', actions: [`UpdateRole: trust only the owner account (was ${PARTNER})`, 'DetachPolicyFromRole: System AliyunECSReadOnlyAccess'] },
    });
    // One log line for the pass, with its counters.
    const lines = w.logger.entries.filter((e) => e.message === 'ram reconcile');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields).toMatchObject({ checked: 1, stripped: 1, restored: 0, deleted: 0, orphans: 0, errors: 0, changed: [{ roleName: r.roleName, outcome: 'stripped', requestId: r.id }] });
    // Converged: the next pass reads and writes nothing more.
    const logged = w.ram.log.length;
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesStripped: 0, errors: 0 });
    expect(w.ram.log.slice(logged).map((c) => c.action)).toEqual(['listRolesByTag', 'listPoliciesForRole']);
  });

  it('revocation saw a half-made role: provisioning attaches the permissions after it; one scan detaches them', async () => {
    const w = makeWorld();
    const r = await approved(w);
    w.queue.clear();
    let revokedMidway = false;
    // Provisioning's RAM, which lets a revocation run completely right after CreateRole.
    const ram = new Proxy(w.ram, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        if (prop !== 'createPolicy') return value.bind(target);
        return async (...args: unknown[]): Promise<unknown> => {
          if (!revokedMidway) {
            revokedMidway = true;
            await requestRevocation(w.deps, callers.partnerAdmin, r.id, { reason: 'not needed any more' });
            await revokeGrant(w.deps, msg(r.id, 'revoke'));
            w.ram.failNext('getRole', throttled());
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    }) as RamPort;
    await expect(provisionApproved({ ...w.deps, ram }, r)).rejects.toMatchObject({ code: 'THROTTLED' });
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    // The revocation removed the trust it saw; the permissions came after it.
    expect(access(w, r.roleName)).toEqual({ partnerTrusted: false, permissions: ['System AliyunECSReadOnlyAccess'] });
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesStripped: 1, errors: 0 });
    expect(access(w, r.roleName)).toEqual(NO_ACCESS);
  });

  it('in delete mode, one scan deletes the role and its guard', async () => {
    const w = makeWorld();
    const r = await revokedButLive(w, 'delete');
    expect(access(w, r.roleName).partnerTrusted).toBe(true);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesDeleted: 1, errors: 0 });
    expect(w.ram.role(r.roleName)).toBeUndefined();
    expect(w.ram.policy(guardPolicyName(r.id))).toBeUndefined();
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({
      action: 'NOTE', reason: 'reconciled: role deleted (REVOKED in delete mode)',
      details: { actions: ['DetachPolicyFromRole: Custom ' + guardPolicyName(r.id), 'DetachPolicyFromRole: System AliyunECSReadOnlyAccess', `DeleteRole: ${r.roleName}`, `DeletePolicy: ${guardPolicyName(r.id)}`] },
    });
  });

  it('revoke --delete on the stripped REVOKED grant escalates: role and guard deleted now', async () => {
    const w = makeWorld();
    const r = await revokedButLive(w);
    await runExpiryScan(w.deps);
    const answer = await requestRevocationWithMode(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'clean up now' });
    expect(answer).toMatchObject({ modeApplied: 'delete', request: { status: 'REVOKED', revokeMode: 'delete' } });
    expect(w.ram.role(r.roleName)).toBeUndefined();
    expect(w.ram.policy(guardPolicyName(r.id))).toBeUndefined();
  });
});

describe('reconcile: roles whose access the ledger ended, or never knew', () => {
  it('strips an ACTIVE grant past its expiry even when the expiry step itself fails (no grace)', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.clock.set(r.expiresAt ?? '');
    w.ledger.failNext('transition', new CrossroleError('DEPENDENCY_UNAVAILABLE', 'db blip'));
    expect(await runExpiryScan(w.deps)).toMatchObject({ expired: 0, rolesStripped: 1 });
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
    expect(access(w, r.roleName)).toEqual(NO_ACCESS);
  });

  it('strips the role of a FAILED provisioning whose rollback never finished', async () => {
    const w = makeWorld();
    const r = await approved(w);
    w.queue.clear();
    // Provisioning's custom policy attach fails for good; the rollback's first call fails too.
    w.ram.failNext('attachPolicyToRole', new CrossroleError('LIMIT_EXCEEDED', 'quota'), (a) => (a[1] as { type: string }).type === 'System');
    w.ram.failNext('getRole', throttled());
    expect(await provisionGrant(w.deps, msg(r.id, 'provision'))).toMatchObject({ outcome: 'failed', status: 'FAILED' });
    expect(access(w, r.roleName).partnerTrusted).toBe(true);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesStripped: 1 });
    expect(access(w, r.roleName)).toEqual(NO_ACCESS);
  });

  it('leaves alone a role whose tag names a request for another role, and a managed role outside crossrole-', async () => {
    const w = makeWorld();
    const r = await active(w);
    const trust = buildTrustPolicy({ principals: [`acs:ram::${STRANGER}:root`], externalId: 'xid-stranger' });
    w.ram.seedRole({ name: 'crossrole-impostor', trustPolicy: trust, tags: { 'crossrole:managed': 'true', 'crossrole:request-id': r.id } });
    w.ram.seedRole({ name: 'OpsRole', trustPolicy: trust, tags: { 'crossrole:managed': 'true' } });
    w.ram.seedRole({ name: 'crossrole-fc-exec', trustPolicy: trust, tags: { 'crossrole:managed': 'true' } });
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesChecked: 4, foreignRoles: 3, rolesStripped: 0, orphanRoles: 0, errors: 0 });
    for (const name of ['crossrole-impostor', 'OpsRole', 'crossrole-fc-exec']) expect(w.ram.role(name)?.trustPolicy).toBe(trust);
    expect(w.logger.has('managed role left alone', 'warn')).toBe(true);
  });

  it('keeps a per-run limit on changed roles: the rest are deferred to the next run', async () => {
    const w = makeWorld();
    const trust = buildTrustPolicy({ principals: [`acs:ram::${PARTNER}:root`], externalId: 'xid-orphan' });
    for (const n of ['a', 'b', 'c']) w.ram.seedRole({ name: `crossrole-orphan-${n}`, trustPolicy: trust, tags: { 'crossrole:managed': 'true', 'crossrole:request-id': `gone-${n}` } });
    expect(await runExpiryScan(w.deps, { reconcileLimit: 2 })).toMatchObject({ rolesChecked: 3, rolesStripped: 2, rolesDeferred: 1, orphanRoles: 3 });
    expect(await runExpiryScan(w.deps, { reconcileLimit: 2 })).toMatchObject({ rolesStripped: 1, rolesDeferred: 0 });
    expect(w.ram.roleNames().map((n) => access(w, n))).toEqual([NO_ACCESS, NO_ACCESS, NO_ACCESS]);
  });

  it('a role deleted while it is being reconciled is not an error', async () => {
    const w = makeWorld();
    const r = await revokedButLive(w);
    w.ram.failNext('updateTrustPolicy', new CrossroleError('NOT_FOUND', 'The role not exists', { details: { cloudCode: 'EntityNotExist.Role' } }));
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesChecked: 1, rolesStripped: 0, errors: 0 });
    // Nothing was changed, so nothing is noted.
    expect((await w.ledger.history(r.id)).at(-1)?.action).toBe('FINISH_REVOKE');
  });
});

describe('reconcile: APPROVED grants in flight', () => {
  it('leaves the role of a fresh APPROVED request alone; strips it once the row is stuck; provisioning then converges', async () => {
    const w = makeWorld();
    const r = await approved(w);
    w.queue.clear();
    // Provisioning dies right after CreateRole (partner trusted, nothing attached yet).
    w.ram.crashAfter(1);
    await expect(provisionGrant(w.deps, msg(r.id, 'provision'))).rejects.toBeInstanceOf(SimulatedCrash);
    expect(access(w, r.roleName)).toEqual({ partnerTrusted: true, permissions: [] });

    w.clock.advance(STUCK_AFTER_SECONDS);
    const logged = w.ram.log.length;
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesChecked: 1, rolesStripped: 0 });
    // In flight: not even its policies are listed.
    expect(w.ram.log.slice(logged).map((c) => c.action)).toEqual(['listRolesByTag']);
    expect(access(w, r.roleName).partnerTrusted).toBe(true);

    w.clock.advance(1);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesStripped: 1, provisionResent: 1 });
    expect(access(w, r.roleName)).toEqual(NO_ACCESS);
    // The re-sent provision adopts the role, restores its trust and finishes: ACTIVE and live.
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
    expect(access(w, r.roleName)).toEqual({ partnerTrusted: true, permissions: ['System AliyunECSReadOnlyAccess'] });
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesRestored: 0, rolesStripped: 0, errors: 0 });
  });
});

describe('reconcile: ACTIVE grants that drifted are put back', () => {
  async function opsGrant(w: World): Promise<AccessRequest> {
    return active(w, { profile: 'ops' });
  }

  it('restores the trust policy, a detached profile policy and a detached guard, and detaches what is not the profile\'s', async () => {
    const w = makeWorld();
    const r = await opsGrant(w);
    const guard = guardPolicyName(r.id);
    w.ram.tamper(r.roleName, (role) => {
      role.trustPolicy = buildTrustPolicy({ principals: [`acs:ram::${STRANGER}:root`], externalId: r.externalId });
      role.attached = [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }, { type: 'System', name: 'AdministratorAccess' }];
    });
    w.clock.advance(60);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesRestored: 1, rolesStripped: 0, errors: 0 });
    const role = w.ram.role(r.roleName);
    expect(role?.trustPolicy).toBe(buildTrustPolicy({ principals: r.principals, externalId: r.externalId }));
    expect(w.ram.attachments(r.roleName).map((p) => `${p.type} ${p.name}`).sort()).toEqual([`Custom ${guard}`, `Custom ${sharedPolicyName('ops', 'restart')}`, 'System AliyunECSReadOnlyAccess']);
    // Guard first, as provisioning does.
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({
      action: 'NOTE', reason: expect.stringMatching(/^reconciled: role restored \(ACTIVE until /),
      details: { actions: [
        `AttachPolicyToRole: Custom ${guard}`, 'UpdateRole: the grant\'s trust policy', `AttachPolicyToRole: Custom ${sharedPolicyName('ops', 'restart')}`,
        'DetachPolicyFromRole: System AdministratorAccess (not in profile ops)',
      ] },
    });
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesRestored: 0, errors: 0 });
  });

  it('re-creates a guard policy somebody deleted, and re-writes one somebody edited (seen from its default version)', async () => {
    const w = makeWorld();
    const r = await active(w);
    const guard = guardPolicyName(r.id);
    const document = buildGuardPolicy(new Date(r.expiresAt ?? ''));
    // Edited: a new default version that denies nothing useful.
    w.ram.tamperPolicy(guard, JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: 'nothing:Nothing', Resource: '*' }] }));
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesRestored: 1 });
    expect(w.ram.policy(guard)).toMatchObject({ document, defaultVersion: 'v3' });
    // Not v1 any more: every pass now reads it (one GetPolicy), and finds it right.
    const logged = w.ram.log.length;
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesRestored: 0 });
    expect(w.ram.log.slice(logged).map((c) => c.action)).toEqual(['listRolesByTag', 'listPoliciesForRole', 'getPolicyDocument']);

    // Deleted: detached and gone.
    await w.ram.detachPolicyFromRole(r.roleName, { type: 'Custom', name: guard });
    w.ram.disarm();
    w.ram.tamperPolicy(guard, document);
    const versions = w.ram.policy(guard)?.versions.length ?? 0;
    expect(versions).toBeGreaterThan(1);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesRestored: 1 });
    expect(w.ram.attachments(r.roleName)).toContainEqual({ type: 'Custom', name: guard });
  });

  it('creates a missing guard policy before attaching it', async () => {
    const w = makeWorld();
    const r = await active(w);
    const guard = guardPolicyName(r.id);
    await w.ram.detachPolicyFromRole(r.roleName, { type: 'Custom', name: guard });
    await w.ram.deletePolicy(guard);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesRestored: 1 });
    expect(w.ram.policy(guard)?.document).toBe(buildGuardPolicy(new Date(r.expiresAt ?? '')));
    expect(w.ram.attachments(r.roleName)).toContainEqual({ type: 'Custom', name: guard });
  });

  it('never restores from a stale read: a row that moved on meanwhile is left to the next pass', async () => {
    const w = makeWorld();
    const stale = await active(w);
    await requestRevocation(w.deps, callers.alice, stale.id, { reason: 'x' });
    await pump(w);
    // The role lost its guard: a pass that read the row while it was ACTIVE would attach the grant's policies again.
    w.ram.tamper(stale.roleName, (role) => {
      role.attached = [];
    });
    const role = w.ram.role(stale.roleName);
    if (role === undefined) throw new Error('role missing');
    const out = await reconcileRole(w.deps, role, stale, { now: w.clock.now(), stuckMs: STUCK_AFTER_SECONDS * 1000, readGuardDocument: false, actor: 'test' });
    expect(out).toMatchObject({ desired: 'live', outcome: 'left-alone', actions: [], why: expect.stringMatching(/moved on \(now REVOKED\)/) });
    expect(w.ram.attachments(stale.roleName)).toEqual([]);
  });
});

describe('revoke: the mode that applies, and escalation to delete', () => {
  it('a grant REVOKED in trust mode, asked for delete, is deleted now: a walk of the state machine on its audit trail', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestRevocation(w.deps, callers.alice, r.id, { reason: 'done' });
    await pump(w);
    expect(w.ram.role(r.roleName)).toBeDefined();
    w.queue.clear();
    const answer = await requestRevocationWithMode(w.deps, callers.partnerAdmin, r.id, { mode: 'delete', reason: 'delete it too' });
    expect(answer).toMatchObject({ modeApplied: 'delete', request: { status: 'REVOKED', revokeMode: 'delete' } });
    expect(w.ram.role(r.roleName)).toBeUndefined();
    expect(w.ram.policy(guardPolicyName(r.id))).toBeUndefined();
    const history = await w.ledger.history(r.id);
    expect(history.slice(-3).map((e) => `${e.action}:${e.fromStatus}->${e.toStatus}`)).toEqual([
      'FINISH_REVOKE:REVOKING->REVOKED', 'ESCALATE_DELETE:REVOKED->REVOKING', 'FINISH_REVOKE:REVOKING->REVOKED',
    ]);
    expect(history.at(-2)).toMatchObject({ actor: callers.partnerAdmin.arn, reason: 'delete it too', details: { mode: 'delete', previousMode: 'trust' } });
    // The safety-net message (delayed by the approval function's timeout) finds it done.
    expect(w.queue.sentTo(QueueName.REVOKE)).toEqual([expect.objectContaining({ delaySeconds: 10 })]);
    w.clock.advance(10);
    const pumped = await pump(w);
    expect(pumped.outcomes).toEqual([expect.objectContaining({ outcome: 'stale', status: 'REVOKED' })]);
    // Asking again changes nothing.
    expect(await requestRevocationWithMode(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'again' })).toMatchObject({ modeApplied: 'delete', request: { version: answer.request.version } });
  });

  it('when RAM fails during the escalation, the delayed revoke finishes the deletion', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestRevocation(w.deps, callers.alice, r.id, { reason: 'done' });
    await pump(w);
    w.ram.failNext('deleteRole', throttled());
    const answer = await requestRevocationWithMode(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'delete it' });
    expect(answer).toMatchObject({ modeApplied: 'delete', request: { status: 'REVOKING', revokeMode: 'delete' } });
    w.clock.advance(10);
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    expect(w.ram.role(r.roleName)).toBeUndefined();
  });

  it('a delete asked while a trust-mode revocation is under way is told trust', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestRevocation(w.deps, callers.alice, r.id, { reason: 'done' });
    const answer = await requestRevocationWithMode(w.deps, callers.partnerAdmin, r.id, { mode: 'delete', reason: 'late' });
    expect(answer).toMatchObject({ modeApplied: 'trust', request: { status: 'REVOKING', revokeMode: 'trust' } });
    expect(await requestRevocationWithMode(w.deps, callers.alice, r.id, { mode: 'trust', reason: 'same' })).toMatchObject({ modeApplied: 'trust' });
  });

  it('a failed delete-mode revocation asked again in trust mode stays delete, and says so', async () => {
    const w = makeWorld();
    const r = await active(w);
    const rv = await requestRevocation(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'x' });
    await w.ledger.transition(r.id, rv.version, 'REVOKE_FAILED', { lastError: 'RAM down' }, { actor: 't' });
    expect(await requestRevocationWithMode(w.deps, callers.partnerAdmin, r.id, { mode: 'trust', reason: 'again' })).toMatchObject({ modeApplied: 'delete', request: { status: 'REVOKING', revokeMode: 'delete' } });
  });

  it('a fresh revocation applies the mode asked for', async () => {
    const w = makeWorld();
    const r = await active(w);
    expect(await requestRevocationWithMode(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'x' })).toMatchObject({ modeApplied: 'delete', request: { status: 'REVOKING' } });
  });

  it('retry of a revoked grant is refused, pointing at reconcile', async () => {
    const w = makeWorld();
    const r = await revokedButLive(w);
    let err: unknown;
    try {
      await retryFailed(w.deps, callers.alice, r.id);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { hint: 'reconcile' } });
    expect((err as Error).message).toContain(`crossrole reconcile ${r.id}`);
    // A PENDING request is refused without the hint: nothing to reconcile there.
    const p = await submitRequest(w.deps, callers.bob, { profile: 'ecs-read', duration: '1h', reason: 'x' });
    expect(await codeOf(retryFailed(w.deps, callers.alice, p.id))).toBe('ILLEGAL_TRANSITION');
  });
});

describe('reconcileRequest: one grant on demand', () => {
  it('answers what it found and did, and reads the guard\'s document', async () => {
    const w = makeWorld();
    const r = await revokedButLive(w);
    const answer = await reconcileRequest(w.deps, callers.alice, r.id);
    expect(answer.reconcile).toEqual({
      roleName: r.roleName, requestId: r.id, ledgerStatus: 'REVOKED', rolePresent: true,
      trustedAccounts: [PARTNER],
      attachedPolicies: [{ type: 'Custom', name: guardPolicyName(r.id) }, { type: 'System', name: 'AliyunECSReadOnlyAccess' }],
      desired: 'no-access', why: 'REVOKED (trust mode)',
      actions: [`UpdateRole: trust only the owner account (was ${PARTNER})`, 'DetachPolicyFromRole: System AliyunECSReadOnlyAccess'],
      outcome: 'stripped', orphan: false,
    });
    expect(access(w, r.roleName)).toEqual(NO_ACCESS);
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({ action: 'NOTE', actor: callers.alice.arn });
    // A second time: found as desired, nothing done.
    expect((await reconcileRequest(w.deps, callers.ownerRoot, r.id)).reconcile).toMatchObject({ trustedAccounts: [OWNER], outcome: 'unchanged', actions: [] });
  });

  it('a healthy ACTIVE grant: unchanged, guard attached and its document as the expiry says', async () => {
    const w = makeWorld();
    const r = await active(w);
    expect((await reconcileRequest(w.deps, callers.approverSession, r.id)).reconcile).toMatchObject({
      desired: 'live', outcome: 'unchanged', trustedAccounts: [PARTNER], guard: { name: guardPolicyName(r.id), attached: true, document: 'matches' },
    });
    // The one-grant path always reads the guard: an edit that kept v1's number would be seen too.
    expect(w.ram.log.at(-1)?.action).toBe('getPolicyDocument');
  });

  it('reports an ACTIVE grant whose role is gone, and an APPROVED one in flight', async () => {
    const w = makeWorld();
    const r = await active(w);
    for (const p of w.ram.attachments(r.roleName)) await w.ram.detachPolicyFromRole(r.roleName, p);
    await w.ram.deleteRole(r.roleName);
    expect((await reconcileRequest(w.deps, callers.alice, r.id)).reconcile).toMatchObject({ rolePresent: false, desired: 'live', outcome: 'role-missing' });
    const a = await approved(w);
    expect((await reconcileRequest(w.deps, callers.alice, a.id)).reconcile).toMatchObject({ rolePresent: false, desired: 'in-flight', outcome: 'unchanged' });
  });

  it('approvers and the owner account\'s root only; unknown ids are NOT_FOUND', async () => {
    const w = makeWorld();
    const r = await active(w);
    expect(await codeOf(reconcileRequest(w.deps, callers.bob, r.id))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(reconcileRequest(w.deps, callers.eve, r.id))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(reconcileRequest(w.deps, callers.alice, 'nope'))).toBe('NOT_FOUND');
    expect((await reconcileRequest(w.deps, callers.ownerRoot, r.id)).request.id).toBe(r.id);
  });
});

describe('scaling: a pass over 999 managed roles', () => {
  it('999 ACTIVE grants: 1 ListRoles-by-tag + 999 ListPoliciesForRole, no write; paced under RAM\'s quotas in well under a period', async () => {
    const w = makeWorld();
    for (let i = 0; i < 999; i++) await submitRequest(w.deps, callers.bob, { profile: 'auto-read', duration: '2h', reason: `load ${i}` });
    await pump(w, 5);
    expect(w.ledger.all().filter((r) => r.status === 'ACTIVE')).toHaveLength(999);
    let ledgerReads = 0;
    const ledger = new Proxy(w.ledger, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'get') ledgerReads++;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const logged = w.ram.log.length;
    const report = await runExpiryScan({ ...w.deps, ledger });
    expect(report).toMatchObject({ rolesChecked: 999, rolesStripped: 0, rolesRestored: 0, errors: 0 });
    const calls: Record<string, number> = {};
    for (const c of w.ram.log.slice(logged)) calls[c.action] = (calls[c.action] ?? 0) + 1;
    expect(calls).toEqual({ listRolesByTag: 1, listPoliciesForRole: 999 });
    expect(ledgerReads).toBe(999);
    // The adapter's listRolesByTag is 1 ListRoles (MaxItems 1000) + 999 GetRole (test/unit/cloud/
    // ram-adapter.test.ts). Each API is paced on its own at 90% of its quota, GetRole before
    // ListPoliciesForRole: the pass spends at least this long in RAM calls, and never exceeds a quota.
    const paced = pacedRates(RAM_API_QUOTAS);
    const seconds = 1 / (paced['ListRoles'] ?? 1) + 999 / (paced['GetRole'] ?? 1) + 999 / (paced['ListPoliciesForRole'] ?? 1);
    expect(Math.round(seconds)).toBe(22);
    expect(seconds).toBeLessThan(SCAN_PERIOD_SECONDS);
  }, 60_000);
});
