/**
 * Use case: the revocation function ends a grant (crossrole-revoke: `revoke` and delayed `expire`
 * messages). It re-reads the ledger and never revokes early: an ACTIVE grant is only revoked here
 * once its expiresAt has passed (revocations asked for by people arrive already REVOKING).
 */
import type { WorkflowMessage } from '../../domain/ports';
import { effectiveExpiresAt } from '../../domain/extension';
import { isActive, isRevoking } from '../../domain/state-machine';
import type { Outcome, WorkflowDeps } from '../support/deps';
import { isDue, startExpiry } from '../support/expiry';
import { sendFor } from '../support/messages';
import { hasCode } from '../support/ram-grant';
import { finishRevocation } from '../support/revocation';

/**
 * Consumer of crossrole-revoke, given a message the edge already parsed. Returns an outcome
 * (acknowledge) or throws (retry later).
 * - REVOKING: do the RAM work for its mode, then FINISH_REVOKE.
 * - ACTIVE and due: START_REVOKE (actor system:expiry), then the same.
 * - ACTIVE and not due: an `expire` message is sent again with the remaining delay (a grant longer
 *   than the queue's 7-day maximum delay, clock skew, or a forged message), unless it was sent for
 *   an older version (an extension moved the expiry and sent its own); any other is ignored.
 * - Anything else: acknowledged without effect.
 */
export async function revokeGrant(deps: WorkflowDeps, m: WorkflowMessage): Promise<Outcome> {
  if (m.kind !== 'revoke' && m.kind !== 'expire') {
    deps.logger.warn('message of another kind on the revoke queue acknowledged', { requestId: m.requestId, kind: m.kind });
    return { outcome: 'malformed', requestId: m.requestId, detail: `unexpected kind ${m.kind}` };
  }
  let r = await deps.ledger.get(m.requestId);
  if (r === undefined) {
    deps.logger.info('stale message', { requestId: m.requestId, kind: m.kind, status: 'unknown' });
    return { outcome: 'stale', requestId: m.requestId };
  }

  if (isActive(r.status)) {
    const now = deps.clock.now();
    if (!isDue(r, now)) {
      // Sent before the expiry last moved (an extension or shortening bumps the version and sends
      // its own `expire`): superseded, it does nothing. The scan is the safety net either way.
      if (m.kind === 'expire' && m.version !== undefined && m.version < r.version) {
        deps.logger.info('expire message superseded by a newer expiry', { requestId: r.id, messageVersion: m.version, version: r.version, expiresAt: effectiveExpiresAt(r) });
        return { outcome: 'stale', requestId: r.id, status: r.status, detail: 'superseded' };
      }
      const at = effectiveExpiresAt(r);
      if (m.kind === 'expire' && at !== undefined) {
        const remaining = (Date.parse(at) - now.getTime()) / 1000;
        await sendFor(deps, r, 'expire', remaining);
        deps.logger.info('early expire message re-sent with the remaining delay', { requestId: r.id, remainingSeconds: Math.ceil(remaining) });
        return { outcome: 'rescheduled', requestId: r.id, status: r.status, detail: `${Math.ceil(remaining)}s remaining` };
      }
      deps.logger.warn('revoke message for an ACTIVE grant that is not due ignored', { requestId: r.id, kind: m.kind, expiresAt: r.expiresAt });
      return { outcome: 'stale', requestId: r.id, status: r.status, detail: 'not due' };
    }
    try {
      r = await startExpiry(deps, r);
    } catch (e) {
      if (!hasCode(e, 'VERSION_CONFLICT', 'ILLEGAL_TRANSITION')) throw e;
      // Somebody moved it first (a person revoking, the scan): act on what it is now.
      const fresh = await deps.ledger.get(r.id);
      if (fresh === undefined) return { outcome: 'stale', requestId: m.requestId };
      r = fresh;
    }
  }

  if (!isRevoking(r.status)) {
    deps.logger.info('stale message', { requestId: r.id, kind: m.kind, status: r.status });
    return { outcome: 'stale', requestId: r.id, status: r.status };
  }
  return finishRevocation(deps, r);
}

