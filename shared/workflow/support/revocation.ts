/**
 * The RAM work of a REVOKING request and its FINISH_REVOKE: shared by the revocation consumer and
 * by an escalation to delete mode, which the approval function finishes at once.
 */
import type { AccessRequest } from '../../domain/access-request';
import { RevokeMode } from '../../domain/access-request';
import { Transition } from '../../domain/state-machine';
import { Actor } from './deps';
import type { Outcome, WorkflowDeps } from './deps';
import { hasCode, revokeInRam } from './ram-grant';

/** The RAM work of a REVOKING request, then FINISH_REVOKE. */
export async function finishRevocation(deps: WorkflowDeps, r: AccessRequest): Promise<Outcome> {
  const before = deps.ram.callCount();
  const mode = r.revokeMode ?? RevokeMode.TRUST;
  const result = await revokeInRam(deps, r, mode);
  const ramCalls = deps.ram.callCount() - before;
  try {
    const done = await deps.ledger.transition(r.id, r.version, Transition.FINISH_REVOKE, {}, {
      actor: Actor.REVOCATION,
      details: { mode, ramCalls, ...result },
    });
    deps.logger.info('grant revoked', { requestId: r.id, mode, ramCalls, ...result });
    return { outcome: 'done', requestId: r.id, status: done.status, ramCalls };
  } catch (e) {
    // A duplicate delivery finished first: the RAM work above was idempotent, nothing else to do.
    if (!hasCode(e, 'VERSION_CONFLICT', 'ILLEGAL_TRANSITION')) throw e;
    const now = await deps.ledger.get(r.id);
    deps.logger.info('revocation finished concurrently', { requestId: r.id, status: now?.status });
    return { outcome: 'stale', requestId: r.id, ...(now ? { status: now.status } : {}), ramCalls };
  }
}
