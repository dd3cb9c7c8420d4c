/**
 * The ledger's SQL for break-glass reviews and the audit export (migration 6), kept apart from
 * repository.ts, which delegates to it: the review of a grant (written once, with its REVIEW audit
 * event in the same transaction), the unreviewed grants by due time, and one keyset page of audit
 * events in a time window.
 */
import type { BreakGlassReview, ReviewVerdict } from '../domain/access-request';
import type { AuditExportEvent, RamCallRecord } from '../domain/api';
import { CrossroleError, NotFoundError } from '../domain/errors';
import type { AuditWindow, ReviewInput } from '../domain/ports';
import { isStatus, type Status } from '../domain/state-machine';
import type { Queryable } from './db';

/** The columns migration 6 added to `requests`, as both drivers return them. */
export interface ReviewColumns {
  ticket?: string | null;
  review_due_at?: Date | string | null;
  review_verdict?: string | null;
  reviewed_by?: string | null;
  review_note?: string | null;
  reviewed_at?: Date | string | null;
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** The entity's `ticket` and `breakGlass` fields of a row (absent when not set, so entities round-trip deep-equal). */
export function reviewFieldsOf(row: ReviewColumns): { ticket?: string; breakGlass?: BreakGlassReview } {
  const out: { ticket?: string; breakGlass?: BreakGlassReview } = {};
  if (row.ticket !== null && row.ticket !== undefined) out.ticket = row.ticket;
  if (row.review_due_at === null || row.review_due_at === undefined) return out;
  const review: BreakGlassReview = { reviewDueAt: iso(row.review_due_at) };
  if (row.review_verdict !== null && row.review_verdict !== undefined) review.verdict = row.review_verdict as ReviewVerdict;
  if (row.reviewed_by !== null && row.reviewed_by !== undefined) review.reviewedBy = row.reviewed_by;
  if (row.review_note !== null && row.review_note !== undefined) review.reviewNote = row.review_note;
  if (row.reviewed_at !== null && row.reviewed_at !== undefined) review.reviewedAt = iso(row.reviewed_at);
  out.breakGlass = review;
  return out;
}

/** The INSERT's extra columns and values for a new request's ticket and review due time. */
export function reviewInsertValues(request: { ticket?: string; breakGlass?: BreakGlassReview }): [string | null, string | null] {
  return [request.ticket ?? null, request.breakGlass?.reviewDueAt ?? null];
}

/**
 * Write a grant's review, once: only a break-glass row not reviewed yet changes. Returns the row's
 * status (for the REVIEW event, which does not move it), or says why nothing changed: NOT_FOUND,
 * NOT_BREAK_GLASS, ALREADY_REVIEWED (with the first review in details).
 */
export async function writeReview(tx: Queryable, id: string, review: ReviewInput, at: string): Promise<Status> {
  // Like a note: version and updated_at stay, so no worker's version goes stale and "time in status" keeps its meaning.
  const { rows } = await tx.query<{ status: string }>(
    `UPDATE requests SET review_verdict = $2, reviewed_by = $3, review_note = $4, reviewed_at = $5::timestamptz
     WHERE id = $1 AND review_due_at IS NOT NULL AND reviewed_at IS NULL RETURNING status`,
    [id, review.verdict, review.by, review.note, at],
  );
  const moved = rows[0];
  if (moved !== undefined && isStatus(moved.status)) return moved.status;
  const current = await tx.query<ReviewColumns>('SELECT review_due_at, review_verdict, reviewed_by, reviewed_at FROM requests WHERE id = $1', [id]);
  const row = current.rows[0];
  if (row === undefined) throw new NotFoundError('request', id);
  const fields = reviewFieldsOf(row).breakGlass;
  if (fields === undefined) throw new CrossroleError('NOT_BREAK_GLASS', `request ${id} is not a break-glass grant: only those are reviewed afterwards`, { details: { id } });
  throw new CrossroleError('ALREADY_REVIEWED', `request ${id} was already reviewed (${fields.verdict ?? '?'} by ${fields.reviewedBy ?? '?'} at ${fields.reviewedAt ?? '?'}); a review is final: revoke the grant, or record a concern elsewhere`, {
    details: { id, review: fields },
  });
}

/**
 * Break-glass grants not reviewed yet (optionally only those due before a time), by due time then
 * id; `after` is the id of the last row of the previous page. The predicate repeats the partial
 * index's (migration 6) so the planner can use it.
 */
export function unreviewedQuery(options: { dueBefore?: Date; after?: string; limit: number }): { sql: string; params: unknown[] } {
  const where = ['review_due_at IS NOT NULL', 'reviewed_at IS NULL'];
  const params: unknown[] = [];
  if (options.dueBefore !== undefined) {
    params.push(options.dueBefore.toISOString());
    where.push(`review_due_at < $${params.length}::timestamptz`);
  }
  if (options.after !== undefined) {
    params.push(options.after);
    where.push(`(review_due_at, id) > (SELECT c.review_due_at, c.id FROM requests c WHERE c.id = $${params.length})`);
  }
  params.push(options.limit);
  return { sql: `SELECT * FROM requests WHERE ${where.join(' AND ')} ORDER BY review_due_at, id LIMIT $${params.length}::integer`, params };
}

interface AuditExportRow {
  id: number | string;
  request_id: string;
  at: Date | string;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  details: unknown;
  partner_account_id: string;
  requester_arn: string;
  profile: string;
  role_name: string;
  ticket: string | null;
}

function statusOrNull(value: string | null): Status | null {
  if (value === null) return null;
  if (!isStatus(value)) throw new CrossroleError('INTERNAL', `ledger holds an unknown status "${value}"`);
  return value;
}

function toExportEvent(row: AuditExportRow): AuditExportEvent {
  const details = typeof row.details === 'object' && row.details !== null ? { ...(row.details as Record<string, unknown>) } : undefined;
  const recorded = details?.['ramActions'];
  if (details !== undefined) delete details['ramActions'];
  const e: AuditExportEvent = {
    id: Number(row.id),
    at: iso(row.at),
    requestId: row.request_id,
    partnerAccountId: row.partner_account_id,
    requesterArn: row.requester_arn,
    profile: row.profile,
    roleName: row.role_name,
    actor: row.actor,
    action: row.action as AuditExportEvent['action'],
    fromStatus: statusOrNull(row.from_status),
    toStatus: statusOrNull(row.to_status),
    ramCalls: Array.isArray(recorded) ? (recorded as RamCallRecord[]) : [],
  };
  if (row.reason !== null) e.reason = row.reason;
  if (row.ticket !== null) e.ticket = row.ticket;
  if (details !== undefined && Object.keys(details).length > 0) e.details = details;
  return e;
}

/**
 * One page of audit events with since <= at < until, in (at, id) order after the cursor, each
 * with its request's partner, requester, profile, role name and ticket. Served by the (at, id)
 * index of migration 6; the join is a primary-key lookup per event.
 */
export async function readAuditPage(db: Queryable, w: AuditWindow): Promise<AuditExportEvent[]> {
  const params: unknown[] = [w.since.toISOString(), w.until.toISOString()];
  const where = ['a.at >= $1::timestamptz', 'a.at < $2::timestamptz'];
  if (w.partnerAccountId !== undefined) {
    params.push(w.partnerAccountId);
    where.push(`r.partner_account_id = $${params.length}`);
  }
  if (w.after !== undefined) {
    params.push(w.after.at, w.after.id);
    where.push(`(a.at, a.id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
  }
  params.push(w.limit);
  const { rows } = await db.query<AuditExportRow>(
    `SELECT a.*, r.partner_account_id, r.requester_arn, r.profile, r.role_name, r.ticket
     FROM audit_events a JOIN requests r ON r.id = a.request_id
     WHERE ${where.join(' AND ')} ORDER BY a.at, a.id LIMIT $${params.length}::integer`,
    params,
  );
  return rows.map(toExportEvent);
}
