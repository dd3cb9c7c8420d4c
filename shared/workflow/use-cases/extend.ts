/**
 * Use cases: extend or shorten an ACTIVE grant (docs/architecture.md "Extending and shortening a
 * grant", shared/domain/extension.ts).
 * - extend (intake): the grant's partner (requester, manager, root) asks for a later expiry, with a
 *   reason. The profile decides: up to `autoExtend` it is approved at once, otherwise an approver
 *   decides; never past `maxTotalDuration` from the grant's activation.
 * - shorten (intake and approval): the partner or an approver moves the expiry earlier. It takes
 *   access away, so it needs no approval: it is recorded APPROVED and applied at once.
 * - approve / reject (approval): an approver decides a PENDING extension.
 * - apply (provisioning, the `extend` message on crossrole-provision): support/extension.ts.
 */
import { z } from 'zod';
import type { AccessRequest } from '../../domain/access-request';
import type { ChangeExpiryBody, ExtensionAnswer, ExtensionDecisionBody } from '../../domain/api';
import { findProfile } from '../../domain/catalog';
import { formatDuration, parseDuration } from '../../domain/duration';
import { CrossroleError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors';
import type { Extension, ExtensionKind } from '../../domain/extension';
import { ExtensionKind as Kind, ExtensionStatus, ExtensionStep, isPendingExtension } from '../../domain/extension';
import type { CallerIdentity, ExtensionResult } from '../../domain/ports';
import { isActive } from '../../domain/state-machine';
import { parseWith } from '../../domain/validation';
import { isApprover, isRequestPartner, isSelfDecision, requireApprover } from '../support/authz';
import { Actor } from '../support/deps';
import type { WorkflowDeps } from '../support/deps';
import { cancelExtension, openExtensionOf } from '../support/extension';
import { parseReason, type SameType } from '../support/input';
import { sendBestEffort } from '../support/messages';
import { hasCode } from '../support/ram-grant';

const changeSchema = z.strictObject({ duration: z.string().max(32).optional(), until: z.string().max(64).optional(), reason: z.string() });
const approveSchema = z.strictObject({ reason: z.string().optional() });
const rejectSchema = z.strictObject({ reason: z.string() });
const _changeIsTheApiBody: SameType<z.input<typeof changeSchema>, ChangeExpiryBody> = true;
const _approveIsTheApiBody: SameType<z.input<typeof approveSchema>, ExtensionDecisionBody> = true;

/** How often a step re-reads and retries after losing a race on the grant's version. */
const CONFLICT_ATTEMPTS = 3;

const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

function notActive(r: AccessRequest): CrossroleError {
  return new CrossroleError('NOT_ACTIVE', `request ${r.id} is ${r.status}: only an ACTIVE grant's expiry can change`, { details: { id: r.id, status: r.status } });
}

/** The new expiry a body asks for, from the grant's current one. */
function askedExpiry(body: z.output<typeof changeSchema>, current: number, kind: ExtensionKind): Date {
  if ((body.duration === undefined) === (body.until === undefined)) {
    throw new ValidationError('VALIDATION', 'duration', 'give exactly one of "duration" (e.g. "2h") or "until" (an ISO 8601 time)');
  }
  if (body.until !== undefined) {
    const at = Date.parse(body.until);
    if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(body.until)) throw new ValidationError('VALIDATION', 'until', 'must be an ISO 8601 time such as 2026-12-07T18:00:00Z');
    return wholeSeconds(at);
  }
  const seconds = parseDuration(body.duration, 'duration');
  return wholeSeconds(kind === Kind.EXTEND ? current + seconds * 1000 : current - seconds * 1000);
}

/** Run `step` on a fresh read of the grant, again if it lost a race on the version. */
async function onFreshGrant<T>(deps: WorkflowDeps, id: string, step: (r: AccessRequest) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = await deps.ledger.get(id);
    if (r === undefined) throw new NotFoundError('request', id);
    try {
      return await step(r);
    } catch (e) {
      if (!hasCode(e, 'VERSION_CONFLICT') || attempt >= CONFLICT_ATTEMPTS) throw e;
    }
  }
}

