/**
 * Roles inside a partner account (catalog partnerRoles) and role-name reservation, through the use
 * cases. The world's catalog makes PARTNER's `user/admin` a manager; bob and dave are colleagues
 * in PARTNER with no special standing; carol is in another partner account.
 */
import type { AccessRequest } from '../../../shared/domain/access-request';
import { CrossroleError } from '../../../shared/domain/errors';
import type { CallerIdentity } from '../../../shared/domain/ports';
import { cancelRequest, getRequest, listRequests, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, identity, makeWorld, OTHER_PARTNER, PARTNER, type World } from '../../fakes';
import { active, baseInput, codeOf, submitted } from './helpers';

const sessionOf = (role: string, session: string): CallerIdentity => identity(`acs:ram::${PARTNER}:assumed-role/${role}/${session}`);
const ids = (rs: AccessRequest[]): string[] => rs.map((r) => r.id);

/** Everything a caller gets back from a call, answer or error, as text (to look for leaks in). */
async function answerText(p: Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify(await p);
  } catch (e) {
    if (e instanceof CrossroleError) return JSON.stringify(e.toJSON());
    throw e;
  }
}

describe('who may ask (submit)', () => {
  const restricted = (): World => makeWorld({
    catalog: { partnerRoles: [{ account: PARTNER, requesters: ['user/bob', 'role/dev-*'], managers: ['role/security'] }] },
  });

  it('by default any identity of an allowed partner may ask', async () => {
    const w = makeWorld();
    expect((await submitRequest(w.deps, callers.dave, baseInput)).requesterArn).toBe(callers.dave.arn);
    expect((await submitRequest(w.deps, callers.carol, baseInput)).requesterArn).toBe(callers.carol.arn);
  });

  it('requesters patterns, managers and the root may ask; anyone else is 403 FORBIDDEN_NOT_REQUESTER, before the body is looked at', async () => {
    const w = restricted();
    expect((await submitRequest(w.deps, callers.bob, baseInput)).status).toBe('PENDING');
    expect((await submitRequest(w.deps, sessionOf('Dev-Team', 'bob-laptop'), baseInput)).status).toBe('PENDING');
    expect((await submitRequest(w.deps, sessionOf('security', 'on-call'), baseInput)).status).toBe('PENDING');
    expect((await submitRequest(w.deps, callers.partnerRoot, baseInput)).status).toBe('PENDING');
    expect(await codeOf(submitRequest(w.deps, callers.dave, baseInput))).toBe('FORBIDDEN_NOT_REQUESTER');
    expect(await codeOf(submitRequest(w.deps, callers.partnerSession, baseInput))).toBe('FORBIDDEN_NOT_REQUESTER');
    expect(await codeOf(submitRequest(w.deps, callers.dave, { profile: 'nope' }))).toBe('FORBIDDEN_NOT_REQUESTER');
    // The entry is PARTNER's alone: another partner keeps the defaults.
    expect((await submitRequest(w.deps, callers.carol, baseInput)).status).toBe('PENDING');
    expect(w.ledger.all().map((r) => r.requesterArn)).not.toContain(callers.dave.arn);
  });
});

