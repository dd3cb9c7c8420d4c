/**
 * STS through the real @alicloud/sts20150401 client: AssumeRole rules (trust policy, the
 * caller's own permission, ExternalId, durations, names), credentials format, token
 * validity and revocation semantics, GetCallerIdentity, and @alicloud/credentials.
 */
import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as R from '@alicloud/ram20150501';
import Ram from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import * as E from '@alicloud/ecs20140526';
import { ACCOUNT_A, ACCOUNT_B, ecsClient, expectCloudError, ramClient, seedTutorial, startTestServer, stsClient, type Creds, type LocalServer, type Tutorial } from '../helpers/local-server';

const ROLE = 'Partner-ReadOnly-Access';
const ROLE_ARN = `acs:ram::${ACCOUNT_A}:role/partner-readonly-access`;

function trust(principal: Record<string, string[]>, externalId?: string): string {
  return JSON.stringify({
    Version: '1',
    Statement: [{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: principal,
      ...(externalId === undefined ? {} : { Condition: { StringEquals: { 'sts:ExternalId': externalId } } }),
    }],
  });
}

const toCreds = (c: S.AssumeRoleResponseBodyCredentials | undefined): Creds => ({ accessKeyId: c?.accessKeyId ?? '', accessKeySecret: c?.accessKeySecret ?? '', securityToken: c?.securityToken ?? '' });

