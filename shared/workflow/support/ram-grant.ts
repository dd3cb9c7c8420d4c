/**
 * The RAM side of a grant ("The grant, in RAM terms"): the idempotent building blocks that
 * provisioning, revocation and the reconciler share. Every function here converges when repeated.
 */
import type { AccessRequest } from '../../domain/access-request';
import { RevokeMode, guardPolicyName } from '../../domain/access-request';
import { findProfile } from '../../domain/catalog';
import type { Profile, ProfilePolicy } from '../../domain/catalog';
import { CrossroleError, errorMessage } from '../../domain/errors';
import type { ErrorCode } from '../../domain/errors';
import type { PolicyRef, RoleInfo } from '../../domain/ports';
import { removeTrustedPartner } from '../../policy';
import { Actor } from './deps';
import type { WorkflowDeps } from './deps';
import { Tag, isGuardPolicy, policyRefOf } from './naming';

export function hasCode(e: unknown, ...codes: ErrorCode[]): e is CrossroleError {
  return e instanceof CrossroleError && codes.includes(e.code);
}

/** Does this role carry our ownership tag for this request? */
export function isOwnedBy(role: RoleInfo, requestId: string): boolean {
  return role.tags[Tag.REQUEST_ID] === requestId;
}

/** The permission policies of the request's profile as RAM references, or undefined if the profile is gone. */
function profilePolicyRefs(deps: WorkflowDeps, request: Pick<AccessRequest, 'profile'>): PolicyRef[] | undefined {
  const profile = findProfile(deps.catalog, request.profile);
  return profile?.policies.map((p) => policyRefOf(profile.name, p));
}

/**
 * Attach one profile policy. Custom policies are shared per profile and created on first use:
 * attach first (the common case costs one call), create only if RAM says the policy is missing.
 */
export async function attachProfilePolicy(deps: WorkflowDeps, roleName: string, profile: Profile, policy: ProfilePolicy): Promise<void> {
  const ref = policyRefOf(profile.name, policy);
  try {
    await deps.ram.attachPolicyToRole(roleName, ref);
    return;
  } catch (e) {
    if (policy.type !== 'Custom' || !hasCode(e, 'NOT_FOUND')) throw e;
  }
  await deps.ram.createPolicy(ref.name, JSON.stringify(policy.document), `Crossrole profile ${profile.name}: ${policy.name} (shared by its grants)`);
  await deps.ram.attachPolicyToRole(roleName, ref);
}

/**
 * The policies to detach on a trust-mode revocation: the profile's (no extra RAM call), or, if the
 * catalog no longer has the profile, whatever non-guard policy is attached (one List call).
 */
async function permissionPolicies(deps: WorkflowDeps, request: AccessRequest): Promise<PolicyRef[]> {
  const refs = profilePolicyRefs(deps, request);
  if (refs !== undefined) return refs;
  return (await deps.ram.listPoliciesForRole(request.roleName)).filter((p) => !isGuardPolicy(p));
}

interface RevokeResult {
  roleFound: boolean;
  /** The role exists but is not ours (another or no request-id tag): left untouched. */
  foreign: boolean;
  trustChanged: boolean;
  detached: number;
  deleted: boolean;
  /** Delete mode: the guard policy had to stay (see deleteGuardPolicy); the role is gone all the same. */
  guardLeft?: boolean;
}

/**
 * Delete a grant's guard policy; true if it is gone. A guard an extension moved (or the reconciler
 * re-wrote) has older versions, and RAM refuses DeletePolicy until they are deleted
 * (DeleteConflict.Policy.Version: aliyun/terraform-provider-alicloud
 * alicloud/resource_alicloud_ram_policy.go handles that code; the same rule is documented for
 * Resource Manager policies, doc-detail/159987, and is UNCONFIRMED in RAM's own reference, so the
 * stricter reading is assumed): they are deleted first, then the policy once more. A guard still
 * refused (a version added meanwhile) is left: unattached, it only denies; the next cleanup retries.
 */
export async function deleteGuardPolicy(deps: WorkflowDeps, requestId: string): Promise<boolean> {
  const name = guardPolicyName(requestId);
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.ram.deletePolicy(name);
      return true;
    } catch (e) {
      if (!(hasCode(e, 'DELETE_CONFLICT') && e.details?.['cloudCode'] === 'DeleteConflict.Policy.Version')) throw e;
      if (attempt >= 2) {
        deps.logger.warn('guard policy still has older versions; left in place (it only denies)', { requestId, policyName: name });
        return false;
      }
      await deps.ram.deleteOlderPolicyVersions(name);
    }
  }
}

/**
 * Revoke in RAM. Mode `trust` (reversible): remove the partner from the trust policy (GetRole, and
 * UpdateRole only if that changed it) and detach the profile's permission policies so that sessions
 * already issued lose their rights too (docs/architecture.md, revocation); the expiry guard stays attached.
 * Mode `delete` (permanent): detach every policy, delete the guard policy, delete the role.
 * A missing role is done; a role that is not ours is never touched.
 */
export async function revokeInRam(deps: WorkflowDeps, request: AccessRequest, mode: RevokeMode): Promise<RevokeResult> {
  const { ram } = deps;
  const result: RevokeResult = { roleFound: false, foreign: false, trustChanged: false, detached: 0, deleted: false };
  const role = await ram.getRole(request.roleName);
  if (role !== undefined && !isOwnedBy(role, request.id)) {
    result.roleFound = true;
    result.foreign = true;
    deps.logger.warn('role exists but is not this grant\'s: left untouched', { requestId: request.id, roleName: request.roleName, owner: role.tags[Tag.REQUEST_ID] });
    return result;
  }
  result.roleFound = role !== undefined;

  if (mode === RevokeMode.DELETE) {
    if (role !== undefined) {
      for (const p of await ram.listPoliciesForRole(role.name)) {
        await ram.detachPolicyFromRole(role.name, p);
        result.detached++;
      }
    }
    // The role first: it is what holds access and counts against RAM's 1,000 roles. A guard the
    // reconciler re-wrote has a second version, and RAM refuses DeletePolicy until the older ones
    // are gone (DeleteConflict.Policy.Version): that must not keep the role alive.
    if (role !== undefined) {
      await ram.deleteRole(role.name);
      result.deleted = true;
    }
    // Also when the role is gone: a provisioning cut short may have left the guard policy alone.
    if (!(await deleteGuardPolicy(deps, request.id))) result.guardLeft = true;
    return result;
  }

  if (role === undefined) return result;
  const edit = removeTrustedPartner(role.trustPolicy, request.partnerAccountId, deps.catalog.ownerAccountId);
  if (edit.changed) {
    await ram.updateTrustPolicy(role.name, edit.document);
    result.trustChanged = true;
  }
  for (const p of await permissionPolicies(deps, request)) {
    await ram.detachPolicyFromRole(role.name, p);
    result.detached++;
  }
  return result;
}

/** Record a fact on the request's audit trail without failing the step that found it. */
export async function noteQuietly(deps: WorkflowDeps, requestId: string, reason: string, details: Record<string, unknown>, actor: string = Actor.SCAN): Promise<void> {
  try {
    await deps.ledger.note(requestId, {}, { actor, reason, details });
  } catch (e) {
    deps.logger.warn('could not write an audit note', { requestId, reason, error: errorMessage(e) });
  }
}
