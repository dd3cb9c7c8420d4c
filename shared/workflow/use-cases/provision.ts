/**
 * Use case: the provisioning function turns an APPROVED request into the grant of
 * docs/architecture.md "The grant, in RAM terms", then marks it ACTIVE.
 *
 * Resumable after a crash between any two RAM calls: the role carries the request id as a tag
 * and the expiry it was created with, every later call is idempotent, and a second run picks up
 * where the first stopped. The happy path makes exactly 3 + (profile policies) RAM calls:
 * CreateRole (trust policy and tags in one call), CreatePolicy(guard), AttachPolicyToRole(guard),
 * one AttachPolicyToRole per profile policy. Get calls happen only when resuming.
 */
import type { AccessRequest, GrantDetails } from '../../domain/access-request';
import { RevokeMode, guardPolicyName } from '../../domain/access-request';
import { findProfile } from '../../domain/catalog';
import { CrossroleError, errorMessage } from '../../domain/errors';
import type { RoleInfo, WorkflowMessage } from '../../domain/ports';
import { Status, Transition, isApproved, isFailed, isRevoked, isRevoking, isScheduled } from '../../domain/state-machine';
import { scheduledEnd, untilStart } from '../../domain/quorum';
import { buildGuardPolicy, buildPartnerPolicy, buildTrustPolicy, sameDocument } from '../../policy';
import { Actor } from '../support/deps';
import type { Outcome, WorkflowDeps } from '../support/deps';
import { sendBestEffort, sendFor } from '../support/messages';
import { startScheduled } from '../support/schedule';
import { applyApproved } from '../support/extension';
import { Tag } from '../support/naming';
import { attachProfilePolicy, hasCode, isOwnedBy, revokeInRam } from '../support/ram-grant';

/** The role's MaxSessionDuration: RAM's minimum, so sessions outlive a revocation by at most 1 h. */
const MAX_SESSION_DURATION = 3600;

/**
 * Errors that another attempt would meet again: the grant is rolled back and marked FAILED.
 * Anything else (throttling, a cloud outage, a crash) is thrown so the message comes back.
 */
const PERMANENT_CODES = [
  'LIMIT_EXCEEDED', 'ALREADY_EXISTS', 'RESOURCE_OWNED_ELSEWHERE', 'NOT_FOUND', 'INVALID_POLICY', 'POLICY_GUARDRAIL',
  'VALIDATION', 'INVALID_ROLE_NAME', 'INVALID_ARN', 'INVALID_ACCOUNT_ID',
] as const;

/**
 * Console switch-role link. The query form (`parentAlias=<alias>&roleName=<role>`) is the one
 * Alibaba's own APIs return as a member logon URL (e.g. `rdAccountLoginUrl`:
 * `https://signin.aliyun.com/switchRole.htm?parentAlias=<uid>.onaliyun.com&roleName=...`), with
 * the account's default alias `<uid>.onaliyun.com`. The international sign-in host is a guess
 * (UNCONFIRMED): China-site accounts use signin.aliyun.com. The UID and role name are returned
 * alongside, which is all the console's "Switch Identity" dialog needs.
 */
function switchRoleUrl(ownerAccountId: string, roleName: string): string {
  return `https://signin.alibabacloud.com/switchRole.htm?parentAlias=${encodeURIComponent(`${ownerAccountId}.onaliyun.com`)}&roleName=${encodeURIComponent(roleName)}`;
}

/** Whole seconds: the guard policy's `acs:CurrentTime` has no milliseconds, the ledger and tag agree with it. */
function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

interface Attempt {
  /** The role is ours (created now, or found with our request-id tag): rollback may remove it. */
  ownsRole: boolean;
}

class OwnedElsewhere extends CrossroleError {
  constructor(roleName: string, owner: string | undefined) {
    super('RESOURCE_OWNED_ELSEWHERE', `role ${roleName} already exists and belongs to ${owner === undefined ? 'no Crossrole request' : `request ${owner}`}; nothing was changed`, {
      details: { roleName, ...(owner === undefined ? {} : { owner }) },
    });
  }
}

