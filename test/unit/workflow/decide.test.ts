import { VersionConflictError } from '../../../shared/domain/errors';
import { QueueName } from '../../../shared/domain/ports';
import { approveRequest, cancelRequest, getRequest, listRequests, rejectRequest, retryFailed, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, identity, makeWorld, OWNER, PARTNER, pump } from '../../fakes';
import { active, approved, baseInput, codeOf, submitted } from './helpers';

describe('approveRequest', () => {
  it('moves PENDING to APPROVED, records the approver, then sends provision', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    w.queue.clear();
    const a = await approveRequest(w.deps, callers.alice, r.id, { reason: 'ok for ticket 42' });
    expect(a).toMatchObject({ status: 'APPROVED', version: 2, decidedBy: callers.alice.arn, decisionReason: 'ok for ticket 42', durationSeconds: 7200 });
    expect(w.queue.sends.map((s) => [s.queue, s.message])).toEqual([[QueueName.PROVISION, { requestId: r.id, version: 2, kind: 'provision' }]]);
    expect((await w.ledger.history(r.id)).map((e) => [e.action, e.actor])).toEqual([['CREATE', callers.bob.arn], ['APPROVE', callers.alice.arn]]);
  });

  it('may only shorten the duration', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect(await codeOf(approveRequest(w.deps, callers.alice, r.id, { duration: '3h' }))).toBe('DURATION_OVER_MAXIMUM');
    expect(await codeOf(approveRequest(w.deps, callers.alice, r.id, { duration: 'soon' }))).toBe('INVALID_DURATION');
    expect((await approveRequest(w.deps, callers.alice, r.id, { duration: '30m' })).durationSeconds).toBe(1800);
  });

  it('accepts sessions of an approver role (role names case-insensitive), not other owner identities', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect(await codeOf(approveRequest(w.deps, callers.eve, r.id))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(approveRequest(w.deps, callers.ownerRoot, r.id))).toBe('FORBIDDEN_NOT_APPROVER');
    expect(await codeOf(approveRequest(w.deps, identity(`acs:ram::${OWNER}:assumed-role/other/alice`), r.id))).toBe('FORBIDDEN_NOT_APPROVER');
    expect((await approveRequest(w.deps, callers.approverSession, r.id)).decidedBy).toBe(callers.approverSession.arn);
  });

  it('refuses approvers outside the owner account, even if listed by ARN', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect(await codeOf(approveRequest(w.deps, callers.bob, r.id))).toBe('FORBIDDEN_APPROVER_ACCOUNT');
    expect(await codeOf(approveRequest(w.deps, callers.mallory, r.id))).toBe('FORBIDDEN_APPROVER_ACCOUNT');
  });

  it('never lets anybody decide their own request', async () => {
    // A catalog that (wrongly) lists an owner-account user who is also the requester: the
    // partner allowlist is open, and the request is forged straight into the ledger.
    const w = makeWorld();
    const r = await submitted(w);
    const row = await w.ledger.get(r.id);
    if (!row) throw new Error('missing');
    await w.ledger.create({ ...row, id: 'self-1', roleName: 'crossrole-self-1', requesterArn: callers.alice.arn, partnerAccountId: PARTNER }, { actor: 'test' });
    expect(await codeOf(approveRequest(w.deps, callers.alice, 'self-1'))).toBe('FORBIDDEN_SELF_APPROVAL');
    expect(await codeOf(rejectRequest(w.deps, callers.alice, 'self-1', { reason: 'no' }))).toBe('FORBIDDEN_SELF_APPROVAL');
    await w.ledger.create({ ...row, id: 'self-2', roleName: 'crossrole-self-2', requesterArn: `acs:ram::${OWNER}:assumed-role/approvers/other-session`, partnerAccountId: '5000000000000005' }, { actor: 'test' });
    expect(await codeOf(approveRequest(w.deps, callers.approverSession, 'self-2'))).toBe('FORBIDDEN_SELF_APPROVAL');
  });

  it('refuses unknown ids (NOT_FOUND) and requests that are no longer PENDING (ILLEGAL_TRANSITION)', async () => {
    const w = makeWorld();
    expect(await codeOf(approveRequest(w.deps, callers.alice, 'nope'))).toBe('NOT_FOUND');
    const r = await approved(w);
    // Another approver (a session of the approvers role) comes too late.
    expect(await codeOf(approveRequest(w.deps, callers.approverSession, r.id))).toBe('ILLEGAL_TRANSITION');
    expect(await codeOf(rejectRequest(w.deps, callers.alice, r.id, { reason: 'late' }))).toBe('ILLEGAL_TRANSITION');
    // The approver who approved, approving again (a retry, a double click): counted once, the request as it is.
    const again = await approveRequest(w.deps, callers.alice, r.id);
    expect(again).toMatchObject({ id: r.id, status: 'APPROVED', version: r.version });
    expect(w.queue.sentTo('crossrole-provision')).toHaveLength(1);
  });

  it('keeps the approval when the provision send fails (the scan re-sends)', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    w.queue.failNextSend();
    expect((await approveRequest(w.deps, callers.alice, r.id)).status).toBe('APPROVED');
    expect(w.queue.sentTo(QueueName.PROVISION)).toHaveLength(0);
  });
});

