/**
 * Quorum and scheduled start: the pure rules behind `approvals: N` and `startAt`
 * (docs/architecture.md "Quorum and scheduled start"). The ledger records each approver's decision
 * (shared/ledger/approvals.ts) and moves the request when the N-th distinct approval lands, in the
 * same transaction; these functions say who counts as whom, and what a request shows.
 */
import type { AccessRequest } from './access-request';
import { ValidationError } from './errors';
import { formatDuration } from './duration';
import { parsePrincipalArn } from './identifiers';
import { isPending } from './state-machine';

export const ApprovalDecision = { APPROVE: 'approve', REJECT: 'reject' } as const;
export type ApprovalDecision = (typeof ApprovalDecision)[keyof typeof ApprovalDecision];

/** One approver's decision on one request, as the ledger keeps it. */
export interface ApprovalRecord {
  /** Who counts (approverKey): a user's ARN, or for a role session the role's ARN. */
  approver: string;
  /** The caller's ARN as STS reported it (a session ARN for a role). */
  arn: string;
  decision: ApprovalDecision;
  reason?: string;
  /** The duration this approver allowed, when shorter than asked (the grant gets the shortest). */
  durationSeconds?: number;
  at: string;
}

/** `GET /requests/{id}`: the approvals so far and how many remain. */
export interface ApprovalsView {
  required: number;
  /** Distinct approvals recorded. */
  received: number;
  /** Approvals still needed while the request is PENDING (0 otherwise). */
  remaining: number;
  decisions: ApprovalRecord[];
  /** The caller has decided this request already (the inbox then waits for the others). */
  callerDecided: boolean;
}

/**
 * The identity an approval counts for. Sessions of one role are one approver: STS names each
 * session differently, and one person opening two sessions must not make a quorum alone.
 * Role names compare case-insensitively (RAM treats them so).
 */
export function approverKey(arn: string): string {
  const p = parsePrincipalArn(arn, 'approver');
  if (p.kind === 'assumed-role' || p.kind === 'role') return `acs:ram::${p.accountId}:role/${p.name.toLowerCase()}`;
  return p.arn;
}

export function approvalsRequiredOf(r: Pick<AccessRequest, 'approvalsRequired'>): number {
  return r.approvalsRequired ?? 1;
}

export function approvalsView(r: Pick<AccessRequest, 'approvalsRequired' | 'status'>, decisions: readonly ApprovalRecord[], callerArn?: string): ApprovalsView {
  const required = approvalsRequiredOf(r);
  const received = decisions.filter((d) => d.decision === ApprovalDecision.APPROVE).length;
  let key: string | undefined;
  try {
    key = callerArn === undefined ? undefined : approverKey(callerArn);
  } catch {
    key = undefined;
  }
  return {
    required,
    received,
    remaining: isPending(r.status) ? Math.max(0, required - received) : 0,
    decisions: [...decisions],
    callerDecided: key !== undefined && decisions.some((d) => d.approver === key),
  };
}

/** How far behind the server's clock a `startAt` may be and still count as "now" (client clocks drift). */
const START_AT_SKEW_SECONDS = 60;

// ISO-8601 date-time with an explicit offset: a time without one means something else on every laptop.
const START_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * A request's `startAt`: ISO-8601 with an offset, not in the past (beyond the skew), at most the
 * profile's maxLeadTime ahead. Whole seconds (the guard policy's `acs:CurrentTime` has none).
 * Throws VALIDATION (400) for a malformed or past time, DURATION_OVER_MAXIMUM (422) for one too far ahead.
 */
export function parseStartAt(input: string, now: Date, profile: { name: string; maxLeadTime: string; maxLeadTimeSeconds: number }): string {
  const ms = START_AT.test(input) ? Date.parse(input) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError('VALIDATION', 'startAt', 'must be an ISO-8601 time with an offset, e.g. 2026-12-24T09:00:00Z or 2026-12-24T17:00:00+08:00');
  const at = Math.floor(ms / 1000) * 1000;
  if (at < now.getTime() - START_AT_SKEW_SECONDS * 1000) throw new ValidationError('VALIDATION', 'startAt', 'is in the past');
  const lead = Math.max(0, Math.ceil((at - now.getTime()) / 1000));
  if (lead > profile.maxLeadTimeSeconds) {
    throw new ValidationError('DURATION_OVER_MAXIMUM', 'startAt', `is ${formatDuration(lead)} ahead; profile "${profile.name}" allows at most ${profile.maxLeadTime}`, {
      details: { maxLeadTime: profile.maxLeadTime, maxLeadTimeSeconds: profile.maxLeadTimeSeconds },
    });
  }
  return new Date(at).toISOString();
}

/** Milliseconds until a request's start (<= 0: due, or no startAt). */
export function untilStart(r: Pick<AccessRequest, 'startAt'>, now: Date): number {
  return r.startAt === undefined ? 0 : Date.parse(r.startAt) - now.getTime();
}

/** When a scheduled grant ends: its window is [startAt, startAt + duration], whenever it was approved. */
export function scheduledEnd(r: Pick<AccessRequest, 'startAt' | 'durationSeconds'>): Date | undefined {
  return r.startAt === undefined ? undefined : new Date(Date.parse(r.startAt) + r.durationSeconds * 1000);
}