/** Step 1: the role with its trust policy and tags; on a resume, adopt our own role. */
async function ensureRole(deps: WorkflowDeps, r: AccessRequest, attempt: Attempt): Promise<{ role: RoleInfo; expiresAt: Date }> {
  const trustPolicy = buildTrustPolicy({ principals: r.principals, externalId: r.externalId });
  // A scheduled grant ends at startAt + duration: the window the partner asked for and the approvers approved.
  const fresh = wholeSeconds(scheduledEnd(r)?.getTime() ?? deps.clock.now().getTime() + r.durationSeconds * 1000);
  try {
    const role = await deps.ram.createRole({
      name: r.roleName,
      trustPolicy,
      maxSessionDuration: MAX_SESSION_DURATION,
      description: `Crossrole grant ${r.id}: profile ${r.profile} for account ${r.partnerAccountId} until ${fresh.toISOString()}`.slice(0, 1024),
      tags: {
        [Tag.REQUEST_ID]: r.id,
        [Tag.PARTNER]: r.partnerAccountId,
        [Tag.EXPIRES_AT]: fresh.toISOString(),
        [Tag.MANAGED]: 'true',
      },
    });
    attempt.ownsRole = true;
    return { role, expiresAt: fresh };
  } catch (e) {
    if (!hasCode(e, 'ALREADY_EXISTS')) throw e;
  }
  // Resuming (or a name clash): only our own role may be adopted.
  const role = await deps.ram.getRole(r.roleName);
  if (role === undefined) throw new CrossroleError('CLOUD_ERROR', `role ${r.roleName} was reported to exist but cannot be read; retrying`);
  if (!isOwnedBy(role, r.id)) throw new OwnedElsewhere(r.roleName, role.tags[Tag.REQUEST_ID]);
  attempt.ownsRole = true;
  // The clock started when the role was first created: a resume never extends the grant.
  const tagged = Date.parse(role.tags[Tag.EXPIRES_AT] ?? '');
  const expiresAt = Number.isNaN(tagged) ? fresh : wholeSeconds(tagged);
  if (!sameDocument(role.trustPolicy, trustPolicy)) {
    deps.logger.warn('resumed role had a different trust policy; restoring it', { requestId: r.id, roleName: r.roleName });
    await deps.ram.updateTrustPolicy(r.roleName, trustPolicy);
  }
  return { role, expiresAt };
}

/** Undo this grant's RAM resources after a permanent failure (best effort, never throws). */
async function rollback(deps: WorkflowDeps, r: AccessRequest, attempt: Attempt): Promise<void> {
  if (!attempt.ownsRole) return;
  try {
    await revokeInRam(deps, r, RevokeMode.DELETE);
  } catch (e) {
    deps.logger.error('rollback incomplete; the scan\'s reconcile or a revocation will finish it', { requestId: r.id, roleName: r.roleName, error: errorMessage(e) });
  }
}

/**
 * After our RAM work the row was not APPROVED any more. If a revocation started (or even
 * finished) meanwhile, it may have run before our role existed: undo with its mode, so the
 * revocation holds whatever the interleaving. If a sibling delivery failed the request meanwhile,
 * its rollback may have run before our attachments: undo them too (a FAILED grant holds nothing).
 * Should this undo fail, the reconciler strips the role at its next pass (no-access state).
 */
async function afterLostRace(deps: WorkflowDeps, id: string, ramCallsBefore: number): Promise<Outcome> {
  const now = await deps.ledger.get(id);
  if (now !== undefined && (isRevoking(now.status) || isRevoked(now.status))) {
    await revokeInRam(deps, now, now.revokeMode ?? RevokeMode.TRUST);
    deps.logger.warn('request was revoked while provisioning; RAM work undone', { requestId: id, status: now.status });
  } else if (now !== undefined && isFailed(now.status) && now.revokeMode === undefined) {
    await revokeInRam(deps, now, RevokeMode.DELETE);
    deps.logger.warn('request failed in a sibling attempt while provisioning; RAM work undone', { requestId: id });
  } else {
    deps.logger.info('request moved while provisioning; nothing more to do', { requestId: id, status: now?.status });
  }
  return { outcome: 'stale', requestId: id, ...(now ? { status: now.status } : {}), detail: 'the request changed during provisioning', ramCalls: deps.ram.callCount() - ramCallsBefore };
}

