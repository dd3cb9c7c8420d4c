/**
 * Use cases of the approval function: approve, reject, revoke, retry (POST /requests/{id}/...),
 * plus cancel for the partner.
 */
import { z } from 'zod';
import type { AccessRequest } from '../../domain/access-request';
import { RevokeMode } from '../../domain/access-request';
import type { ApproveBody, CancelBody, RejectBody, RevokeAnswer, RevokeBody } from '../../domain/api';
import { CrossroleError, ForbiddenError, IllegalTransitionError, NotFoundError, errorMessage } from '../../domain/errors';
import { formatDuration, parseDuration } from '../../domain/duration';
import type { CallerIdentity, RequestPatch } from '../../domain/ports';
import { Status, Transition, isApproved, isFailed, isPending, isRevoked, isRevoking, isScheduled, nextStatus } from '../../domain/state-machine';
import { ApprovalDecision, approverKey } from '../../domain/quorum';
import { FUNCTION_TIMEOUT_SECONDS } from '../../domain/timing';
import { parseWith } from '../../domain/validation';
import { isApprover, isRequestPartner, isSelfDecision, requireApprover } from '../support/authz';
import type { WorkflowDeps } from '../support/deps';
import { parseReason, type SameType } from '../support/input';
import { sendBestEffort } from '../support/messages';
import { finishRevocation } from '../support/revocation';
import { announceStart, quorumTransition } from '../support/schedule';

const approveSchema = z.strictObject({ duration: z.string().max(32).optional(), reason: z.string().optional() });
const rejectSchema = z.strictObject({ reason: z.string() });
const revokeSchema = z.strictObject({ mode: z.enum([RevokeMode.TRUST, RevokeMode.DELETE]).default(RevokeMode.TRUST), reason: z.string() });
const cancelSchema = z.strictObject({ reason: z.string().optional() });
const _approveIsTheApiBody: SameType<z.input<typeof approveSchema>, ApproveBody> = true;
const _rejectIsTheApiBody: SameType<z.input<typeof rejectSchema>, RejectBody> = true;
const _revokeIsTheApiBody: SameType<z.input<typeof revokeSchema>, RevokeBody> = true;
const _cancelIsTheApiBody: SameType<z.input<typeof cancelSchema>, CancelBody> = true;

/** How often a user-facing step re-reads and retries after losing a race on the row's version. */
const CONFLICT_ATTEMPTS = 3;

async function load(deps: WorkflowDeps, id: string): Promise<AccessRequest> {
  const r = await deps.ledger.get(id);
  if (r === undefined) throw new NotFoundError('request', id);
  return r;
}

/**
 * Run `step` on a fresh read; if another worker moved the row in between (VERSION_CONFLICT), read
 * again and let `step` decide anew (it re-checks the state), a few times. A human should not get a
 * 409 because provisioning happened to ACTIVATE the grant a millisecond earlier.
 */
async function onFreshRead<T = AccessRequest>(deps: WorkflowDeps, id: string, step: (r: AccessRequest) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = await load(deps, id);
    try {
      return await step(r);
    } catch (e) {
      if (!(e instanceof CrossroleError && e.code === 'VERSION_CONFLICT') || attempt >= CONFLICT_ATTEMPTS) throw e;
    }
  }
}

function requireTransition(r: AccessRequest, t: Transition): void {
  nextStatus(r.status, t, r.id);
}

/**
 * An approver approves a PENDING request, optionally shortening it (never lengthening it: the
 * partner asked for at most that much). The ledger records the approval (shared/ledger/approvals.ts);
 * the one that completes the profile's quorum moves the request, in the same transaction: to
 * APPROVED, then `provision` is sent (best effort: the scan re-sends), or, with a start ahead, to
 * SCHEDULED, then the delayed `start` is sent. Below the quorum the request stays PENDING (its
 * approval-needed message stays for the other approvers). The same approver approving again counts
 * once and gets the request as it is.
 */
