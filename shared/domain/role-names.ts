/**
 * Who holds a RAM role name. Role names are unique in the owner account, so two requests for one
 * name cannot both be granted: the second one's provisioning would find the first one's role and
 * fail. The ledger therefore reserves a name for as long as a request holds it (a partial unique
 * index whose predicate is this module's rule, see shared/ledger/migration-003-role-names.ts),
 * and refuses at intake a name that is taken.
 */
import { RevokeMode, type AccessRequest } from './access-request';
import { EXEC_ROLE_NAME } from './deployment';
import { CrossroleError } from './errors';
import { Status, isTerminal } from './state-machine';

/**
 * Does this request hold its role name, i.e. may a role of that name exist (or be about to) for it?
 * - Not terminal (PENDING, APPROVED, ACTIVE, REVOKING, FAILED): the role exists or may be created;
 *   a FAILED request holds it too (an approver may retry it; a failed revocation left the role).
 * - REJECTED, CANCELLED, LAPSED: never provisioned (they leave PENDING only), so free.
 * - REVOKED: in delete mode the revocation deleted the role, so free; in trust mode the role is
 *   kept for the catalog's `revokedRoleRetention` (a reversible revocation) until the scan deletes
 *   it and stamps `resourcesReleasedAt` (markReleased), so it holds the name until then. A REVOKED
 *   row without a mode is revoked as trust mode (revoke.ts), so it is treated as trust mode here.
 */
export function holdsRoleName(r: Pick<AccessRequest, 'status' | 'revokeMode' | 'resourcesReleasedAt'>): boolean {
  if (!isTerminal(r.status)) return true;
  if (r.status !== Status.REVOKED) return false;
  return r.revokeMode !== RevokeMode.DELETE && r.resourcesReleasedAt === undefined;
}

/**
 * Names the deployment itself uses in the owner account: a grant must never be created under
 * them (the functions' execution role is `crossrole-*`, inside the prefix grants may use).
 */
const RESERVED_ROLE_NAMES: readonly string[] = [EXEC_ROLE_NAME.toLowerCase()];

export function isReservedRoleName(name: string): boolean {
  return RESERVED_ROLE_NAMES.includes(name.toLowerCase());
}

/**
 * 409 ROLE_NAME_TAKEN. The message names the role only: never the request holding it, its
 * account or its state, so a partner learns nothing about anybody else's requests.
 */
export function roleNameTaken(roleName: string, options: { reserved?: boolean; cause?: unknown } = {}): CrossroleError {
  const why = options.reserved === true ? 'is reserved by the Crossrole deployment' : 'is in use by another request';
  return new CrossroleError('ROLE_NAME_TAKEN', `role name "${roleName}" ${why}; choose another roleName`, {
    field: 'roleName',
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}