/** Who may change a grant's expiry: its partner (requester, managers, root); for a shortening, approvers too. */
async function requireChanger(deps: WorkflowDeps, caller: CallerIdentity, id: string, approversToo: boolean): Promise<void> {
  if (approversToo && isApprover(deps.catalog, caller)) return;
  const r = await deps.ledger.get(id);
  if (r === undefined || !isRequestPartner(deps.catalog, caller, r)) {
    throw new ForbiddenError('FORBIDDEN_NOT_OWNER', `only the grant's requester and its partner's managers${approversToo ? ', and approvers,' : ''} may change its expiry`);
  }
}

function newExtension(deps: WorkflowDeps, r: AccessRequest, kind: ExtensionKind, caller: CallerIdentity, reason: string, to: Date, approvedBy?: string): Extension {
  const now = deps.clock.now().toISOString();
  return {
    id: deps.newId(), requestId: r.id, kind, status: approvedBy === undefined ? ExtensionStatus.PENDING : ExtensionStatus.APPROVED,
    requestedBy: caller.arn, reason, fromExpiresAt: r.expiresAt ?? now, newExpiresAt: to.toISOString(), createdAt: now, updatedAt: now,
    ...(approvedBy === undefined ? {} : { decidedBy: approvedBy }),
  };
}

const answer = (x: ExtensionResult): ExtensionAnswer => ({ request: x.request, extension: x.extension });

/**
 * The partner asks for a later expiry. EXTENSION_TOO_LONG past the profile's maxTotalDuration
 * (counted from the activation: expiresAt - durationSeconds), NOT_ACTIVE, EXTENSION_OPEN.
 */
export async function requestExtension(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown): Promise<ExtensionAnswer> {
  const body = parseWith(changeSchema, input);
  const reason = parseReason(body.reason);
  await requireChanger(deps, caller, id, false);
  const made = await onFreshGrant(deps, id, async (r) => {
    if (!isActive(r.status) || r.expiresAt === undefined) throw notActive(r);
    const profile = findProfile(deps.catalog, r.profile);
    if (profile === undefined) throw new CrossroleError('UNKNOWN_PROFILE', `profile "${r.profile}" is no longer in the catalog: its grants cannot be extended`, { details: { profile: r.profile } });
    const current = Date.parse(r.expiresAt);
    const to = askedExpiry(body, current, Kind.EXTEND);
    if (to.getTime() <= current) throw new ValidationError('VALIDATION', 'until', `must be later than the current expiry ${r.expiresAt}; to end earlier, shorten the grant`);
    const start = current - r.durationSeconds * 1000;
    const latest = new Date(start + profile.maxTotalDurationSeconds * 1000);
    if (to.getTime() > latest.getTime()) {
      throw new CrossroleError('EXTENSION_TOO_LONG', `profile "${profile.name}" grants at most ${formatDuration(profile.maxTotalDurationSeconds)} in all: this grant may run until ${latest.toISOString()} at the latest`, {
        field: body.until === undefined ? 'duration' : 'until',
        details: { maxTotalDurationSeconds: profile.maxTotalDurationSeconds, latestExpiresAt: latest.toISOString(), askedExpiresAt: to.toISOString() },
      });
    }
    const auto = profile.autoExtendSeconds > 0 && to.getTime() - current <= profile.autoExtendSeconds * 1000;
    const e = newExtension(deps, r, Kind.EXTEND, caller, reason, to, auto ? Actor.AUTO_APPROVE : undefined);
    return deps.ledger.createExtension(e, r.version, { actor: caller.arn, reason, details: { autoApproved: auto } });
  });
  await sendBestEffort(deps, made.request, isPendingExtension(made.extension.status) ? 'extension-needed' : 'extend');
  deps.logger.info('extension requested', { requestId: id, by: caller.arn, extensionId: made.extension.id, status: made.extension.status, newExpiresAt: made.extension.newExpiresAt });
  return answer(made);
}

