/**
 * Use case: a partner asks for access (POST /requests).
 */
import type { AccessRequest } from '../../domain/access-request';
import { findProfile, isPartnerAllowed, reviewWindowSeconds } from '../../domain/catalog';
import { CrossroleError, ForbiddenError, ValidationError } from '../../domain/errors';
import { parseDuration, formatDuration } from '../../domain/duration';
import { parsePrincipalArn, rootArn } from '../../domain/identifiers';
import type { CallerIdentity } from '../../domain/ports';
import { isReservedRoleName, roleNameTaken } from '../../domain/role-names';
import { Status } from '../../domain/state-machine';
import { checkPrivilegedAcknowledgement, checkTicket, parseSubmitRequest } from '../../domain/intake';
import { suggestNames } from '../../domain/profile-summary';
import { buildTrustPolicy, parseExternalId } from '../../policy';
import { requireRequester } from '../support/authz';
import { Actor } from '../support/deps';
import type { WorkflowDeps } from '../support/deps';
import { parseReason } from '../support/input';
import { sendBestEffort } from '../support/messages';
import { grantRoleName } from '../support/naming';
import { parseStartAt, untilStart } from '../../domain/quorum';
import { announceStart } from '../support/schedule';


/**
 * The principals the role will trust: full ARNs, or `user/<name>`, `role/<name>`, `root` short
 * forms resolved against the caller's account. All must be in the caller's account: a partner asks
 * for itself only. Defaults to the caller account's root (the tutorial's "Other Account" trust).
 */
function resolvePrincipals(entries: readonly string[] | undefined, callerAccountId: string): string[] {
  if (entries === undefined) return [rootArn(callerAccountId)];
  const out: string[] = [];
  entries.forEach((entry, i) => {
    const field = `principals[${i}]`;
    const full = entry === 'root' ? rootArn(callerAccountId) : /^(user|role)\/[^/]+$/.test(entry) ? `acs:ram::${callerAccountId}:${entry}` : entry;
    const p = parsePrincipalArn(full, field);
    if (p.kind === 'assumed-role') {
      throw new ValidationError('INVALID_ARN', field, 'a role session cannot be trusted; name the role (role/<name>)');
    }
    if (p.accountId !== callerAccountId) {
      throw new ForbiddenError('FORBIDDEN_PARTNER_ACCOUNT', `${field}: principals must belong to your own account ${callerAccountId}`);
    }
    if (!out.includes(p.arn)) out.push(p.arn);
  });
  return out;
}

/**
 * Record a new request and announce it. Checks, in order: the caller's account (403), the caller's
 * standing in it (403 FORBIDDEN_NOT_REQUESTER, catalog partnerRoles), the body (400), the catalog
 * (422), the privileged acknowledgement (403), the ticket (400 TICKET_REQUIRED / TICKET_INVALID), the role name (409 ROLE_NAME_TAKEN: one of the
 * deployment's own, or held by another request, which the ledger decides atomically).
 *
 * Crash safety: the ledger row is written before the message is sent. If the process dies (or the
 * queue fails) in between, nothing is lost: the row exists, GET/list show it, and the expiry scan
 * re-sends `provision` for APPROVED rows and re-announces recent PENDING ones (scan.ts).
 */
