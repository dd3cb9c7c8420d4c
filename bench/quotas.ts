/**
 * RAM quota capacity: how many grants one owner account can hold with the current design,
 * from the quotas the local RAM enforces with strict limits (the documented account defaults).
 */
import { DEFAULT_RAM_QUOTAS as DEFAULT_QUOTAS } from '../local/ram/quotas';
import { row, type SectionResult } from './report';

export function quotaCapacity(measured: { trustRevokedGrants: number; managedRolesLeft: number }): SectionResult {
  const q = DEFAULT_QUOTAS;
  // The account's own Crossrole footprint: the functions' role and its policy (bootstrap).
  const roleSlots = q.roles - 1;
  const policySlots = q.policies - 1;
  // Per grant: one role + one guard policy; the profile's custom policies are shared per profile.
  const byRoles = roleSlots;
  const byPolicies = policySlots;
  const capacity = Math.min(byRoles, byPolicies);
  const binding = byRoles <= byPolicies ? 'RolesQuota' : 'PoliciesQuota';
  return {
    key: 'quotas',
    title: 'RAM quota capacity',
    figures: {
      quotas: q, perGrant: { roles: 1, customPolicies: 1, customPoliciesPerRoleUsed: 1, customPoliciesPerRoleQuota: q.customPoliciesPerRole },
      grantsByRoles: byRoles, grantsByPolicies: byPolicies, capacity, binding,
      sharedGuardPoliciesCapacity: byRoles, sharingGuardPoliciesRaisesCapacity: false,
      measured,
    },
    rows: [
      row('quota', `grants one account can hold (RolesQuota ${q.roles}, PoliciesQuota ${q.policies})`, `${capacity} (bound by ${binding}; policies would allow ${byPolicies})`),
      row('quota', 'roles left after trust-mode revocation (measured)', `${measured.managedRolesLeft} of ${measured.trustRevokedGrants} REVOKED grants still have their role`),
    ],
    notes: [
      `Quota: each grant holds 1 role (RolesQuota ${q.roles}, minus the functions' own role = ${byRoles}) and 1 custom guard policy (PoliciesQuota ${q.policies}, minus the execution policy = ${byPolicies}; custom profile policies are shared per profile, one each). The role quota binds first: at most ${capacity} grants per account. Sharing guard policies (one per expiry instant, or per expiry bucket) would save policies, not roles, so it would NOT raise the capacity unless the account's RolesQuota is raised above ~${byPolicies}; it would also couple the revocation of unrelated grants to one document. AttachedPoliciesPerRoleQuota (${q.customPoliciesPerRole} custom) leaves room for the guard plus ${q.customPoliciesPerRole - 1} custom profile policies.`,
      `Quota and retention: revocation in the default trust mode (and every expiry) keeps the role and its guard policy, so that it can be reversed; measured here, ${measured.managedRolesLeft} of the ${measured.trustRevokedGrants} grants just revoked in trust mode still hold their role. The expiry scan's release phase deletes them (role and guard) once the grant has been REVOKED longer than the catalog's revokedRoleRetention (default 7 days, shared/workflow/use-cases/scan.ts), so the ${capacity} limit counts concurrent grants plus those revoked within the retention, not every grant ever made. Past it, the next CreateRole fails with LimitExceeded and provisioning marks the request FAILED.`,
    ],
  };
}