describe('rejectRequest', () => {
  it('requires a reason and records it', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect(await codeOf(rejectRequest(w.deps, callers.alice, r.id, {}))).toBe('VALIDATION');
    expect(await codeOf(rejectRequest(w.deps, callers.alice, r.id, { reason: ' ' }))).toBe('VALIDATION');
    expect(await codeOf(rejectRequest(w.deps, callers.eve, r.id, { reason: 'no' }))).toBe('FORBIDDEN_NOT_APPROVER');
    const x = await rejectRequest(w.deps, callers.alice, r.id, { reason: 'not this week' });
    expect(x).toMatchObject({ status: 'REJECTED', decidedBy: callers.alice.arn, decisionReason: 'not this week' });
  });
});

describe('requestRevocation', () => {
  it('lets an approver revoke an ACTIVE grant: START_REVOKE with the mode, then a revoke message', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.queue.clear();
    const x = await requestRevocation(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'incident over' });
    expect(x).toMatchObject({ status: 'REVOKING', revokeMode: 'delete' });
    expect(w.queue.sends.map((s) => [s.queue, s.message.kind])).toEqual([[QueueName.REVOKE, 'revoke']]);
  });

  it('lets the partner account revoke its own grant (trust mode by default)', async () => {
    const w = makeWorld();
    const r = await active(w);
    const x = await requestRevocation(w.deps, callers.partnerAdmin, r.id, { reason: 'done early' });
    expect(x).toMatchObject({ status: 'REVOKING', revokeMode: 'trust' });
  });

  it('refuses others with FORBIDDEN_NOT_OWNER, the same for unknown ids (no existence oracle)', async () => {
    const w = makeWorld();
    const r = await active(w);
    expect(await codeOf(requestRevocation(w.deps, callers.carol, r.id, { reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(requestRevocation(w.deps, callers.eve, r.id, { reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(requestRevocation(w.deps, callers.carol, 'nope', { reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(requestRevocation(w.deps, callers.alice, 'nope', { reason: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(requestRevocation(w.deps, callers.alice, r.id, { mode: 'burn', reason: 'x' }))).toBe('VALIDATION');
    expect(await codeOf(requestRevocation(w.deps, callers.alice, r.id, {}))).toBe('VALIDATION');
  });

  it('is idempotent on REVOKING and REVOKED grants', async () => {
    const w = makeWorld();
    const r = await active(w);
    const first = await requestRevocation(w.deps, callers.alice, r.id, { reason: 'x' });
    const sent = w.queue.sends.length;
    expect(await requestRevocation(w.deps, callers.bob, r.id, { mode: 'delete', reason: 'again' })).toEqual(first);
    expect(w.queue.sends).toHaveLength(sent);
    await pump(w);
    const done = await w.ledger.get(r.id);
    expect(done?.status).toBe('REVOKED');
    expect(await requestRevocation(w.deps, callers.alice, r.id, { reason: 'again' })).toEqual(done);
  });

  it('revokes an APPROVED request before provisioning and refuses a PENDING one', async () => {
    const w = makeWorld();
    const a = await approved(w);
    expect((await requestRevocation(w.deps, callers.alice, a.id, { reason: 'changed my mind' })).status).toBe('REVOKING');
    const p = await submitted(w);
    expect(await codeOf(requestRevocation(w.deps, callers.alice, p.id, { reason: 'x' }))).toBe('ILLEGAL_TRANSITION');
  });

  it('retries after losing a race on the version', async () => {
    const w = makeWorld();
    const r = await active(w);
    w.ledger.failNext('transition', new VersionConflictError(r.id, r.version));
    expect((await requestRevocation(w.deps, callers.alice, r.id, { reason: 'x' })).status).toBe('REVOKING');
  });
});

describe('retryFailed', () => {
  it('sends a failed provisioning back to APPROVED and clears the error', async () => {
    const w = makeWorld();
    const r = await approved(w);
    const failed = await w.ledger.transition(r.id, r.version, 'PROVISION_FAILED', { lastError: 'boom' }, { actor: 'test' });
    w.queue.clear();
    expect(await codeOf(retryFailed(w.deps, callers.bob, r.id))).toBe('FORBIDDEN_APPROVER_ACCOUNT');
    const x = await retryFailed(w.deps, callers.alice, failed.id);
    expect(x.status).toBe('APPROVED');
    expect(x.lastError).toBeUndefined();
    expect(w.queue.sends.map((s) => s.message.kind)).toEqual(['provision']);
  });

  it('sends a failed revocation back to REVOKING, never to APPROVED', async () => {
    const w = makeWorld();
    const r = await active(w);
    const revoking = await requestRevocation(w.deps, callers.alice, r.id, { mode: 'delete', reason: 'x' });
    await w.ledger.transition(r.id, revoking.version, 'REVOKE_FAILED', { lastError: 'boom' }, { actor: 'test' });
    w.queue.clear();
    const x = await retryFailed(w.deps, callers.alice, r.id);
    expect(x).toMatchObject({ status: 'REVOKING', revokeMode: 'delete' });
    expect(w.queue.sends.map((s) => s.message.kind)).toEqual(['revoke']);
  });

  it('refuses requests that are not FAILED', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect(await codeOf(retryFailed(w.deps, callers.alice, r.id))).toBe('ILLEGAL_TRANSITION');
    expect(await codeOf(retryFailed(w.deps, callers.alice, 'nope'))).toBe('NOT_FOUND');
  });
});

describe('cancelRequest', () => {
  it('lets the partner withdraw its PENDING request, nobody else', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect(await codeOf(cancelRequest(w.deps, callers.carol, r.id))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(cancelRequest(w.deps, callers.alice, r.id))).toBe('FORBIDDEN_NOT_OWNER');
    expect((await cancelRequest(w.deps, callers.partnerAdmin, r.id, { reason: 'not needed' })).status).toBe('CANCELLED');
    expect(await codeOf(cancelRequest(w.deps, callers.bob, r.id))).toBe('ILLEGAL_TRANSITION');
  });
});

describe('queries', () => {
  it('getRequest: partners see their account\'s requests, approvers all, others NOT_FOUND', async () => {
    const w = makeWorld();
    const r = await approved(w);
    const view = await getRequest(w.deps, callers.partnerAdmin, r.id);
    expect(view.request).toEqual(await w.ledger.get(r.id));
    expect(view.history.map((e) => e.action)).toEqual(['CREATE', 'APPROVE']);
    expect((await getRequest(w.deps, callers.approverSession, r.id)).request.id).toBe(r.id);
    expect(await codeOf(getRequest(w.deps, callers.carol, r.id))).toBe('NOT_FOUND');
    expect(await codeOf(getRequest(w.deps, callers.eve, r.id))).toBe('NOT_FOUND');
    expect(await codeOf(getRequest(w.deps, callers.bob, 'nope'))).toBe('NOT_FOUND');
  });

  it('listRequests: partners list their own account, approvers list by status (PENDING by default), pages by cursor', async () => {
    const w = makeWorld();
    const mine = [];
    for (let i = 0; i < 3; i++) {
      mine.push(await submitRequest(w.deps, callers.bob, baseInput));
      w.clock.advance(1);
    }
    const theirs = await submitRequest(w.deps, callers.carol, baseInput);
    await approveRequest(w.deps, callers.alice, mine[0]!.id);

    expect((await listRequests(w.deps, callers.bob)).items.map((r) => r.id)).toEqual(mine.map((r) => r.id));
    expect((await listRequests(w.deps, callers.bob, { status: 'APPROVED' })).items.map((r) => r.id)).toEqual([mine[0]!.id]);
    expect((await listRequests(w.deps, callers.carol)).items.map((r) => r.id)).toEqual([theirs.id]);
    expect((await listRequests(w.deps, callers.eve)).items).toEqual([]);
    expect((await listRequests(w.deps, callers.alice)).items.map((r) => r.id)).toEqual([mine[1]!.id, mine[2]!.id, theirs.id]);
    expect((await listRequests(w.deps, callers.alice, { status: 'APPROVED' })).items.map((r) => r.id)).toEqual([mine[0]!.id]);

    const p1 = await listRequests(w.deps, callers.bob, { limit: 2 });
    expect(p1.items).toHaveLength(2);
    expect(p1.next).toBe(mine[1]!.id);
    const p2 = await listRequests(w.deps, callers.bob, { limit: 2, after: p1.next });
    expect(p2.items.map((r) => r.id)).toEqual([mine[2]!.id]);
    expect(p2.next).toBeUndefined();

    expect(await codeOf(listRequests(w.deps, callers.bob, { status: 'DONE' }))).toBe('VALIDATION');
    expect(await codeOf(listRequests(w.deps, callers.bob, { limit: 0 }))).toBe('VALIDATION');
    expect(await codeOf(listRequests(w.deps, callers.bob, { limit: 101 }))).toBe('VALIDATION');
  });
});