describe('STS (SDK)', () => {
  let server: LocalServer;
  let t: Tutorial;
  let offsetMs = 0;

  beforeAll(async () => {
    server = await startTestServer({ now: () => new Date(Date.now() + offsetMs) });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    offsetMs = 0;
    await server.reset();
    t = seedTutorial(server);
    server.ram.createRole(ACCOUNT_A, { roleName: ROLE, assumeRolePolicyDocument: trust({ RAM: [`acs:ram::${ACCOUNT_B}:root`] }), maxSessionDuration: 7200 });
    server.ram.attachPolicyToRole(ACCOUNT_A, 'System', 'AliyunECSReadOnlyAccess', ROLE);
    server.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
    server.ecs.seedInstances(ACCOUNT_A, 'cn-hangzhou', 2);
  });

  const assume = (req: Partial<S.AssumeRoleRequest> = {}, creds: Creds = t.bob, v2 = false) =>
    stsClient(server, creds, { v2 }).assumeRole(new S.AssumeRoleRequest({ roleArn: ROLE_ARN, roleSessionName: 'bob-session', ...req }));

  it('issues STS credentials in the format the SDKs require', async () => {
    const r = await assume({ durationSeconds: 900 });
    const c = r.body!.credentials;
    expect(c?.accessKeyId).toMatch(/^STS\./);
    expect(c?.expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(c?.expiration ?? '') - Date.now()).toBeGreaterThan(890_000);
    expect(Date.parse(c?.expiration ?? '') - Date.now()).toBeLessThanOrEqual(900_000);
    expect(c?.securityToken?.length).toBeGreaterThan(100);
    const role = server.ram.getRole(ACCOUNT_A, ROLE);
    expect(r.body!.assumedRoleUser).toEqual(expect.objectContaining({ arn: `${ROLE_ARN}/bob-session`, assumedRoleId: `${role.roleId}:bob-session` }));
  });

  it('the legacy HMAC-SHA1 client (sts 1.1.4 style) can assume the role too', async () => {
    const r = await assume({}, t.bob, true);
    expect(r.body!.credentials?.accessKeyId).toMatch(/^STS\./);
  });

  it('GetCallerIdentity for root, RAM user and assumed role', async () => {
    const root = await stsClient(server, t.adminA).getCallerIdentity();
    expect(root.body).toMatchObject({ accountId: ACCOUNT_A, arn: `acs:ram::${ACCOUNT_A}:root`, identityType: 'Account' });
    const bob = await stsClient(server, t.bob).getCallerIdentity();
    const bobUser = server.ram.getUser(ACCOUNT_B, 'Bob');
    expect(bob.body).toMatchObject({ accountId: ACCOUNT_B, arn: `acs:ram::${ACCOUNT_B}:user/Bob`, identityType: 'RAMUser', userId: bobUser.userId, principalId: bobUser.userId });
    const creds = toCreds((await assume()).body!.credentials);
    const me = await stsClient(server, creds).getCallerIdentity();
    const role = server.ram.getRole(ACCOUNT_A, ROLE);
    expect(me.body).toMatchObject({
      accountId: ACCOUNT_A,
      arn: `acs:ram::${ACCOUNT_A}:assumed-role/partner-readonly-access/bob-session`,
      identityType: 'AssumedRoleUser',
      roleId: role.roleId,
      principalId: `${role.roleId}:bob-session`,
    });
  });

  it('refuses callers without their own sts:AssumeRole permission, roots, and untrusted accounts', async () => {
    server.ram.detachPolicyFromUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
    await expectCloudError(assume(), 'NoPermission', 403);
    server.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
    await assume();
    // An account root may not assume roles.
    await expectCloudError(assume({}, t.adminB), 'NoPermission', 403);
    // A user of A (not trusted: the trust policy names B) is refused even with permission.
    server.ram.createUser(ACCOUNT_A, 'carol');
    const carolKey = server.ram.createAccessKey(ACCOUNT_A, 'carol');
    server.ram.attachPolicyToUser(ACCOUNT_A, 'System', 'AliyunSTSAssumeRoleAccess', 'carol');
    await expectCloudError(assume({}, carolKey), 'NoPermission', 403);
  });

  it('a trust policy naming one user trusts only that user', async () => {
    server.ram.updateRole(ACCOUNT_A, ROLE, { newAssumeRolePolicyDocument: trust({ RAM: [`acs:ram::${ACCOUNT_B}:user/Bob`] }) });
    await assume();
    server.ram.createUser(ACCOUNT_B, 'eve');
    const eve = server.ram.createAccessKey(ACCOUNT_B, 'eve');
    server.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'eve');
    await expectCloudError(assume({}, eve), 'NoPermission', 403);
  });

  it('checks the ExternalId condition', async () => {
    server.ram.updateRole(ACCOUNT_A, ROLE, { newAssumeRolePolicyDocument: trust({ RAM: [`acs:ram::${ACCOUNT_B}:root`] }, 'ext-123') });
    await expectCloudError(assume(), 'NoPermission', 403);
    await expectCloudError(assume({ externalId: 'ext-999' }), 'NoPermission', 403);
    await assume({ externalId: 'ext-123' });
    await expectCloudError(assume({ externalId: 'x' }), 'InvalidParameter.ExternalId', 400);
  });

  it('validates RoleArn, RoleSessionName, DurationSeconds and Policy', async () => {
    await expectCloudError(assume({ roleArn: 'arn:aws:iam::1:role/x' }), 'InvalidParameter.RoleArn', 400);
    await expectCloudError(assume({ roleSessionName: 'a' }), 'InvalidParameter.RoleSessionName', 400);
    await expectCloudError(assume({ roleSessionName: 'has space' }), 'InvalidParameter.RoleSessionName', 400);
    await expectCloudError(assume({ durationSeconds: 899 }), 'InvalidParameter.DurationSeconds', 400);
    await expectCloudError(assume({ durationSeconds: 7201 }), 'InvalidParameter.DurationSeconds', 400);
    await assume({ durationSeconds: 7200 });
    await expectCloudError(assume({ policy: '{"Version":"1","Statement":[{"Effect":"Allow"}]}' }), 'InvalidParameter.PolicyGrammar', 400);
    await expectCloudError(assume({ policy: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: 'x'.repeat(2100) }] }) }), 'InvalidParameter.PolicySize', 400);
    await expectCloudError(assume({ roleArn: `acs:ram::${ACCOUNT_A}:role/no-such-role` }), 'EntityNotExist.Role', 404);
    await expectCloudError(stsClient(server, t.bob).assumeRole(new S.AssumeRoleRequest({ roleSessionName: 's1' })), 'MissingRoleArn', 400);
  });

  it('a session policy narrows the role rights', async () => {
    const policy = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeRegions', Resource: '*' }] });
    const creds = toCreds((await assume({ policy })).body!.credentials);
    const ecs = ecsClient(server, creds);
    await ecs.describeRegions(new E.DescribeRegionsRequest({}));
    await expectCloudError(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'Forbidden.RAM', 403);
  });

  it('tokens: expired, missing, mismatched', async () => {
    // Issued 14 minutes "ago" for 900 s, so it expires one minute from now (within clock-skew limits).
    offsetMs = -14 * 60_000;
    const creds = toCreds((await assume({ durationSeconds: 900 })).body!.credentials);
    offsetMs = 0;
    const ecsOk = ecsClient(server, creds);
    expect((await ecsOk.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }))).body!.totalCount).toBe(2);
    offsetMs = 2 * 60_000;
    await expectCloudError(ecsClient(server, creds).describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'InvalidSecurityToken.Expired', 400);
    offsetMs = 0;
    const fresh = toCreds((await assume()).body!.credentials);
    await expectCloudError(ecsClient(server, { accessKeyId: fresh.accessKeyId, accessKeySecret: fresh.accessKeySecret }).describeRegions(new E.DescribeRegionsRequest({})), 'MissingSecurityToken', 400);
    await expectCloudError(ecsClient(server, { ...fresh, securityToken: creds.securityToken }).describeRegions(new E.DescribeRegionsRequest({})), 'InvalidSecurityToken.MismatchWithAccessKey', 400);
  });

  it('a timestamp more than 15 minutes off is InvalidTimeStamp.Expired', async () => {
    offsetMs = 16 * 60_000;
    await expectCloudError(stsClient(server, t.bob).getCallerIdentity(), 'InvalidTimeStamp.Expired', 400);
    await expectCloudError(stsClient(server, t.bob, { v2: true }).getCallerIdentity(), 'InvalidTimeStamp.Expired', 400);
  });

  it('tokens see the role CURRENT policies: detaching cuts off old tokens; deleting the role invalidates them', async () => {
    const creds = toCreds((await assume()).body!.credentials);
    const ecs = ecsClient(server, creds);
    await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    server.ram.detachPolicyFromRole(ACCOUNT_A, 'System', 'AliyunECSReadOnlyAccess', ROLE);
    await expectCloudError(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'Forbidden.RAM', 403);
    server.ram.attachPolicyToRole(ACCOUNT_A, 'System', 'AliyunECSReadOnlyAccess', ROLE);
    await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    server.ram.detachPolicyFromRole(ACCOUNT_A, 'System', 'AliyunECSReadOnlyAccess', ROLE);
    server.ram.deleteRole(ACCOUNT_A, ROLE);
    // Re-creating a role of the same name does not revive the old sessions.
    server.ram.createRole(ACCOUNT_A, { roleName: ROLE, assumeRolePolicyDocument: trust({ RAM: [`acs:ram::${ACCOUNT_B}:root`] }) });
    server.ram.attachPolicyToRole(ACCOUNT_A, 'System', 'AliyunECSReadOnlyAccess', ROLE);
    await expectCloudError(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'InvalidSecurityToken.Expired', 400);
  });

  describe('fault: policyPropagationMs (RAM applies a change of the role\'s policies after a delay)', () => {
    const describeInstances = (c: Creds) => ecsClient(server, c).describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    const admin = () => ramClient(server, t.adminA);
    const change = (verb: 'attach' | 'detach') => (verb === 'attach'
      ? admin().attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: ROLE }))
      : admin().detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: ROLE })));

    it('tokens already issued keep the detached rights for the window, then lose them; an attach waits as long', async () => {
      server.faults.set({ policyPropagationMs: 90_000 });
      const creds = toCreds((await assume()).body!.credentials);
      await describeInstances(creds);
      await change('detach');
      // RAM's own view changes at once; only the authorization of the role's sessions lags.
      const listed = await admin().listPoliciesForRole(new R.ListPoliciesForRoleRequest({ roleName: ROLE }));
      expect(listed.body!.policies?.policy ?? []).toEqual([]);
      await describeInstances(creds);
      offsetMs = 89_000;
      await describeInstances(creds);
      offsetMs = 90_000;
      await expectCloudError(describeInstances(creds), 'Forbidden.RAM', 403);

      await change('attach');
      await expectCloudError(describeInstances(creds), 'Forbidden.RAM', 403);
      offsetMs = 179_000;
      await expectCloudError(describeInstances(creds), 'Forbidden.RAM', 403);
      offsetMs = 180_000;
      await describeInstances(creds);
    });

    it('two changes in a row: the sessions see the attachments from before the first until it has propagated', async () => {
      server.faults.set({ policyPropagationMs: 60_000 });
      const creds = toCreds((await assume()).body!.credentials);
      await change('detach');
      offsetMs = 30_000;
      await change('attach');
      await describeInstances(creds); // before the detach: attached
      offsetMs = 60_000;
      // The detach has propagated, the attach (30 s later) has not.
      await expectCloudError(describeInstances(creds), 'Forbidden.RAM', 403);
      offsetMs = 90_000;
      await describeInstances(creds);
    });

    it('without the fault, or for changes made before it was set, a detach applies on the next call', async () => {
      const creds = toCreds((await assume()).body!.credentials);
      await change('detach');
      server.faults.set({ policyPropagationMs: 90_000 });
      await expectCloudError(describeInstances(creds), 'Forbidden.RAM', 403);
      server.faults.set({});
      await change('attach');
      await describeInstances(creds);
      server.faults.set({ policyPropagationMs: 90_000 });
      await change('detach');
      await describeInstances(creds);
      server.faults.set({});
      await expectCloudError(describeInstances(creds), 'Forbidden.RAM', 403);
    });
  });

  it('Service principals are honoured only through ServiceRoleIssuer', async () => {
    server.ram.createRole(ACCOUNT_A, { roleName: 'crossrole-fn', assumeRolePolicyDocument: trust({ Service: ['fc.aliyuncs.com'] }) });
    server.ram.attachPolicyToRole(ACCOUNT_A, 'System', 'AliyunRAMReadOnlyAccess', 'crossrole-fn');
    await expectCloudError(assume({ roleArn: `acs:ram::${ACCOUNT_A}:role/crossrole-fn` }), 'NoPermission', 403);
    expect(() => server.sts.assumeRoleAsService(`acs:ram::${ACCOUNT_A}:role/crossrole-fn`, 'ecs.aliyuncs.com', 'x1', 3600)).toThrow(/No permission/);
    const c = server.sts.assumeRoleAsService(`acs:ram::${ACCOUNT_A}:role/crossrole-fn`, 'fc.aliyuncs.com', 'fc-invocation', 36 * 3600);
    expect(c.accessKeyId).toMatch(/^STS\./);
    const roles = await ramClient(server, c).listRoles(new R.ListRolesRequest({}));
    expect(roles.body!.roles?.role?.map((r) => r.roleName).sort()).toEqual(['Partner-ReadOnly-Access', 'crossrole-fn']);
    await expectCloudError(ramClient(server, c).createRole(new R.CreateRoleRequest({ roleName: 'x', assumeRolePolicyDocument: trust({ RAM: [`acs:ram::${ACCOUNT_B}:root`] }) })), 'NoPermission', 403);
  });

  it('works with @alicloud/credentials providers (static AK and STS)', async () => {
    const creds = toCreds((await assume()).body!.credentials);
    const sts = new Credential(new CredentialConfig({ type: 'sts', accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, securityToken: creds.securityToken }));
    const viaSts = new S.default(new $OpenApiUtil.Config({ credential: sts, endpoint: server.endpoint, protocol: 'http' }));
    expect((await viaSts.getCallerIdentity()).body!.identityType).toBe('AssumedRoleUser');
    const ak = new Credential(new CredentialConfig({ type: 'access_key', accessKeyId: t.adminA.accessKeyId, accessKeySecret: t.adminA.accessKeySecret }));
    const viaAk = new Ram(new $OpenApiUtil.Config({ credential: ak, endpoint: server.endpoint, protocol: 'http' }));
    expect((await viaAk.getRole(new R.GetRoleRequest({ roleName: ROLE }))).body!.role?.arn).toBe(ROLE_ARN);
  });

  it('strict mode throttles AssumeRole above 100/s per account', async () => {
    // A frozen clock puts all 130 calls in one rate window however slowly a loaded machine sends them.
    const frozen = new Date();
    const strict = await startTestServer({ strictLimits: true, now: () => frozen });
    try {
      const s = seedTutorial(strict);
      strict.ram.createRole(ACCOUNT_A, { roleName: ROLE, assumeRolePolicyDocument: trust({ RAM: [`acs:ram::${ACCOUNT_B}:root`] }) });
      strict.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
      const sts = stsClient(strict, s.bob);
      const results = await Promise.allSettled(Array.from({ length: 130 }, (_, i) => sts.assumeRole(new S.AssumeRoleRequest({ roleArn: ROLE_ARN, roleSessionName: `s-${i}` }))));
      const codes = new Set(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok')));
      expect(codes).toEqual(new Set(['ok', 'Throttling.Api']));
    } finally {
      await strict.close();
    }
  });
});
