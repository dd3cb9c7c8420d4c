/**
 * The one state machine of a request/grant (docs/architecture.md "The state machine").
 * Nobody compares status strings elsewhere: ask this module.
 */
import { IllegalTransitionError } from './errors';

export const Status = {
  PENDING: 'PENDING',
  /** Approved (every approval the profile needs), waiting for its `startAt`: nothing exists in RAM. */
  SCHEDULED: 'SCHEDULED',
  APPROVED: 'APPROVED',
  ACTIVE: 'ACTIVE',
  REVOKING: 'REVOKING',
  REVOKED: 'REVOKED',
  REJECTED: 'REJECTED',
  CANCELLED: 'CANCELLED',
  LAPSED: 'LAPSED',
  FAILED: 'FAILED',
} as const;
export type Status = (typeof Status)[keyof typeof Status];
export const ALL_STATUSES: readonly Status[] = Object.values(Status);

/** What happened, which decides where the request goes. */
export const Transition = {
  APPROVE: 'APPROVE',
  SCHEDULE: 'SCHEDULE',
  START: 'START',
  REJECT: 'REJECT',
  CANCEL: 'CANCEL',
  LAPSE: 'LAPSE',
  ACTIVATE: 'ACTIVATE',
  PROVISION_FAILED: 'PROVISION_FAILED',
  RETRY: 'RETRY',
  START_REVOKE: 'START_REVOKE',
  FINISH_REVOKE: 'FINISH_REVOKE',
  REVOKE_FAILED: 'REVOKE_FAILED',
  ESCALATE_DELETE: 'ESCALATE_DELETE',
} as const;
export type Transition = (typeof Transition)[keyof typeof Transition];

interface Edge {
  readonly from: readonly Status[];
  readonly to: Status;
}

const EDGES: Readonly<Record<Transition, Edge>> = {
  APPROVE: { from: [Status.PENDING], to: Status.APPROVED },
  // The last approval a request with a future `startAt` needs: it waits, holding nothing in RAM.
  SCHEDULE: { from: [Status.PENDING], to: Status.SCHEDULED },
  // Its `startAt` came (the delayed `start` message, or the scan): provisioning may begin.
  START: { from: [Status.SCHEDULED], to: Status.APPROVED },
  REJECT: { from: [Status.PENDING], to: Status.REJECTED },
  // The partner withdraws a request not yet provisioned; an approver revoking a SCHEDULED grant
  // cancels it too (there is nothing in RAM to revoke).
  CANCEL: { from: [Status.PENDING, Status.SCHEDULED], to: Status.CANCELLED },
  LAPSE: { from: [Status.PENDING], to: Status.LAPSED },
  ACTIVATE: { from: [Status.APPROVED], to: Status.ACTIVE },
  // Provisioning gave up: APPROVED -> FAILED. Revocation gave up: REVOKING -> FAILED.
  PROVISION_FAILED: { from: [Status.APPROVED], to: Status.FAILED },
  REVOKE_FAILED: { from: [Status.REVOKING], to: Status.FAILED },
  // An approver retries a failed provisioning (-> APPROVED); the scan retries a failed revocation (-> REVOKING).
  RETRY: { from: [Status.FAILED], to: Status.APPROVED },
  // Revocation may start from ACTIVE, and also from APPROVED (revoked before provisioning finished:
  // the revoker cleans up whatever provisioning left) and from FAILED (a failed revocation retried).
  START_REVOKE: { from: [Status.ACTIVE, Status.APPROVED, Status.FAILED], to: Status.REVOKING },
  FINISH_REVOKE: { from: [Status.REVOKING], to: Status.REVOKED },
  // A grant revoked in trust mode keeps its role (reversible). Somebody asking for delete mode later
  // re-opens the revocation with mode delete (REVOKED -> REVOKING -> REVOKED), so the deletion is a
  // walk of this machine on the audit trail like any other revocation.
  ESCALATE_DELETE: { from: [Status.REVOKED], to: Status.REVOKING },
};

/**
 * Statuses the workflow never moves on from by itself. REVOKED is one: the only way out is a
 * person's ESCALATE_DELETE, which ends in REVOKED again.
 */
export const TERMINAL_STATUSES: readonly Status[] = [Status.REVOKED, Status.REJECTED, Status.CANCELLED, Status.LAPSED];

/** Transitions only a person asks for that lead out of a terminal status (and back to it). */
export const REOPENING_TRANSITIONS: readonly Transition[] = [Transition.ESCALATE_DELETE];

/** The status a transition leads to from `from`, or an IllegalTransitionError. */
export function nextStatus(from: Status, transition: Transition, id?: string): Status {
  const edge = EDGES[transition];
  if (!edge.from.includes(from)) throw new IllegalTransitionError(from, edge.to, id);
  return edge.to;
}

/**
 * RETRY re-provisions a grant. A request whose *revocation* failed (it has a revoke mode) must
 * never go back to APPROVED — that would re-grant revoked access — so RETRY is refused for it;
 * such requests go FAILED -> REVOKING (START_REVOKE) instead. The ledger enforces this in the
 * same conditional update as the status check.
 */
export function refusedForRevoked(transition: Transition): boolean {
  return transition === Transition.RETRY;
}

/** nextStatus plus the entity-level guard above. */
export function nextStatusFor(request: { status: Status; revokeMode?: string | undefined; id?: string }, transition: Transition): Status {
  if (refusedForRevoked(transition) && request.revokeMode !== undefined) throw new IllegalTransitionError(request.status, targetOf(transition), request.id);
  return nextStatus(request.status, transition, request.id);
}

export function canTransition(from: Status, transition: Transition): boolean {
  return EDGES[transition].from.includes(from);
}

/** Statuses a transition may start from (used by the ledger's conditional updates). */
export function sourcesOf(transition: Transition): readonly Status[] {
  return EDGES[transition].from;
}

export function targetOf(transition: Transition): Status {
  return EDGES[transition].to;
}

export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (ALL_STATUSES as readonly string[]).includes(value);
}

/** Role exists and is (or may soon be) usable. */
export const isActive = (s: Status): boolean => s === Status.ACTIVE;
export const isApproved = (s: Status): boolean => s === Status.APPROVED;
export const isPending = (s: Status): boolean => s === Status.PENDING;
/** Approved, waiting for its start time; holds nothing in RAM (a role found for it is stripped). */
export const isScheduled = (s: Status): boolean => s === Status.SCHEDULED;
export const isRevoking = (s: Status): boolean => s === Status.REVOKING;
export const isFailed = (s: Status): boolean => s === Status.FAILED;
export const isRevoked = (s: Status): boolean => s === Status.REVOKED;
/** A grant may hold RAM resources in these states (revocation must clean them up). Never SCHEDULED. */
export const mayHoldRamResources = (s: Status): boolean =>
  s === Status.APPROVED || s === Status.ACTIVE || s === Status.REVOKING || s === Status.FAILED;