/**
 * The partner or an approver moves the expiry earlier, at once: recorded APPROVED (the ledger's
 * approved expiry moves first), then applied by provisioning (guard, tag, then the ledger's expiry).
 * The new expiry must still be in the future: to end access now, revoke.
 */
export async function shortenGrant(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown): Promise<ExtensionAnswer> {
  const body = parseWith(changeSchema, input);
  const reason = parseReason(body.reason);
  await requireChanger(deps, caller, id, true);
  const made = await onFreshGrant(deps, id, async (r) => {
    if (!isActive(r.status) || r.expiresAt === undefined) throw notActive(r);
    const current = Date.parse(r.expiresAt);
    const to = askedExpiry(body, current, Kind.SHORTEN);
    if (to.getTime() >= current) throw new ValidationError('VALIDATION', 'until', `must be earlier than the current expiry ${r.expiresAt}; to end later, extend the grant`);
    if (to.getTime() <= deps.clock.now().getTime()) throw new ValidationError('VALIDATION', 'until', 'must be in the future; to end access now, revoke the grant');
    return deps.ledger.createExtension(newExtension(deps, r, Kind.SHORTEN, caller, reason, to, caller.arn), r.version, { actor: caller.arn, reason });
  });
  await sendBestEffort(deps, made.request, 'extend');
  deps.logger.info('grant shortened', { requestId: id, by: caller.arn, extensionId: made.extension.id, newExpiresAt: made.extension.newExpiresAt });
  return answer(made);
}

/** The grant's PENDING extension, for a decision. */
async function pendingOf(deps: WorkflowDeps, caller: CallerIdentity, id: string): Promise<{ r: AccessRequest; e: Extension }> {
  const r = await deps.ledger.get(id);
  if (r === undefined) throw new NotFoundError('request', id);
  const e = await openExtensionOf(deps, id);
  if (e === undefined || !isPendingExtension(e.status)) throw new NotFoundError('pending extension of request', id);
  if (isSelfDecision(caller, r) || caller.arn === e.requestedBy) throw new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'nobody decides their own extension');
  return { r, e };
}

/** An approver approves the grant's PENDING extension; provisioning then applies it (`extend`). */
export async function approveExtension(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown = {}): Promise<ExtensionAnswer> {
  requireApprover(deps.catalog, caller);
  const body = parseWith(approveSchema, input);
  const reason = body.reason === undefined ? undefined : parseReason(body.reason);
  const decision = { decidedBy: caller.arn, ...(reason === undefined ? {} : { decisionReason: reason }) };
  const done = await onFreshGrant(deps, id, async () => {
    const { r, e } = await pendingOf(deps, caller, id);
    if (!isActive(r.status)) {
      await cancelExtension(deps, e, caller.arn, `the grant is ${r.status}`);
      throw notActive(r);
    }
    return deps.ledger.stepExtension(e.id, ExtensionStep.APPROVE, r.version, decision, { actor: caller.arn, ...(reason === undefined ? {} : { reason }) });
  });
  await sendBestEffort(deps, done.request, 'extend');
  deps.logger.info('extension approved', { requestId: id, by: caller.arn, extensionId: done.extension.id, newExpiresAt: done.extension.newExpiresAt });
  return answer(done);
}

/** An approver refuses the grant's PENDING extension; the reason is what the partner reads. */
export async function rejectExtension(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown): Promise<ExtensionAnswer> {
  requireApprover(deps.catalog, caller);
  const reason = parseReason(parseWith(rejectSchema, input).reason);
  const { e } = await pendingOf(deps, caller, id);
  const done = await deps.ledger.stepExtension(e.id, ExtensionStep.REJECT, undefined, { decidedBy: caller.arn, decisionReason: reason }, { actor: caller.arn, reason });
  deps.logger.info('extension rejected', { requestId: id, by: caller.arn, extensionId: e.id });
  return answer(done);
}
