/**
 * The tutorial's building blocks through the SDKs (reference/cross-account-tutorial.txt): A's
 * role trusting B with an ExternalId, B's grant to its user, AssumeRole, and a read-only ECS probe
 * that shows what a session may do. Every creation registers its undo in the Cleanup.
 */
import * as E from '@alicloud/ecs20140526';
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { ecsClient, ramClient, stsClient, type Creds } from './clients';
import { Cleanup, eventually, OWNERSHIP_TAG, resourceName } from './support';
import { openTarget, type Target } from './target';
import { deletePolicy, deleteRoleFully } from './teardown';

/** Step 1's trust policy: the named principals may assume the role when they pass this ExternalId. */
export function trustPolicy(principals: string[], externalId: string): string {
  return JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: principals }, Condition: { StringEquals: { 'sts:ExternalId': externalId } } }],
  });
}

export const accountRoot = (accountId: string): string => `acs:ram::${accountId}:root`;

export interface CreatedRole {
  roleName: string;
  roleArn: string;
  roleId: string;
}

/** Create a role in A, tagged as ours, with its removal (detach all, delete) registered. */
export async function createOwnerRole(t: Target, cleanup: Cleanup, label: string, trust: string, extraTags: Array<{ key: string; value: string }> = []): Promise<CreatedRole> {
  const roleName = resourceName(t, label);
  const ram = ramClient(t, t.owner.admin);
  const created = await ram.createRole(new R.CreateRoleRequest({
    roleName,
    assumeRolePolicyDocument: trust,
    description: 'crossrole parity test; safe to delete',
    maxSessionDuration: 3600,
    tag: [OWNERSHIP_TAG, ...extraTags].map((x) => new R.CreateRoleRequestTag(x)),
  }));
  cleanup.add(`delete role ${roleName}`, () => deleteRoleFully(t, t.owner.admin, roleName, t.settleMs));
  const role = created.body?.role;
  return { roleName, roleArn: role?.arn ?? '', roleId: role?.roleId ?? '' };
}

export async function attachToRole(t: Target, roleName: string, policyType: 'System' | 'Custom', policyName: string): Promise<void> {
  await ramClient(t, t.owner.admin).attachPolicyToRole(new R.AttachPolicyToRoleRequest({ roleName, policyType, policyName }));
}

export async function detachFromRole(t: Target, roleName: string, policyType: 'System' | 'Custom', policyName: string): Promise<void> {
  await ramClient(t, t.owner.admin).detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ roleName, policyType, policyName }));
}

/** A custom policy made by `admin`, tagged as ours; its deletion runs after every role and detach cleanup. */
export async function createCustomPolicy(t: Target, cleanup: Cleanup, admin: Creds, label: string, document: object): Promise<string> {
  const policyName = resourceName(t, label);
  const ram = ramClient(t, admin);
  await ram.createPolicy(new R.CreatePolicyRequest({
    policyName,
    policyDocument: JSON.stringify(document),
    description: 'crossrole parity test; safe to delete',
    tag: [new R.CreatePolicyRequestTag(OWNERSHIP_TAG)],
  }));
  cleanup.add(`delete policy ${policyName}`, () => deletePolicy(t, admin, policyName, t.settleMs), { last: true });
  return policyName;
}

/**
 * Step 2 (B's admin): a custom policy allowing sts:AssumeRole on exactly this role, attached to
 * B's user (the tutorial's "better security" variant of AliyunSTSAssumeRoleAccess).
 */
export async function grantAssumeRole(t: Target, cleanup: Cleanup, roleName: string, label: string): Promise<string> {
  const policyName = await createCustomPolicy(t, cleanup, t.partner.admin, label, {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram:*:${t.owner.accountId}:role/${roleName}` }],
  });
  const ram = ramClient(t, t.partner.admin);
  const userName = t.partner.user.name;
  await ram.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName, userName }));
  cleanup.add(`detach ${policyName} from ${userName}`, () => ram.detachPolicyFromUser(new R.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName, userName })));
  return policyName;
}

/** B's user calls AssumeRole (the minimum 900 s: tests never need longer). */
export function assumeAsPartnerUser(t: Target, roleArn: string, sessionName: string, externalId?: string): Promise<S.AssumeRoleResponse> {
  return stsClient(t, t.partner.user.creds).assumeRole(new S.AssumeRoleRequest({
    roleArn,
    roleSessionName: sessionName,
    durationSeconds: 900,
    ...(externalId === undefined ? {} : { externalId }),
  }));
}

export function sessionCreds(r: S.AssumeRoleResponse): Creds {
  const c = r.body?.credentials;
  return { accessKeyId: c?.accessKeyId ?? '', accessKeySecret: c?.accessKeySecret ?? '', securityToken: c?.securityToken ?? '' };
}

/**
 * What the role lets a session do: read A's ECS (AliyunECSReadOnlyAccess). A refusal is
 * 403 Forbidden.RAM (ECS Describe* APIs answer 403 instead of an empty list since 2025-12-20:
 * www.alibabacloud.com/help/en/ecs/announcement-of-changes-to-the-authentication-mechanism-for-alibaba-cloud-ecs-query-type-apis).
 */
export function readOwnerEcs(t: Target, creds: Creds): Promise<E.DescribeInstancesResponse> {
  return ecsClient(t, creds).describeInstances(new E.DescribeInstancesRequest({ regionId: t.region, pageSize: 10 }));
}

export interface CrossAccountAccess extends CreatedRole {
  externalId: string;
  /** A session of B's user in the role, already able to read A's ECS. */
  session: Creds;
}

/**
 * The tutorial's end state in one call: the role (trusting B, ExternalId, AliyunECSReadOnlyAccess),
 * B's grant, and a working session. Each step waits until the real cloud has applied it.
 */
export async function setUpCrossAccountAccess(t: Target, cleanup: Cleanup, label: string): Promise<CrossAccountAccess> {
  const externalId = resourceName(t, `${label}-ext`);
  const role = await createOwnerRole(t, cleanup, label, trustPolicy([accountRoot(t.partner.accountId)], externalId));
  await attachToRole(t, role.roleName, 'System', 'AliyunECSReadOnlyAccess');
  await grantAssumeRole(t, cleanup, role.roleName, `${label}-assume`);
  const session = sessionCreds(await eventually(() => assumeAsPartnerUser(t, role.roleArn, 'parity', externalId), { timeoutMs: t.settleMs, intervalMs: 2000 }));
  await eventually(() => readOwnerEcs(t, session), { timeoutMs: t.settleMs, intervalMs: 2000 });
  return { ...role, externalId, session };
}

/**
 * Per test file: open the target in beforeAll; in afterAll undo everything registered, then close
 * the target (live: delete B's test user). Tests run in order and share what earlier ones made.
 */
export function useTarget(): { target: () => Target; cleanup: Cleanup } {
  let t: Target | undefined;
  const cleanup = new Cleanup();
  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    try {
      await cleanup.run();
    } finally {
      await t?.close();
    }
  });
  return {
    target: () => {
      if (!t) throw new Error('the parity target is not open (beforeAll failed)');
      return t;
    },
    cleanup,
  };
}