export async function submitRequest(deps: WorkflowDeps, caller: CallerIdentity, input: unknown): Promise<AccessRequest> {
  const { catalog } = deps;
  if (caller.accountId === catalog.ownerAccountId) {
    throw new ForbiddenError('FORBIDDEN_PARTNER_ACCOUNT', 'the owner account cannot request access to itself');
  }
  if (!isPartnerAllowed(catalog, caller.accountId)) {
    throw new ForbiddenError('FORBIDDEN_PARTNER_NOT_ALLOWED', `account ${caller.accountId} is not an allowed partner`);
  }
  requireRequester(catalog, caller);

  const body = parseSubmitRequest(input);
  const durationSeconds = parseDuration(body.duration, 'duration');
  const reason = parseReason(body.reason);
  const principals = resolvePrincipals(body.principals, caller.accountId);

  const profile = findProfile(catalog, body.profile);
  if (profile === undefined) {
    // The caller passed the requester checks above, so it may see the names (GET /profiles lists them).
    const near = suggestNames(body.profile, catalog.profiles.map((p) => p.name));
    const hint = near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : '; GET /profiles lists the profiles you may ask for';
    throw new CrossroleError('UNKNOWN_PROFILE', `profile "${body.profile}" is not in the catalog${hint}`, { field: 'profile', details: { suggestions: near } });
  }
  if (durationSeconds > profile.maxDurationSeconds) {
    throw new CrossroleError('DURATION_OVER_MAXIMUM', `duration ${formatDuration(durationSeconds)} is over the maximum ${profile.maxDuration} of profile "${profile.name}"`, {
      field: 'duration',
      details: { maxDuration: profile.maxDuration, maxDurationSeconds: profile.maxDurationSeconds },
    });
  }
  checkPrivilegedAcknowledgement(profile, body);
  // Break-glass is for now: an emergency that can wait for a start is a normal request.
  if (profile.breakGlass && body.startAt !== undefined) throw new ValidationError('VALIDATION', 'startAt', `profile "${profile.name}" is break-glass: it grants now and takes no startAt`);
  const startAt = body.startAt === undefined ? undefined : parseStartAt(body.startAt, deps.clock.now(), profile);
  const ticket = checkTicket(profile, { ticket: body.ticket, reason });

  const id = deps.newId();
  const roleName = grantRoleName(body.roleName, profile, id);
  if (isReservedRoleName(roleName)) throw roleNameTaken(roleName, { reserved: true });
  const externalId = parseExternalId(deps.newExternalId());
  // Fail now (400) rather than at provisioning if the trust policy could not be written.
  buildTrustPolicy({ principals, externalId });

  const clock = deps.clock.now();
  const now = clock.toISOString();
  // A break-glass grant is approved as it is asked for, and reviewed afterwards by an approver.
  const breakGlass = profile.breakGlass;
  const auto = profile.autoApprove || breakGlass;
  const reviewDueAt = breakGlass ? new Date(clock.getTime() + reviewWindowSeconds(catalog, profile) * 1000).toISOString() : undefined;
  const approvedBy = breakGlass ? Actor.BREAK_GLASS : Actor.AUTO_APPROVE;
  // An auto-approved request with a start ahead waits for it like any other approved one.
  const scheduled = auto && startAt !== undefined && untilStart({ startAt }, clock) > 0;
  const request: AccessRequest = {
    id,
    version: 1,
    status: !auto ? Status.PENDING : scheduled ? Status.SCHEDULED : Status.APPROVED,
    partnerAccountId: caller.accountId,
    requesterArn: caller.arn,
    profile: profile.name,
    durationSeconds,
    reason,
    ...(ticket === undefined ? {} : { ticket }),
    ...(reviewDueAt === undefined ? {} : { breakGlass: { reviewDueAt } }),
    roleName,
    principals,
    externalId,
    createdAt: now,
    updatedAt: now,
    ...(startAt === undefined ? {} : { startAt }),
    ...(profile.approvals > 1 ? { approvalsRequired: profile.approvals } : {}),
    ...(auto ? { decidedBy: approvedBy, decisionReason: breakGlass ? `profile "${profile.name}" is break-glass: granted now, review due by ${reviewDueAt ?? ''}` : `profile "${profile.name}" is auto-approved` } : {}),
  };
  const details: Record<string, unknown> = { requester: caller.arn, profile: profile.name, durationSeconds, roleName, principals };
  if (profile.privileged) details.acknowledgePrivileged = true;
  if (startAt !== undefined) details.startAt = startAt;
  if (profile.approvals > 1) details.approvalsRequired = profile.approvals;
  if (ticket !== undefined) details.ticket = ticket;
  if (reviewDueAt !== undefined) Object.assign(details, { breakGlass: true, reviewDueAt });
  const created = await deps.ledger.create(request, auto ? { actor: approvedBy, reason, details } : { actor: caller.arn, reason, details });
  // The approvers hear of a break-glass grant at once: the notifier's outbox takes the CREATE event
  // by system:break-glass (details.breakGlass, reviewDueAt); this line is for the logs.
  if (breakGlass) deps.logger.warn('break-glass granted', { requestId: created.id, profile: profile.name, requester: caller.arn, reviewDueAt, ...(ticket === undefined ? {} : { ticket }) });

  if (scheduled) await announceStart(deps, created);
  else await sendBestEffort(deps, created, auto ? 'provision' : 'approval-needed');
  deps.logger.info('request submitted', { requestId: created.id, status: created.status, profile: profile.name, partner: caller.accountId });
  return created;
}
