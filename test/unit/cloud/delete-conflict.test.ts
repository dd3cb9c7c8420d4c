/**
 * RAM's eventual consistency after a detach (terraform-provider-alicloud retries DeleteConflict on
 * DeleteRole/DeletePolicy): the bounded retry, against the fake RAM's stale-conflict simulation,
 * and the typed error once the budget is spent.
 */
import { POLICY_DELETE_CONFLICTS, retryDeleteConflict, ROLE_DELETE_CONFLICTS } from '../../../shared/cloud/delete-conflict';
import { translateCloudError } from '../../../shared/cloud/errors';
import { CrossroleError } from '../../../shared/domain/errors';
import { FakeRam } from '../../fakes/ram';

const TRUST = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1879324520397241:root"]}}]}';
const ECS = { type: 'System' as const, name: 'AliyunECSReadOnlyAccess' };
const GUARD = { type: 'Custom' as const, name: 'crossrole-guard-abc' };

/** A clock that only moves when the retry sleeps. */
function virtualTime() {
  let now = 0;
  const sleeps: number[] = [];
  return { sleeps, options: { now: () => now, sleep: async (ms: number) => { sleeps.push(ms); now += ms; }, random: () => 0.999 } };
}

async function grantedRole(ram: FakeRam): Promise<void> {
  await ram.createRole({ name: 'crossrole-abc', trustPolicy: TRUST, maxSessionDuration: 3600, description: 'd', tags: {} });
  await ram.createPolicy(GUARD.name, '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', 'guard');
  await ram.attachPolicyToRole('crossrole-abc', ECS);
  await ram.attachPolicyToRole('crossrole-abc', GUARD);
}

describe('DeleteConflict right after the last detach', () => {
  it('the fake RAM answers DeleteConflict.Role.Policy for a moment, and the retry outlasts it', async () => {
    const ram = new FakeRam('1511928242963727');
    await grantedRole(ram);
    ram.lagAfterDetach(3);
    await ram.detachPolicyFromRole('crossrole-abc', ECS);
    await ram.detachPolicyFromRole('crossrole-abc', GUARD);
    // Without the retry, the first answer is the conflict, with the code the adapter would carry.
    await expect(ram.deleteRole('crossrole-abc')).rejects.toMatchObject({ code: 'DELETE_CONFLICT', details: { cloudCode: 'DeleteConflict.Role.Policy' } });
    const t = virtualTime();
    const retried: string[] = [];
    await retryDeleteConflict(() => ram.deleteRole('crossrole-abc'), ROLE_DELETE_CONFLICTS, t.options, (code) => retried.push(code));
    expect(retried).toEqual(['DeleteConflict.Role.Policy', 'DeleteConflict.Role.Policy']);
    expect(ram.roleNames()).toEqual([]);
    // The policy's stale attachment is retried the same way.
    await retryDeleteConflict(() => ram.deletePolicy(GUARD.name), POLICY_DELETE_CONFLICTS, t.options);
    expect(ram.customPolicyNames()).toEqual([]);
    expect(ram.log.filter((c) => c.action === 'deletePolicy')).toHaveLength(4);
  });

  it('gives up within ~5 s and reports the typed error with the cloud code', async () => {
    const ram = new FakeRam('1511928242963727');
    await grantedRole(ram);
    await ram.detachPolicyFromRole('crossrole-abc', ECS);
    // GUARD stays attached: a real conflict, which no amount of waiting resolves.
    const t = virtualTime();
    const err = await retryDeleteConflict(() => ram.deleteRole('crossrole-abc'), ROLE_DELETE_CONFLICTS, t.options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrossroleError);
    expect(err).toMatchObject({ code: 'DELETE_CONFLICT', details: { cloudCode: 'DeleteConflict.Role.Policy' } });
    const waited = t.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(5000);
    expect(waited).toBeGreaterThan(2000);
    expect(ram.roleNames()).toEqual(['crossrole-abc']);
  });

  it('does not retry other failures, nor a conflict outside the given codes', async () => {
    const t = virtualTime();
    let calls = 0;
    const versions = translateCloudError(Object.assign(new Error('x'), { code: 'DeleteConflict.Policy.Version', statusCode: 409 }), { service: 'RAM', action: 'DeletePolicy' });
    expect(versions.code).toBe('DELETE_CONFLICT');
    await expect(retryDeleteConflict(async () => { calls++; throw versions; }, POLICY_DELETE_CONFLICTS, t.options)).rejects.toBe(versions);
    const denied = translateCloudError(Object.assign(new Error('x'), { code: 'NoPermission', statusCode: 403 }), { service: 'RAM', action: 'DeleteRole' });
    await expect(retryDeleteConflict(async () => { calls++; throw denied; }, ROLE_DELETE_CONFLICTS, t.options)).rejects.toBe(denied);
    expect(calls).toBe(2);
    expect(t.sleeps).toEqual([]);
  });
});
