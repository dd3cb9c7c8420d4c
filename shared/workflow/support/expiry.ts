/**
 * When a grant is due, and the ledger step that starts its expiry: shared by the revocation
 * consumer (a delayed `expire` message) and the scan (due rows nobody was told about).
 */
import type { AccessRequest } from '../../domain/access-request';
import { RevokeMode } from '../../domain/access-request';
import { effectiveExpiresAt } from '../../domain/extension';
import { Transition } from '../../domain/state-machine';
import { Actor } from './deps';
import type { WorkflowDeps } from './deps';

/** Due at the effective expiry: an approved extension or shortening not yet applied counts (extension.ts). */
export function isDue(r: Pick<AccessRequest, 'expiresAt' | 'targetExpiresAt'>, now: Date): boolean {
  const at = effectiveExpiresAt(r);
  return at !== undefined && Date.parse(at) <= now.getTime();
}

/** ACTIVE -> REVOKING because the grant expired (trust mode: reversible, keeps the audit trail simple). */
export async function startExpiry(deps: WorkflowDeps, r: AccessRequest): Promise<AccessRequest> {
  return deps.ledger.transition(r.id, r.version, Transition.START_REVOKE, { revokeMode: RevokeMode.TRUST }, {
    actor: Actor.EXPIRY,
    reason: 'expired',
    details: { expiresAt: r.expiresAt, mode: RevokeMode.TRUST },
  });
}
