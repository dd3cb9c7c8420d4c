/**
 * The ledger's side of quorum and scheduled start (migration 5): each approver's decision in
 * `request_approvals`, recorded under a lock on the request's row together with what it decides,
 * and the start-due query of the scan. The repository (repository.ts) delegates here.
 *
 * Why a row lock and not only the version guard: two approvers approving at once (each the
 * "last" one) would each insert its row and, under READ COMMITTED, each count only its own: neither
 * would move the request. `SELECT ... FOR UPDATE` on the request serialises the decisions on one
 * request, so the second counts both and moves it; the version-guarded UPDATE is still what moves it.
 */
import type { AccessRequest } from '../domain/access-request';
import { CrossroleError, ForbiddenError, IllegalTransitionError, NotFoundError } from '../domain/errors';
import type { AuditInput, DecisionInput, DecisionResult, RequestPatch } from '../domain/ports';
import { ApprovalDecision, approvalsRequiredOf, approverKey, type ApprovalRecord } from '../domain/quorum';
import { Transition, canTransition, isPending, isScheduled, targetOf } from '../domain/state-machine';
import type { Status } from '../domain/state-machine';
import type { Queryable } from './db';

/** Columns of `requests` added by migration 5, as both drivers return them. */
export interface ScheduleColumns {
  start_at?: Date | string | null;
  approvals_required?: number | string | null;
}

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

/** Migration 5's fields onto an entity; absent when default, so entities without them round-trip unchanged. */
export function readScheduleColumns(row: ScheduleColumns, r: AccessRequest): void {
  if (row.start_at !== null && row.start_at !== undefined) r.startAt = iso(row.start_at);
  const required = Number(row.approvals_required ?? 1);
  if (required > 1) r.approvalsRequired = required;
}

interface ApprovalRow {
  approver: string;
  arn: string;
  decision: string;
  reason: string | null;
  duration_seconds: number | null;
  at: Date | string;
}

function toApproval(row: ApprovalRow): ApprovalRecord {
  const a: ApprovalRecord = {
    approver: row.approver,
    arn: row.arn,
    decision: row.decision === ApprovalDecision.REJECT ? ApprovalDecision.REJECT : ApprovalDecision.APPROVE,
    at: iso(row.at),
  };
  if (row.reason !== null) a.reason = row.reason;
  if (row.duration_seconds !== null) a.durationSeconds = Number(row.duration_seconds);
  return a;
}

export async function listApprovals(db: Queryable, id: string): Promise<ApprovalRecord[]> {
  const { rows } = await db.query<ApprovalRow>('SELECT * FROM request_approvals WHERE request_id = $1 ORDER BY at, approver', [id]);
  return rows.map(toApproval);
}

/** What decide needs of the repository, inside the transaction it opened. */
interface DecideOps {
  /** The request's row, locked FOR UPDATE (undefined: no such request). */
  lock(tx: Queryable, id: string): Promise<AccessRequest | undefined>;
  /** The repository's guarded transition, on the locked row's version. */
  move(tx: Queryable, r: AccessRequest, transition: Transition, patch: RequestPatch, audit: AuditInput): Promise<AccessRequest>;
  note(tx: Queryable, r: AccessRequest, audit: AuditInput): Promise<void>;
}

/**
 * Defence in depth: the use case refuses these first (FORBIDDEN_SELF_APPROVAL), but a decision
 * the ledger records is one that may count, so the ledger refuses them too.
 */
function refuseSelf(r: AccessRequest, input: DecisionInput): void {
  const account = /^acs:ram::(\d{16}):/.exec(input.arn)?.[1];
  let requester: string | undefined;
  try {
    requester = approverKey(r.requesterArn);
  } catch {
    requester = undefined;
  }
  if (account === r.partnerAccountId || input.approver === requester) throw new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'the requester and identities of the partner account never count as approvers');
}

