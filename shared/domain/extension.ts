/**
 * Changing an ACTIVE grant's expiry: extensions (later) and shortenings (earlier). The grant stays
 * ACTIVE throughout; what moves is one small state machine per change, and the request's
 * `expiresAt` (what the ledger reports) and `targetExpiresAt` (approved, not yet applied to RAM).
 * docs/architecture.md "Extending and shortening a grant" has the flow and why the order is safe.
 *
 *   PENDING --approve--> APPROVED --apply--> APPLIED
 *      |                    |
 *      +--reject--> REJECTED +--cancel--> CANCELLED   (the grant stopped being ACTIVE first)
 *      +--cancel--> CANCELLED
 *
 * An auto-approved extension (the profile's `autoExtend`) and every shortening start APPROVED.
 * At most one change per grant is open (PENDING or APPROVED) at a time.
 */
import type { AccessRequest } from './access-request';
import { IllegalTransitionError } from './errors';

export const ExtensionStatus = {
  PENDING: 'PENDING',
  APPROVED: 'APPROVED',
  APPLIED: 'APPLIED',
  REJECTED: 'REJECTED',
  CANCELLED: 'CANCELLED',
} as const;
export type ExtensionStatus = (typeof ExtensionStatus)[keyof typeof ExtensionStatus];

export const ExtensionKind = { EXTEND: 'extend', SHORTEN: 'shorten' } as const;
export type ExtensionKind = (typeof ExtensionKind)[keyof typeof ExtensionKind];

export const ExtensionStep = {
  APPROVE: 'APPROVE',
  REJECT: 'REJECT',
  APPLY: 'APPLY',
  CANCEL: 'CANCEL',
} as const;
export type ExtensionStep = (typeof ExtensionStep)[keyof typeof ExtensionStep];

const STEPS: Readonly<Record<ExtensionStep, { from: readonly ExtensionStatus[]; to: ExtensionStatus }>> = {
  APPROVE: { from: [ExtensionStatus.PENDING], to: ExtensionStatus.APPROVED },
  REJECT: { from: [ExtensionStatus.PENDING], to: ExtensionStatus.REJECTED },
  APPLY: { from: [ExtensionStatus.APPROVED], to: ExtensionStatus.APPLIED },
  CANCEL: { from: [ExtensionStatus.PENDING, ExtensionStatus.APPROVED], to: ExtensionStatus.CANCELLED },
};

/** Where an extension goes on `step`, or an IllegalTransitionError. */
export function nextExtensionStatus(from: ExtensionStatus, step: ExtensionStep, id?: string): ExtensionStatus {
  const edge = STEPS[step];
  if (!edge.from.includes(from)) throw new IllegalTransitionError(from, edge.to, id);
  return edge.to;
}

export function extensionSourcesOf(step: ExtensionStep): readonly ExtensionStatus[] {
  return STEPS[step].from;
}

export function extensionTargetOf(step: ExtensionStep): ExtensionStatus {
  return STEPS[step].to;
}

/** PENDING or APPROVED: it still may move the grant's expiry. */
export function isOpenExtension(status: ExtensionStatus): boolean {
  return status === ExtensionStatus.PENDING || status === ExtensionStatus.APPROVED;
}

export function isPendingExtension(status: ExtensionStatus): boolean {
  return status === ExtensionStatus.PENDING;
}

export function isApprovedExtension(status: ExtensionStatus): boolean {
  return status === ExtensionStatus.APPROVED;
}

/** Steps that move the grant row too (its version, and targetExpiresAt or expiresAt). */
export function stepMovesGrant(step: ExtensionStep): boolean {
  return step === ExtensionStep.APPROVE || step === ExtensionStep.APPLY;
}

/** One asked-for change of a grant's expiry (a row of the ledger's `extensions` table). */
export interface Extension {
  id: string;
  requestId: string;
  kind: ExtensionKind;
  status: ExtensionStatus;
  /** ARN of who asked (the partner, a manager of its account, or an approver shortening). */
  requestedBy: string;
  reason: string;
  /** The grant's expiry when this was asked. */
  fromExpiresAt: string;
  /** The expiry asked for (whole seconds, ISO 8601). */
  newExpiresAt: string;
  createdAt: string;
  updatedAt: string;
  decidedBy?: string;
  decisionReason?: string;
}

/**
 * The expiry every step of the workflow acts on: an approved change not yet applied to RAM wins
 * over the one the ledger reports (expiresAt). The scan, the `expire` message and the reconciler
 * read this; the guard in RAM lies between the two while the change is applied.
 */
export function effectiveExpiresAt(r: Pick<AccessRequest, 'expiresAt' | 'targetExpiresAt'>): string | undefined {
  return r.targetExpiresAt ?? r.expiresAt;
}
