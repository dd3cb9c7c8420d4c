import { CrossroleError } from '../../../shared/domain/errors';
import { QueueName } from '../../../shared/domain/ports';
import { trustedAccounts } from '../../../shared/policy';
import type { MessageKind } from '../../../shared/domain/messages';
import type { WorkflowMessage } from '../../../shared/domain/ports';
import { provisionGrant, revokeGrant } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { sharedPolicyName } from '../../../shared/domain/policy-names';
import { callers, deliver, makeWorld, OWNER, pump, SimulatedCrash } from '../../fakes';
import type { World } from '../../fakes';
import { active, approved, submitted } from './helpers';

const msg = (id: string, kind: MessageKind = 'revoke'): WorkflowMessage => ({ requestId: id, kind });

async function revoking(w: World, mode: 'trust' | 'delete', profile = 'ecs-read'): Promise<string> {
  const r = await active(w, { profile, duration: '2h' });
  await requestRevocation(w.deps, callers.alice, r.id, { mode, reason: 'end of engagement' });
  w.queue.clear();
  return r.id;
}

describe('revokeGrant: trust mode (default)', () => {
  it('removes the partner from the trust policy and detaches the profile policies: GetRole + UpdateRole + 1 Detach per profile policy', async () => {
    for (const [profile, policies] of [['ecs-read', 1], ['ops', 2]] as const) {
      const w = makeWorld();
      const id = await revoking(w, 'trust', profile);
      const r = await w.ledger.get(id);
      const before = w.ram.log.length;
      const out = await revokeGrant(w.deps, msg(id));
      expect(out).toMatchObject({ outcome: 'done', status: 'REVOKED', ramCalls: 2 + policies });
      expect(w.ram.log.slice(before).map((c) => c.action)).toEqual(['getRole', 'updateTrustPolicy', ...Array(policies).fill('detachPolicyFromRole')]);
      const role = w.ram.role(r?.roleName ?? '');
      expect(trustedAccounts(role?.trustPolicy ?? '')).toEqual([OWNER]);
      // The guard stays: it keeps denying after expiry even if somebody re-attaches a policy.
      expect(role?.attached).toEqual([{ type: 'Custom', name: r?.grant?.guardPolicyName }]);
      const last = (await w.ledger.history(id)).at(-1);
      expect(last).toMatchObject({ action: 'FINISH_REVOKE', actor: 'system:revocation', toStatus: 'REVOKED', details: expect.objectContaining({ mode: 'trust' }) });
    }
  });
});

describe('revokeGrant: delete mode', () => {
  it('detaches everything, deletes the role and then its guard: GetRole + List + (N+1) Detach + DeleteRole + DeletePolicy', async () => {
    const w = makeWorld();
    const id = await revoking(w, 'delete', 'ops');
    const r = await w.ledger.get(id);
    const before = w.ram.log.length;
    expect(await revokeGrant(w.deps, msg(id))).toMatchObject({ outcome: 'done', status: 'REVOKED', ramCalls: 2 + 5 }) // N = 2 profile policies;
    expect(w.ram.log.slice(before).map((c) => c.action)).toEqual([
      'getRole', 'listPoliciesForRole', 'detachPolicyFromRole', 'detachPolicyFromRole', 'detachPolicyFromRole', 'deleteRole', 'deletePolicy',
    ]);
    expect(w.ram.role(r?.roleName ?? '')).toBeUndefined();
    // The profile's shared custom policy stays for the next grant; the grant's guard is gone.
    expect(w.ram.customPolicyNames()).toEqual([sharedPolicyName('ops', 'restart')]);
  });
});

