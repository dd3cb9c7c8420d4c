/**
 * The cross-account tutorial (reference/cross-account-tutorial.txt) end to end, driven only
 * through the official SDKs: A creates a role trusting B, B's admin lets Bob assume it, Bob reads
 * A's ECS with temporary credentials, and every revocation path cuts him off with the right code.
 */
import * as E from '@alicloud/ecs20140526';
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { ACCOUNT_A, ACCOUNT_B, ecsClient, expectCloudError, ramClient, startTestServer, stsClient, type Creds, type LocalServer } from '../helpers/local-server';

const ROLE = 'Partner-ReadOnly-Access';
const EXTERNAL_ID = 'crossrole-ext-7f3a';

const trustPolicy = (principals: string[]): string =>
  JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: principals }, Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }],
  });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('tutorial: cross-account access with a RAM role, SDKs only', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('grants, uses and revokes access exactly as the tutorial describes', async () => {
    // Prepare: two accounts (created by the cloud itself), A's instances.
    const adminA = server.ram.createAccount(ACCOUNT_A, 'Company A').rootAccessKey;
    const adminB = server.ram.createAccount(ACCOUNT_B, 'Company B').rootAccessKey;
    const instanceIds = server.ecs.seedInstances(ACCOUNT_A, 'cn-hangzhou', 3).map((i) => i.instanceId);
    const ramA = ramClient(server, adminA);
    const ramB = ramClient(server, adminB);

    // Step 1 (A): the role, trusting B with an ExternalId, with read-only ECS rights.
    const created = await ramA.createRole(new R.CreateRoleRequest({ roleName: ROLE, assumeRolePolicyDocument: trustPolicy([`acs:ram::${ACCOUNT_B}:root`]), maxSessionDuration: 3600 }));
    const roleArn = created.body!.role?.arn ?? '';
    expect(roleArn).toBe(`acs:ram::${ACCOUNT_A}:role/partner-readonly-access`);
    await ramA.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: ROLE }));

    // B's admin creates Bob, without any permission yet.
    await ramB.createUser(new R.CreateUserRequest({ userName: 'Bob' }));
    const key = (await ramB.createAccessKey(new R.CreateAccessKeyRequest({ userName: 'Bob' }))).body!.accessKey;
    const bob: Creds = { accessKeyId: key?.accessKeyId ?? '', accessKeySecret: key?.accessKeySecret ?? '' };
    const bobSts = stsClient(server, bob);
    const assume = (externalId = EXTERNAL_ID, session = 'bob') => bobSts.assumeRole(new S.AssumeRoleRequest({ roleArn, roleSessionName: session, externalId, durationSeconds: 900 }));

    // Bob cannot assume the role before step 2.
    await expectCloudError(assume(), 'NoPermission', 403);

    // Step 2 (B): a custom policy allowing sts:AssumeRole on this one role, attached to Bob.
    await ramB.createPolicy(new R.CreatePolicyRequest({
      policyName: 'AssumePartnerReadOnly',
      policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram:*:${ACCOUNT_A}:role/partner-readonly-access` }] }),
    }));
    await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumePartnerReadOnly', userName: 'Bob' }));

    // Step 3: Bob assumes the role and reads A's instances with the temporary credentials.
    const issued = (await assume()).body!.credentials;
    const token: Creds = { accessKeyId: issued?.accessKeyId ?? '', accessKeySecret: issued?.accessKeySecret ?? '', securityToken: issued?.securityToken ?? '' };
    const ecsAsBob = ecsClient(server, token);
    const listed = await ecsAsBob.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    expect(listed.body!.instances?.instance?.map((i) => i.instanceId)).toEqual(instanceIds);
    // Read-only: the role grants no RAM rights in A.
    await expectCloudError(ramClient(server, token).listRoles(new R.ListRolesRequest({})), 'NoPermission', 403);

    // A wrong ExternalId is refused.
    await expectCloudError(assume('crossrole-ext-wrong'), 'NoPermission', 403);

    // Revoke (recommended): remove B from the trust policy. New AssumeRole calls fail...
    await ramA.updateRole(new R.UpdateRoleRequest({ roleName: ROLE, newAssumeRolePolicyDocument: trustPolicy([`acs:ram::${ACCOUNT_A}:root`]) }));
    await expectCloudError(assume(), 'NoPermission', 403);
    // ...but a token already issued keeps the role's rights until its policies change.
    await ecsAsBob.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));

    // Detaching the permission policy cuts the old token off.
    await ramA.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: ROLE }));
    await expectCloudError(ecsAsBob.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'Forbidden.RAM', 403);

    // The expiry guard: Deny * after T cuts a token at T even though the role still allows.
    await ramA.updateRole(new R.UpdateRoleRequest({ roleName: ROLE, newAssumeRolePolicyDocument: trustPolicy([`acs:ram::${ACCOUNT_B}:root`]) }));
    await ramA.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: ROLE }));
    const guarded = (await assume(EXTERNAL_ID, 'bob-2')).body!.credentials;
    const ecsGuarded = ecsClient(server, { accessKeyId: guarded?.accessKeyId ?? '', accessKeySecret: guarded?.accessKeySecret ?? '', securityToken: guarded?.securityToken ?? '' });
    const expiresAt = Math.ceil((Date.now() + 1500) / 1000) * 1000;
    await ramA.createPolicy(new R.CreatePolicyRequest({
      policyName: 'crossrole-guard-partner',
      policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': isoSeconds(expiresAt) } } }] }),
    }));
    await ramA.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'crossrole-guard-partner', roleName: ROLE }));
    await ecsGuarded.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    await sleep(expiresAt + 1100 - Date.now());
    await expectCloudError(ecsGuarded.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'Forbidden.RAM', 403);

    // Delete the role (permanent): policies must be detached first.
    await expectCloudError(ramA.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE })), 'DeleteConflict.Role.Policy', 409);
    await expectCloudError(ramA.deletePolicy(new R.DeletePolicyRequest({ policyName: 'crossrole-guard-partner' })), 'DeleteConflict.Policy.Role', 409);
    await ramA.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: ROLE }));
    await ramA.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'Custom', policyName: 'crossrole-guard-partner', roleName: ROLE }));
    await ramA.deletePolicy(new R.DeletePolicyRequest({ policyName: 'crossrole-guard-partner' }));
    await ramA.deleteRole(new R.DeleteRoleRequest({ roleName: ROLE }));

    // Afterwards everything fails, each with its own code.
    await expectCloudError(ramA.getRole(new R.GetRoleRequest({ roleName: ROLE })), 'EntityNotExist.Role', 404);
    await expectCloudError(assume(), 'EntityNotExist.Role', 404);
    await expectCloudError(ecsAsBob.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'InvalidSecurityToken.Expired', 400);
    await expectCloudError(ecsGuarded.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'InvalidSecurityToken.Expired', 400);
  });
});
