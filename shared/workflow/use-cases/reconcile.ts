/**
 * Use case: reconcile one grant now (`POST /requests/{id}/reconcile`, `crossrole reconcile <id>`):
 * the scan's per-role reconciliation (support/reconcile.ts), on demand, reading the guard's
 * document too, and answering what it found and what it did.
 */
import type { ReconcileAnswer } from '../../domain/api';
import { NotFoundError } from '../../domain/errors';
import type { CallerIdentity } from '../../domain/ports';
import { STUCK_AFTER_SECONDS } from '../../domain/timing';
import { requireApproverOrOperator } from '../support/authz';
import type { WorkflowDeps } from '../support/deps';
import { reconcileGrant } from '../support/reconcile';

/**
 * Approvers and operators (authz.isOperator): reconciling grants nothing the ledger does not
 * already say, so the only thing at stake is who may make RAM calls happen now.
 */
export async function reconcileRequest(deps: WorkflowDeps, caller: CallerIdentity, id: string): Promise<ReconcileAnswer> {
  requireApproverOrOperator(deps.catalog, caller, 'reconcile a grant');
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
