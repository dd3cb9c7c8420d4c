/**
 * Extending and shortening an ACTIVE grant (shared/workflow/use-cases/extend.ts, support/extension.ts)
 * with the fakes: who may, what the profile allows, and the order of the RAM and ledger calls
 * that the safety argument rests on (docs/architecture.md "Extending and shortening a grant").
 */
import { guardPolicyName } from '../../../shared/domain/access-request';
import { QueueName } from '../../../shared/domain/ports';
import type { RequestRepository, RamPort } from '../../../shared/domain/ports';
import { buildGuardPolicy } from '../../../shared/policy';
import { approveExtension, getRequest, provisionGrant, rejectExtension, requestExtension, revokeGrant, runExpiryScan, shortenGrant, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, deliver, makeWorld, pump } from '../../fakes';
import type { World } from '../../fakes';
import { active, codeOf } from './helpers';

const plus = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString();

/** The `extend` messages sent so far, as bodies. */
const extendMessages = (w: World): unknown[] => w.queue.sends.filter((s) => s.queue === QueueName.PROVISION && s.message.kind === 'extend').map((s) => s.message);

/** Every RAM and ledger call, in order, as `ram.<method>` / `ledger.<method>`. */
function traced(w: World): string[] {
  const log: string[] = [];
  const wrap = <T extends object>(target: T, prefix: string): T => new Proxy(target, {
    get(t, key, receiver) {
      const v = Reflect.get(t, key, receiver) as unknown;
      if (typeof v !== 'function' || key === 'callCount') return v;
      return (...args: unknown[]) => {
        log.push(`${prefix}.${String(key)}${key === 'stepExtension' ? `(${String(args[1])})` : ''}`);
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
  w.deps.ram = wrap<RamPort>(w.ram, 'ram');
  w.deps.ledger = wrap<RequestRepository>(w.ledger, 'ledger');
  return log;
}

describe('extend: asked by the partner, decided by the profile, applied guard -> tag -> ledger', () => {
  it('an approver approves; provisioning moves the guard (new default version), the tag, then the ledger, then a new expire', async () => {
    const w = makeWorld();
    const r = await active(w);
    const old = r.expiresAt ?? '';
    const asked = await requestExtension(w.deps, callers.bob, r.id, { duration: '1h', reason: 'migration overran' });
    expect(asked.extension).toMatchObject({ status: 'PENDING', kind: 'extend', fromExpiresAt: old, newExpiresAt: plus(old, 3600) });
    expect(asked.request.targetExpiresAt).toBeUndefined();
    expect(w.queue.sends.at(-1)?.message.kind).toBe('extension-needed');

    const approved = await approveExtension(w.deps, callers.alice, r.id, { reason: 'ok' });
    expect(approved.extension.status).toBe('APPROVED');
    expect(approved.request).toMatchObject({ expiresAt: old, targetExpiresAt: plus(old, 3600), version: r.version + 1 });

    const log = traced(w);
    await pump(w);
    const moved = log.filter((l) => /ram\.(setPolicyDocument|tagRole)|ledger\.stepExtension/.test(l));
    expect(moved).toEqual(['ram.setPolicyDocument', 'ram.tagRole', 'ledger.stepExtension(APPLY)']);

    const now = await w.ledger.get(r.id);
    expect(now).toMatchObject({ status: 'ACTIVE', expiresAt: plus(old, 3600), durationSeconds: r.durationSeconds + 3600 });
    expect(now?.targetExpiresAt).toBeUndefined();
    const guard = w.ram.policy(guardPolicyName(r.id));
    expect(guard?.defaultVersion).toBe('v2');
    expect(guard?.document).toBe(buildGuardPolicy(new Date(plus(old, 3600))));
    expect(w.ram.role(r.roleName)?.tags['crossrole:expires-at']).toBe(plus(old, 3600));
    const expire = w.queue.sends.filter((s) => s.message.kind === 'expire').at(-1);
    expect(expire?.message.version).toBe(now?.version);
    expect((await getRequest(w.deps, callers.bob, r.id)).extensions?.map((e) => e.status)).toEqual(['APPLIED']);
  });

  it('the old expire message does nothing; the grant expires at the new time', async () => {
    const w = makeWorld();
    const r = await active(w);
    const old = r.expiresAt ?? '';
    await requestExtension(w.deps, callers.bob, r.id, { until: plus(old, 1800), reason: 'more' });
    await approveExtension(w.deps, callers.alice, r.id);
    await pump(w);
    w.clock.set(plus(old, 1));
    const first = await pump(w);
    expect(first.outcomes.filter((o) => o.detail === 'superseded')).toHaveLength(1);
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
    w.clock.set(plus(old, 1801));
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
  });

  it('autoExtend approves small extensions at once; larger ones wait for an approver', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, callers.bob, { profile: 'auto-read', duration: '1h', reason: 'auto' });
    await pump(w);
    const small = await requestExtension(w.deps, callers.bob, r.id, { duration: '1h', reason: 'a bit more' });
    expect(small.extension).toMatchObject({ status: 'APPROVED', decidedBy: 'system:auto-approve' });
    expect(extendMessages(w)).toHaveLength(1);
    await pump(w);
    const big = await requestExtension(w.deps, callers.bob, r.id, { duration: '90m', reason: 'a lot more' });
    expect(big.extension.status).toBe('PENDING');
  });

  it('refused past maxTotalDuration (counted from the activation), for non-ACTIVE grants, and while another is open', async () => {
    const w = makeWorld();
    const r = await active(w, { duration: '7h' });
    expect(await codeOf(requestExtension(w.deps, callers.bob, r.id, { duration: '2h', reason: 'x' }))).toBe('EXTENSION_TOO_LONG');
    await requestExtension(w.deps, callers.bob, r.id, { duration: '1h', reason: 'x' });
    expect(await codeOf(requestExtension(w.deps, callers.bob, r.id, { duration: '30m', reason: 'x' }))).toBe('EXTENSION_OPEN');
    expect(await codeOf(shortenGrant(w.deps, callers.bob, r.id, { duration: '30m', reason: 'x' }))).toBe('EXTENSION_OPEN');
    await rejectExtension(w.deps, callers.alice, r.id, { reason: 'no' });
    expect(await codeOf(requestExtension(w.deps, callers.bob, r.id, { duration: '30m', until: plus(r.expiresAt ?? '', 60), reason: 'x' }))).toBe('VALIDATION');
    await requestRevocation(w.deps, callers.alice, r.id, { reason: 'done' });
    expect(await codeOf(requestExtension(w.deps, callers.bob, r.id, { duration: '30m', reason: 'x' }))).toBe('NOT_ACTIVE');
  });

  it('who may: the requester and its partner\'s managers ask; a colleague and strangers may not; nobody decides their own', async () => {
    const w = makeWorld();
    const r = await active(w);
    expect(await codeOf(requestExtension(w.deps, callers.dave, r.id, { duration: '1h', reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(requestExtension(w.deps, callers.mallory, r.id, { duration: '1h', reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(requestExtension(w.deps, callers.alice, r.id, { duration: '1h', reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    await requestExtension(w.deps, callers.partnerAdmin, r.id, { duration: '1h', reason: 'manager asks' });
    expect(await codeOf(approveExtension(w.deps, callers.bob, r.id))).toBe('FORBIDDEN_APPROVER_ACCOUNT');
    expect(await codeOf(approveExtension(w.deps, callers.eve, r.id))).toBe('FORBIDDEN_NOT_APPROVER');
    expect((await approveExtension(w.deps, callers.alice, r.id)).extension.status).toBe('APPROVED');
  });
});

describe('shorten: recorded APPROVED first, then guard, tag, ledger', () => {
  it('the ledger\'s approved expiry moves before RAM, and the scan acts on it even before it is applied', async () => {
    const w = makeWorld();
    const r = await active(w);
    const old = r.expiresAt ?? '';
    const log = traced(w);
    const s = await shortenGrant(w.deps, callers.bob, r.id, { duration: '1h', reason: 'done early' });
    expect(s.extension).toMatchObject({ kind: 'shorten', status: 'APPROVED', newExpiresAt: plus(old, -3600) });
    expect(s.request.targetExpiresAt).toBe(plus(old, -3600));
    expect(log.filter((l) => l.startsWith('ram.'))).toEqual([]);
    // Not applied yet, and the new expiry passes: the scan expires the grant at the approved time.
    w.clock.set(plus(old, -3599));
    w.queue.take(QueueName.PROVISION);
    await runExpiryScan(w.deps);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKING');
  });

  it('applied normally: guard and tag earlier, the ledger last; an approver may shorten too', async () => {
    const w = makeWorld();
    const r = await active(w);
    const old = r.expiresAt ?? '';
    await shortenGrant(w.deps, callers.alice, r.id, { until: plus(old, -1800), reason: 'policy' });
    await pump(w);
    expect(await w.ledger.get(r.id)).toMatchObject({ expiresAt: plus(old, -1800), durationSeconds: r.durationSeconds - 1800 });
    expect(w.ram.policy(guardPolicyName(r.id))?.document).toBe(buildGuardPolicy(new Date(plus(old, -1800))));
    expect(await codeOf(shortenGrant(w.deps, callers.bob, r.id, { until: w.clock.now().toISOString(), reason: 'x' }))).toBe('VALIDATION');
    expect(await codeOf(shortenGrant(w.deps, callers.mallory, r.id, { duration: '1m', reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
  });
});

describe('races: a revocation wins, a crash resumes, the reconciler does not revert', () => {
  it('a revocation overtakes an approved extension: it is cancelled and RAM stays revoked', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestExtension(w.deps, callers.bob, r.id, { duration: '1h', reason: 'x' });
    await approveExtension(w.deps, callers.alice, r.id);
    const extend = w.queue.take(QueueName.PROVISION).map((m) => m.body);
    await requestRevocation(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'stop' });
    await pump(w);
    for (const body of extend) expect((await deliver(w, provisionGrant, body)).outcome).toBe('stale');
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    expect((await w.ledger.listExtensions(r.id)).map((e) => e.status)).toEqual(['CANCELLED']);
    expect(w.ram.role(r.roleName)).toBeUndefined();
    expect(w.ram.policy(guardPolicyName(r.id))).toBeUndefined();
  });

  it('a crash after the guard moved is resumed by the redelivery without a second version', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestExtension(w.deps, callers.bob, r.id, { duration: '1h', reason: 'x' });
    await approveExtension(w.deps, callers.alice, r.id);
    const [body] = w.queue.take(QueueName.PROVISION).map((m) => m.body);
    w.ledger.failNext('stepExtension', new Error('crash before the ledger step'));
    await expect(deliver(w, provisionGrant, body)).rejects.toThrow('crash');
    // Meanwhile the reconciler runs: guard at the approved time, ledger not yet: nothing to undo.
    const pass = await runExpiryScan(w.deps);
    expect(pass.rolesRestored).toBe(0);
    expect(w.ram.policy(guardPolicyName(r.id))?.defaultVersion).toBe('v2');
    expect((await deliver(w, provisionGrant, body)).outcome).toBe('done');
    expect(w.ram.policy(guardPolicyName(r.id))?.defaultVersion).toBe('v2');
    expect((await w.ledger.get(r.id))?.expiresAt).toBe(plus(r.expiresAt ?? '', 3600));
  });

  it('a guard edited by hand after an extension is restored to the extended time; delete mode deletes the versioned guard', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestExtension(w.deps, callers.bob, r.id, { duration: '1h', reason: 'x' });
    await approveExtension(w.deps, callers.alice, r.id);
    await pump(w);
    w.ram.tamperPolicy(guardPolicyName(r.id), buildGuardPolicy(new Date(r.expiresAt ?? '')));
    expect((await runExpiryScan(w.deps)).rolesRestored).toBe(1);
    expect(w.ram.policy(guardPolicyName(r.id))?.document).toBe(buildGuardPolicy(new Date(plus(r.expiresAt ?? '', 3600))));
    await requestRevocation(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'done' });
    await pump(w);
    expect(w.ram.policy(guardPolicyName(r.id))).toBeUndefined();
  });

  it('a lost extend message is re-sent by the scan once the extension is stuck', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestExtension(w.deps, callers.bob, r.id, { duration: '1h', reason: 'x' });
    await approveExtension(w.deps, callers.alice, r.id);
    w.queue.take(QueueName.PROVISION);
    w.clock.advance(400);
    expect((await runExpiryScan(w.deps)).extendResent).toBe(1);
    await pump(w);
    expect((await w.ledger.get(r.id))?.expiresAt).toBe(plus(r.expiresAt ?? '', 3600));
    expect((await deliver(w, revokeGrant, { requestId: r.id, kind: 'extend' })).outcome).toBe('malformed');
  });
});
