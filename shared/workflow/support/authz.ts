/**
 * Who may do what (docs/architecture.md), over verified caller identities.
 */
import type { AccessRequest } from '../../domain/access-request';
import type { Catalog } from '../../domain/catalog';
import { ForbiddenError } from '../../domain/errors';
import { parsePrincipalArn } from '../../domain/identifiers';
import type { RamPrincipal } from '../../domain/identifiers';
import { partnerStanding, requesterFilterOf, requesterMatches, type RequesterFilter } from '../../domain/partner-roles';
import type { CallerIdentity } from '../../domain/ports';

function tryParse(arn: string): RamPrincipal | undefined {
  try {
    return parsePrincipalArn(arn);
  } catch {
    return undefined;
  }
}

/**
 * Does the configured approver entry designate this caller?
 * - An exact ARN match always does (users, and explicitly listed sessions).
 * - An entry `acs:ram::<A>:role/<R>` also matches every session of that role,
 *   `acs:ram::<A>:assumed-role/<R>/<session>`: STS reports role callers only by their session ARN,
 *   so listing a role would otherwise be useless, and whoever may assume an owner-account role was
 *   allowed to by the owner's admin (the trust policy is the owner's decision, like the list itself).
 *   Role names compare case-insensitively (RAM treats them so; identifiers.roleArn lowers them).
 * No other widening: a user entry never matches another user, a root entry is exact too.
 */
export function approverEntryMatches(entry: string, callerArn: string): boolean {
  if (entry === callerArn) return true;
  const e = tryParse(entry);
  const c = tryParse(callerArn);
  if (e === undefined || c === undefined || e.accountId !== c.accountId) return false;
  return e.kind === 'role' && c.kind === 'assumed-role' && e.name.toLowerCase() === c.name.toLowerCase();
}

export function isApprover(catalog: Catalog, caller: CallerIdentity): boolean {
  return caller.accountId === catalog.ownerAccountId && catalog.approvers.some((a) => approverEntryMatches(a, caller.arn));
}

/** Throws FORBIDDEN_APPROVER_ACCOUNT (caller outside the owner account) or FORBIDDEN_NOT_APPROVER. */
export function requireApprover(catalog: Catalog, caller: CallerIdentity): void {
  if (caller.accountId !== catalog.ownerAccountId) {
    throw new ForbiddenError('FORBIDDEN_APPROVER_ACCOUNT', 'approvers belong to the owner account');
  }
  if (!catalog.approvers.some((a) => approverEntryMatches(a, caller.arn))) {
    throw new ForbiddenError('FORBIDDEN_NOT_APPROVER', `${caller.arn} is not an approver`);
  }
}

/**
 * Operators: the owner account's root identity, which runs `crossrole bootstrap` and can change
 * RAM directly anyway. They may reconcile grants and export the audit trail, never decide.
 */
function isOperator(catalog: Catalog, caller: CallerIdentity): boolean {
  if (caller.accountId !== catalog.ownerAccountId) return false;
  return tryParse(caller.arn)?.kind === 'root';
}

/** Approvers and operators: who may read across partners without deciding (reconcile, audit export, unreviewed grants). */
export function requireApproverOrOperator(catalog: Catalog, caller: CallerIdentity, what: string): void {
  if (!isApprover(catalog, caller) && !isOperator(catalog, caller)) {
    throw new ForbiddenError('FORBIDDEN_NOT_APPROVER', `only approvers and the owner account's operators may ${what}`);
  }
}

/**
 * A partner identity that manages its account's requests (sees, cancels and revokes all of them):
 * the account's root, or a `managers` pattern of the catalog's partnerRoles. Never an identity
 * of the owner account.
 */
export function isPartnerManager(catalog: Catalog, caller: CallerIdentity): boolean {
  return caller.accountId !== catalog.ownerAccountId && partnerStanding(catalog.partnerRoles, caller) === 'manager';
}

/** Throws FORBIDDEN_NOT_REQUESTER for a partner identity the catalog lets neither ask nor manage. */
export function requireRequester(catalog: Catalog, caller: CallerIdentity): void {
  if (partnerStanding(catalog.partnerRoles, caller) === 'none') {
    throw new ForbiddenError('FORBIDDEN_NOT_REQUESTER', `${caller.arn} may not ask for access: the catalog names who of account ${caller.accountId} may (partnerRoles)`);
  }
}

/** The ledger filter for "the caller's own requests" (partner-roles.requesterFilterOf). */
export function ownRequestsOf(caller: CallerIdentity): RequesterFilter {
  return requesterFilterOf(caller.arn);
}

/** The caller asked for this request itself (the same ARN; for a role session, any session of that role). */
function isOwnRequest(caller: CallerIdentity, request: AccessRequest): boolean {
  return caller.accountId === request.partnerAccountId && requesterMatches(ownRequestsOf(caller), request.requesterArn);
}

/** The partner side of a request: its requester, or a manager (or the root) of its account. */
export function isRequestPartner(catalog: Catalog, caller: CallerIdentity, request: AccessRequest): boolean {
  return caller.accountId === request.partnerAccountId && (isOwnRequest(caller, request) || isPartnerManager(catalog, caller));
}

/**
 * A user or role the grant's trust policy names explicitly (`--principal user/bob`): the identity
 * that will assume the role needs its ARN and ExternalId, so it may read the request (never list,
 * cancel or revoke it). A trusted account root names nobody in particular: then the partner's
 * admin hands the details on, as in the manual procedure, and a colleague learns nothing.
 */
function isNamedPrincipal(caller: CallerIdentity, request: AccessRequest): boolean {
  if (caller.accountId !== request.partnerAccountId) return false;
  const c = tryParse(caller.arn);
  if (c === undefined) return false;
  return request.principals.some((entry) => {
    const p = tryParse(entry);
    if (p === undefined || p.accountId !== c.accountId) return false;
    if (p.kind === 'user') return c.kind === 'user' && p.name === c.name;
    // A role is assumed by sessions: any session of the named role (role names compare case-insensitively).
    return p.kind === 'role' && c.kind === 'assumed-role' && p.name.toLowerCase() === c.name.toLowerCase();
  });
}

/** Approvers see every request; a partner identity those it may act for (isRequestPartner) or is named in. */
export function canSee(catalog: Catalog, caller: CallerIdentity, request: AccessRequest): boolean {
  return isApprover(catalog, caller) || isRequestPartner(catalog, caller, request) || isNamedPrincipal(caller, request);
}

/**
 * Self-approval: the same identity, or the same account (a partner's identity can never decide a
 * request of its own account, even if it were listed as an approver by mistake). Sessions of the
 * same role count as the same identity.
 */
export function isSelfDecision(caller: CallerIdentity, request: AccessRequest): boolean {
  if (caller.arn === request.requesterArn || caller.accountId === request.partnerAccountId) return true;
  const c = tryParse(caller.arn);
  const r = tryParse(request.requesterArn);
  if (c === undefined || r === undefined || c.accountId !== r.accountId) return false;
  const roleOf = (p: RamPrincipal): string | undefined => (p.kind === 'assumed-role' || p.kind === 'role' ? p.name.toLowerCase() : undefined);
  return roleOf(c) !== undefined && roleOf(c) === roleOf(r);
}