describe('role names are reserved', () => {
  it('a name held by another request is 409 ROLE_NAME_TAKEN, the same anonymous answer whoever holds it', async () => {
    const w = makeWorld();
    const mine = await submitRequest(w.deps, callers.bob, { ...baseInput, roleName: 'shared' });
    const theirs = await submitRequest(w.deps, callers.carol, { ...baseInput, roleName: 'audit' });
    const sameAccount = await answerText(submitRequest(w.deps, callers.dave, { ...baseInput, roleName: 'Shared' }));
    const otherAccount = await answerText(submitRequest(w.deps, callers.dave, { ...baseInput, roleName: 'audit' }));
    expect(JSON.parse(sameAccount)).toEqual({ code: 'ROLE_NAME_TAKEN', field: 'roleName', message: 'role name "crossrole-shared" is in use by another request; choose another roleName' });
    expect(JSON.parse(otherAccount)).toEqual({ code: 'ROLE_NAME_TAKEN', field: 'roleName', message: 'role name "crossrole-audit" is in use by another request; choose another roleName' });
    for (const text of [sameAccount, otherAccount]) {
      for (const secret of [mine.id, theirs.id, OTHER_PARTNER, callers.bob.arn, callers.carol.arn, mine.externalId, theirs.externalId, 'PENDING']) expect(text).not.toContain(secret);
    }
    expect(w.ledger.all()).toHaveLength(2);
  });

  it('is free again once the holder is cancelled, rejected or revoked in delete mode', async () => {
    const w = makeWorld();
    const first = await submitRequest(w.deps, callers.bob, { ...baseInput, roleName: 'again' });
    await cancelRequest(w.deps, callers.bob, first.id);
    const second = await submitRequest(w.deps, callers.dave, { ...baseInput, roleName: 'again' });
    expect(second.roleName).toBe('crossrole-again');
  });

  it('a trust-mode revoked grant keeps its name (its role is kept for the retention)', async () => {
    const w = makeWorld();
    const g = await active(w, { roleName: 'kept' });
    await requestRevocation(w.deps, callers.bob, g.id, { reason: 'done' });
    expect(await codeOf(submitRequest(w.deps, callers.dave, { ...baseInput, roleName: 'kept' }))).toBe('ROLE_NAME_TAKEN');
  });

  it('the deployment\'s own names are reserved: fc-exec (crossrole-fc-exec) is 409 ROLE_NAME_TAKEN, nothing recorded', async () => {
    const w = makeWorld();
    for (const roleName of ['fc-exec', 'crossrole-fc-exec', 'CrossRole-FC-Exec']) {
      const err = await submitRequest(w.deps, callers.bob, { ...baseInput, roleName }).catch((e: unknown) => e);
      expect((err as CrossroleError).toJSON()).toEqual({ code: 'ROLE_NAME_TAKEN', field: 'roleName', message: 'role name "crossrole-fc-exec" is reserved by the Crossrole deployment; choose another roleName' });
    }
    expect(w.ledger.all()).toEqual([]);
    expect(w.queue.sends).toEqual([]);
    expect((await submitRequest(w.deps, callers.bob, { ...baseInput, roleName: 'fc-exec-2' })).roleName).toBe('crossrole-fc-exec-2');
  });
});

