import { QueueName } from '../../../shared/domain/ports';
import { submitRequest } from '../../../shared/workflow';
import { callers, makeWorld, OTHER_PARTNER, PARTNER } from '../../fakes';
import { baseInput, codeOf } from './helpers';

describe('submitRequest', () => {
  it('records a PENDING request, with a per-grant ExternalId, then announces it to approvers', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, callers.bob, baseInput);
    expect(r).toMatchObject({
      status: 'PENDING',
      version: 1,
      partnerAccountId: PARTNER,
      requesterArn: callers.bob.arn,
      profile: 'ecs-read',
      durationSeconds: 7200,
      reason: 'investigate ticket 42',
      principals: [`acs:ram::${PARTNER}:root`],
      externalId: 'xid-1-5f3c9a',
      roleName: 'crossrole-00000001abcd',
    });
    expect(await w.ledger.get(r.id)).toEqual(r);
    const [create] = await w.ledger.history(r.id);
    expect(create).toMatchObject({ action: 'CREATE', actor: callers.bob.arn, toStatus: 'PENDING' });
    expect(w.queue.sends).toEqual([{ queue: QueueName.APPROVALS, message: { requestId: r.id, version: 1, kind: 'approval-needed' }, at: expect.any(String) }]);
    const second = await submitRequest(w.deps, callers.bob, baseInput);
    expect(second.externalId).not.toBe(r.externalId);
  });

  it('auto-approves autoApprove profiles (actor system:auto-approve) and sends provision', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, callers.bob, { ...baseInput, profile: 'auto-read' });
    expect(r).toMatchObject({ status: 'APPROVED', decidedBy: 'system:auto-approve' });
    const [create] = await w.ledger.history(r.id);
    expect(create).toMatchObject({ action: 'CREATE', actor: 'system:auto-approve', toStatus: 'APPROVED', details: expect.objectContaining({ requester: callers.bob.arn }) });
    expect(w.queue.sends.map((s) => [s.queue, s.message.kind])).toEqual([[QueueName.PROVISION, 'provision']]);
  });

  it('keeps the request when the send fails (the row is written first; the scan re-sends)', async () => {
    const w = makeWorld();
    w.queue.failNextSend();
    const r = await submitRequest(w.deps, callers.bob, baseInput);
    expect(await w.ledger.get(r.id)).toMatchObject({ status: 'PENDING' });
    expect(w.queue.sends).toHaveLength(0);
    expect(w.logger.has('message not sent', 'warn')).toBe(true);
  });

  it('refuses the owner account and accounts off the allowlist', async () => {
    const w = makeWorld();
    expect(await codeOf(submitRequest(w.deps, callers.alice, baseInput))).toBe('FORBIDDEN_PARTNER_ACCOUNT');
    expect(await codeOf(submitRequest(w.deps, callers.mallory, baseInput))).toBe('FORBIDDEN_PARTNER_NOT_ALLOWED');
    const open = makeWorld({ catalog: { partners: 'open' } });
    expect((await submitRequest(open.deps, callers.mallory, baseInput)).status).toBe('PENDING');
    expect(await codeOf(submitRequest(open.deps, callers.ownerRoot, baseInput))).toBe('FORBIDDEN_PARTNER_ACCOUNT');
  });

  it('checks the caller before the body: a stranger learns nothing about the catalog', async () => {
    const w = makeWorld();
    expect(await codeOf(submitRequest(w.deps, callers.mallory, { profile: 'nope' }))).toBe('FORBIDDEN_PARTNER_NOT_ALLOWED');
  });

  it.each([
    [{}, 'VALIDATION'],
    [null, 'VALIDATION'],
    [{ ...baseInput, extra: 1 }, 'VALIDATION'],
    [{ ...baseInput, profile: 1 }, 'VALIDATION'],
    [{ ...baseInput, duration: 'eight hours' }, 'INVALID_DURATION'],
    [{ ...baseInput, duration: '0h' }, 'INVALID_DURATION'],
    [{ ...baseInput, reason: '' }, 'VALIDATION'],
    [{ ...baseInput, reason: '   ' }, 'VALIDATION'],
    [{ ...baseInput, reason: 'x'.repeat(1025) }, 'VALIDATION'],
    [{ ...baseInput, reason: 'bell\u0007' }, 'VALIDATION'],
    [{ ...baseInput, reason: 'c\rr' }, 'VALIDATION'],
    [{ ...baseInput, reason: 'c1\u0085' }, 'VALIDATION'],
    [{ ...baseInput, roleName: 'bad name' }, 'INVALID_ROLE_NAME'],
    [{ ...baseInput, roleName: 'x'.repeat(60) }, 'INVALID_ROLE_NAME'],
    [{ ...baseInput, roleName: 'crossrole-' }, 'INVALID_ROLE_NAME'],
    [{ ...baseInput, roleName: '0123456789ab' }, 'INVALID_ROLE_NAME'],
    [{ ...baseInput, principals: [] }, 'VALIDATION'],
    [{ ...baseInput, principals: ['bob'] }, 'INVALID_ARN'],
    [{ ...baseInput, principals: [`acs:ram::${PARTNER}:assumed-role/ops/s1`] }, 'INVALID_ARN'],
    [{ ...baseInput, principals: Array.from({ length: 11 }, (_, i) => `user/u${i}`) }, 'VALIDATION'],
    [{ ...baseInput, acknowledgePrivileged: 'yes' }, 'VALIDATION'],
  ])('rejects bad body #%# with its code', async (input, code) => {
    const w = makeWorld();
    expect(await codeOf(submitRequest(w.deps, callers.bob, input))).toBe(code);
    expect(w.ledger.all()).toHaveLength(0);
    expect(w.queue.sends).toHaveLength(0);
  });

  it('accepts newlines and tabs in the reason, and trims it', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, callers.bob, { ...baseInput, reason: '  line one\n\tline two  ' });
    expect(r.reason).toBe('line one\n\tline two');
  });

  it('refuses an unknown profile (422) and a duration over the profile maximum (422)', async () => {
    const w = makeWorld();
    expect(await codeOf(submitRequest(w.deps, callers.bob, { ...baseInput, profile: 'nope' }))).toBe('UNKNOWN_PROFILE');
    expect(await codeOf(submitRequest(w.deps, callers.bob, { ...baseInput, duration: '8h1x' }))).toBe('INVALID_DURATION');
    expect(await codeOf(submitRequest(w.deps, callers.bob, { ...baseInput, duration: '481m' }))).toBe('DURATION_OVER_MAXIMUM');
    expect((await submitRequest(w.deps, callers.bob, { ...baseInput, duration: 'PT8H' })).durationSeconds).toBe(28800);
  });

  it('requires an explicit acknowledgePrivileged: true for privileged profiles', async () => {
    const w = makeWorld();
    const input = { ...baseInput, profile: 'admin', duration: '1h' };
    expect(await codeOf(submitRequest(w.deps, callers.bob, input))).toBe('FORBIDDEN_PRIVILEGED_PROFILE');
    expect(await codeOf(submitRequest(w.deps, callers.bob, { ...input, acknowledgePrivileged: false }))).toBe('FORBIDDEN_PRIVILEGED_PROFILE');
    const r = await submitRequest(w.deps, callers.bob, { ...input, acknowledgePrivileged: true });
    expect(r.status).toBe('PENDING');
    expect((await w.ledger.history(r.id))[0]?.details).toMatchObject({ acknowledgePrivileged: true });
  });

  it('resolves short principal forms against the caller account and de-duplicates', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, callers.bob, { ...baseInput, principals: ['user/bob', 'role/ops', `acs:ram::${PARTNER}:user/bob`, 'root'] });
    expect(r.principals).toEqual([`acs:ram::${PARTNER}:user/bob`, `acs:ram::${PARTNER}:role/ops`, `acs:ram::${PARTNER}:root`]);
  });

  it('refuses principals of another account', async () => {
    const w = makeWorld();
    expect(await codeOf(submitRequest(w.deps, callers.bob, { ...baseInput, principals: [`acs:ram::${OTHER_PARTNER}:user/carol`] }))).toBe('FORBIDDEN_PARTNER_ACCOUNT');
  });

  it('names the role crossrole-<short id>, the profile template, or the requested name under the crossrole- prefix, lower-cased', async () => {
    const w = makeWorld();
    expect((await submitRequest(w.deps, callers.bob, baseInput)).roleName).toBe('crossrole-00000001abcd');
    expect((await submitRequest(w.deps, callers.bob, { ...baseInput, roleName: 'Partner-ReadOnly-Access' })).roleName).toBe('crossrole-partner-readonly-access');
    expect((await submitRequest(w.deps, callers.bob, { ...baseInput, roleName: 'CrossRole-ops.team' })).roleName).toBe('crossrole-ops.team');
    expect((await submitRequest(w.deps, callers.bob, { ...baseInput, profile: 'templated', duration: '1h' })).roleName).toBe('crossrole-tpl-00000004abcd');
    expect((await submitRequest(w.deps, callers.bob, { ...baseInput, roleName: 'x'.repeat(54) })).roleName).toHaveLength(64);
  });

  it('reports the offending field', async () => {
    const w = makeWorld();
    await expect(submitRequest(w.deps, callers.bob, { ...baseInput, reason: 7 })).rejects.toMatchObject({ code: 'VALIDATION', field: 'reason' });
    await expect(submitRequest(w.deps, callers.bob, { ...baseInput, principals: ['user/ok', 'nope'] })).rejects.toMatchObject({ code: 'INVALID_ARN', field: 'principals[1]' });
  });
});
