import { CrossroleError } from '../../../shared/domain/errors';
import { STUCK_AFTER_SECONDS } from '../../../shared/domain/timing';
import { QueueName } from '../../../shared/domain/ports';
import { trustedAccounts } from '../../../shared/policy';
import { approveRequest, runExpiryScan, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, InMemoryLedger, makeWorld, OWNER, PARTNER, pump } from '../../fakes';
import type { World } from '../../fakes';
import { active, approved, baseInput, submitted } from './helpers';

const kinds = (w: World, queue: QueueName): string[] => w.queue.sentTo(queue).map((s) => `${s.message.kind}:${s.message.requestId}`);

describe('runExpiryScan (1): due grants', () => {
  it('moves due ACTIVE grants to REVOKING (system:expiry) and sends revoke; pump finishes them', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.queue.clear();
    expect((await runExpiryScan(w.deps)).expired).toBe(0);
    w.clock.set(r.expiresAt ?? '');
    const report = await runExpiryScan(w.deps);
    expect(report).toMatchObject({ expired: 1, errors: 0 });
    expect(await w.ledger.get(r.id)).toMatchObject({ status: 'REVOKING', revokeMode: 'trust' });
    expect((await w.ledger.history(r.id)).find((e) => e.action === 'START_REVOKE')).toMatchObject({ actor: 'system:expiry' });
    expect(kinds(w, QueueName.REVOKE)).toEqual([`revoke:${r.id}`]);
    // The same scan's reconcile already stripped the role (REVOKING: no access), before the message ran.
    expect(report).toMatchObject({ rolesStripped: 1 });
    expect(trustedAccounts(w.ram.role(r.roleName)?.trustPolicy ?? '')).toEqual([OWNER]);
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
  });

  it('pages through many due grants, bounded by the limit', async () => {
    const w = makeWorld();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await active(w)).id);
    w.clock.advance(3 * 3600);
    expect((await runExpiryScan(w.deps, { pageSize: 3, limit: 5 })).expired).toBe(5);
    expect((await runExpiryScan(w.deps, { pageSize: 3, limit: 5 })).expired).toBe(2);
    expect(w.ledger.all().filter((r) => r.status === 'REVOKING')).toHaveLength(7);
  });

  it('does not loop on a row it cannot move', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.clock.advance(3 * 3600);
    w.ledger.failNext('transition', new CrossroleError('DEPENDENCY_UNAVAILABLE', 'db down'));
    const report = await runExpiryScan(w.deps, { pageSize: 1 });
    expect(report).toMatchObject({ expired: 0, errors: 1 });
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
    expect((await runExpiryScan(w.deps)).expired).toBe(1);
  });
});

describe('runExpiryScan (2)-(4): stuck rows', () => {
  it('(2) re-sends revoke for REVOKING rows unchanged for longer than the stuck threshold (301 s)', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.queue.failNextSend();
    await requestRevocation(w.deps, callers.alice, r.id, { reason: 'x' });
    w.queue.clear();
    w.clock.advance(STUCK_AFTER_SECONDS);
    expect((await runExpiryScan(w.deps)).revokeResent).toBe(0);
    w.clock.advance(1);
    expect((await runExpiryScan(w.deps)).revokeResent).toBe(1);
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
  });

  it('(3) lapses PENDING requests older than the pending TTL', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    w.clock.advance(72 * 3600 - 1);
    expect((await runExpiryScan(w.deps)).lapsed).toBe(0);
    w.clock.advance(2);
    expect((await runExpiryScan(w.deps)).lapsed).toBe(1);
    expect((await w.ledger.get(r.id))?.status).toBe('LAPSED');
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({ action: 'LAPSE', actor: 'system:scan' });
  });

  it('(4) re-sends provision for APPROVED rows after a crash between the ledger write and the send', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    w.queue.failNextSend(new Error('process died'));
    expect((await approveRequest(w.deps, callers.alice, r.id)).status).toBe('APPROVED');
    expect(w.queue.pending(QueueName.PROVISION)).toHaveLength(0);
    w.clock.advance(STUCK_AFTER_SECONDS + 1);
    expect((await runExpiryScan(w.deps)).provisionResent).toBe(1);
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
  });

  it('(4b) re-announces a PENDING request once, by the scan in which it becomes stuck (301 s)', async () => {
    const w = makeWorld();
    w.queue.failNextSend(new Error('process died'));
    const r = await submitRequest(w.deps, callers.bob, baseInput);
    let announced = 0;
    for (let minute = 1; minute <= 15; minute++) {
      w.clock.advance(60);
      announced += (await runExpiryScan(w.deps)).announced;
    }
    expect(announced).toBe(1);
    expect(kinds(w, QueueName.APPROVALS)).toEqual([`approval-needed:${r.id}`]);
  });
});

