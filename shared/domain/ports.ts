/**
 * Ports: what the workflow needs from the outside world. Adapters in shared/ledger and
 * shared/cloud implement them over PGlite/pg and the official @alicloud SDKs; tests use fakes.
 */
import type { AccessRequest, AuditEvent, ReviewVerdict } from './access-request';
import type { AuditExportEvent } from './api';
import type { Extension, ExtensionStatus, ExtensionStep } from './extension';
import type { ParsedMessage } from './messages';
import type { ApprovalDecision, ApprovalRecord } from './quorum';
import type { NotificationEvent } from './notifications';
import type { RequesterFilter } from './partner-roles';
import type { Status, Transition } from './state-machine';

// ---------------------------------------------------------------- ledger

export interface AuditInput {
  actor: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/** Fields a transition may set alongside the status. */
export type RequestPatch = Partial<Pick<AccessRequest,
  'durationSeconds' | 'expiresAt' | 'decidedBy' | 'decisionReason' | 'revokeMode' | 'lastError' | 'grant'>>;

export interface ListOptions {
  limit?: number;
  /** Keyset cursor: the id of the last row of the previous page. */
  after?: string;
}

export interface PartnerListOptions extends ListOptions {
  status?: Status;
  requester?: RequesterFilter;
}

/** One approver's decision, and what the request becomes if it completes the quorum. */
export interface DecisionInput {
  /** approverKey(arn): sessions of one role are one approver. */
  approver: string;
  arn: string;
  decision: ApprovalDecision;
  reason?: string;
  /** An approver shortening the grant; the quorum's transition applies the shortest asked. */
  durationSeconds?: number;
  /** approve: APPROVE or SCHEDULE, with its patch. Ignored for a reject (REJECT). */
  onQuorum?: { transition: Transition; patch: RequestPatch };
}

export interface DecisionResult {
  request: AccessRequest;
  approvals: ApprovalRecord[];
  /** false: this approver had already decided so; nothing was written (idempotent). */
  counted: boolean;
}

/** What a step of an extension left: the extension and the grant's row, both as committed. */
export interface ExtensionResult {
  extension: Extension;
  request: AccessRequest;
}

/** The ledger's side of extensions and shortenings (shared/domain/extension.ts, migration 4). */
export interface ExtensionLedger {
  /**
   * Insert a change of an ACTIVE grant's expiry with one EXTENSION audit event, atomically. Status
   * PENDING leaves the grant's row as it is; APPROVED (auto-approved, a shortening) also sets the
   * grant's targetExpiresAt and bumps its version, guarded by `expectedVersion`. NOT_ACTIVE if the
   * grant is not ACTIVE, VERSION_CONFLICT, EXTENSION_OPEN if another change is open (decided by
   * the database: of two concurrent asks one wins).
   */
  createExtension(extension: Extension, expectedVersion: number, audit: AuditInput): Promise<ExtensionResult>;
  /**
   * One step of an extension, with its EXTENSION audit event, atomically; ILLEGAL_TRANSITION if the
   * extension is not in a source status of `step`. APPROVE sets the grant's targetExpiresAt and
   * APPLY moves expiresAt there (durationSeconds follows, targetExpiresAt is cleared), both bumping
   * the grant's version, guarded by `expectedVersion` and ACTIVE (VERSION_CONFLICT, NOT_ACTIVE).
   * REJECT and CANCEL leave the grant's row as it is.
   */
  stepExtension(id: string, step: ExtensionStep, expectedVersion: number | undefined, decision: { decidedBy?: string; decisionReason?: string }, audit: AuditInput): Promise<ExtensionResult>;
  getExtension(id: string): Promise<Extension | undefined>;
  /** A grant's extensions, oldest first. */
  listExtensions(requestId: string): Promise<Extension[]>;
  /** Extensions in `status` unchanged since before `olderThan`, oldest first (the scan; approvers' inbox). */
  listStaleExtensions(status: ExtensionStatus, olderThan: Date, limit: number): Promise<Extension[]>;
}

/** A break-glass grant's review, as an approver gives it. */
export interface ReviewInput {
  verdict: ReviewVerdict;
  by: string;
  note: string;
}

export interface UnreviewedOptions extends ListOptions {
  /** Only grants whose review was due before this time (overdue). */
  dueBefore?: Date;
}

/** One page of the audit export: since <= at < until, after the (at, id) cursor. */
export interface AuditWindow {
  since: Date;
  until: Date;
  partnerAccountId?: string;
  after?: { at: string; id: number };
  limit: number;
}

export interface RequestRepository extends ExtensionLedger {
  /**
   * Insert a new request (status PENDING or APPROVED) and its CREATE audit event, atomically.
   * Throws ROLE_NAME_TAKEN when another request holds its role name (role-names.holdsRoleName,
   * compared case-insensitively): decided by the database, so of two concurrent creates for one
   * name exactly one wins. ALREADY_EXISTS for a duplicate id.
   */
  create(request: AccessRequest, audit: AuditInput): Promise<AccessRequest>;
  get(id: string): Promise<AccessRequest | undefined>;
  listByStatus(status: Status, options?: ListOptions): Promise<AccessRequest[]>;
  /** A partner account's requests; `requester` keeps only those one identity asked for (partner-roles.ts). */
  listByPartner(partnerAccountId: string, options?: PartnerListOptions): Promise<AccessRequest[]>;
  /** ACTIVE grants whose expiresAt <= now, oldest first. Served by a partial index. */
  listDueForExpiry(now: Date, limit: number): Promise<AccessRequest[]>;
  /** Requests in `status` whose updatedAt < olderThan (stuck REVOKING, lapsing PENDING). */
  listStale(status: Status, olderThan: Date, limit: number): Promise<AccessRequest[]>;
  /**
   * Conditional transition: succeeds only if the row is still at `expectedVersion` and the state
   * machine allows `transition` from its status. Bumps the version, applies `patch`, appends one
   * audit event, atomically. Throws VersionConflictError or IllegalTransitionError.
   */
  transition(id: string, expectedVersion: number, transition: Transition, patch: RequestPatch, audit: AuditInput): Promise<AccessRequest>;
  /**
   * REVOKED trust-mode requests whose role and guard policy have not been released yet and whose
   * revocation (updatedAt) is older than `revokedBefore`, oldest first. Served by a partial index.
   * Delete-mode revocations are never listed: their revocation already deleted everything.
   */
  listUnreleased(revokedBefore: Date, limit: number): Promise<AccessRequest[]>;
  /**
   * Record that a REVOKED request's RAM resources are gone: sets resourcesReleasedAt (now) and
   * appends one NOTE audit event. Bumps neither version nor updatedAt. Idempotent: a request
   * already released is left as it is (no second event). NOT_FOUND for an unknown id,
   * ILLEGAL_TRANSITION for a request that is not REVOKED.
   */
  markReleased(id: string, audit: AuditInput): Promise<void>;
  /** Record a non-transition fact (e.g. last error of an attempt, drift) as a NOTE audit event; optionally patch fields. */
  note(id: string, patch: Pick<RequestPatch, 'lastError'>, audit: AuditInput): Promise<void>;
  history(id: string): Promise<AuditEvent[]>;
  /**
   * Record an approver's decision on a PENDING request, under a lock on its row, with its audit
   * event: an approval below the quorum is a NOTE; the one that makes `approvalsRequired` distinct
   * approvals applies `onQuorum` (version bumped) in the same transaction, so two concurrent last
   * approvals cannot both move the request, nor both fail to. A reject moves it to REJECTED. The
   * same approver deciding the same again counts once and returns the current state whatever it
   * is (counted: false). Otherwise NOT_FOUND, or ILLEGAL_TRANSITION when it is not PENDING.
   */
  decide(id: string, input: DecisionInput, audit: AuditInput): Promise<DecisionResult>;
  /** The approvers' decisions on a request, oldest first. */
  approvals(id: string): Promise<ApprovalRecord[]>;
  /** SCHEDULED (or PENDING) requests whose startAt <= now, earliest start first. Served by a partial index. */
  listStartDue(status: Status, now: Date, limit: number): Promise<AccessRequest[]>;
  /**
   * Record the post-hoc review of a break-glass grant and its REVIEW audit event, atomically; like
   * a note, bumps neither version nor updatedAt. Once: ALREADY_REVIEWED for a grant reviewed
   * before, NOT_BREAK_GLASS for any other request, NOT_FOUND for an unknown id.
   */
  review(id: string, review: ReviewInput, audit: AuditInput): Promise<AccessRequest>;
  /** Break-glass grants without a review, by due time (then id). Served by a partial index. */
  listUnreviewed(options?: UnreviewedOptions): Promise<AccessRequest[]>;
  /** Audit events of a time window, in (at, id) order, with their request's partner and ticket. */
  auditPage(window: AuditWindow): Promise<AuditExportEvent[]>;
  /** Single-use nonce: true the first time, false on every replay. */
  useNonce(nonce: string, expiresAt: Date): Promise<boolean>;
  purgeExpiredNonces(now: Date): Promise<number>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- notifications (the outbox)

/** One notification in the ledger's outbox, written in the transaction of the transition that raised it. */
export interface OutboxNotification {
  id: number;
  requestId: string;
  event: NotificationEvent;
  createdAt: string;
  /** Webhooks (by name) that accepted it so far: a retry skips them. */
  deliveredTo: string[];
  attempts: number;
  lastError?: string;
}

/** A notification given up on (its `notify` message was dead-lettered), as operators see it. */
export interface DeadNotification extends OutboxNotification {
  deadAt: string;
}

export interface NotificationOutbox {
  /** Record an event not raised by a transition (expiring-soon). False when its key was already recorded. */
  addNotification(requestId: string, event: NotificationEvent, key: string): Promise<boolean>;
  /**
   * ACTIVE grants expiring at or before `until` not yet warned for their current expiry: records
   * their expiring-soon notification (once per grant and expiry) and returns their ids.
   */
  recordExpiringSoon(until: Date, limit: number): Promise<string[]>;
  /** The request's notifications neither delivered nor dead, oldest first; marks each attempted. */
  takeOutstanding(requestId: string): Promise<OutboxNotification[]>;
  /** Record an attempt's result: the webhooks that accepted it, and the error if some did not. */
  recordAttempt(id: number, deliveredTo: string[], done: boolean, error?: string): Promise<void>;
  /** Requests with notifications never attempted, created before `createdBefore` (the fast path's message was lost): marks them swept. */
  listUnsent(createdBefore: Date, limit: number): Promise<string[]>;
  /** Give up the request's attempted, undelivered notifications (a dead letter): returns them. */
  markDead(requestId: string, reason: string): Promise<OutboxNotification[]>;
  listDead(limit: number): Promise<DeadNotification[]>;
}

/** Outbound HTTP to webhooks (the notifier's only network access besides the ledger). */
export interface WebhookPort {
  /** POSTs; answers the status and body text. Throws on a network error or the timeout. */
  post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }>;
}

// ---------------------------------------------------------------- RAM (owner account)

export interface PolicyRef {
  type: 'System' | 'Custom';
  name: string;
  /**
   * The policy's default version (`v1`, `v2`, ...) as ListPoliciesForRole reports it; absent
   * elsewhere. Crossrole writes each guard once, as `v1`: another default version means somebody
   * changed the document, which the reconciler then reads (GetPolicy) without a call per role.
   */
  defaultVersion?: string;
}

export interface PolicyVersion {
  versionId: string;
  document: string;
}

export interface RoleInfo {
  name: string;
  arn: string;
  trustPolicy: string;
  maxSessionDuration: number;
  tags: Record<string, string>;
}

export interface RamPort {
  getRole(name: string): Promise<RoleInfo | undefined>;
  /** Throws CrossroleError ALREADY_EXISTS if the role exists. */
  createRole(input: { name: string; trustPolicy: string; maxSessionDuration: number; description: string; tags: Record<string, string> }): Promise<RoleInfo>;
  updateTrustPolicy(name: string, trustPolicy: string): Promise<void>;
  /** Idempotent: a missing role is success. */
  deleteRole(name: string): Promise<void>;
  listPoliciesForRole(name: string): Promise<PolicyRef[]>;
  /** Idempotent: already attached is success. */
  attachPolicyToRole(roleName: string, policy: PolicyRef): Promise<void>;
  /** Idempotent: not attached is success. */
  detachPolicyFromRole(roleName: string, policy: PolicyRef): Promise<void>;
  /** Idempotent when the existing policy has the same document; ALREADY_EXISTS otherwise. */
  createPolicy(name: string, document: string, description: string): Promise<void>;
  /** Idempotent: a missing policy is success. */
  deletePolicy(name: string): Promise<void>;
  /** A custom policy's default version (GetPolicy), or undefined if there is no such policy. */
  getPolicyDocument(name: string): Promise<PolicyVersion | undefined>;
  /**
   * Make `document` a custom policy's default version (CreatePolicyVersion; at RAM's five versions
   * the oldest non-default one is dropped in the same call). NOT_FOUND if the policy is missing.
   */
  setPolicyDocument(name: string, document: string): Promise<void>;
  /** Set (add or overwrite) tags on a role (TagResources). NOT_FOUND if the role is missing. */
  tagRole(name: string, tags: Record<string, string>): Promise<void>;
  /**
   * Delete a custom policy's non-default versions (ListPolicyVersions, DeletePolicyVersion), so that
   * DeletePolicy is allowed. Idempotent: a missing policy or version is success.
   */
  deleteOlderPolicyVersions(name: string): Promise<number>;
  /** Roles carrying tag key=value (all pages). */
  listRolesByTag(key: string, value: string): Promise<RoleInfo[]>;
  /** RAM calls made through this adapter so far (for the per-grant call count). */
  callCount(): number;
}

// ---------------------------------------------------------------- queues

export const QueueName = {
  APPROVALS: 'crossrole-approvals',
  PROVISION: 'crossrole-provision',
  REVOKE: 'crossrole-revoke',
  DEADLETTER: 'crossrole-deadletter',
  /** `notify`: the notifier delivers the request's outstanding notifications (notifications.ts). */
  NOTIFY: 'crossrole-notify',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Messages carry identifiers only: the ledger carries authority. */
export interface WorkflowMessage {
  requestId: string;
  /** The version the sender saw; informational (consumers re-read the ledger). */
  version?: number;
  /**
   * `start`: a SCHEDULED request's startAt came (sent delayed, on crossrole-provision); `extend`:
   * apply an approved extension or shortening (provisioning); `extension-needed`: tell approvers;
   * `notify`: deliver a notification of the outbox (crossrole-notify).
   */
  kind: 'approval-needed' | 'provision' | 'start' | 'revoke' | 'expire' | 'extend' | 'extension-needed' | 'notify';
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  /** The raw body as sent; parse with the workflow's message schema, never trust it. */
  body: string;
  dequeueCount: number;
}

/**
 * A dead letter, unwrapped at the edge that read it (the trigger wraps the original message in its
 * CloudEvent, or a batch of them): the workflow messages it carried, each parsed or refused.
 */
interface DeadLetter {
  messageId: string;
  receiptHandle: string;
  dequeueCount: number;
  entries: ParsedMessage[];
}

/** The dead-letter queue as the expiry scan sees it: already unwrapped, never a raw body. */
export interface DeadLetterInbox {
  /** Up to `max` dead letters visible now (no long poll). */
  receive(max: number): Promise<DeadLetter[]>;
  /** Idempotent: an expired/unknown receipt handle is not an error. */
  delete(receiptHandle: string): Promise<void>;
}

export interface QueuePort {
  send(queue: QueueName, message: WorkflowMessage, options?: { delaySeconds?: number; priority?: number }): Promise<string>;
  /** Receive up to `max` messages (long-polls up to waitSeconds). */
  receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilityTimeout?: number }): Promise<ReceivedMessage[]>;
  /** Idempotent: an expired/unknown receipt handle is not an error. */
  delete(queue: QueueName, receiptHandle: string): Promise<void>;
}

// ---------------------------------------------------------------- identity

/** A verified caller, as STS GetCallerIdentity reported it. */
export interface CallerIdentity {
  accountId: string;
  arn: string;
  principalId: string;
  identityType: string;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything: the one every product module and test uses to opt out. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Verifies the `X-Crossrole-Identity` header (a signed, unsent STS GetCallerIdentity request). */
export interface IdentityVerifier {
  /** Throws AuthenticationError (401 codes IDENTITY_*) for a missing or bad proof. */
  verify(proof: string | undefined): Promise<CallerIdentity>;
}