/**
 * Claim the failure in the ledger first, and roll back only if the claim won: a sibling delivery
 * of the same message may have built and activated the grant meanwhile (on our role, adopted by
 * its tag), and a rollback after losing would tear down an ACTIVE grant. Losing goes to
 * afterLostRace, which acts for whatever the row now is.
 */
async function markFailed(deps: WorkflowDeps, r: AccessRequest, reason: string, before: number, attempt?: Attempt): Promise<Outcome> {
  let failed: AccessRequest;
  try {
    failed = await deps.ledger.transition(r.id, r.version, Transition.PROVISION_FAILED, { lastError: reason }, { actor: Actor.PROVISIONING, reason });
  } catch (e) {
    if (hasCode(e, 'VERSION_CONFLICT', 'ILLEGAL_TRANSITION')) return afterLostRace(deps, r.id, before);
    throw e;
  }
  if (attempt !== undefined) await rollback(deps, failed, attempt);
  deps.logger.error('provisioning failed', { requestId: r.id, reason, ramCalls: deps.ram.callCount() - before });
  return { outcome: 'failed', requestId: r.id, status: failed.status, detail: reason, ramCalls: deps.ram.callCount() - before };
}

/** Provision an APPROVED request that was just read from the ledger. */
export async function provisionApproved(deps: WorkflowDeps, r: AccessRequest): Promise<Outcome> {
  const before = deps.ram.callCount();
  const profile = findProfile(deps.catalog, r.profile);
  if (profile === undefined) return markFailed(deps, r, `profile "${r.profile}" is no longer in the catalog`, before);

  const end = scheduledEnd(r);
  if (end !== undefined && end.getTime() <= deps.clock.now().getTime()) return markFailed(deps, r, `its window (from ${r.startAt ?? '?'} to ${end.toISOString()}) ended before it could be provisioned`, before);

  const attempt: Attempt = { ownsRole: false };
  let grant: GrantDetails;
  let expiresAt: Date;
  try {
    const made = await ensureRole(deps, r, attempt);
    expiresAt = made.expiresAt;
    // The guard first: the role never holds a permission without its expiry guard.
    const guardName = guardPolicyName(r.id);
    await deps.ram.createPolicy(guardName, buildGuardPolicy(expiresAt), `Crossrole expiry guard of ${r.roleName}: denies everything after ${expiresAt.toISOString()}`);
    await deps.ram.attachPolicyToRole(r.roleName, { type: 'Custom', name: guardName });
    for (const policy of profile.policies) await attachProfilePolicy(deps, r.roleName, profile, policy);
    const owner = deps.catalog.ownerAccountId;
    grant = {
      roleName: r.roleName,
      roleArn: made.role.arn,
      externalId: r.externalId,
      guardPolicyName: guardName,
      partnerPolicy: buildPartnerPolicy(made.role.arn),
      switchRole: { accountId: owner, roleName: r.roleName, url: switchRoleUrl(owner, r.roleName) },
      // As RAM holds it (a resumed role keeps what it was created with).
      maxSessionDuration: made.role.maxSessionDuration,
    };
  } catch (e) {
    if (e instanceof OwnedElsewhere) return markFailed(deps, r, e.message, before);
    if (hasCode(e, ...PERMANENT_CODES)) {
      const code = e instanceof CrossroleError ? e.code : 'INTERNAL';
      const why = code === 'LIMIT_EXCEEDED' ? `a RAM quota was reached (${errorMessage(e)}); the partial grant was rolled back` : `${code}: ${errorMessage(e)}; the partial grant was rolled back`;
      return markFailed(deps, r, why, before, attempt);
    }
    deps.logger.warn('provisioning attempt failed; the message will be retried', { requestId: r.id, error: errorMessage(e), ramCalls: deps.ram.callCount() - before });
    throw e;
  }

  let active: AccessRequest;
  try {
    active = await deps.ledger.transition(r.id, r.version, Transition.ACTIVATE, { expiresAt: expiresAt.toISOString(), grant, lastError: undefined }, {
      actor: Actor.PROVISIONING,
      details: { roleArn: grant.roleArn, expiresAt: expiresAt.toISOString(), ramCalls: deps.ram.callCount() - before },
    });
  } catch (e) {
    if (hasCode(e, 'VERSION_CONFLICT', 'ILLEGAL_TRANSITION')) return afterLostRace(deps, r.id, before);
    throw e;
  }
  // If this send fails, the scan still revokes the grant when it is due (listDueForExpiry).
  await sendBestEffort(deps, active, 'expire', (expiresAt.getTime() - deps.clock.now().getTime()) / 1000);
  const ramCalls = deps.ram.callCount() - before;
  deps.logger.info('grant provisioned', { requestId: r.id, roleArn: grant.roleArn, expiresAt: active.expiresAt, ramCalls });
  return { outcome: 'done', requestId: r.id, status: Status.ACTIVE, ramCalls };
}

