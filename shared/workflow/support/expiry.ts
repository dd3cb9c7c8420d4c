/**
 * When a grant is due, and the ledger step that starts its expiry: shared by the revocation
 * consumer (a delayed `expire` message) and the scan (due rows nobody was told about).
 */
import type { AccessRequest } from '../../domain/access-request';
import { RevokeMode } from '../../domain/access-request';
import { Transition } from '../../domain/state-machine';
import { Actor } from './deps';
import type { WorkflowDeps } from './deps';

export function isDue(r: Pick<AccessRequest, 'expiresAt'>, now: Date): boolean {
  return r.expiresAt !== undefined && Date.parse(r.expiresAt) <= now.getTime();
}

/** ACTIVE -> REVOKING because the grant expired (trust mode: reversible, keeps the audit trail simple). */
export async function startExpiry(deps: WorkflowDeps, r: AccessRequest): Promise<AccessRequest> {
  return deps.ledger.transition(r.id, r.version, Transition.START_REVOKE, { revokeMode: RevokeMode.TRUST }, {
    actor: Actor.EXPIRY,
    reason: 'expired',
    details: { expiresAt: r.expiresAt, mode: RevokeMode.TRUST },
  });
}
