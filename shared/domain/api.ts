/**
 * The HTTP API's contract (crossrole-intake for partners, crossrole-approval for approvers): the
 * bodies each route takes and the shapes it answers. The use cases validate against these (their
 * schemas are checked to accept exactly these types) and the CLI sends and reads them, so a field
 * added on one side cannot silently be missing on the other.
 */
import type { AccessRequest, AuditEvent, RevokeMode } from './access-request';
import type { ApprovalsView } from './quorum';
import type { Extension } from './extension';
import type { Status } from './state-machine';

/** Items per page of `GET /requests` when the query names none. */
export const DEFAULT_PAGE_SIZE = 50;
/** Most items per page of `GET /requests`: the ONE limit the API, the CLI and the ledger agree on. */
export const MAX_PAGE_SIZE = 100;

/** `POST /requests` (intake). */
export interface SubmitRequestBody {
  profile: string;
  /** `90m`, `8h`, `7d` or ISO-8601 (`PT8H`). */
  duration: string;
  reason: string;
  roleName?: string | undefined;
  /** Full ARNs, or `user/<name>`, `role/<name>`, `root` in the caller's account. */
  principals?: string[] | undefined;
  acknowledgePrivileged?: boolean | undefined;
  /** Scheduled start, ISO-8601 with an offset, at most the profile's maxLeadTime ahead. */
  startAt?: string | undefined;
  /** A ticket reference (e.g. `CHG-1234`): required, and matched, when the profile's catalog entry says so. */
  ticket?: string | undefined;
}

/** `POST /requests/{id}/review` (approvers, never the requester): the post-hoc review of a break-glass grant. */
export interface ReviewBody {
  verdict: 'ok' | 'flag';
  note: string;
}

/** `POST /requests/{id}/approve`: an approver may only shorten the duration. */
export interface ApproveBody {
  duration?: string | undefined;
  reason?: string | undefined;
}

/** `POST /requests/{id}/reject`. */
export interface RejectBody {
  reason: string;
}

/** `POST /requests/{id}/revoke` (default mode: trust). */
export interface RevokeBody {
  mode?: RevokeMode | undefined;
  reason: string;
}

/** `POST /requests/{id}/cancel` (intake, the partner's own PENDING request). */
export interface CancelBody {
  reason?: string | undefined;
}

/**
 * `POST /requests/{id}/extend` (intake: the partner) and `POST /requests/{id}/shorten` (intake: the
 * partner; approval: approvers too): by `duration` (from the current expiry) or `until` (an ISO
 * 8601 time), exactly one of them.
 */
export interface ChangeExpiryBody {
  duration?: string | undefined;
  until?: string | undefined;
  reason: string;
}

/** `POST /requests/{id}/extension/approve` (approval); `reject` requires the reason. */
export interface ExtensionDecisionBody {
  reason?: string | undefined;
}

/** The answer of every extension route: the change and the grant as committed. */
export interface ExtensionAnswer {
  request: AccessRequest;
  extension: Extension;
}

/** `GET /requests?status=&limit=&after=` (or `?unreviewed=all|overdue`, approvers and operators). */
export interface ListQuery {
  status?: string;
  /** Break-glass grants not reviewed yet (`overdue`: past their review's due time), oldest due first. */
  unreviewed?: 'all' | 'overdue';
  limit?: number;
  /** Keyset cursor: the id of the last request of the previous page. */
  after?: string;
}

/** `GET /requests/{id}`: the request and its audit trail. */
export interface RequestView {
  request: AccessRequest;
  history: AuditEvent[];
  /** Each approver's decision so far and how many approvals remain (quorum). */
  approvals?: ApprovalsView;
  /** Its extensions and shortenings, oldest first (pending, applied, refused). */
  extensions?: Extension[];
}