describe('revokeGrant: crash anywhere, resume, converge', () => {
  async function crashAt(mode: 'trust' | 'delete', points: number[]): Promise<void> {
    const w = makeWorld();
    const id = await revoking(w, mode, 'ops');
    const r = await w.ledger.get(id);
    for (const n of points) {
      w.ram.crashAfter(n);
      try {
        await revokeGrant(w.deps, msg(id));
        break;
      } catch (e) {
        if (!(e instanceof SimulatedCrash)) throw e;
      }
      expect((await w.ledger.get(id))?.status).toBe('REVOKING');
    }
    w.ram.disarm();
    for (let i = 0; i < 3 && (await w.ledger.get(id))?.status !== 'REVOKED'; i++) await revokeGrant(w.deps, msg(id));
    expect((await w.ledger.get(id))?.status).toBe('REVOKED');
    const role = w.ram.role(r?.roleName ?? '');
    if (mode === 'delete') {
      expect(role).toBeUndefined();
      expect(w.ram.customPolicyNames()).toEqual([sharedPolicyName('ops', 'restart')]);
    } else {
      expect(trustedAccounts(role?.trustPolicy ?? '')).toEqual([OWNER]);
      expect(role?.attached).toEqual([{ type: 'Custom', name: r?.grant?.guardPolicyName }]);
    }
  }

  for (const [mode, calls] of [['trust', 4], ['delete', 7]] as const) {
    it(`${mode}: a crash before each of the ${calls} calls, and every pair of crashes`, async () => {
      for (let a = 0; a < calls; a++) {
        await crashAt(mode, [a]);
        for (let b = 0; b < calls; b++) await crashAt(mode, [a, b]);
      }
    });
  }

  it('a transient error leaves the grant REVOKING and the message is retried', async () => {
    const w = makeWorld();
    const id = await revoking(w, 'trust');
    w.ram.failNext('updateTrustPolicy', new CrossroleError('CLOUD_ERROR', 'ServiceUnavailable'));
    await expect(revokeGrant(w.deps, msg(id))).rejects.toMatchObject({ code: 'CLOUD_ERROR' });
    expect((await w.ledger.get(id))?.status).toBe('REVOKING');
    expect((await revokeGrant(w.deps, msg(id))).status).toBe('REVOKED');
  });
});

describe('revokeGrant: duplicates, strays and foreign roles', () => {
  it('a second delivery after REVOKED changes nothing', async () => {
    const w = makeWorld();
    const id = await revoking(w, 'delete');
    await revokeGrant(w.deps, msg(id));
    const calls = w.ram.callCount();
    expect(await revokeGrant(w.deps, msg(id))).toMatchObject({ outcome: 'stale', status: 'REVOKED' });
    expect(await revokeGrant(w.deps, msg(id, 'expire'))).toMatchObject({ outcome: 'stale', status: 'REVOKED' });
    expect(w.ram.callCount()).toBe(calls);
  });

  it('a missing role is done (trust: one GetRole; delete: GetRole + DeletePolicy of a stray guard)', async () => {
    for (const [mode, calls] of [['trust', 1], ['delete', 2]] as const) {
      const w = makeWorld();
      const id = await revoking(w, mode);
      const r = await w.ledger.get(id);
      await w.ram.detachPolicyFromRole(r?.roleName ?? '', { type: 'Custom', name: r?.grant?.guardPolicyName ?? '' });
      await w.ram.detachPolicyFromRole(r?.roleName ?? '', { type: 'System', name: 'AliyunECSReadOnlyAccess' });
      await w.ram.deleteRole(r?.roleName ?? '');
      expect(await revokeGrant(w.deps, msg(id))).toMatchObject({ outcome: 'done', status: 'REVOKED', ramCalls: calls });
      expect(w.ram.customPolicyNames()).toEqual(mode === 'delete' ? [] : [r?.grant?.guardPolicyName]);
    }
  });

  it('reordered messages: a revoke overtaking its provision leaves nothing behind', async () => {
    const w = makeWorld();
    const r = await approved(w);
    await requestRevocation(w.deps, callers.partnerAdmin, r.id, { mode: 'delete', reason: 'changed plans' });
    const [provision] = w.queue.take(QueueName.PROVISION);
    const [revoke] = w.queue.take(QueueName.REVOKE);
    expect(await deliver(w, revokeGrant, revoke?.body)).toMatchObject({ outcome: 'done', status: 'REVOKED' });
    const calls = w.ram.callCount();
    expect(await deliver(w, provisionGrant, provision?.body)).toMatchObject({ outcome: 'stale', status: 'REVOKED' });
    expect(w.ram.callCount()).toBe(calls);
    expect(w.ram.roleNames()).toEqual([]);
    expect(w.ram.customPolicyNames()).toEqual([]);
  });

  it('never touches a same-named role that carries another request id', async () => {
    const w = makeWorld();
    const id = await revoking(w, 'delete');
    const r = await w.ledger.get(id);
    w.ram.tamper(r?.roleName ?? '', (role) => {
      role.tags['crossrole:request-id'] = 'another-request';
    });
    expect(await revokeGrant(w.deps, msg(id))).toMatchObject({ outcome: 'done', status: 'REVOKED', ramCalls: 1 });
    expect(w.ram.role(r?.roleName ?? '')?.attached).toHaveLength(2);
    expect(w.logger.has('not this grant', 'warn')).toBe(true);
  });

  it.each([['garbage'], [JSON.stringify({ requestId: 'x', kind: 'approval-needed' })], [JSON.stringify({ requestId: 'x', kind: 'provision' })]])(
    'acknowledges a malformed or misrouted message %#',
    async (body) => {
      const w = makeWorld();
      expect(await deliver(w, revokeGrant, body)).toMatchObject({ outcome: 'malformed' });
      expect(w.ram.callCount()).toBe(0);
    },
  );

  it('acknowledges messages for unknown, PENDING and APPROVED requests', async () => {
    const w = makeWorld();
    expect(await revokeGrant(w.deps, msg('nope'))).toMatchObject({ outcome: 'stale' });
    const p = await submitted(w);
    const a = await approved(w);
    expect(await revokeGrant(w.deps, msg(p.id))).toMatchObject({ outcome: 'stale', status: 'PENDING' });
    expect(await revokeGrant(w.deps, msg(a.id, 'expire'))).toMatchObject({ outcome: 'stale', status: 'APPROVED' });
    expect(w.ram.callCount()).toBe(0);
  });
});

