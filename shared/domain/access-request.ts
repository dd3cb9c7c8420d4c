/**
 * The request/grant entity: one row in the ledger from the partner's ask to the revoked role.
 * Pure data plus pure functions; persistence is the ledger's job.
 */
import type { Status, Transition } from './state-machine';

export const RevokeMode = { TRUST: 'trust', DELETE: 'delete' } as const;
export type RevokeMode = (typeof RevokeMode)[keyof typeof RevokeMode];

/** What provisioning produced, returned to the partner once ACTIVE. */
export interface GrantDetails {
  roleName: string;
  roleArn: string;
  externalId: string;
  guardPolicyName: string;
  /** The tutorial's step-2 policy for the partner's admin (JSON document). */
  partnerPolicy: string;
  /** Console "Switch Identity" details. */
  switchRole: { accountId: string; roleName: string; url: string };
  /**
   * The role's MaxSessionDuration in seconds: the longest STS session (AssumeRole DurationSeconds)
   * it allows. Absent on grants provisioned before it was recorded; those roles have 3600.
   */
  maxSessionDuration?: number;
}

/** The verdict of a break-glass grant's post-hoc review. */
export const ReviewVerdict = { OK: 'ok', FLAGGED: 'flagged' } as const;
export type ReviewVerdict = (typeof ReviewVerdict)[keyof typeof ReviewVerdict];

/** A break-glass grant's review: due at a time, done once by an approver (never the requester). */
export interface BreakGlassReview {
  /** The grant's creation + the catalog's reviewWithin. */
  reviewDueAt: string;
  verdict?: ReviewVerdict;
  reviewedBy?: string;
  reviewNote?: string;
  reviewedAt?: string;
}

export interface AccessRequest {
  id: string;
  /** Optimistic-concurrency version, bumped on every transition. */
  version: number;
  status: Status;
  partnerAccountId: string;
  /** ARN of the identity that asked (user or assumed role of the partner account). */
  requesterArn: string;
  profile: string;
  /** Requested (or approver-shortened) duration in seconds. */
  durationSeconds: number;
  reason: string;
  /** The ticket reference (change, incident) given with the request, as the catalog's profile asked. */
  ticket?: string;
  /** Set on a break-glass grant (approved automatically): its post-hoc review. */
  breakGlass?: BreakGlassReview;
  /** Role name to create (validated); defaults to `crossrole-<short id>`. */
  roleName: string;
  /** Principals trusted by the role: ARNs in the partner account (default: its root). */
  principals: string[];
  externalId: string;
  createdAt: string;
  updatedAt: string;
  /**
   * When the grant is to start (scheduled start), if the partner asked for one: provisioning
   * waits for it (SCHEDULED) and the grant then ends at startAt + duration.
   */
  startAt?: string;
  /** Distinct approvals the request needs (the profile's `approvals` when it was asked for); absent: 1. */
  approvalsRequired?: number;
  /**
   * Set when the grant becomes ACTIVE (createdAt of the role + duration, or startAt + duration);
   * moved by an applied extension or shortening. The expiry the ledger reports: RAM's guard is never earlier.
   */
  expiresAt?: string;
  /**
   * An approved extension or shortening not yet applied to RAM (shared/domain/extension.ts): the
   * expiry the ledger has approved. The guard is never later than max(expiresAt, this) and the
   * workflow acts on effectiveExpiresAt. Cleared when applied.
   */
  targetExpiresAt?: string;
  decidedBy?: string;
  decisionReason?: string;
  revokeMode?: RevokeMode;
  lastError?: string;
  grant?: GrantDetails;
  /**
   * When the scan deleted the role and guard policy a trust-mode revocation keeps (after the
   * catalog's `revokedRoleRetention`). Unset while they may still exist; the status stays REVOKED.
   */
  resourcesReleasedAt?: string;
}

/** One append-only audit event per transition (and per notable non-transition, e.g. drift). */
export interface AuditEvent {
  id: number;
  requestId: string;
  at: string;
  actor: string;
  /**
   * EXTENSION: a step of an extension or shortening (details.extensionId, details.status); REVIEW:
   * an approver's post-hoc review of a break-glass grant. The status stays for both.
   */
  action: Transition | 'CREATE' | 'NOTE' | 'EXTENSION' | 'REVIEW';
  fromStatus: Status | null;
  toStatus: Status | null;
  reason?: string;
  details?: Record<string, unknown>;
}

/** The first 12 hex chars of the id (dashes removed, lower-cased), used in role and policy names. */
export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(0, 12).toLowerCase();
}

export function defaultRoleName(id: string): string {
  return `crossrole-${shortId(id)}`;
}

export function guardPolicyName(id: string): string {
  return `crossrole-guard-${shortId(id)}`;
}
