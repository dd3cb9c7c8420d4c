/**
 * Removing what the parity tests create, in the order RAM demands: a role only without attached
 * policies, a policy only when nothing uses it and only its default version is left, a user only
 * without keys and policies. Used by each test's afterAll and by the live leftover sweep.
 */
import * as R from '@alicloud/ram20150501';
import { ramClient, type Creds, type Site } from './clients';
import { retryWhile } from './support';

/**
 * Detach every policy, then delete the role. Real RAM may answer DeleteConflict.Role.Policy for
 * a moment after the last detach (aliyun/terraform-provider-alicloud
 * alicloud/resource_alicloud_ram_role.go retries it), so that code is retried for `retryMs`.
 */
export async function deleteRoleFully(site: Site, admin: Creds, roleName: string, retryMs: number): Promise<void> {
  const ram = ramClient(site, admin);
  const attached = (await ram.listPoliciesForRole(new R.ListPoliciesForRoleRequest({ roleName }))).body?.policies?.policy ?? [];
  for (const p of attached) await ram.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ roleName, policyName: p.policyName, policyType: p.policyType }));
  await retryWhile('DeleteConflict.Role.Policy', () => ram.deleteRole(new R.DeleteRoleRequest({ roleName })), { timeoutMs: retryMs });
}

/** Detach every policy, delete every key, delete the user. */
export async function deleteUserFully(site: Site, admin: Creds, userName: string): Promise<void> {
  const ram = ramClient(site, admin);
  const attached = (await ram.listPoliciesForUser(new R.ListPoliciesForUserRequest({ userName }))).body?.policies?.policy ?? [];
  for (const p of attached) await ram.detachPolicyFromUser(new R.DetachPolicyFromUserRequest({ userName, policyName: p.policyName, policyType: p.policyType }));
  const keys = (await ram.listAccessKeys(new R.ListAccessKeysRequest({ userName }))).body?.accessKeys?.accessKey ?? [];
  for (const k of keys) await ram.deleteAccessKey(new R.DeleteAccessKeyRequest({ userName, userAccessKeyId: k.accessKeyId }));
  await ram.deleteUser(new R.DeleteUserRequest({ userName }));
}

/**
 * A custom policy whose users are unknown (a crashed run's): detach it from every entity,
 * delete its non-default versions, then the policy.
 */
export async function deletePolicyFully(site: Site, admin: Creds, policyName: string, retryMs: number): Promise<void> {
  const ram = ramClient(site, admin);
  const policyType = 'Custom';
  const users = (await ram.listEntitiesForPolicy(new R.ListEntitiesForPolicyRequest({ policyName, policyType }))).body;
  for (const r of users?.roles?.role ?? []) await ram.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyName, policyType, roleName: r.roleName }));
  for (const u of users?.users?.user ?? []) await ram.detachPolicyFromUser(new R.DetachPolicyFromUserRequest({ policyName, policyType, userName: u.userName }));
  for (const g of users?.groups?.group ?? []) await ram.detachPolicyFromGroup(new R.DetachPolicyFromGroupRequest({ policyName, policyType, groupName: g.groupName }));
  const versions = (await ram.listPolicyVersions(new R.ListPolicyVersionsRequest({ policyName, policyType }))).body?.policyVersions?.policyVersion ?? [];
  for (const v of versions) if (!v.isDefaultVersion) await ram.deletePolicyVersion(new R.DeletePolicyVersionRequest({ policyName, versionId: v.versionId }));
  await deletePolicy(site, admin, policyName, retryMs);
}

const POLICY_IN_USE = ['DeleteConflict.Policy.Role', 'DeleteConflict.Policy.User', 'DeleteConflict.Policy.Group'];

/** Delete a custom policy whose users were detached just now (retrying the conflict codes meanwhile). */
export async function deletePolicy(site: Site, admin: Creds, policyName: string, retryMs: number): Promise<void> {
  const ram = ramClient(site, admin);
  await retryWhile(POLICY_IN_USE, () => ram.deletePolicy(new R.DeletePolicyRequest({ policyName })), { timeoutMs: retryMs });
}