export async function decideInTx(tx: Queryable, id: string, input: DecisionInput, now: string, audit: AuditInput, ops: DecideOps): Promise<DecisionResult> {
  const r = await ops.lock(tx, id);
  if (r === undefined) throw new NotFoundError('request', id);
  refuseSelf(r, input);
  const before = await listApprovals(tx, id);
  // The same approver deciding the same again (a retry, a double click, two sessions of one role): counted once.
  if (before.some((a) => a.approver === input.approver && a.decision === input.decision)) return { request: r, approvals: before, counted: false };
  const reject = input.decision === ApprovalDecision.REJECT;
  const transition = reject ? Transition.REJECT : input.onQuorum?.transition ?? Transition.APPROVE;
  if (!canTransition(r.status, transition)) {
    throw new IllegalTransitionError(r.status, targetOf(transition), id);
  }
  // An approver who approved and now rejects: the rejection replaces the approval (and rejects).
  await tx.query(
    `INSERT INTO request_approvals (request_id, approver, arn, decision, reason, duration_seconds, at)
     VALUES ($1, $2, $3, $4, $5, $6::integer, $7::timestamptz)
     ON CONFLICT (request_id, approver) DO UPDATE SET arn = EXCLUDED.arn, decision = EXCLUDED.decision,
       reason = EXCLUDED.reason, duration_seconds = EXCLUDED.duration_seconds, at = EXCLUDED.at`,
    [id, input.approver, input.arn, input.decision, input.reason ?? null, input.durationSeconds ?? null, now],
  );
  const approvals = await listApprovals(tx, id);
  const moved = await applyDecision(tx, r, input, approvals, audit, ops);
  return { request: moved ?? r, approvals, counted: true };
}

/** The decision's consequence: REJECT, the quorum's transition, or a NOTE below the quorum (undefined). */
async function applyDecision(tx: Queryable, r: AccessRequest, input: DecisionInput, approvals: ApprovalRecord[], audit: AuditInput, ops: DecideOps): Promise<AccessRequest | undefined> {
  const details = { ...audit.details, approver: input.approver };
  if (input.decision === ApprovalDecision.REJECT) {
    const patch: RequestPatch = { decidedBy: input.arn, ...(input.reason === undefined ? {} : { decisionReason: input.reason }) };
    return ops.move(tx, r, Transition.REJECT, patch, { ...audit, details });
  }
  const approving = approvals.filter((a) => a.decision === ApprovalDecision.APPROVE);
  const required = approvalsRequiredOf(r);
  if (approving.length < required) {
    await ops.note(tx, r, { ...audit, reason: audit.reason ?? `approval ${approving.length} of ${required}`, details: { ...details, approval: approving.length, required } });
    return undefined;
  }
  if (input.onQuorum === undefined) throw new CrossroleError('INTERNAL', `request ${r.id}: an approval without its quorum transition`);
  // Every approver may shorten the grant; the grant gets the shortest any of them allowed.
  const shortest = Math.min(r.durationSeconds, ...approving.map((a) => a.durationSeconds ?? r.durationSeconds));
  const patch: RequestPatch = { ...input.onQuorum.patch, ...(shortest < r.durationSeconds ? { durationSeconds: shortest } : {}) };
  return ops.move(tx, r, input.onQuorum.transition, patch, {
    ...audit,
    details: { ...details, durationSeconds: patch.durationSeconds ?? r.durationSeconds, approvals: approving.length, required, approvers: approving.map((a) => a.approver) },
  });
}

/** The start-due queries; their literals match the partial index predicate of migration 5 exactly. */
export function startDueSql(status: Status): string {
  if (!isScheduled(status) && !isPending(status)) throw new CrossroleError('INTERNAL', `listStartDue reads SCHEDULED or PENDING rows, not ${status}`);
  return `SELECT * FROM requests
  WHERE status = '${status}' AND start_at IS NOT NULL AND start_at <= $1::timestamptz
  ORDER BY start_at, id LIMIT $2::integer`;
}