/**
 * Consumer of crossrole-provision, given a message the edge already parsed (`extend` messages go to
 * support/extension.ts). Returns an outcome
 * (acknowledge) or throws (retry later). A message of another kind, an unknown request and any
 * status but APPROVED are acknowledged without effect: the message is not the authority, the ledger is.
 */
export async function provisionGrant(deps: WorkflowDeps, m: WorkflowMessage): Promise<Outcome> {
  if (m.kind === 'start') return startThenProvision(deps, m);
  // The same queue (and the same RAM rights) applies approved extensions and shortenings.
  if (m.kind === 'extend') return applyApproved(deps, m.requestId);
  if (m.kind !== 'provision') {
    deps.logger.warn('message of another kind on the provision queue acknowledged', { requestId: m.requestId, kind: m.kind });
    return { outcome: 'malformed', requestId: m.requestId, detail: `unexpected kind ${m.kind}` };
  }
  const r = await deps.ledger.get(m.requestId);
  if (r === undefined || !isApproved(r.status)) {
    deps.logger.info('stale message', { requestId: m.requestId, kind: m.kind, status: r?.status ?? 'unknown' });
    return { outcome: 'stale', requestId: m.requestId, ...(r ? { status: r.status } : {}) };
  }
  return provisionApproved(deps, r);
}

/**
 * The delayed `start` of a SCHEDULED request: START (SCHEDULED -> APPROVED), then provision in the
 * same invocation. Early (MNS delays at most 7 days; a longer lead is re-sent on arrival): sent
 * again with the remaining delay. Any status but SCHEDULED: stale (cancelled, or the scan started
 * it and sent `provision`). A crash between START and the grant leaves an APPROVED row, which the
 * scan re-sends `provision` for, as for any approval.
 */
async function startThenProvision(deps: WorkflowDeps, m: WorkflowMessage): Promise<Outcome> {
  const r = await deps.ledger.get(m.requestId);
  if (r === undefined || !isScheduled(r.status)) {
    deps.logger.info('stale message', { requestId: m.requestId, kind: m.kind, status: r?.status ?? 'unknown' });
    return { outcome: 'stale', requestId: m.requestId, ...(r ? { status: r.status } : {}) };
  }
  if (untilStart(r, deps.clock.now()) > 0) {
    // Thrown if it cannot be sent: the message comes back rather than being lost.
    await sendFor(deps, r, 'start', untilStart(r, deps.clock.now()) / 1000);
    return { outcome: 'rescheduled', requestId: r.id, status: r.status, detail: `starts at ${r.startAt ?? '?'}` };
  }
  let started: AccessRequest;
  try {
    started = await startScheduled(deps, r);
  } catch (e) {
    if (!hasCode(e, 'VERSION_CONFLICT', 'ILLEGAL_TRANSITION')) throw e;
    const now = await deps.ledger.get(r.id);
    return { outcome: 'stale', requestId: r.id, ...(now ? { status: now.status } : {}), detail: 'the request moved before its start' };
  }
  return provisionApproved(deps, started);
}
