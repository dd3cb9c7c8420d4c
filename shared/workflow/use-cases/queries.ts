/**
 * Use cases: read a request and its history, list requests (GET /requests[/{id}]), list the
 * catalog's profiles (GET /profiles).
 */
import type { AccessRequest } from '../../domain/access-request';
import type { ListQuery, RequestPage, RequestView } from '../../domain/api';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../domain/api';
import { ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors';
import { isPartnerAllowed } from '../../domain/catalog';
import { summarizeProfile, type ProfilesAnswer } from '../../domain/profile-summary';
import type { CallerIdentity } from '../../domain/ports';
import { Status, isStatus } from '../../domain/state-machine';
import { canSee, isApprover, isPartnerManager, ownRequestsOf, requireApproverOrOperator, requireRequester } from '../support/authz';
import { approvalsView } from '../../domain/quorum';
import type { WorkflowDeps } from '../support/deps';

/**
 * A request and its audit trail (its ExternalId with it). Approvers see all; a partner identity
 * sees the requests it asked for, and a partner's manager or root all of the account's. Anyone
 * else (a colleague of the requester included) gets NOT_FOUND, exactly as for an id that does not
 * exist, so ids cannot be probed. `approvals`: each approver's decision so far, and how many remain.
 */
export async function getRequest(deps: WorkflowDeps, caller: CallerIdentity, id: string): Promise<RequestView> {
  const request = await deps.ledger.get(id);
  if (request === undefined || !canSee(deps.catalog, caller, request)) throw new NotFoundError('request', id);
  const extensions = await deps.ledger.listExtensions(id);
  return { request, history: await deps.ledger.history(id), approvals: approvalsView(request, await deps.ledger.approvals(id), caller.arn), ...(extensions.length > 0 ? { extensions } : {}) };
}

/**
 * Approvers: requests in one status, PENDING (the decision queue) when none is given, since the
 * ledger lists across partners only by status. A partner's manager or root: the account's
 * requests (optionally by status). Any other identity: the requests it asked for itself (the
 * owner account's non-approvers and strangers: none).
 */
export async function listRequests(deps: WorkflowDeps, caller: CallerIdentity, query: ListQuery = {}): Promise<RequestPage> {
  if (query.status !== undefined && !isStatus(query.status)) {
    throw new ValidationError('VALIDATION', 'status', `must be one of ${Object.values(Status).join(', ')}`);
  }
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError('VALIDATION', 'limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const status = query.status;
  const page = { limit, ...(query.after === undefined ? {} : { after: query.after }) };
  if (query.unreviewed !== undefined) {
    requireApproverOrOperator(deps.catalog, caller, 'list the break-glass grants waiting for review');
    const items = query.unreviewed === 'overdue' ? await overdueBreakGlassReviews(deps, page) : await deps.ledger.listUnreviewed(page);
    return pageOf(items, limit);
  }
  const partnerPage = status === undefined ? page : { ...page, status };
  const items = isApprover(deps.catalog, caller)
    ? await deps.ledger.listByStatus(status ?? Status.PENDING, page)
    : await deps.ledger.listByPartner(caller.accountId, isPartnerManager(deps.catalog, caller) ? partnerPage : { ...partnerPage, requester: ownRequestsOf(caller) });
  return pageOf(items, limit);
}

function pageOf(items: AccessRequest[], limit: number): RequestPage {
  const last = items[items.length - 1];
  return items.length === limit && last !== undefined ? { items, next: last.id } : { items };
}

/**
 * The profiles a caller may ask for, so partners need no copy of the owner's catalog: anyone who
 * may submit (an allowed partner account, and there a requester) and the approvers. Everybody
 * else is refused with the code submit would answer, so this route reveals nothing submit hides.
 */
export function listProfiles(deps: WorkflowDeps, caller: CallerIdentity): ProfilesAnswer {
  const { catalog } = deps;
  if (!isApprover(catalog, caller)) {
    if (caller.accountId === catalog.ownerAccountId) throw new ForbiddenError('FORBIDDEN_PARTNER_ACCOUNT', 'the owner account asks for no access; only its approvers may list the profiles');
    if (!isPartnerAllowed(catalog, caller.accountId)) throw new ForbiddenError('FORBIDDEN_PARTNER_NOT_ALLOWED', `account ${caller.accountId} is not an allowed partner`);
    requireRequester(catalog, caller);
  }
  return { profiles: catalog.profiles.map(summarizeProfile) };
}

/**
 * Break-glass grants whose review is overdue (due before now, not reviewed), oldest due first:
 * what `list --unreviewed`, doctor and the daily reminder to the approvers report.
 */
export function overdueBreakGlassReviews(deps: Pick<WorkflowDeps, 'ledger' | 'clock'>, page: { limit?: number; after?: string } = {}): Promise<AccessRequest[]> {
  return deps.ledger.listUnreviewed({ ...page, dueBefore: deps.clock.now() });
}