describe('runExpiryScan (6): dead letters and failed revocations', () => {
  it('marks APPROVED requests FAILED from provision dead letters (current version only) and deletes every dead letter', async () => {
    const w = makeWorld();
    const a = await approved(w);
    const b = await approved(w);
    w.queue.clear();
    w.queue.pushRaw(QueueName.DEADLETTER, JSON.stringify({ requestId: a.id, version: a.version, kind: 'provision' }));
    w.queue.pushRaw(QueueName.DEADLETTER, JSON.stringify({ requestId: b.id, version: b.version - 1, kind: 'provision' }));
    w.queue.pushRaw(QueueName.DEADLETTER, 'not a message');
    w.queue.pushRaw(QueueName.DEADLETTER, JSON.stringify({ requestId: 'unknown', kind: 'provision' }));
    const report = await runExpiryScan(w.deps);
    expect(report).toMatchObject({ deadLetters: 4, markedFailed: 1, errors: 0 });
    expect(await w.ledger.get(a.id)).toMatchObject({ status: 'FAILED', lastError: expect.stringMatching(/provisioning gave up/) });
    expect((await w.ledger.get(b.id))?.status).toBe('APPROVED');
    expect(w.queue.pending(QueueName.DEADLETTER)).toHaveLength(0);
  });

  it('reads dead letters wrapped as EventBridge CloudEvents (base64 body) and fails REVOKING requests', async () => {
    const w = makeWorld();
    const r = await active(w);
    await requestRevocation(w.deps, callers.alice, r.id, { reason: 'x' });
    w.queue.clear();
    const body = Buffer.from(JSON.stringify({ requestId: r.id, kind: 'revoke' })).toString('base64');
    w.queue.pushRaw(QueueName.DEADLETTER, JSON.stringify({ id: 'e1', source: 'MNS-crossrole', type: 'mns:Queue:SendMessage', data: { messageId: 'm', messageBody: body } }));
    expect(await runExpiryScan(w.deps)).toMatchObject({ deadLetters: 1, markedFailed: 1 });
    expect(await w.ledger.get(r.id)).toMatchObject({ status: 'FAILED', revokeMode: 'trust', lastError: expect.stringMatching(/revocation gave up/) });
  });

  it('retries FAILED revocations once stuck (301 s), never FAILED provisionings', async () => {
    const w = makeWorld();
    const failedProvision = await approved(w);
    await w.ledger.transition(failedProvision.id, failedProvision.version, 'PROVISION_FAILED', { lastError: 'x' }, { actor: 't' });
    const r = await active(w);
    const rv = await requestRevocation(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'x' });
    await w.ledger.transition(r.id, rv.version, 'REVOKE_FAILED', { lastError: 'RAM down' }, { actor: 't' });
    w.queue.clear();
    expect((await runExpiryScan(w.deps)).revocationsRetried).toBe(0);
    w.clock.advance(STUCK_AFTER_SECONDS + 1);
    expect((await runExpiryScan(w.deps)).revocationsRetried).toBe(1);
    expect(await w.ledger.get(r.id)).toMatchObject({ status: 'REVOKING', revokeMode: 'delete' });
    expect((await w.ledger.get(failedProvision.id))?.status).toBe('FAILED');
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    expect(w.ram.role(r.roleName)).toBeUndefined();
  });
});