/** `GET /requests`. */
export interface RequestPage {
  items: AccessRequest[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

/** The answer of every `POST` route: the request as it is now. */
export interface RequestAnswer {
  request: AccessRequest;
}

/**
 * `POST /requests/{id}/revoke`: the request, and the mode that actually applies to it. A revoke
 * that asked for delete on a grant already being revoked in trust mode is told `trust`; on a grant
 * already REVOKED in trust mode it escalates, and is told `delete`.
 */
export interface RevokeAnswer extends RequestAnswer {
  modeApplied: RevokeMode;
}

/** What RAM should hold for a grant's role, as the reconciler derives it from the ledger. */
export type DesiredRoleState =
  /** ACTIVE, before its expiry: the grant's trust policy, its profile's policies and its guard. */
  | 'live'
  /** APPROVED, recently: provisioning is at work; the role is left alone. */
  | 'in-flight'
  /** Trusts nobody but the owner account and holds no policy but a guard. */
  | 'no-access'
  /** REVOKED in delete mode (or released): no role, no guard policy. */
  | 'deleted'
  /** The role under this name belongs to another request (or to none): never touched. */
  | 'not-ours';

export type ReconcileOutcome = 'unchanged' | 'stripped' | 'restored' | 'deleted' | 'left-alone' | 'deferred' | 'role-missing';

/** One role compared with its request, and what was done about it. */
export interface RoleReconciliation {
  roleName: string;
  /** The request the role's tag names (or the request reconciled). */
  requestId?: string;
  ledgerStatus?: AccessRequest['status'];
  rolePresent: boolean;
  /** 16-digit accounts the role's trust policy lets assume it, as found. */
  trustedAccounts: string[];
  /** As found (listed only when the desired state needed them). */
  attachedPolicies: Array<{ type: 'System' | 'Custom'; name: string }>;
  /** The grant's expiry guard, as found: attached? its document as the ledger's expiry says? */
  guard?: { name: string; attached: boolean; document: 'matches' | 'drifted' | 'missing' | 'not-read' };
  desired: DesiredRoleState;
  /** Why that desired state, in words. */
  why: string;
  /** The RAM changes made, in order (empty if none). */
  actions: string[];
  outcome: ReconcileOutcome;
  /** The role's request is not in the ledger. */
  orphan: boolean;
}

/** `POST /requests/{id}/reconcile` (approvers and operators). */
export interface ReconcileAnswer extends RequestAnswer {
  reconcile: RoleReconciliation;
}

/**
 * Most audit events per page of `GET /audit`; also its default. An event is 0.5–2 KB of JSON, so a
 * page stays near 1 MB: far below FC's 32 MB synchronous body limit
 * (alibabacloud.com/help/en/functioncompute/fc-3-0/http-body-be-modified), short enough for the
 * approval function's 10 s timeout, and the cursor fits the 4 KB path-and-query limit.
 */
export const MAX_AUDIT_PAGE_SIZE = 500;

/** `GET /audit?since=&until=&partner=&cursor=&limit=` (approval function; approvers and operators). */
export interface AuditQuery {
  /** ISO-8601 time: events at or after it. */
  since: string;
  /** ISO-8601 time: events before it. Default (and at most, when omitted): now minus the settle time. */
  until?: string;
  /** Only the events of this partner account's requests. */
  partner?: string;
  /** Opaque: `next` of the previous page. */
  cursor?: string;
  limit?: number;
}

/** One RAM call a step made, recorded with the audit event it led to (writes only). */
export interface RamCallRecord {
  /** The RAM API action, e.g. `CreateRole`, `AttachPolicyToRole`. */
  action: string;
  /** The role or policy it acted on (`role/<name>`, `policy/<name>`, `role/<name> policy/<type>/<name>`). */
  resource: string;
  at: string;
  /** `ok`, or the error code it failed with. */
  result: string;
}

/** One audit event as exported: the event, and its request's who-and-what. */
export interface AuditExportEvent {
  id: number;
  at: string;
  requestId: string;
  partnerAccountId: string;
  requesterArn: string;
  profile: string;
  roleName: string;
  actor: string;
  action: AuditEvent['action'];
  fromStatus: Status | null;
  toStatus: Status | null;
  reason?: string;
  ticket?: string;
  /** The RAM calls the step made (provisioning, revocation, reconcile), in order. */
  ramCalls: RamCallRecord[];
  details?: Record<string, unknown>;
}

/** `GET /audit`. */
export interface AuditPage {
  items: AuditExportEvent[];
  /** Pass as `cursor` (with the same since, until, partner) for the next page; absent on the last. */
  next?: string;
  /** The end of the window actually served: pass it as `until` on the next pages. */
  until: string;
  /**
   * false when `until` is within the settle time of now: an event whose transaction began before
   * `until` may commit after this page was read, and would then be missing from the export.
   */
  settled: boolean;
}
