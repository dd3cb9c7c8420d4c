/**
 * RAM authorization as RAM does it, through the real @alicloud/ram20150501 and sts20150401
 * clients: the resources of each action's authorization table (local/ram/authorization.ts),
 * `*` for the tag APIs, both the target and the policy for Attach/Detach, both sides of
 * AssumeRole, and the DeleteRole eventual-consistency fault. Negative cases assert RAM's
 * NoPermission (403).
 */
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { ACCOUNT_A, expectCloudError, ramClient, startTestServer, stsClient, type Creds, type LocalServer } from '../helpers/local-server';

const ROLE = 'crossrole-target';
const trustAccountA = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT_A}:root`] } }] });
const readEcs = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }] });
const roleArn = (name: string): string => `acs:ram:*:${ACCOUNT_A}:role/${name}`;
const customArn = (name: string): string => `acs:ram:*:${ACCOUNT_A}:policy/${name}`;
const systemArn = (name: string): string => `acs:ram:*:system:policy/${name}`;

type Statement = { Action: string | string[]; Resource: string | string[]; Effect?: 'Allow' | 'Deny' };

describe('RAM authorization tables (SDK)', () => {
  let server: LocalServer;
  let admin: R.default;
  let users = 0;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    await server.reset();
    admin = ramClient(server, server.ram.createAccount(ACCOUNT_A, 'A').rootAccessKey);
    server.ram.createRole(ACCOUNT_A, { roleName: ROLE, assumeRolePolicyDocument: trustAccountA });
    server.ram.createPolicy(ACCOUNT_A, { policyName: 'crossrole-profile', policyDocument: readEcs });
    server.ram.createPolicy(ACCOUNT_A, { policyName: 'other-profile', policyDocument: readEcs });
  });

  /** A RAM user of A whose only policy is these statements. */
  function userWith(...statements: Statement[]): { creds: Creds; ram: R.default } {
    const name = `u${++users}`;
    server.ram.createUser(ACCOUNT_A, name);
    server.ram.createPolicy(ACCOUNT_A, { policyName: `${name}-policy`, policyDocument: { Version: '1', Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) } });
    server.ram.attachPolicyToUser(ACCOUNT_A, 'Custom', `${name}-policy`, name);
    const k = server.ram.createAccessKey(ACCOUNT_A, name);
    const creds = { accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret };
    return { creds, ram: ramClient(server, creds) };
  }

  const attach = (c: R.default, policyType: string, policyName: string, roleName = ROLE) =>
    c.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType, policyName, roleName }));
  const detach = (c: R.default, policyType: string, policyName: string, roleName = ROLE) =>
    c.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType, policyName, roleName }));

  describe('tag APIs are authorized on the literal resource "*" only', () => {
    it('ListTagResources: refused with Resource acs:ram:*:<uid>:role/*, allowed with "*"', async () => {
      const narrow = userWith({ Action: 'ram:ListTagResources', Resource: roleArn('*') });
      await expectCloudError(narrow.ram.listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role' })), 'NoPermission', 403);
      // Naming the very role does not help either: the action has no resource-level permission.
      await expectCloudError(narrow.ram.listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role', resourceNames: [ROLE] })), 'NoPermission', 403);
      const wide = userWith({ Action: 'ram:ListTagResources', Resource: '*' });
      const r = await wide.ram.listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role', resourceNames: [ROLE] }));
      expect(r.body!.tagResources).toEqual([]);
    });

    it('TagResources and UntagResources: refused with role/*, allowed with "*"', async () => {
      const tag = [new R.TagResourcesRequestTag({ key: 'crossrole:managed', value: 'true' })];
      const narrow = userWith({ Action: ['ram:TagResources', 'ram:UntagResources'], Resource: roleArn('crossrole-*') });
      await expectCloudError(narrow.ram.tagResources(new R.TagResourcesRequest({ resourceType: 'role', resourceNames: [ROLE], tag })), 'NoPermission', 403);
      await expectCloudError(narrow.ram.untagResources(new R.UntagResourcesRequest({ resourceType: 'role', resourceNames: [ROLE], all: true })), 'NoPermission', 403);
      const wide = userWith({ Action: ['ram:TagResources', 'ram:UntagResources'], Resource: '*' });
      await wide.ram.tagResources(new R.TagResourcesRequest({ resourceType: 'role', resourceNames: [ROLE], tag }));
      expect(server.ram.getRole(ACCOUNT_A, ROLE).tags).toEqual([{ key: 'crossrole:managed', value: 'true' }]);
      await wide.ram.untagResources(new R.UntagResourcesRequest({ resourceType: 'role', resourceNames: [ROLE], all: true }));
      expect(server.ram.getRole(ACCOUNT_A, ROLE).tags).toEqual([]);
    });
  });

  it('ListRoles is authorized on role/* (its table), so a policy naming one role does not allow it', async () => {
    const one = userWith({ Action: 'ram:ListRoles', Resource: roleArn(ROLE) });
    await expectCloudError(one.ram.listRoles(new R.ListRolesRequest({})), 'NoPermission', 403);
    const all = userWith({ Action: 'ram:ListRoles', Resource: roleArn('*') });
    expect((await all.ram.listRoles(new R.ListRolesRequest({}))).body!.roles?.role?.map((r) => r.roleName)).toEqual([ROLE]);
  });

  describe('AttachPolicyToRole / DetachPolicyFromRole check the role AND the policy', () => {
    it('System policy: refused unless acs:ram:*:system:policy/<name> is allowed too', async () => {
      const roleOnly = userWith({ Action: ['ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'], Resource: roleArn('crossrole-*') });
      await expectCloudError(attach(roleOnly.ram, 'System', 'AdministratorAccess'), 'NoPermission', 403);
      expect(server.ram.listPoliciesForRole(ACCOUNT_A, ROLE)).toEqual([]);
      // The account's own policy namespace is not the system one.
      const wrongNamespace = userWith({ Action: 'ram:AttachPolicyToRole', Resource: [roleArn('crossrole-*'), customArn('AdministratorAccess')] });
      await expectCloudError(attach(wrongNamespace.ram, 'System', 'AdministratorAccess'), 'NoPermission', 403);
      // The policy alone is not enough either.
      const policyOnly = userWith({ Action: 'ram:AttachPolicyToRole', Resource: systemArn('AdministratorAccess') });
      await expectCloudError(attach(policyOnly.ram, 'System', 'AdministratorAccess'), 'NoPermission', 403);

      const both = userWith({ Action: ['ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'], Resource: [roleArn('crossrole-*'), systemArn('AliyunECSReadOnlyAccess')] });
      await expectCloudError(attach(both.ram, 'System', 'AdministratorAccess'), 'NoPermission', 403);
      await attach(both.ram, 'System', 'AliyunECSReadOnlyAccess');
      expect(server.ram.listPoliciesForRole(ACCOUNT_A, ROLE).map((p) => `${p.policyType}:${p.policyName}`)).toEqual(['System:AliyunECSReadOnlyAccess']);

      await expectCloudError(detach(roleOnly.ram, 'System', 'AliyunECSReadOnlyAccess'), 'NoPermission', 403);
      await detach(both.ram, 'System', 'AliyunECSReadOnlyAccess');
      expect(server.ram.listPoliciesForRole(ACCOUNT_A, ROLE)).toEqual([]);
    });

    it('Custom policy: refused unless acs:ram:*:<uid>:policy/<name> is allowed too', async () => {
      const roleOnly = userWith({ Action: ['ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'], Resource: roleArn('crossrole-*') });
      await expectCloudError(attach(roleOnly.ram, 'Custom', 'crossrole-profile'), 'NoPermission', 403);
      // A system-namespace grant does not cover a custom policy of the same name.
      const systemNamespace = userWith({ Action: 'ram:AttachPolicyToRole', Resource: [roleArn('crossrole-*'), systemArn('crossrole-profile')] });
      await expectCloudError(attach(systemNamespace.ram, 'Custom', 'crossrole-profile'), 'NoPermission', 403);

      const both = userWith({ Action: ['ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'], Resource: [roleArn('crossrole-*'), customArn('crossrole-*')] });
      await expectCloudError(attach(both.ram, 'Custom', 'other-profile'), 'NoPermission', 403);
      await attach(both.ram, 'Custom', 'crossrole-profile');
      expect(server.ram.listPoliciesForRole(ACCOUNT_A, ROLE).map((p) => p.policyName)).toEqual(['crossrole-profile']);

      await expectCloudError(detach(roleOnly.ram, 'Custom', 'crossrole-profile'), 'NoPermission', 403);
      await detach(both.ram, 'Custom', 'crossrole-profile');
      expect(server.ram.listPoliciesForRole(ACCOUNT_A, ROLE)).toEqual([]);
    });

    it('an explicit Deny on the policy wins over an Allow on the role', async () => {
      server.ram.createUser(ACCOUNT_A, 'denied');
      server.ram.createPolicy(ACCOUNT_A, {
        policyName: 'denied-policy',
        policyDocument: {
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: 'ram:AttachPolicyToRole', Resource: '*' },
            { Effect: 'Deny', Action: 'ram:AttachPolicyToRole', Resource: systemArn('AdministratorAccess') },
          ],
        },
      });
      server.ram.attachPolicyToUser(ACCOUNT_A, 'Custom', 'denied-policy', 'denied');
      const k = server.ram.createAccessKey(ACCOUNT_A, 'denied');
      const c = ramClient(server, { accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret });
      await expectCloudError(attach(c, 'System', 'AdministratorAccess'), 'NoPermission', 403);
      await attach(c, 'System', 'AliyunECSReadOnlyAccess');
    });
  });

  it('AttachPolicyToUser and AddUserToGroup check both the user/group and the policy/user', async () => {
    server.ram.createUser(ACCOUNT_A, 'target');
    server.ram.createGroup(ACCOUNT_A, 'team');
    const targetOnly = userWith({ Action: ['ram:AttachPolicyToUser', 'ram:AddUserToGroup'], Resource: [`acs:ram:*:${ACCOUNT_A}:user/target`] });
    await expectCloudError(targetOnly.ram.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'ReadOnlyAccess', userName: 'target' })), 'NoPermission', 403);
    await expectCloudError(targetOnly.ram.addUserToGroup(new R.AddUserToGroupRequest({ groupName: 'team', userName: 'target' })), 'NoPermission', 403);
    const both = userWith(
      { Action: 'ram:AttachPolicyToUser', Resource: [`acs:ram:*:${ACCOUNT_A}:user/target`, systemArn('ReadOnlyAccess')] },
      { Action: 'ram:AddUserToGroup', Resource: [`acs:ram:*:${ACCOUNT_A}:user/target`, `acs:ram:*:${ACCOUNT_A}:group/team`] },
    );
    await both.ram.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'ReadOnlyAccess', userName: 'target' }));
    await both.ram.addUserToGroup(new R.AddUserToGroupRequest({ groupName: 'team', userName: 'target' }));
    expect(server.ram.listGroupsForUser(ACCOUNT_A, 'target').map((g) => g.group.groupName)).toEqual(['team']);
  });

  it('CreateUser is authorized on user/* literally (its table), not on the new user', async () => {
    const named = userWith({ Action: 'ram:CreateUser', Resource: `acs:ram:*:${ACCOUNT_A}:user/newbie` });
    await expectCloudError(named.ram.createUser(new R.CreateUserRequest({ userName: 'newbie' })), 'NoPermission', 403);
    const any = userWith({ Action: 'ram:CreateUser', Resource: `acs:ram:*:${ACCOUNT_A}:user/*` });
    await any.ram.createUser(new R.CreateUserRequest({ userName: 'newbie' }));
  });

  describe('sts:AssumeRole needs the caller\'s permission AND the trust policy, in one account too', () => {
    const assume = (creds: Creds) => stsClient(server, creds).assumeRole(new S.AssumeRoleRequest({ roleArn: `acs:ram::${ACCOUNT_A}:role/${ROLE}`, roleSessionName: 'same-account' }));

    it('trusted (the account root is trusted) but without sts:AssumeRole: refused', async () => {
      const noPermission = userWith({ Action: 'ram:GetRole', Resource: '*' });
      await expectCloudError(assume(noPermission.creds), 'NoPermission', 403);
    });

    it('sts:AssumeRole on another role only: refused; on this role: allowed', async () => {
      const other = userWith({ Action: 'sts:AssumeRole', Resource: `acs:ram:*:${ACCOUNT_A}:role/some-other-role` });
      await expectCloudError(assume(other.creds), 'NoPermission', 403);
      const mine = userWith({ Action: 'sts:AssumeRole', Resource: `acs:ram:*:${ACCOUNT_A}:role/${ROLE}` });
      const r = await assume(mine.creds);
      expect(r.body!.credentials?.accessKeyId).toMatch(/^STS\./);
    });

    it('permitted but not trusted: refused', async () => {
      server.ram.updateRole(ACCOUNT_A, ROLE, {
        newAssumeRolePolicyDocument: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT_A}:user/somebody-else`] } }] },
      });
      const permitted = userWith({ Action: 'sts:AssumeRole', Resource: '*' });
      await expectCloudError(assume(permitted.creds), 'NoPermission', 403);
    });
  });

  describe('fault: DeleteRole right after the last detach (RAM eventual consistency)', () => {
    it('answers DeleteConflict.Role.Policy (409) within deleteConflictAfterDetachMs, then succeeds', async () => {
      server.ram.attachPolicyToRole(ACCOUNT_A, 'System', 'AliyunECSReadOnlyAccess', ROLE);
      server.faults.set({ deleteConflictAfterDetachMs: 400 });
      await detach(admin, 'System', 'AliyunECSReadOnlyAccess');
      const e = await expectCloudError(admin.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE })), 'DeleteConflict.Role.Policy', 409);
      expect(e.message).toContain('The role cannot have any attached policies when you delete it.');
      expect(server.ram.findRole(ACCOUNT_A, ROLE)).toBeDefined();
      await new Promise((r) => setTimeout(r, 450));
      await admin.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE }));
      expect(server.ram.findRole(ACCOUNT_A, ROLE)).toBeUndefined();
    });

    it('only the LAST detach opens the window, and only when the fault is set', async () => {
      server.ram.attachPolicyToRole(ACCOUNT_A, 'System', 'AliyunECSReadOnlyAccess', ROLE);
      server.ram.attachPolicyToRole(ACCOUNT_A, 'Custom', 'crossrole-profile', ROLE);
      server.faults.set({ deleteConflictAfterDetachMs: 60_000 });
      await detach(admin, 'System', 'AliyunECSReadOnlyAccess');
      // One policy left: the real conflict, not the injected one.
      await expectCloudError(admin.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE })), 'DeleteConflict.Role.Policy', 409);
      await detach(admin, 'Custom', 'crossrole-profile');
      await expectCloudError(admin.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE })), 'DeleteConflict.Role.Policy', 409);
      server.faults.set({});
      await admin.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE }));
    });

    it('a role that never had a policy deletes at once, fault or not', async () => {
      server.faults.set({ deleteConflictAfterDetachMs: 60_000 });
      await admin.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE }));
      await expectCloudError(admin.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE })), 'EntityNotExist.Role', 404);
    });
  });
});