describe('runExpiryScan (5): reconcile every managed role with the ledger', () => {
  // The old sweep waited for the role's expiry tag + 300 s: a role whose ledger row was already
  // REVOKED (or lost) stayed usable until then, or for ever before its expiry. No grace now.
  it('strips a role the ledger lost at once, before its expiry, and reports it as an orphan', async () => {
    const w = makeWorld();
    const r = await active(w);
    const lost = { ...w.deps, ledger: new InMemoryLedger(w.clock) };
    expect(await runExpiryScan(lost)).toMatchObject({ rolesChecked: 1, rolesStripped: 1, orphanRoles: 1, errors: 0 });
    const role = w.ram.role(r.roleName);
    expect(trustedAccounts(role?.trustPolicy ?? '')).toEqual([OWNER]);
    expect(role?.attached).toEqual([{ type: 'Custom', name: r.grant?.guardPolicyName }]);
    expect(w.logger.has('orphan', 'warn')).toBe(true);
    // Converged: a second pass changes nothing (the orphan is still reported).
    expect(await runExpiryScan(lost)).toMatchObject({ rolesStripped: 0, orphanRoles: 1 });
  });

  it('strips a REVOKED role somebody re-granted by hand at the next scan, with an audit note', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.clock.set(r.expiresAt ?? '');
    await runExpiryScan(w.deps);
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    // Somebody re-adds the partner and a policy by hand.
    w.ram.tamper(r.roleName, (role) => {
      role.trustPolicy = JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${PARTNER}:root`, `acs:ram::${OWNER}:root`] } }], Version: '1' });
      role.attached.push({ type: 'System', name: 'AdministratorAccess' });
    });
    w.clock.advance(60);
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesStripped: 1, orphanRoles: 0 });
    expect(trustedAccounts(w.ram.role(r.roleName)?.trustPolicy ?? '')).toEqual([OWNER]);
    expect(w.ram.attachments(r.roleName)).toEqual([{ type: 'Custom', name: r.grant?.guardPolicyName }]);
    expect((await w.ledger.history(r.id)).at(-1)).toMatchObject({
      action: 'NOTE', actor: 'system:scan', reason: expect.stringMatching(/^reconciled: role stripped \(REVOKED \(trust mode\)\)/),
      details: expect.objectContaining({ actions: [expect.stringMatching(/^UpdateRole: trust only the owner account \(was 2000000000000002\)/), 'DetachPolicyFromRole: System AdministratorAccess'] }),
    });
  });

  it('leaves live roles as they are (one ListPoliciesForRole each) and strips a managed role without a request', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.ram.seedRole({ name: 'crossrole-orphan', trustPolicy: JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${PARTNER}:root`] } }], Version: '1' }), tags: { 'crossrole:managed': 'true', 'crossrole:expires-at': 'soon' } });
    const logged = w.ram.log.length;
    expect(await runExpiryScan(w.deps)).toMatchObject({ rolesChecked: 2, rolesStripped: 1, rolesRestored: 0, orphanRoles: 1 });
    expect(w.ram.log.slice(logged).map((c) => c.action).sort()).toEqual(['listPoliciesForRole', 'listPoliciesForRole', 'listRolesByTag', 'updateTrustPolicy']);
    expect(trustedAccounts(w.ram.role(r.roleName)?.trustPolicy ?? '')).toEqual([PARTNER]);
    expect(trustedAccounts(w.ram.role('crossrole-orphan')?.trustPolicy ?? '')).toEqual([OWNER]);
  });

  it('a failing phase does not stop the others', async () => {
    const w = makeWorld();
    const p = await submitted(w);
    w.clock.advance(73 * 3600);
    w.ram.failNext('listRolesByTag', new CrossroleError('CLOUD_ERROR', 'down'));
    w.ledger.failNext('listDueForExpiry', new CrossroleError('DEPENDENCY_UNAVAILABLE', 'down'));
    const report = await runExpiryScan(w.deps);
    expect(report).toMatchObject({ errors: 2, lapsed: 1 });
    expect((await w.ledger.get(p.id))?.status).toBe('LAPSED');
  });
});
