/**
 * Parity, scenario 1 — the tutorial's RAM/STS steps (reference/cross-account-tutorial.txt):
 * A creates a role trusting B's account with an ExternalId condition; B's user without
 * sts:AssumeRole is refused; B's admin grants it; AssumeRole without the ExternalId is refused,
 * with it allowed; the session's identity is the assumed role.
 */
import * as R from '@alicloud/ram20150501';
import { ramClient, stsClient, type Creds } from './clients';
import { accountRoot, assumeAsPartnerUser, attachToRole, createOwnerRole, grantAssumeRole, readOwnerEcs, sessionCreds, trustPolicy, useTarget, type CreatedRole } from './fixtures';
import { eventually, expectPopError, resourceName } from './support';

describe('parity: the tutorial, step by step', () => {
  const { target, cleanup } = useTarget();
  let role: CreatedRole;
  let externalId: string;
  let session: Creds;

  it('step 1: A creates a role trusting B with an ExternalId; its ARN is acs:ram::<A>:role/<name>', async () => {
    const t = target();
    externalId = resourceName(t, 'ext');
    role = await createOwnerRole(t, cleanup, 'tutorial', trustPolicy([accountRoot(t.partner.accountId)], externalId));
    expect(role.roleArn).toBe(`acs:ram::${t.owner.accountId}:role/${role.roleName}`);
    await attachToRole(t, role.roleName, 'System', 'AliyunECSReadOnlyAccess');
    // Read back as RAM stores it (a one-element list may come back as a scalar): B trusted, ExternalId required.
    const got = await ramClient(t, t.owner.admin).getRole(new R.GetRoleRequest({ roleName: role.roleName }));
    const doc = JSON.parse(got.body?.role?.assumeRolePolicyDocument ?? '{}') as { Statement: Array<{ Effect: string; Action: unknown; Principal: { RAM: unknown }; Condition: { StringEquals: Record<string, unknown> } }> };
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0]?.Effect).toBe('Allow');
    expect(list(doc.Statement[0]?.Action)).toEqual(['sts:AssumeRole']);
    expect(list(doc.Statement[0]?.Principal.RAM)).toEqual([accountRoot(t.partner.accountId)]);
    expect(list(doc.Statement[0]?.Condition.StringEquals['sts:ExternalId'])).toEqual([externalId]);
  });

  it("B's user without sts:AssumeRole is refused: NoPermission (403)", async () => {
    const t = target();
    // Right after CreateRole real STS may not know the role yet; the refusal must settle on NoPermission.
    await eventually(() => expectPopError(assumeAsPartnerUser(t, role.roleArn, 'bob', externalId), 'NoPermission', 403), { timeoutMs: t.settleMs, intervalMs: 2000 });
  });

  it("step 2: B's admin grants sts:AssumeRole on this role; with the ExternalId B's user may assume it", async () => {
    const t = target();
    await grantAssumeRole(t, cleanup, role.roleName, 'tutorial-assume');
    const r = await eventually(() => assumeAsPartnerUser(t, role.roleArn, 'bob', externalId), { timeoutMs: t.settleMs, intervalMs: 2000 });
    expect(r.body?.credentials?.accessKeyId).toMatch(/^STS\./);
    expect(r.body?.credentials?.securityToken).toBeTruthy();
    // AssumedRoleUser.Arn is `<role ARN>/<session>` (@alicloud/sts20150401 AssumeRoleResponseBody doc example).
    expect(r.body?.assumedRoleUser?.arn).toBe(`${role.roleArn}/bob`);
    session = sessionCreds(r);
  });

  it('AssumeRole without the ExternalId, or with another one, is NoPermission (403)', async () => {
    const t = target();
    await expectPopError(assumeAsPartnerUser(t, role.roleArn, 'bob'), 'NoPermission', 403);
    await expectPopError(assumeAsPartnerUser(t, role.roleArn, 'bob', `${externalId}-other`), 'NoPermission', 403);
  });

  it("GetCallerIdentity: the session is the assumed role in A; B's user is a RAM user of B", async () => {
    const t = target();
    const me = await stsClient(t, session).getCallerIdentity();
    expect(me.body).toMatchObject({
      identityType: 'AssumedRoleUser',
      accountId: t.owner.accountId,
      roleId: role.roleId,
      arn: `acs:ram::${t.owner.accountId}:assumed-role/${role.roleName}/bob`,
    });
    const user = await stsClient(t, t.partner.user.creds).getCallerIdentity();
    expect(user.body).toMatchObject({ identityType: 'RAMUser', accountId: t.partner.accountId, arn: `acs:ram::${t.partner.accountId}:user/${t.partner.user.name}` });
  });

  it("step 3: the session reads A's ECS and nothing else (RAM: NoPermission 403)", async () => {
    const t = target();
    const listed = await eventually(() => readOwnerEcs(t, session), { timeoutMs: t.settleMs, intervalMs: 2000 });
    expect(listed.body?.totalCount).toEqual(expect.any(Number));
    await expectPopError(ramClient(t, session).listRoles(new R.ListRolesRequest({})), 'NoPermission', 403);
  });
});