export async function approveRequest(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown = {}): Promise<AccessRequest> {
  requireApprover(deps.catalog, caller);
  const body = parseWith(approveSchema, input);
  const reason = body.reason === undefined ? undefined : parseReason(body.reason);
  const decided = await onFreshRead(deps, id, async (r) => {
    if (isSelfDecision(caller, r)) throw new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'nobody decides their own request');
    const patch: RequestPatch = { decidedBy: caller.arn };
    if (reason !== undefined) patch.decisionReason = reason;
    if (body.duration !== undefined) {
      const seconds = parseDuration(body.duration, 'duration');
      if (seconds > r.durationSeconds) {
        throw new CrossroleError('DURATION_OVER_MAXIMUM', `an approver may only shorten the duration (requested ${formatDuration(r.durationSeconds)})`, {
          field: 'duration',
          details: { requestedSeconds: r.durationSeconds },
        });
      }
      patch.durationSeconds = seconds;
    }
    // Not PENDING: the ledger answers a repeat by this approver with the request as it is, anything else with ILLEGAL_TRANSITION.
    const onQuorum = isPending(r.status) ? quorumTransition(r, deps.clock.now(), patch) : { transition: Transition.APPROVE, patch };
    return deps.ledger.decide(r.id, {
      approver: approverKey(caller.arn),
      arn: caller.arn,
      decision: ApprovalDecision.APPROVE,
      ...(reason === undefined ? {} : { reason }),
      ...(patch.durationSeconds === undefined ? {} : { durationSeconds: patch.durationSeconds }),
      onQuorum,
    }, { actor: caller.arn, ...(reason === undefined ? {} : { reason }), details: { durationSeconds: patch.durationSeconds ?? r.durationSeconds } });
  });
  const r = decided.request;
  if (decided.counted && isApproved(r.status)) await sendBestEffort(deps, r, 'provision');
  if (decided.counted && isScheduled(r.status)) await announceStart(deps, r);
  deps.logger.info(decided.counted ? 'approval recorded' : 'approval already recorded', { requestId: id, by: caller.arn, status: r.status, approvals: decided.approvals.length });
  return r;
}

/**
 * An approver rejects a PENDING request; the reason is required (it is what the partner reads).
 * One rejection rejects, whatever approvals came before (the ledger records it with them).
 */
export async function rejectRequest(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown): Promise<AccessRequest> {
  requireApprover(deps.catalog, caller);
  const reason = parseReason(parseWith(rejectSchema, input).reason);
  const decided = await onFreshRead(deps, id, async (r) => {
    if (isSelfDecision(caller, r)) throw new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'nobody decides their own request');
    return deps.ledger.decide(r.id, { approver: approverKey(caller.arn), arn: caller.arn, decision: ApprovalDecision.REJECT, reason }, { actor: caller.arn, reason });
  });
  deps.logger.info('request rejected', { requestId: id, by: caller.arn, status: decided.request.status });
  return decided.request;
}

/**
 * Revoke a grant: approvers, the grant's requester, or a manager (or the root) of its partner
 * account (authz.isRequestPartner). For anyone else, a colleague of the requester included, an
 * unknown id and somebody else's id both give FORBIDDEN_NOT_OWNER, so the answer says nothing
 * about whether the request exists. The answer says which mode applies (`modeApplied`), which is
 * not always the one asked for:
 * - a grant already REVOKING keeps the mode its revocation started with (a delete asked for now is
 *   told `trust`: ask again once it is REVOKED);
 * - a grant REVOKED in trust mode, asked for delete, escalates (ESCALATE_DELETE, REVOKED ->
 *   REVOKING with mode delete): its role and guard are deleted now rather than after the retention;
 * - otherwise a grant already REVOKED is returned unchanged (idempotent).
 */
export async function requestRevocationWithMode(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown): Promise<RevokeAnswer> {
  const body = parseWith(revokeSchema, input);
  const reason = parseReason(body.reason);
  const approver = isApprover(deps.catalog, caller);
  const r0 = await deps.ledger.get(id);
  if (!approver && (r0 === undefined || !isRequestPartner(deps.catalog, caller, r0))) {
    throw new ForbiddenError('FORBIDDEN_NOT_OWNER', 'only approvers, the grant\'s requester and its partner\'s managers may revoke it');
  }
  if (r0 === undefined) throw new NotFoundError('request', id);
  let started: 'revoke' | 'escalate' | undefined;
  const result = await onFreshRead(deps, id, async (r) => {
    started = undefined;
    if (isRevoking(r.status)) return r;
    // A SCHEDULED grant holds nothing in RAM yet: revoking it cancels it.
    if (isScheduled(r.status)) return deps.ledger.transition(r.id, r.version, Transition.CANCEL, {}, { actor: caller.arn, reason, details: { revokedBeforeStart: true, startAt: r.startAt } });
    if (isRevoked(r.status)) {
      if (body.mode !== RevokeMode.DELETE || r.revokeMode === RevokeMode.DELETE) return r;
      const escalated = await deps.ledger.transition(r.id, r.version, Transition.ESCALATE_DELETE, { revokeMode: RevokeMode.DELETE }, {
        actor: caller.arn,
        reason,
        details: { mode: RevokeMode.DELETE, previousMode: r.revokeMode ?? RevokeMode.TRUST },
      });
      started = 'escalate';
      return escalated;
    }
    requireTransition(r, Transition.START_REVOKE);
    // A failed delete-mode revocation started again stays in delete mode: a delete is never undone by asking less.
    const mode = r.revokeMode === RevokeMode.DELETE ? RevokeMode.DELETE : body.mode;
    const moved = await deps.ledger.transition(r.id, r.version, Transition.START_REVOKE, { revokeMode: mode }, {
      actor: caller.arn,
      reason,
      details: { mode },
    });
    started = 'revoke';
    return moved;
  });
  const answer = (request: AccessRequest): RevokeAnswer => ({ request, modeApplied: request.revokeMode ?? RevokeMode.TRUST });
  if (started === 'revoke') {
    await sendBestEffort(deps, result, 'revoke');
    deps.logger.info('revocation started', { requestId: id, by: caller.arn, mode: result.revokeMode });
    return answer(result);
  }
  if (started === 'escalate') return answer(await finishEscalation(deps, result, caller));
  if (body.mode !== (result.revokeMode ?? RevokeMode.TRUST)) {
    deps.logger.info('revocation already under way in another mode; that mode applies', { requestId: id, status: result.status, asked: body.mode, applied: result.revokeMode });
  } else {
    deps.logger.info('revocation already under way or done', { requestId: id, status: result.status });
  }
  return answer(result);
}

