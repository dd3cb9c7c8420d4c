/**
 * reference/cross-account-tutorial.txt, step by step, through the use cases: Company B asks,
 * Company A approves, the role exists exactly as the tutorial's step 1 makes it, Bob may assume
 * it only once his admin applies the partner policy (step 2) and only with the ExternalId (step 3),
 * and revocation (trust policy edit, the recommended method) ends both new and existing sessions.
 * "Can Bob …" is decided by the local cloud's own RAM engine (local/access/policy) over what the fake RAM holds.
 */
import { findSystemPolicy } from '../../../local/ram/system-policies';
import { decide, decideTrust, parsePolicy, type Policy } from '../../../local/access/policy';
import { approveRequest, getRequest, listRequests, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, makeWorld, OWNER, pump } from '../../fakes';
import type { World } from '../../fakes';

function canAssume(w: World, roleName: string, who: typeof callers.bob, externalId: string | undefined, bobPolicies: Policy[]): boolean {
  const role = w.ram.role(roleName);
  if (!role) return false;
  const trust = parsePolicy(role.trustPolicy, 'trust');
  const trusted = decideTrust(trust, { roleArn: role.arn, caller: { arn: who.arn }, context: { 'sts:ExternalId': externalId } }) === 'Allow';
  const permitted = decide(bobPolicies, { action: 'sts:AssumeRole', resource: role.arn, context: {} }) === 'Allow';
  return trusted && permitted;
}

/** What a session of the role may do now: the role's current policies (evaluated per request). */
function sessionMay(w: World, roleName: string, action: string): boolean {
  const docs = w.ram.attachments(roleName).map((p) => {
    const text = p.type === 'System' ? findSystemPolicy(p.name)?.policyDocument : w.ram.policy(p.name)?.document;
    return parsePolicy(text ?? '{}', 'identity');
  });
  return decide(docs, { action, resource: '*', context: { 'acs:CurrentTime': w.clock.now().toISOString() } }) === 'Allow';
}

describe('the cross-account tutorial, automated', () => {
  it('request, approve, provision, assume, expire-guard, revoke', async () => {
    const w = makeWorld();

    // Company B asks for read-only ECS access for Bob, under the tutorial's role name.
    const asked = await submitRequest(w.deps, callers.partnerAdmin, {
      profile: 'ecs-read', duration: '8h', reason: 'Company B manages our ECS fleet', roleName: 'Partner-ReadOnly-Access', principals: ['user/bob'],
    });
    expect(asked.status).toBe('PENDING');

    // Company A's approver sees it in the queue and approves.
    expect((await listRequests(w.deps, callers.alice)).items.map((r) => r.id)).toEqual([asked.id]);
    await approveRequest(w.deps, callers.alice, asked.id);

    // Step 1: the role trusts Company B (only Bob), with exactly the read-only policy (plus the guard).
    await pump(w);
    const { request } = await getRequest(w.deps, callers.partnerAdmin, asked.id);
    expect(request.status).toBe('ACTIVE');
    const grant = request.grant;
    if (!grant) throw new Error('no grant details');
    expect(grant.roleArn).toBe(`acs:ram::${OWNER}:role/crossrole-partner-readonly-access`);
    expect(w.ram.attachments(grant.roleName).map((p) => p.name)).toEqual([grant.guardPolicyName, 'AliyunECSReadOnlyAccess']);

    // Step 2: Bob starts without sts:AssumeRole; his admin applies the returned partner policy.
    const partnerPolicy = parsePolicy(grant.partnerPolicy, 'identity');
    expect(canAssume(w, grant.roleName, callers.bob, grant.externalId, [])).toBe(false);
    expect(canAssume(w, grant.roleName, callers.bob, grant.externalId, [partnerPolicy])).toBe(true);
    // Step 3 needs the per-grant ExternalId; other identities of B are not trusted.
    expect(canAssume(w, grant.roleName, callers.bob, undefined, [partnerPolicy])).toBe(false);
    expect(canAssume(w, grant.roleName, callers.bob, 'guess', [partnerPolicy])).toBe(false);
    expect(canAssume(w, grant.roleName, callers.partnerAdmin, grant.externalId, [partnerPolicy])).toBe(false);
    expect(grant.switchRole).toMatchObject({ accountId: OWNER, roleName: 'crossrole-partner-readonly-access' });

    // With the role, Bob reads ECS and nothing else.
    expect(sessionMay(w, grant.roleName, 'ecs:DescribeInstances')).toBe(true);
    expect(sessionMay(w, grant.roleName, 'ecs:DeleteInstance')).toBe(false);

    // The guard alone ends access at expiresAt, even if every timer failed.
    const now = w.clock.now();
    w.clock.set(new Date(Date.parse(request.expiresAt ?? '') + 1000));
    expect(sessionMay(w, grant.roleName, 'ecs:DescribeInstances')).toBe(false);
    w.clock.set(now);

    // Revocation, the tutorial's recommended way: edit the trust policy; Crossrole also detaches.
    await requestRevocation(w.deps, callers.partnerAdmin, asked.id, { reason: 'engagement over' });
    await pump(w);
    expect((await getRequest(w.deps, callers.alice, asked.id)).request.status).toBe('REVOKED');
    expect(canAssume(w, grant.roleName, callers.bob, grant.externalId, [partnerPolicy])).toBe(false);
    expect(sessionMay(w, grant.roleName, 'ecs:DescribeInstances')).toBe(false);

    const { history } = await getRequest(w.deps, callers.partnerAdmin, asked.id);
    expect(history.map((e) => `${e.action}:${e.toStatus}`)).toEqual([
      'CREATE:PENDING', 'APPROVE:APPROVED', 'ACTIVATE:ACTIVE', 'START_REVOKE:REVOKING', 'FINISH_REVOKE:REVOKED',
    ]);
  });
});
