/**
 * Use case: the post-hoc review of a break-glass grant (`POST /requests/{id}/review`,
 * `crossrole review <id> --ok|--flag --note ...`). A break-glass grant is approved without an
 * approver (submit.ts); an approver looks at it afterwards, within the catalog's reviewWithin, and
 * says whether it was justified (`ok`) or not (`flag`: a finding for the security team; revoking
 * the grant, if it is still live, is a separate, explicit act).
 *
 * A review is written once: a second one is refused (409 ALREADY_REVIEWED, with the first in its
 * details) rather than overwriting it, so what the record says was reviewed cannot be changed
 * quietly afterwards; a later concern is a revocation, or goes to the security team.
 */
import { z } from 'zod';
import type { AccessRequest } from '../../domain/access-request';
import { ReviewVerdict } from '../../domain/access-request';
import type { ReviewBody } from '../../domain/api';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import type { CallerIdentity } from '../../domain/ports';
import { parseWith } from '../../domain/validation';
import { isSelfDecision, requireApprover } from '../support/authz';
import type { WorkflowDeps } from '../support/deps';
import { parseReason, type SameType } from '../support/input';

const reviewSchema = z.strictObject({ verdict: z.enum(['ok', 'flag']), note: z.string() });
const _reviewIsTheApiBody: SameType<z.input<typeof reviewSchema>, ReviewBody> = true;

/**
 * An approver reviews a break-glass grant, whatever its status now (a grant that already expired
 * is reviewed too). Never the requester (nor anyone of the partner account): approvers belong to
 * the owner account (FORBIDDEN_APPROVER_ACCOUNT), and self-review is refused like self-approval.
 * The review and its REVIEW audit event are one transaction (ledger.review).
 */
export async function reviewGrant(deps: WorkflowDeps, caller: CallerIdentity, id: string, input: unknown): Promise<AccessRequest> {
  requireApprover(deps.catalog, caller);
  const body = parseWith(reviewSchema, input);
  const note = parseReason(body.note, 'note');
  const r = await deps.ledger.get(id);
  if (r === undefined) throw new NotFoundError('request', id);
  if (isSelfDecision(caller, r)) throw new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'nobody reviews their own break-glass grant');
  const verdict = body.verdict === 'ok' ? ReviewVerdict.OK : ReviewVerdict.FLAGGED;
  const now = deps.clock.now();
  const overdue = r.breakGlass !== undefined && Date.parse(r.breakGlass.reviewDueAt) < now.getTime();
  const reviewed = await deps.ledger.review(id, { verdict, by: caller.arn, note }, {
    actor: caller.arn,
    reason: note,
    details: { verdict, ...(r.breakGlass === undefined ? {} : { reviewDueAt: r.breakGlass.reviewDueAt, overdue }) },
  });
  deps.logger.info('break-glass grant reviewed', { requestId: id, by: caller.arn, verdict, overdue });
  return reviewed;
}
