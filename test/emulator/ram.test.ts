/**
 * RAM through the real @alicloud/ram20150501 client (ACS3 and legacy HMAC-SHA1): roles,
 * policies, versions, tags, users and groups, with the real error codes and statuses.
 */
import * as R from '@alicloud/ram20150501';
import { ACCOUNT_A, ACCOUNT_B, expectCloudError, ramClient, startTestServer, type Creds, type LocalServer } from '../helpers/local-server';

const trustB = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT_B}:root`] } }] });
const readEcs = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }] });

describe('RAM (SDK)', () => {
  let server: LocalServer;
  let admin: Creds;
  let ram: R.default;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    await server.reset();
    admin = server.ram.createAccount(ACCOUNT_A, 'A').rootAccessKey;
    server.ram.createAccount(ACCOUNT_B, 'B');
    ram = ramClient(server, admin);
  });

  const createRole = (name: string, extra: Partial<R.CreateRoleRequest> = {}) =>
    ram.createRole(new R.CreateRoleRequest({ roleName: name, assumeRolePolicyDocument: trustB, ...extra }));

  it('CreateRole returns the role in RAM format; GetRole and ARN are case-insensitive on the name', async () => {
    const r = await createRole('Partner-ReadOnly-Access', { description: 'for B', maxSessionDuration: 7200 });
    const role = r.body!.role;
    expect(r.statusCode).toBe(200);
    expect(r.body!.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(role?.arn).toBe(`acs:ram::${ACCOUNT_A}:role/partner-readonly-access`);
    expect(role?.roleId).toMatch(/^\d{18}$/);
    expect(role?.maxSessionDuration).toBe(7200);
    expect(role?.createDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const g = await ram.getRole(new R.GetRoleRequest({ roleName: 'PARTNER-readonly-access' }));
    expect(g.body!.role).toMatchObject({ roleName: 'Partner-ReadOnly-Access', assumeRolePolicyDocument: trustB, description: 'for B' });
    await expectCloudError(createRole('partner-readonly-ACCESS'), 'EntityAlreadyExists.Role', 409);
  });

  it('validates role names, MaxSessionDuration and policy grammar like RAM', async () => {
    await expectCloudError(createRole('bad_name'), 'InvalidParameter.RoleName.InvalidChars', 400);
    await expectCloudError(createRole('x'.repeat(65)), 'InvalidParameter.RoleName.Length', 400);
    await expectCloudError(createRole('ok', { maxSessionDuration: 3599 }), 'InvalidParameter.MaxSessionDuration', 400);
    await expectCloudError(createRole('ok', { maxSessionDuration: 43201 }), 'InvalidParameter.MaxSessionDuration', 400);
    await expectCloudError(createRole('ok', { assumeRolePolicyDocument: '{"Version":"1"' }), 'MalformedPolicyDocument', 400);
    await expectCloudError(ram.getRole(new R.GetRoleRequest({})), 'MissingRoleName', 400);
    await expectCloudError(ram.getRole(new R.GetRoleRequest({ roleName: 'nope' })), 'EntityNotExist.Role', 404);
  });

  it('UpdateRole changes the trust policy and max session duration', async () => {
    await createRole('r1');
    const trustNone = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] });
    const u = await ram.updateRole(new R.UpdateRoleRequest({ roleName: 'r1', newAssumeRolePolicyDocument: trustNone, newMaxSessionDuration: 43200 }));
    expect(u.body!.role).toMatchObject({ assumeRolePolicyDocument: trustNone, maxSessionDuration: 43200 });
    await expectCloudError(ram.updateRole(new R.UpdateRoleRequest({ roleName: 'r1', newMaxSessionDuration: 100 })), 'InvalidParameter.NewMaxSessionDuration', 400);
    await expectCloudError(ram.updateRole(new R.UpdateRoleRequest({ roleName: 'gone', newMaxSessionDuration: 3600 })), 'EntityNotExist.Role', 404);
  });

  it('ListRoles pages with MaxItems/Marker and filters by Tag; lists are arrays for 0 and 1 items', async () => {
    const empty = await ram.listRoles(new R.ListRolesRequest({}));
    expect(empty.body!.roles?.role).toEqual([]);
    expect(empty.body!.isTruncated).toBe(false);
    for (const n of ['role-a', 'role-b', 'role-c']) {
      await createRole(n, { tag: [new R.CreateRoleRequestTag({ key: 'crossrole:managed', value: n === 'role-b' ? 'false' : 'true' })] });
    }
    const p1 = await ram.listRoles(new R.ListRolesRequest({ maxItems: 2 }));
    expect(p1.body!.roles?.role?.map((r) => r.roleName)).toEqual(['role-a', 'role-b']);
    expect(p1.body!.isTruncated).toBe(true);
    expect(p1.body!.roles?.role?.[0]?.tags?.tag).toEqual([expect.objectContaining({ tagKey: 'crossrole:managed', tagValue: 'true' })]);
    const p2 = await ram.listRoles(new R.ListRolesRequest({ maxItems: 2, marker: p1.body!.marker }));
    expect(p2.body!.roles?.role?.map((r) => r.roleName)).toEqual(['role-c']);
    expect(p2.body!.isTruncated).toBe(false);
    expect(p2.body!.marker).toBeUndefined();
    const tagged = await ram.listRoles(new R.ListRolesRequest({ tag: [new R.ListRolesRequestTag({ key: 'crossrole:managed', value: 'true' })] }));
    expect(tagged.body!.roles?.role?.map((r) => r.roleName)).toEqual(['role-a', 'role-c']);
  });

  it('attaches, lists and detaches policies; DeleteRole is refused while any is attached', async () => {
    await createRole('r2');
    await ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: 'r2' }));
    await expectCloudError(
      ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: 'r2' })),
      'EntityAlreadyExists.Role.Policy',
      409,
    );
    await expectCloudError(ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'NoSuchPolicy', roleName: 'r2' })), 'EntityNotExist.Policy', 404);
    await expectCloudError(ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'Weird', policyName: 'AliyunECSReadOnlyAccess', roleName: 'r2' })), 'InvalidParameter.PolicyType', 400);
    const listed = await ram.listPoliciesForRole(new R.ListPoliciesForRoleRequest({ roleName: 'r2' }));
    expect(listed.body!.policies?.policy).toEqual([expect.objectContaining({ policyName: 'AliyunECSReadOnlyAccess', policyType: 'System', defaultVersion: 'v1' })]);
    await expectCloudError(ram.deleteRole(new R.DeleteRoleRequest({ roleName: 'r2' })), 'DeleteConflict.Role.Policy', 409);
    await ram.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: 'r2' }));
    await expectCloudError(
      ram.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: 'r2' })),
      'EntityNotExist.Role.Policy',
      404,
    );
    expect((await ram.listPoliciesForRole(new R.ListPoliciesForRoleRequest({ roleName: 'r2' }))).body!.policies?.policy).toEqual([]);
    await ram.deleteRole(new R.DeleteRoleRequest({ roleName: 'r2' }));
    await expectCloudError(ram.getRole(new R.GetRoleRequest({ roleName: 'r2' })), 'EntityNotExist.Role', 404);
  });

  it('custom policies: create, get, versions, delete refused while attached or versioned', async () => {
    const c = await ram.createPolicy(new R.CreatePolicyRequest({ policyName: 'crossrole-guard-1', policyDocument: readEcs, description: 'guard' }));
    expect(c.body!.policy).toMatchObject({ policyName: 'crossrole-guard-1', policyType: 'Custom', defaultVersion: 'v1' });
    await expectCloudError(ram.createPolicy(new R.CreatePolicyRequest({ policyName: 'crossrole-guard-1', policyDocument: readEcs })), 'EntityAlreadyExists.Policy', 409);
    await expectCloudError(ram.createPolicy(new R.CreatePolicyRequest({ policyName: 'bad', policyDocument: '{"Version":"1","Statement":[]}' })), 'MalformedPolicyDocument', 400);
    await expectCloudError(ram.createPolicy(new R.CreatePolicyRequest({ policyName: 'bad_name', policyDocument: readEcs })), 'InvalidParameter.PolicyName.InvalidChars', 400);
    const g = await ram.getPolicy(new R.GetPolicyRequest({ policyName: 'crossrole-guard-1', policyType: 'Custom' }));
    expect(g.body!.defaultPolicyVersion).toMatchObject({ versionId: 'v1', isDefaultVersion: true, policyDocument: readEcs });
    const sys = await ram.getPolicy(new R.GetPolicyRequest({ policyName: 'AliyunSTSAssumeRoleAccess', policyType: 'System' }));
    expect(JSON.parse(sys.body!.defaultPolicyVersion?.policyDocument ?? '{}')).toEqual({ Version: '1', Statement: [{ Action: 'sts:AssumeRole', Resource: '*', Effect: 'Allow' }] });
    await expectCloudError(ram.getPolicy(new R.GetPolicyRequest({ policyName: 'nope', policyType: 'Custom' })), 'EntityNotExist.Policy', 404);

    const doc2 = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeInstances', Resource: '*' }] });
    const v2 = await ram.createPolicyVersion(new R.CreatePolicyVersionRequest({ policyName: 'crossrole-guard-1', policyDocument: doc2, setAsDefault: true }));
    expect(v2.body!.policyVersion).toMatchObject({ versionId: 'v2', isDefaultVersion: true });
    const versions = await ram.listPolicyVersions(new R.ListPolicyVersionsRequest({ policyName: 'crossrole-guard-1', policyType: 'Custom' }));
    expect(versions.body!.policyVersions?.policyVersion?.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([['v1', false], ['v2', true]]);

    await createRole('r3');
    await ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'crossrole-guard-1', roleName: 'r3' }));
    expect((await ram.getPolicy(new R.GetPolicyRequest({ policyName: 'crossrole-guard-1', policyType: 'Custom' }))).body!.policy?.attachmentCount).toBe(1);
    await expectCloudError(ram.deletePolicy(new R.DeletePolicyRequest({ policyName: 'crossrole-guard-1' })), 'DeleteConflict.Policy.Role', 409);
    await ram.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'Custom', policyName: 'crossrole-guard-1', roleName: 'r3' }));
    await expectCloudError(ram.deletePolicy(new R.DeletePolicyRequest({ policyName: 'crossrole-guard-1' })), 'DeleteConflict.Policy.Version', 409);
    await ram.deletePolicy(new R.DeletePolicyRequest({ policyName: 'crossrole-guard-1', cascadingDelete: true }));
    await expectCloudError(ram.deletePolicy(new R.DeletePolicyRequest({ policyName: 'crossrole-guard-1' })), 'EntityNotExist.Policy', 404);
  });

  it('TagResources / UntagResources / ListTagResources (flat array)', async () => {
    await createRole('r4');
    await ram.tagResources(new R.TagResourcesRequest({ resourceType: 'role', resourceNames: ['r4'], tag: [new R.TagResourcesRequestTag({ key: 'env', value: 'dev' }), new R.TagResourcesRequestTag({ key: 'team', value: 'a b' })] }));
    const l = await ram.listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role', resourceNames: ['r4'] }));
    expect(l.body!.tagResources).toEqual([
      expect.objectContaining({ resourceName: 'r4', resourceType: 'role', tagKey: 'env', tagValue: 'dev' }),
      expect.objectContaining({ resourceName: 'r4', resourceType: 'role', tagKey: 'team', tagValue: 'a b' }),
    ]);
    await ram.untagResources(new R.UntagResourcesRequest({ resourceType: 'role', resourceNames: ['r4'], tagKeys: ['env'] }));
    const l2 = await ram.listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role', resourceNames: ['r4'] }));
    expect(l2.body!.tagResources?.map((t) => t.tagKey)).toEqual(['team']);
    await expectCloudError(ram.tagResources(new R.TagResourcesRequest({ resourceType: 'role', resourceNames: ['nope'], tag: [new R.TagResourcesRequestTag({ key: 'k', value: 'v' })] })), 'EntityNotExist.Role', 404);
  });

  it('users, access keys and groups; a user acts only as its policies allow', async () => {
    const u = await ram.createUser(new R.CreateUserRequest({ userName: 'alice', displayName: 'Alice' }));
    expect(u.body!.user).toMatchObject({ userName: 'alice', displayName: 'Alice' });
    expect(u.body!.user?.userId).toMatch(/^\d{16}$/);
    await expectCloudError(ram.createUser(new R.CreateUserRequest({ userName: 'alice' })), 'EntityAlreadyExists.User', 409);
    await expectCloudError(ram.getUser(new R.GetUserRequest({ userName: 'nobody' })), 'EntityNotExist.User', 404);
    const k = await ram.createAccessKey(new R.CreateAccessKeyRequest({ userName: 'alice' }));
    expect(k.body!.accessKey?.status).toBe('Active');
    const alice = ramClient(server, { accessKeyId: k.body!.accessKey?.accessKeyId ?? '', accessKeySecret: k.body!.accessKey?.accessKeySecret ?? '' });

    // No policy yet: denied, with RAM's NoPermission (403).
    await expectCloudError(alice.listRoles(new R.ListRolesRequest({})), 'NoPermission', 403);

    await ram.createGroup(new R.CreateGroupRequest({ groupName: 'readers' }));
    await ram.addUserToGroup(new R.AddUserToGroupRequest({ groupName: 'readers', userName: 'alice' }));
    await expectCloudError(ram.addUserToGroup(new R.AddUserToGroupRequest({ groupName: 'readers', userName: 'alice' })), 'EntityAlreadyExists.User.Group', 409);
    const groups = await ram.listGroupsForUser(new R.ListGroupsForUserRequest({ userName: 'alice' }));
    expect(groups.body!.groups?.group?.map((x) => x.groupName)).toEqual(['readers']);
    await ram.attachPolicyToGroup(new R.AttachPolicyToGroupRequest({ policyType: 'System', policyName: 'AliyunRAMReadOnlyAccess', groupName: 'readers' }));
    expect((await alice.listRoles(new R.ListRolesRequest({}))).body!.roles?.role).toEqual([]);
    await expectCloudError(alice.createRole(new R.CreateRoleRequest({ roleName: 'x', assumeRolePolicyDocument: trustB })), 'NoPermission', 403);

    // A custom policy limited to crossrole-* roles (the functions' least privilege).
    await ram.createPolicy(new R.CreatePolicyRequest({
      policyName: 'crossrole-roles-only',
      policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['ram:CreateRole', 'ram:DeleteRole'], Resource: `acs:ram:*:${ACCOUNT_A}:role/crossrole-*` }] }),
    }));
    await ram.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'crossrole-roles-only', userName: 'alice' }));
    const listedUser = await ram.listPoliciesForUser(new R.ListPoliciesForUserRequest({ userName: 'alice' }));
    expect(listedUser.body!.policies?.policy?.map((p) => p.policyName)).toEqual(['crossrole-roles-only']);
    await alice.createRole(new R.CreateRoleRequest({ roleName: 'crossrole-abc', assumeRolePolicyDocument: trustB }));
    await expectCloudError(alice.createRole(new R.CreateRoleRequest({ roleName: 'other-role', assumeRolePolicyDocument: trustB })), 'NoPermission', 403);
    await ram.detachPolicyFromUser(new R.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName: 'crossrole-roles-only', userName: 'alice' }));
    await expectCloudError(alice.deleteRole(new R.DeleteRoleRequest({ roleName: 'crossrole-abc' })), 'NoPermission', 403);
  });

  it('an account root cannot act in another account', async () => {
    await createRole('mine');
    const bRoot = server.ram.createAccount(ACCOUNT_B).rootAccessKey;
    const ramB = ramClient(server, bRoot);
    // B's root sees B's (empty) account, never A's roles.
    await expectCloudError(ramB.getRole(new R.GetRoleRequest({ roleName: 'mine' })), 'EntityNotExist.Role', 404);
    expect(server.access.isAllowed(
      { accountId: ACCOUNT_B, arn: `acs:ram::${ACCOUNT_B}:root`, kind: 'root', principalId: ACCOUNT_B, accessKeyId: bRoot.accessKeyId },
      'ram:GetRole',
      `acs:ram:*:${ACCOUNT_A}:role/mine`,
      { sourceIp: '127.0.0.1', currentTime: new Date() },
    )).toBe(false);
  });

  it('the legacy HMAC-SHA1 signature (signatureAlgorithm v2) works for RAM too', async () => {
    const legacy = ramClient(server, admin, { v2: true });
    await legacy.createRole(new R.CreateRoleRequest({ roleName: 'legacy-role', assumeRolePolicyDocument: trustB, description: 'spaces & ünïcode *!\'()' }));
    const g = await legacy.getRole(new R.GetRoleRequest({ roleName: 'legacy-role' }));
    expect(g.body!.role?.description).toBe('spaces & ünïcode *!\'()');
    await expectCloudError(ramClient(server, { ...admin, accessKeySecret: 'wrong' }, { v2: true }).getRole(new R.GetRoleRequest({ roleName: 'legacy-role' })), 'SignatureDoesNotMatch', 400);
  });

  it('authentication failures: wrong secret, unknown key', async () => {
    await expectCloudError(ramClient(server, { ...admin, accessKeySecret: 'wrong' }).listRoles(new R.ListRolesRequest({})), 'SignatureDoesNotMatch', 400);
    await expectCloudError(ramClient(server, { accessKeyId: 'LTAI5tUnknownKey000000', accessKeySecret: 'x' }).listRoles(new R.ListRolesRequest({})), 'InvalidAccessKeyId.NotFound', 404);
  });

  it('fault injection: failActions and throttleRate', async () => {
    server.faults.set({ failActions: ['CreateRole'] });
    await expectCloudError(createRole('faulty'), 'InternalError', 500);
    server.faults.set({ throttleRate: 1 });
    await expectCloudError(ram.listRoles(new R.ListRolesRequest({})), 'Throttling.User', 400);
    server.faults.clear();
    await createRole('faulty');
  });
});

describe('RAM strict limits', () => {
  let server: LocalServer;
  let ram: R.default;

  beforeAll(async () => {
    server = await startTestServer({ strictLimits: true, quotas: { roles: 3 } });
    ram = ramClient(server, server.ram.createAccount(ACCOUNT_A).rootAccessKey);
  });
  afterAll(async () => {
    await server.close();
  });

  it('enforces the roles quota with LimitExceeded.Role (409)', async () => {
    for (const n of ['q1', 'q2', 'q3']) await ram.createRole(new R.CreateRoleRequest({ roleName: n, assumeRolePolicyDocument: trustB }));
    await expectCloudError(ram.createRole(new R.CreateRoleRequest({ roleName: 'q4', assumeRolePolicyDocument: trustB })), 'LimitExceeded.Role', 409);
  });

  // 10 custom policies per role: RAM limits page (www.alibabacloud.com/help/en/ram/product-overview/limits).
  it('enforces at most 10 custom policies per role with LimitExceeded.Role.Policy (409)', async () => {
    for (let i = 1; i <= 11; i++) await ram.createPolicy(new R.CreatePolicyRequest({ policyName: `p${i}`, policyDocument: readEcs }));
    for (let i = 1; i <= 10; i++) {
      // AttachPolicyToRole is throttled at 10/s: stay under it, this test is about the count.
      if (i === 6) await new Promise((r) => setTimeout(r, 1100));
      await ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: `p${i}`, roleName: 'q1' }));
    }
    await expectCloudError(ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'p11', roleName: 'q1' })), 'LimitExceeded.Role.Policy', 409);
  });

  it('enforces at most 5 versions per policy with LimitExceeded.Policy.Version (409)', async () => {
    for (let i = 2; i <= 5; i++) await ram.createPolicyVersion(new R.CreatePolicyVersionRequest({ policyName: 'p11', policyDocument: readEcs }));
    await expectCloudError(ram.createPolicyVersion(new R.CreatePolicyVersionRequest({ policyName: 'p11', policyDocument: readEcs })), 'LimitExceeded.Policy.Version', 409);
  });

  it('throttles CreateRole above 20/s per account with Throttling.User', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => ram.createRole(new R.CreateRoleRequest({ roleName: `t${i}`, assumeRolePolicyDocument: trustB }))),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok'));
    expect(codes).toContain('Throttling.User');
    const throttled = results.find((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'Throttling.User');
    expect(throttled?.status === 'rejected' && (throttled.reason as { statusCode?: number; name?: string })).toMatchObject({ statusCode: 400, name: 'ThrottlingError' });
  });
  it('DeletePolicyVersion deletes a non-default version; the default one and unknown ones are refused', async () => {
    await ram.createPolicy(new R.CreatePolicyRequest({ policyName: 'versioned', policyDocument: readEcs }));
    await ram.createPolicyVersion(new R.CreatePolicyVersionRequest({ policyName: 'versioned', policyDocument: readEcs, setAsDefault: true }));
    await expectCloudError(ram.deletePolicyVersion(new R.DeletePolicyVersionRequest({ policyName: 'versioned', versionId: 'v2' })), 'DeleteConflict.PolicyVersion.Default', 409);
    await expectCloudError(ram.deletePolicyVersion(new R.DeletePolicyVersionRequest({ policyName: 'versioned', versionId: 'v9' })), 'EntityNotExist.Policy.Version', 404);
    await expectCloudError(ram.deletePolicyVersion(new R.DeletePolicyVersionRequest({ policyName: 'nope', versionId: 'v1' })), 'EntityNotExist.Policy', 404);
    await expectCloudError(ram.deletePolicy(new R.DeletePolicyRequest({ policyName: 'versioned' })), 'DeleteConflict.Policy.Version', 409);
    await ram.deletePolicyVersion(new R.DeletePolicyVersionRequest({ policyName: 'versioned', versionId: 'v1' }));
    const left = await ram.listPolicyVersions(new R.ListPolicyVersionsRequest({ policyName: 'versioned', policyType: 'Custom' }));
    expect(left.body?.policyVersions?.policyVersion?.map((v) => v.versionId)).toEqual(['v2']);
    await ram.deletePolicy(new R.DeletePolicyRequest({ policyName: 'versioned' }));
  });
});