/**
 * Delete the escalated grant's role and guard now, in this invocation. A delayed `revoke` goes out
 * first as the safety net: if this function dies or RAM fails, the revocation function finishes it
 * (and finds the row REVOKED, and does nothing, when the work here succeeded).
 */
async function finishEscalation(deps: WorkflowDeps, escalated: AccessRequest, caller: CallerIdentity): Promise<AccessRequest> {
  await sendBestEffort(deps, escalated, 'revoke', FUNCTION_TIMEOUT_SECONDS.approval);
  try {
    await finishRevocation(deps, escalated);
  } catch (e) {
    deps.logger.warn('escalated revocation not finished here; the revocation function will', { requestId: escalated.id, error: errorMessage(e) });
  }
  deps.logger.info('revocation escalated to delete mode', { requestId: escalated.id, by: caller.arn });
  return (await deps.ledger.get(escalated.id)) ?? escalated;
}

/** {@link requestRevocationWithMode}, answering the request only. */
export async function requestRevocation(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown): Promise<AccessRequest> {
  return (await requestRevocationWithMode(deps, caller, id, input)).request;
}

/**
 * An approver retries a FAILED request. What failed decides where it goes: a failed revocation
 * (marked by `revokeMode`, which only START_REVOKE sets) is revoked again (START_REVOKE, FAILED ->
 * REVOKING); a failed provisioning is provisioned again (RETRY, FAILED -> APPROVED). Never the
 * other way round: RETRY on a failed revocation would re-grant access somebody revoked.
 */
export async function retryFailed(deps: WorkflowDeps, caller: CallerIdentity, id: string): Promise<AccessRequest> {
  requireApprover(deps.catalog, caller);
  const retried = await onFreshRead(deps, id, async (r) => {
    if (!isFailed(r.status)) refuseRetry(r);
    if (r.revokeMode !== undefined) {
      return deps.ledger.transition(r.id, r.version, Transition.START_REVOKE, { lastError: undefined }, { actor: caller.arn, reason: 'retry of a failed revocation', details: { mode: r.revokeMode } });
    }
    return deps.ledger.transition(r.id, r.version, Transition.RETRY, { lastError: undefined }, { actor: caller.arn, reason: 'retry of a failed provisioning' });
  });
  await sendBestEffort(deps, retried, retried.status === Status.REVOKING ? 'revoke' : 'provision');
  deps.logger.info('failed request retried', { requestId: id, by: caller.arn, status: retried.status });
  return retried;
}

/**
 * Only FAILED requests are retried. A revoked grant (or one being revoked) never goes back to
 * provisioning; when its role does not look revoked, reconciliation is what fixes RAM: say so.
 */
function refuseRetry(r: AccessRequest): never {
  const refused = new IllegalTransitionError(r.status, Status.APPROVED, r.id);
  if (!isRevoked(r.status) && !isRevoking(r.status) && r.revokeMode === undefined) throw refused;
  throw new CrossroleError('ILLEGAL_TRANSITION', `${refused.message}: a revoked grant is never provisioned again. If its role in RAM does not look revoked, reconcile it: POST /requests/${r.id}/reconcile (crossrole reconcile ${r.id})`, {
    details: { ...refused.details, hint: 'reconcile' },
  });
}

/**
 * The requester (or a manager of its account) withdraws a PENDING or SCHEDULED request; FORBIDDEN_NOT_OWNER
 * for anyone else and for unknown ids alike, as for revoke.
 */
export async function cancelRequest(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown = {}): Promise<AccessRequest> {
  const body = parseWith(cancelSchema, input);
  const reason = body.reason === undefined ? undefined : parseReason(body.reason);
  const r0 = await deps.ledger.get(id);
  if (r0 === undefined || !isRequestPartner(deps.catalog, caller, r0)) {
    throw new ForbiddenError('FORBIDDEN_NOT_OWNER', 'only the requester and its partner\'s managers may cancel a request');
  }
  return onFreshRead(deps, id, async (r) => {
    requireTransition(r, Transition.CANCEL);
    return deps.ledger.transition(r.id, r.version, Transition.CANCEL, {}, { actor: caller.arn, ...(reason === undefined ? {} : { reason }) });
  });
}