describe('who sees what (get, list)', () => {
  it('a requester sees its own; a colleague gets NOT_FOUND, exactly as for an unknown id; managers, the root and approvers see it', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect((await getRequest(w.deps, callers.bob, r.id)).request).toEqual(r);
    const colleague = await codeOf(getRequest(w.deps, callers.dave, r.id)).catch(() => 'none');
    expect(colleague).toBe('NOT_FOUND');
    const unknown = await getRequest(w.deps, callers.dave, 'no-such-id').catch((e: CrossroleError) => e);
    const seen = await getRequest(w.deps, callers.dave, r.id).catch((e: CrossroleError) => e);
    expect((seen as CrossroleError).message.replace(r.id, 'ID')).toBe((unknown as CrossroleError).message.replace('no-such-id', 'ID'));
    expect(await codeOf(getRequest(w.deps, callers.partnerSession, r.id))).toBe('NOT_FOUND');
    expect((await getRequest(w.deps, callers.partnerAdmin, r.id)).request.externalId).toBe(r.externalId);
    expect((await getRequest(w.deps, callers.partnerRoot, r.id)).request.externalId).toBe(r.externalId);
    expect((await getRequest(w.deps, callers.alice, r.id)).request.externalId).toBe(r.externalId);
    expect(await codeOf(getRequest(w.deps, callers.carol, r.id))).toBe('NOT_FOUND');
  });

  it('a role session sees what any session of the same role asked, not what another role asked', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, sessionOf('Ops', 'monday'), baseInput);
    expect((await getRequest(w.deps, sessionOf('ops', 'tuesday'), r.id)).request.id).toBe(r.id);
    expect(ids((await listRequests(w.deps, sessionOf('OPS', 'tuesday'))).items)).toEqual([r.id]);
    expect(await codeOf(getRequest(w.deps, sessionOf('ops-2', 'monday'), r.id))).toBe('NOT_FOUND');
    expect(await codeOf(getRequest(w.deps, identity(`acs:ram::${PARTNER}:user/ops`), r.id))).toBe('NOT_FOUND');
  });

  it('list: a requester lists its own only (by status and page too); managers and the root list the whole account', async () => {
    const w = makeWorld();
    const bobs: AccessRequest[] = [];
    for (let i = 0; i < 3; i++) {
      bobs.push(await submitRequest(w.deps, callers.bob, baseInput));
      w.clock.advance(1);
    }
    const daves = await submitRequest(w.deps, callers.dave, baseInput);
    w.clock.advance(1);
    const admins = await submitRequest(w.deps, callers.partnerAdmin, baseInput);
    await cancelRequest(w.deps, callers.bob, bobs[1]!.id);

    expect(ids((await listRequests(w.deps, callers.bob)).items)).toEqual(ids(bobs));
    expect(ids((await listRequests(w.deps, callers.bob, { status: 'CANCELLED' })).items)).toEqual([bobs[1]!.id]);
    const page = await listRequests(w.deps, callers.bob, { limit: 2 });
    expect(page.next).toBe(bobs[1]!.id);
    expect(ids((await listRequests(w.deps, callers.bob, { limit: 2, after: page.next })).items)).toEqual([bobs[2]!.id]);
    expect(ids((await listRequests(w.deps, callers.dave)).items)).toEqual([daves.id]);
    const everything = [...ids(bobs), daves.id, admins.id];
    expect(ids((await listRequests(w.deps, callers.partnerAdmin)).items)).toEqual(everything);
    expect(ids((await listRequests(w.deps, callers.partnerRoot)).items)).toEqual(everything);
    expect(ids((await listRequests(w.deps, callers.partnerAdmin, { status: 'CANCELLED' })).items)).toEqual([bobs[1]!.id]);
    expect((await listRequests(w.deps, callers.carol)).items).toEqual([]);
    // Approvers unchanged: the PENDING queue across partners.
    expect(ids((await listRequests(w.deps, callers.alice)).items)).toEqual([bobs[0]!.id, bobs[2]!.id, daves.id, admins.id]);
  });

  it('a managers pattern on a role covers its sessions; a "*" entry covers accounts without their own', async () => {
    const w = makeWorld({ catalog: { partnerRoles: [{ account: '*', managers: ['role/security-*'] }] } });
    const r = await submitted(w);
    expect((await getRequest(w.deps, sessionOf('Security-Audit', 'x1'), r.id)).request.id).toBe(r.id);
    expect(await codeOf(getRequest(w.deps, callers.partnerAdmin, r.id))).toBe('NOT_FOUND');
    expect(await codeOf(getRequest(w.deps, identity(`acs:ram::${OTHER_PARTNER}:assumed-role/security-audit/x1`), r.id))).toBe('NOT_FOUND');
  });
});

