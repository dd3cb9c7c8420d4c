/**
 * Scheduled start: when a SCHEDULED request is due, and the ledger step that starts it (START,
 * SCHEDULED -> APPROVED). Shared by the provisioning consumer (the delayed `start` message) and the
 * scan (its fallback, for a message lost or never sent), like support/expiry.ts for the end.
 */
import type { AccessRequest } from '../../domain/access-request';
import { scheduledEnd, untilStart } from '../../domain/quorum';
import type { RequestPatch } from '../../domain/ports';
import { CrossroleError } from '../../domain/errors';
import { Transition } from '../../domain/state-machine';
import { Actor } from './deps';
import type { WorkflowDeps } from './deps';
import { sendBestEffort } from './messages';

/** SCHEDULED -> APPROVED: the start time came. Throws VERSION_CONFLICT / ILLEGAL_TRANSITION when it lost a race (a cancel). */
export function startScheduled(deps: WorkflowDeps, r: AccessRequest, actor: string = Actor.SCHEDULER): Promise<AccessRequest> {
  return deps.ledger.transition(r.id, r.version, Transition.START, {}, { actor, reason: 'start time reached', details: { startAt: r.startAt } });
}

/** Send the delayed `start` for a SCHEDULED request (best effort: the scan starts it anyway). */
export function announceStart(deps: WorkflowDeps, r: AccessRequest): Promise<boolean> {
  return sendBestEffort(deps, r, 'start', untilStart(r, deps.clock.now()) / 1000);
}

/**
 * What the last approval leads to: APPROVE (provision now) without a start or once it has come,
 * SCHEDULE while it is ahead. A request whose window [startAt, startAt + duration] is over can no
 * longer be approved (the scan lapses it): it would be a grant that ends before it begins.
 */
export function quorumTransition(r: AccessRequest, now: Date, patch: RequestPatch): { transition: Transition; patch: RequestPatch } {
  const end = scheduledEnd({ startAt: r.startAt, durationSeconds: patch.durationSeconds ?? r.durationSeconds });
  if (end !== undefined && end.getTime() <= now.getTime()) {
    throw new CrossroleError('ILLEGAL_TRANSITION', `request ${r.id} asked for access from ${r.startAt ?? '?'} to ${end.toISOString()}: that window is over, so it can no longer be approved`, {
      details: { id: r.id, startAt: r.startAt, windowEnd: end.toISOString() },
    });
  }
  return { transition: untilStart(r, now) > 0 ? Transition.SCHEDULE : Transition.APPROVE, patch };
}
