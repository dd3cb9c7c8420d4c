/**
 * Use case: reconcile one grant now (`POST /requests/{id}/reconcile`, `crossrole reconcile <id>`):
 * the scan's per-role reconciliation (support/reconcile.ts), on demand, reading the guard's
 * document too, and answering what it found and what it did.
 */
import type { ReconcileAnswer } from '../../domain/api';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import { parsePrincipalArn } from '../../domain/identifiers';
import type { CallerIdentity } from '../../domain/ports';
import { STUCK_AFTER_SECONDS } from '../../domain/timing';
import { isApprover } from '../support/authz';
import type { WorkflowDeps } from '../support/deps';
import { reconcileGrant } from '../support/reconcile';

/**
 * Operators: the owner account's root identity, which runs `crossrole bootstrap` and can change
 * RAM directly anyway. Reconciling grants nothing the ledger does not already say, so the only
 * thing at stake is who may make RAM calls happen now.
 */
function isOperator(deps: WorkflowDeps, caller: CallerIdentity): boolean {
  if (caller.accountId !== deps.catalog.ownerAccountId) return false;
  try {
    return parsePrincipalArn(caller.arn).kind === 'root';
  } catch {
    return false;
  }
}

export async function reconcileRequest(deps: WorkflowDeps, caller: CallerIdentity, id: string): Promise<ReconcileAnswer> {
  if (!isApprover(deps.catalog, caller) && !isOperator(deps, caller)) {
    throw new ForbiddenError('FORBIDDEN_NOT_APPROVER', 'only approvers and the owner account\'s operators may reconcile a grant');
  }
  const request = await deps.ledger.get(id);
  if (request === undefined) throw new NotFoundError('request', id);
  const reconcile = await reconcileGrant(deps, request, {
    now: deps.clock.now(),
    stuckMs: STUCK_AFTER_SECONDS * 1000,
    readGuardDocument: true,
    actor: caller.arn,
  });
  deps.logger.info('grant reconciled', { requestId: id, by: caller.arn, outcome: reconcile.outcome, desired: reconcile.desired, actions: reconcile.actions });
  return { request: (await deps.ledger.get(id)) ?? request, reconcile };
}
