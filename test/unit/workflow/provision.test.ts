import { CrossroleError } from '../../../shared/domain/errors';
import { QueueName } from '../../../shared/domain/ports';
import { buildGuardPolicy, buildTrustPolicy, trustedAccounts } from '../../../shared/policy';
import type { MessageKind } from '../../../shared/domain/messages';
import type { WorkflowMessage } from '../../../shared/domain/ports';
import { approveRequest, provisionGrant, retryFailed, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { provisionApproved } from '../../../shared/workflow/use-cases/provision';
import { sharedPolicyName } from '../../../shared/domain/policy-names';
import { callers, deliver, makeWorld, OWNER, PARTNER, pump, RESTART_POLICY, SimulatedCrash } from '../../fakes';
import type { World } from '../../fakes';
import { approved, baseInput } from './helpers';

const msg = (id: string, kind: MessageKind = 'provision'): WorkflowMessage => ({ requestId: id, kind });
const OPS_SHARED = sharedPolicyName('ops', 'restart');

async function provisionUntilDone(w: World, id: string, attempts = 5): Promise<number> {
  for (let i = 1; i <= attempts; i++) {
    try {
      await provisionGrant(w.deps, msg(id));
    } catch (e) {
      if (!(e instanceof SimulatedCrash)) throw e;
      continue;
    }
    if ((await w.ledger.get(id))?.status === 'ACTIVE') return i;
  }
  throw new Error('not ACTIVE');
}

describe('provisionGrant: the happy path', () => {
  it('creates exactly the grant, in 3 + (profile policies) RAM calls, activates it and schedules expiry', async () => {
    const w = makeWorld();
    const r = await approved(w);
    w.clock.advance(5);
    w.queue.clear();
    const before = w.ram.callCount();
    const out = await provisionGrant(w.deps, msg(r.id));
    expect(out).toMatchObject({ outcome: 'done', status: 'ACTIVE', ramCalls: 4 });
    // Minimum: CreateRole (trust + tags) + CreatePolicy(guard) + Attach(guard) + one Attach per profile policy (1).
    expect(w.ram.callCount() - before).toBe(3 + 1);
    expect(w.ram.log.map((c) => c.action)).toEqual(['createRole', 'createPolicy', 'attachPolicyToRole', 'attachPolicyToRole']);

    const expiresAt = '2026-01-01T02:00:05.000Z';
    const role = w.ram.role(r.roleName);
    expect(role).toMatchObject({
      name: 'crossrole-00000001abcd',
      maxSessionDuration: 3600,
      tags: { 'crossrole:request-id': r.id, 'crossrole:partner': PARTNER, 'crossrole:expires-at': expiresAt, 'crossrole:managed': 'true' },
    });
    expect(role?.description).toContain(r.id);
    expect(role?.trustPolicy).toBe(buildTrustPolicy({ principals: [`acs:ram::${PARTNER}:root`], externalId: r.externalId }));
    expect(w.ram.attachments(r.roleName)).toEqual([
      { type: 'Custom', name: 'crossrole-guard-00000001abcd' },
      { type: 'System', name: 'AliyunECSReadOnlyAccess' },
    ]);
    expect(w.ram.policy('crossrole-guard-00000001abcd')?.document).toBe(buildGuardPolicy(new Date(expiresAt)));

    const a = await w.ledger.get(r.id);
    const roleArn = `acs:ram::${OWNER}:role/crossrole-00000001abcd`;
    expect(a).toMatchObject({
      status: 'ACTIVE',
      expiresAt,
      grant: {
        roleName: r.roleName,
        roleArn,
        externalId: r.externalId,
        guardPolicyName: 'crossrole-guard-00000001abcd',
        switchRole: { accountId: OWNER, roleName: r.roleName, url: `https://signin.alibabacloud.com/switchRole.htm?parentAlias=${OWNER}.onaliyun.com&roleName=crossrole-00000001abcd` },
        maxSessionDuration: 3600,
      },
    });
    expect(JSON.parse(a?.grant?.partnerPolicy ?? '')).toEqual({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: roleArn }], Version: '1' });
    expect(w.queue.sends).toEqual([{ queue: QueueName.REVOKE, message: { requestId: r.id, version: a?.version, kind: 'expire' }, delaySeconds: 7200, at: expect.any(String) }]);
    expect(w.logger.entries.find((e) => e.message === 'grant provisioned')?.fields).toMatchObject({ ramCalls: 4 });
  });

  it('creates a profile\'s custom policy once, shared by its grants; later grants need only the minimum', async () => {
    const w = makeWorld();
    const r1 = await approved(w, { profile: 'ops' });
    const first = await provisionGrant(w.deps, msg(r1.id));
    // Attach (NOT_FOUND) + CreatePolicy + Attach again for the shared custom policy on first use.
    expect(first.ramCalls).toBe(3 + 2 + 2);
    expect(w.ram.policy(OPS_SHARED)?.document).toBe(JSON.stringify(RESTART_POLICY));
    const r2 = await approved(w, { profile: 'ops' });
    expect((await provisionGrant(w.deps, msg(r2.id))).ramCalls).toBe(3 + 2);
    expect(w.ram.customPolicyNames()).toEqual(['crossrole-guard-00000001abcd', 'crossrole-guard-00000002abcd', OPS_SHARED].sort());
    expect(w.ram.attachments(r2.roleName)).toContainEqual({ type: 'Custom', name: OPS_SHARED });
  });

  it('names the role as requested (prefixed) and trusts only the named principals', async () => {
    const w = makeWorld();
    const r = await approved(w, { roleName: 'Partner-ReadOnly-Access', principals: ['user/bob'] });
    await provisionGrant(w.deps, msg(r.id));
    const role = w.ram.role('crossrole-partner-readonly-access');
    expect(JSON.parse(role?.trustPolicy ?? '').Statement[0]).toEqual({
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${PARTNER}:user/bob`] }, Condition: { StringEquals: { 'sts:ExternalId': r.externalId } },
    });
  });
});

describe('provisionGrant: messages are not authority', () => {
  it.each([
    ['not json'],
    ['{}'],
    [JSON.stringify({ requestId: 'x', kind: 'nope' })],
    [JSON.stringify({ requestId: '../etc', kind: 'provision' })],
    [JSON.stringify({ requestId: 'x', kind: 'provision', extra: true })],
    [42],
  ])('the queue edge acknowledges and logs a malformed message %#', async (body) => {
    const w = makeWorld();
    expect(await deliver(w, provisionGrant, body)).toMatchObject({ outcome: 'malformed' });
    expect(w.logger.has('malformed queue message', 'warn')).toBe(true);
    expect(w.ram.callCount()).toBe(0);
  });

  it('acknowledges a message of another kind without effect', async () => {
    const w = makeWorld();
    const r = await approved(w);
    expect(await provisionGrant(w.deps, msg(r.id, 'revoke'))).toMatchObject({ outcome: 'malformed' });
    expect(w.ram.callCount()).toBe(0);
  });

  it('acknowledges messages for unknown, PENDING, REJECTED and ACTIVE requests without RAM calls', async () => {
    const w = makeWorld();
    const pending = await submitRequest(w.deps, callers.bob, baseInput);
    expect(await provisionGrant(w.deps, msg('00000000-unknown'))).toMatchObject({ outcome: 'stale' });
    expect(await provisionGrant(w.deps, msg(pending.id))).toMatchObject({ outcome: 'stale', status: 'PENDING' });
    const r = await approved(w);
    await provisionGrant(w.deps, msg(r.id));
    const calls = w.ram.callCount();
    const sends = w.queue.sends.length;
    expect(await provisionGrant(w.deps, msg(r.id))).toMatchObject({ outcome: 'stale', status: 'ACTIVE' });
    expect(w.ram.callCount()).toBe(calls);
    expect(w.queue.sends).toHaveLength(sends);
    expect(w.logger.has('stale message')).toBe(true);
  });

  it('fails the request if its profile left the catalog, touching nothing', async () => {
    const w = makeWorld();
    const r = await approved(w);
    const deps = { ...w.deps, catalog: { ...w.catalog, profiles: w.catalog.profiles.filter((p) => p.name !== 'ecs-read') } };
    expect(await provisionGrant(deps, msg(r.id))).toMatchObject({ outcome: 'failed', status: 'FAILED' });
    expect((await w.ledger.get(r.id))?.lastError).toMatch(/no longer in the catalog/);
    expect(w.ram.callCount()).toBe(0);
  });
});

describe('provisionGrant: crash anywhere, resume, converge', () => {
  async function crashAt(points: number[], profile: string, preShared: boolean): Promise<void> {
    const w = makeWorld();
    if (preShared) {
      const warm = await approved(w, { profile });
      await provisionGrant(w.deps, msg(warm.id));
    }
    const r = await approved(w, { profile });
    w.queue.clear();
    let roleCreatedAt: number | undefined;
    for (const n of points) {
      w.ram.crashAfter(n);
      const attemptAt = w.clock.now().getTime();
      let crashed = false;
      try {
        await provisionGrant(w.deps, msg(r.id));
      } catch (e) {
        if (!(e instanceof SimulatedCrash)) throw e;
        crashed = true;
      }
      if (roleCreatedAt === undefined && w.ram.role(r.roleName) !== undefined) roleCreatedAt = attemptAt;
      if (!crashed) break; // a resumed attempt can need fewer calls than the crash point
      expect((await w.ledger.get(r.id))?.status).toBe('APPROVED');
      // Time passes between deliveries: a resume must not extend the grant.
      w.clock.advance(60);
    }
    w.ram.disarm();
    const finalAt = w.clock.now().getTime();
    await provisionUntilDone(w, r.id);
    const a = await w.ledger.get(r.id);
    const profileDef = w.catalog.profiles.find((p) => p.name === profile);
    const expected = [
      { type: 'Custom', name: `crossrole-guard-${r.roleName.slice('crossrole-'.length)}` },
      ...(profileDef?.policies ?? []).map((p) => (p.type === 'System' ? { type: 'System', name: p.name } : { type: 'Custom', name: sharedPolicyName(profile, p.name) })),
    ];
    const roles = w.ram.roleNames().filter((n) => n === r.roleName);
    expect(roles).toEqual([r.roleName]);
    expect(w.ram.attachments(r.roleName)).toEqual(expect.arrayContaining(expected));
    expect(w.ram.attachments(r.roleName)).toHaveLength(expected.length);
    const guard = w.ram.policy(a?.grant?.guardPolicyName ?? '');
    expect(guard?.document).toBe(buildGuardPolicy(new Date(a?.expiresAt ?? '')));
    expect(w.ram.role(r.roleName)?.tags['crossrole:expires-at']).toBe(a?.expiresAt);
    // The clock of the grant started at the attempt that created the role, never later.
    expect(Date.parse(a?.expiresAt ?? '')).toBe((roleCreatedAt ?? finalAt) + r.durationSeconds * 1000);
    expect(w.queue.sentTo(QueueName.REVOKE).filter((s) => s.message.kind === 'expire')).toHaveLength(1);
    expect(w.ram.customPolicyNames().filter((n) => n.startsWith('crossrole-guard-'))).toHaveLength(preShared ? 2 : 1);
  }

  for (const [profile, preShared, calls] of [['ecs-read', false, 4], ['ops', false, 7], ['ops', true, 5]] as const) {
    it(`${profile}${preShared ? ' (shared policy exists)' : ''}: one crash before each of the ${calls} calls`, async () => {
      for (let n = 0; n < calls; n++) await crashAt([n], profile, preShared);
    });
  }

  it('ops: two crashes in a row, at every pair of points', async () => {
    for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) await crashAt([a, b], 'ops', false);
  });

  it('a crash after the last RAM call, before ACTIVATE, resumes with Get calls only where needed', async () => {
    const w = makeWorld();
    const r = await approved(w);
    w.ledger.failNext('transition', new SimulatedCrash('createRole'));
    await expect(provisionGrant(w.deps, msg(r.id))).rejects.toBeInstanceOf(SimulatedCrash);
    const before = w.ram.callCount();
    const out = await provisionGrant(w.deps, msg(r.id));
    expect(out).toMatchObject({ outcome: 'done', status: 'ACTIVE' });
    // CreateRole (ALREADY_EXISTS) + GetRole + CreatePolicy (same document: no-op) + 2 attaches (already attached: no-op).
    expect(w.ram.log.slice(before).map((c) => c.action)).toEqual(['createRole', 'getRole', 'createPolicy', 'attachPolicyToRole', 'attachPolicyToRole']);
    expect(w.ram.attachments(r.roleName)).toHaveLength(2);
  });

  it('restores the trust policy of a resumed role that drifted', async () => {
    const w = makeWorld();
    const r = await approved(w);
    w.ram.crashAfter(1);
    await expect(provisionGrant(w.deps, msg(r.id))).rejects.toBeInstanceOf(SimulatedCrash);
    w.ram.tamper(r.roleName, (role) => {
      role.trustPolicy = JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::9999999999999999:root'] } }], Version: '1' });
    });
    await provisionGrant(w.deps, msg(r.id));
    expect(trustedAccounts(w.ram.role(r.roleName)?.trustPolicy ?? '')).toEqual([PARTNER]);
    expect(w.ram.log.map((c) => c.action)).toContain('updateTrustPolicy');
  });

  it('retries transient RAM errors by throwing (the message comes back), then converges', async () => {
    const w = makeWorld();
    const r = await approved(w);
    w.ram.failNext('attachPolicyToRole', new CrossroleError('THROTTLED', 'Throttling.User'));
    await expect(provisionGrant(w.deps, msg(r.id))).rejects.toMatchObject({ code: 'THROTTLED' });
    expect((await w.ledger.get(r.id))?.status).toBe('APPROVED');
    expect((await provisionGrant(w.deps, msg(r.id))).outcome).toBe('done');
    expect(w.ram.roleNames()).toEqual([r.roleName]);
  });
});

describe('provisionGrant: refusals and limits', () => {
  it('fails without touching a same-named role that is not ours (no tag, or another request\'s)', async () => {
    const tagSets: Array<Record<string, string>> = [{}, { 'crossrole:request-id': 'someone-else', 'crossrole:managed': 'true' }];
    for (const tags of tagSets) {
      const w = makeWorld();
      const r = await approved(w, { roleName: 'shared-name' });
      const foreignTrust = JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::9999999999999999:root'] } }], Version: '1' });
      w.ram.seedRole({ name: 'Crossrole-Shared-Name', trustPolicy: foreignTrust, tags, attached: [{ type: 'System', name: 'ReadOnlyAccess' }] });
      const out = await provisionGrant(w.deps, msg(r.id));
      expect(out).toMatchObject({ outcome: 'failed', status: 'FAILED', ramCalls: 2 });
      expect(w.ram.log.map((c) => c.action)).toEqual(['createRole', 'getRole']);
      expect(w.ram.role('crossrole-shared-name')).toMatchObject({ trustPolicy: foreignTrust, attached: [{ type: 'System', name: 'ReadOnlyAccess' }] });
      expect((await w.ledger.get(r.id))?.lastError).toMatch(/already exists and belongs to/);
    }
  });

  it('a RAM quota on roles: FAILED with a clear reason, nothing created', async () => {
    const w = makeWorld();
    w.ram.quotas.roles = 0;
    const r = await approved(w);
    expect(await provisionGrant(w.deps, msg(r.id))).toMatchObject({ outcome: 'failed', status: 'FAILED' });
    expect((await w.ledger.get(r.id))?.lastError).toMatch(/RAM quota was reached/);
    expect(w.ram.roleNames()).toEqual([]);
  });

  it('a quota hit half-way rolls back everything this grant made: no half-made grant', async () => {
    const w = makeWorld();
    w.ram.quotas.customPoliciesPerRole = 1;
    const r = await approved(w, { profile: 'ops' });
    const out = await provisionGrant(w.deps, msg(r.id));
    expect(out).toMatchObject({ outcome: 'failed', status: 'FAILED' });
    expect(w.ram.roleNames()).toEqual([]);
    expect(w.ram.customPolicyNames()).toEqual([OPS_SHARED]);
    expect((await w.ledger.get(r.id))?.lastError).toMatch(/quota/);
    // After the quota is raised, an approver's retry provisions it from scratch.
    w.ram.quotas.customPoliciesPerRole = 5;
    await retryFailed(w.deps, callers.alice, r.id);
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
  });

  it('an unknown system policy is permanent: rolled back and FAILED', async () => {
    const w = makeWorld({ catalog: { profiles: [{ name: 'ecs-read', policies: [{ type: 'System', name: 'NoSuchPolicy' }], maxDuration: '8h' }] } });
    const r = await approved(w);
    expect(await provisionGrant(w.deps, msg(r.id))).toMatchObject({ outcome: 'failed' });
    expect(w.ram.roleNames()).toEqual([]);
    expect(w.ram.customPolicyNames()).toEqual([]);
  });
});

describe('provisionGrant: revoked while provisioning', () => {
  for (const mode of ['trust', 'delete'] as const) {
    it(`undoes its own work when a ${mode} revocation finished before the role existed`, async () => {
      const w = makeWorld();
      const r = await approved(w);
      const seen = await w.ledger.get(r.id);
      if (!seen) throw new Error('missing');
      await requestRevocation(w.deps, callers.alice, r.id, { mode, reason: 'no longer needed' });
      await pump(w); // revocation runs first: no role yet, nothing to do -> REVOKED
      expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
      const out = await provisionApproved(w.deps, seen); // the slow provisioner carries on
      expect(out.outcome).toBe('stale');
      if (mode === 'delete') {
        expect(w.ram.roleNames()).toEqual([]);
        expect(w.ram.customPolicyNames()).toEqual([]);
      } else {
        expect(trustedAccounts(w.ram.role(r.roleName)?.trustPolicy ?? '')).toEqual([OWNER]);
        expect(w.ram.attachments(r.roleName)).toEqual([{ type: 'Custom', name: 'crossrole-guard-00000001abcd' }]);
      }
    });
  }

  it('the second of two concurrent provisioners finds the grant ACTIVE and does nothing more', async () => {
    const w = makeWorld();
    const r = await approved(w);
    const seen = await w.ledger.get(r.id);
    if (!seen) throw new Error('missing');
    await provisionApproved(w.deps, seen);
    w.queue.clear();
    expect((await provisionApproved(w.deps, seen)).outcome).toBe('stale');
    expect(w.ram.roleNames()).toEqual([r.roleName]);
    expect(w.queue.sends).toHaveLength(0);
    expect(w.ram.attachments(r.roleName)).toHaveLength(2);
  });
});

describe('provisionGrant: approval by an auto-approve profile', () => {
  it('provisions straight from submit', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, callers.bob, { ...baseInput, profile: 'auto-read' });
    await pump(w);
    expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
  });

  it('an approver-shortened duration is what the role gets', async () => {
    const w = makeWorld();
    const r = await submitRequest(w.deps, callers.bob, baseInput);
    await approveRequest(w.deps, callers.alice, r.id, { duration: '15m' });
    await pump(w);
    expect((await w.ledger.get(r.id))?.expiresAt).toBe('2026-01-01T00:15:00.000Z');
  });
});