describe('who may act (cancel, revoke)', () => {
  it('cancel: a colleague is 403 FORBIDDEN_NOT_OWNER, the same as for an unknown id; the requester and a manager may', async () => {
    const w = makeWorld();
    const r = await submitted(w);
    expect(await codeOf(cancelRequest(w.deps, callers.dave, r.id))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(cancelRequest(w.deps, callers.dave, 'no-such-id'))).toBe('FORBIDDEN_NOT_OWNER');
    expect((await w.ledger.get(r.id))?.status).toBe('PENDING');
    expect((await cancelRequest(w.deps, callers.bob, r.id)).status).toBe('CANCELLED');
    const r2 = await submitted(w);
    expect((await cancelRequest(w.deps, callers.partnerAdmin, r2.id)).status).toBe('CANCELLED');
    const r3 = await submitted(w);
    expect((await cancelRequest(w.deps, callers.partnerRoot, r3.id)).status).toBe('CANCELLED');
  });

  it('revoke: a colleague is 403 FORBIDDEN_NOT_OWNER and nothing moves; the requester, a manager and the root may', async () => {
    const w = makeWorld();
    const g = await active(w);
    for (const mode of ['trust', 'delete']) {
      expect(await codeOf(requestRevocation(w.deps, callers.dave, g.id, { mode, reason: 'not yours' }))).toBe('FORBIDDEN_NOT_OWNER');
    }
    expect(await codeOf(requestRevocation(w.deps, callers.dave, 'no-such-id', { reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    expect((await w.ledger.get(g.id))?.status).toBe('ACTIVE');
    expect((await requestRevocation(w.deps, callers.bob, g.id, { reason: 'done' })).status).toBe('REVOKING');
    const g2 = await active(w);
    expect((await requestRevocation(w.deps, callers.partnerAdmin, g2.id, { mode: 'delete', reason: 'audit' })).status).toBe('REVOKING');
    const g3 = await active(w);
    expect((await requestRevocation(w.deps, callers.partnerRoot, g3.id, { reason: 'audit' })).status).toBe('REVOKING');
  });

  it('the ExternalId never reaches a colleague, whatever it calls', async () => {
    const w = makeWorld();
    const g = await active(w);
    const secret = g.externalId;
    const answers = [
      await answerText(getRequest(w.deps, callers.dave, g.id)),
      await answerText(listRequests(w.deps, callers.dave)),
      await answerText(listRequests(w.deps, callers.dave, { status: 'ACTIVE' })),
      await answerText(cancelRequest(w.deps, callers.dave, g.id)),
      await answerText(requestRevocation(w.deps, callers.dave, g.id, { reason: 'x' })),
      await answerText(submitRequest(w.deps, callers.dave, { ...baseInput, roleName: g.roleName })),
    ];
    for (const text of answers) expect(text).not.toContain(secret);
    // Answers to calls that did not name the id (list, submit) do not reveal it either.
    for (const text of [answers[1], answers[2], answers[5]]) expect(text).not.toContain(g.id);
    expect(JSON.stringify(await getRequest(w.deps, callers.partnerAdmin, g.id))).toContain(secret);
  });
});

describe('a principal the grant names explicitly', () => {
  it('may read the request (it needs the role ARN and ExternalId to assume it) but not list, cancel or revoke it', async () => {
    const w = makeWorld();
    const g = await active(w, { principals: ['user/dave'] });
    const read = await getRequest(w.deps, callers.dave, g.id);
    expect(read.request.externalId).toBe(g.externalId);
    expect(ids((await listRequests(w.deps, callers.dave)).items)).not.toContain(g.id);
    expect(await codeOf(cancelRequest(w.deps, callers.dave, g.id))).toBe('FORBIDDEN_NOT_OWNER');
    expect(await codeOf(requestRevocation(w.deps, callers.dave, g.id, { reason: 'x' }))).toBe('FORBIDDEN_NOT_OWNER');
    // Naming dave says nothing about another colleague.
    expect(await codeOf(getRequest(w.deps, sessionOf('dev', 'laptop'), g.id))).toBe('NOT_FOUND');
  });

  it('a grant that trusts the account root names nobody: a colleague still learns nothing', async () => {
    const w = makeWorld();
    const g = await active(w);
    expect(g.principals).toEqual([`acs:ram::${PARTNER}:root`]);
    expect(await codeOf(getRequest(w.deps, callers.dave, g.id))).toBe('NOT_FOUND');
  });

  it('a named role lets its sessions read, in any case of the role name', async () => {
    const w = makeWorld();
    const g = await active(w, { principals: ['role/Ops'] });
    expect((await getRequest(w.deps, sessionOf('ops', 'laptop'), g.id)).request.id).toBe(g.id);
    expect(await codeOf(getRequest(w.deps, sessionOf('dev', 'laptop'), g.id))).toBe('NOT_FOUND');
  });
});