describe('revokeGrant: expiry never comes early', () => {
  it('an early expire message is re-sent with the remaining delay; a revoke message for a live grant is ignored', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.queue.clear();
    w.clock.advance(1800);
    const calls = w.ram.callCount();
    expect(await revokeGrant(w.deps, msg(r.id, 'expire'))).toMatchObject({ outcome: 'rescheduled', status: 'ACTIVE' });
    expect(w.queue.sends).toEqual([{ queue: QueueName.REVOKE, message: { requestId: r.id, version: r.version, kind: 'expire' }, delaySeconds: 5400, at: expect.any(String) }]);
    expect(await revokeGrant(w.deps, msg(r.id, 'revoke'))).toMatchObject({ outcome: 'stale', status: 'ACTIVE', detail: 'not due' });
    expect(w.ram.callCount()).toBe(calls);
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
  });

  it('at expiresAt the grant is revoked (START_REVOKE by system:expiry, trust mode)', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.clock.set(r.expiresAt ?? '');
    expect(await revokeGrant(w.deps, msg(r.id, 'expire'))).toMatchObject({ outcome: 'done', status: 'REVOKED' });
    const h = await w.ledger.history(r.id);
    expect(h.map((e) => [e.action, e.actor])).toEqual([
      ['CREATE', callers.bob.arn], ['APPROVE', callers.alice.arn], ['ACTIVATE', 'system:provisioning'], ['START_REVOKE', 'system:expiry'], ['FINISH_REVOKE', 'system:revocation'],
    ]);
    expect((await w.ledger.get(r.id))?.revokeMode).toBe('trust');
  });

  it('a grant longer than the 7-day queue delay is revoked on time through re-sent expire messages', async () => {
    const w = makeWorld();
    const r = await active(w, { profile: 'ops', duration: '20d' });
    expect(w.queue.sentTo(QueueName.REVOKE).at(-1)?.delaySeconds).toBe(604800);
    for (let day = 1; day < 20; day++) {
      w.clock.advance(86400);
      await pump(w);
      expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
    }
    w.clock.set(r.expiresAt ?? '');
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    expect(w.queue.sentTo(QueueName.REVOKE).map((s) => s.delaySeconds)).toEqual([604800, 604800, 518400]);
  });

  it('an expire message for a grant somebody is already revoking does the work in their mode', async () => {
    const w = makeWorld();
    const id = await revoking(w, 'delete');
    const r = await w.ledger.get(id);
    expect(await revokeGrant(w.deps, msg(id, 'expire'))).toMatchObject({ outcome: 'done', status: 'REVOKED' });
    expect(w.ram.role(r?.roleName ?? '')).toBeUndefined();
  });
});
