/**
 * `crossrole doctor`'s break-glass line, for approvers and operators: the break-glass grants whose
 * post-hoc review is overdue (`GET /requests?unreviewed=overdue` of the approval API). A warning,
 * not a failure: the deployment works; a person owes a review.
 */
import type { PopEndpoint } from '../api';
import { createApiClient } from '../api';
import type { CloudCredentials } from '../../shared/cloud/credentials';
import { toCliError } from '../errors';
import { fail, ok, skip, warn, type CheckLine } from './checks';

const CHECK = 'break-glass-reviews';
/** Ids named on the line; the rest are counted. */
const SHOWN = 5;

export async function breakGlassReviewLine(input: { intake: string; approval: string; sts: PopEndpoint; credentials: CloudCredentials }): Promise<CheckLine> {
  const api = createApiClient({ intake: input.intake, approval: input.approval, sts: input.sts, credentials: async () => input.credentials });
  try {
    const { items, next } = await api.list({ unreviewed: 'overdue', limit: 100 }, 'approval');
    if (items.length === 0) return ok(CHECK, 'no break-glass grant is overdue for its review');
    const more = next === undefined ? items.length - SHOWN : `${items.length - SHOWN}+`;
    const ids = items.slice(0, SHOWN).map((r) => `${r.id} (${r.profile}, due ${r.breakGlass?.reviewDueAt ?? '?'})`).join(', ');
    return warn(CHECK, `${next === undefined ? items.length : `${items.length}+`} break-glass grant(s) overdue for review: ${ids}${items.length > SHOWN ? ` and ${more} more` : ''}`,
      'an approver reviews each: crossrole review <id> --ok|--flag --note "..." (crossrole list --unreviewed lists them)');
  } catch (e) {
    const err = toCliError(e);
    if (err.code.startsWith('FORBIDDEN_')) return skip(CHECK, `break-glass reviews not checked: ${err.code} (approvers and the owner account's root may list them)`);
    return fail(CHECK, `listing the break-glass grants overdue for review failed: ${err.code}: ${err.message}`, err.hint ?? 'check the approval API URL');
  }
}
