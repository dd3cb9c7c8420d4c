/**
 * `crossrole reconcile` prints what the reconciliation found and did; `crossrole revoke` says which
 * mode applied when it is not the one asked for.
 */
import { Writable } from 'node:stream';
import { createUi } from '../../../cli/ui';
import { reconcileCommand, revokeCommand } from '../../../cli/commands/requests';
import type { AccessRequest } from '../../../shared/domain/access-request';
import type { ReconcileAnswer, RevokeAnswer } from '../../../shared/domain/api';

jest.mock('@clack/prompts', () => ({}));

type Session = Parameters<typeof reconcileCommand>[0];

const request: AccessRequest = {
  id: '0f8e4c1a-1111-4222-8333-444455556666', version: 5, status: 'REVOKED', partnerAccountId: '1879324520397241',
  requesterArn: 'acs:ram::1879324520397241:user/partner-admin', profile: 'ecs-readonly', durationSeconds: 3600,
  reason: 'audit', roleName: 'crossrole-0f8e4c1a1111', principals: ['acs:ram::1879324520397241:root'], externalId: 'x',
  createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', revokeMode: 'trust',
};

const reconciled: ReconcileAnswer = {
  request,
  reconcile: {
    roleName: request.roleName, requestId: request.id, ledgerStatus: 'REVOKED', rolePresent: true,
    trustedAccounts: ['1879324520397241'], attachedPolicies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }, { type: 'Custom', name: 'crossrole-guard-0f8e4c1a1111' }],
    desired: 'no-access', why: 'REVOKED (trust mode)',
    actions: ['UpdateRole: trust only the owner account (was 1879324520397241)', 'DetachPolicyFromRole: System AliyunECSReadOnlyAccess'],
    outcome: 'stripped', orphan: false,
  },
};

function session(json: boolean, api: Record<string, unknown>): { session: Session; out: () => string } {
  let out = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { out += chunk.toString(); cb(); } });
  const ui = createUi({ cwd: '/', home: '/', noColor: true, forceColor: false }, json, { stdout: sink, stderr: sink, stdinIsTTY: false });
  return { session: { ui, api: () => api, local: () => undefined } as unknown as Session, out: () => out };
}

describe('reconcile', () => {
  it('prints the role as found, the desired state and every action', async () => {
    const s = session(false, { reconcile: async () => reconciled });
    expect(await reconcileCommand(s.session, request.id)).toBe(0);
    const text = s.out();
    expect(text).toContain(`role          ${request.roleName}: present`);
    expect(text).toContain('trusts        1879324520397241');
    expect(text).toContain('policies      System AliyunECSReadOnlyAccess, Custom crossrole-guard-0f8e4c1a1111');
    expect(text).toContain('desired       no-access: REVOKED (trust mode)');
    expect(text).toContain('outcome       stripped');
    expect(text).toContain('actions       UpdateRole: trust only the owner account (was 1879324520397241)');
    expect(text).toContain('DetachPolicyFromRole: System AliyunECSReadOnlyAccess');
  });

  it('--json prints the answer as the API gave it, stamped with schemaVersion', async () => {
    const s = session(true, { reconcile: async () => reconciled });
    await reconcileCommand(s.session, request.id);
    expect(JSON.parse(s.out())).toEqual({ schemaVersion: 1, ...reconciled });
  });
});

describe('revoke', () => {
  const revoking = { ...request, status: 'REVOKING' as const };
  it('says so when the mode that applies is not the one asked for', async () => {
    const answer: RevokeAnswer = { request: revoking, modeApplied: 'trust' };
    const s = session(false, { revoke: async () => answer });
    expect(await revokeCommand(s.session, request.id, { delete: true, reason: 'x', timeout: 1 })).toBe(0);
    expect(s.out()).toContain('mode trust');
    expect(s.out()).toContain('You asked for mode delete, but the grant was already being revoked in mode trust');
    expect(s.out()).toContain(`crossrole revoke ${request.id} --delete`);
  });

  it('--json carries modeApplied', async () => {
    const answer: RevokeAnswer = { request: { ...request, revokeMode: 'delete' }, modeApplied: 'delete' };
    const s = session(true, { revoke: async () => answer });
    await revokeCommand(s.session, request.id, { delete: true, reason: 'x', timeout: 1 });
    expect(JSON.parse(s.out())).toMatchObject({ modeApplied: 'delete', request: { revokeMode: 'delete' } });
  });
});
