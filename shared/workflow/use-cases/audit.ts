/**
 * Use case: export the append-only audit trail (`GET /audit`, `crossrole audit export`), one keyset
 * page at a time, for approvers and operators.
 *
 * What an export guarantees. Pages are ordered by (at, id) and the cursor is the last (at, id) of
 * the previous page, so pages never overlap or repeat. An event's `at` is taken in its transaction,
 * before it commits, and the bigserial id likewise: an event can become visible after a later one
 * was already read. A window that ends within the settle time of now could therefore miss an event
 * whose transaction was still open; no transaction stays open longer than its function's timeout
 * (FC ends the instance, the connection drops, PostgreSQL rolls it back). So:
 * - without `until`, the window ends at now minus AUDIT_SETTLE_SECONDS, and is complete;
 * - with a later `until`, every page says `settled: false` and the CLI warns: events of the last
 *   two minutes may be missing (run the export again later for a complete record);
 * - events committed during an export with an `at` inside a settled window cannot exist.
 * The CLI pins the `until` of the first page for the whole export.
 */
import type { AuditPage, AuditQuery } from '../../domain/api';
import { MAX_AUDIT_PAGE_SIZE } from '../../domain/api';
import { ValidationError } from '../../domain/errors';
import type { CallerIdentity } from '../../domain/ports';
import { FUNCTION_TIMEOUT_SECONDS } from '../../domain/timing';
import { requireApproverOrOperator } from '../support/authz';
import type { WorkflowDeps } from '../support/deps';

/** The longest any function's transaction can stay open (its timeout), plus 5 s of clock skew between instances. */
const AUDIT_SETTLE_SECONDS = Math.max(...Object.values(FUNCTION_TIMEOUT_SECONDS)) + 5;

/** An ISO-8601 time with a date, a time and a zone (`2026-12-07T10:00:00Z`, `...+08:00`). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Times before this are refused: no event is older, and PostgreSQL has no year 0 (a far-past time would be a 500). */
const EARLIEST = Date.UTC(1900, 0, 1);

function timeOf(value: string, field: string): Date {
  const t = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t) || t < EARLIEST) throw new ValidationError('VALIDATION', field, 'must be an ISO-8601 time with a zone, e.g. 2026-12-07T10:00:00Z');
  return new Date(t);
}

/** The cursor: the last event's (at, id), opaque to clients. */
function encodeCursor(at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: number } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    // Normalised through Date: a cursor of a well-shaped but impossible time (month 13) is refused
    // here, never handed to the database's timestamptz cast (a 500).
    const t = typeof at === 'string' && ISO_TIME.test(at) ? Date.parse(at) : Number.NaN;
    if (!Number.isNaN(t) && t >= EARLIEST && typeof id === 'number' && Number.isSafeInteger(id)) return { at: new Date(t).toISOString(), id };
  } catch {
    // fall through
  }
  throw new ValidationError('VALIDATION', 'cursor', 'is not a cursor this API returned (pass `next` of the previous page)');
}

export async function exportAudit(deps: WorkflowDeps, caller: CallerIdentity, query: AuditQuery): Promise<AuditPage> {
  requireApproverOrOperator(deps.catalog, caller, 'export the audit trail');
  const since = timeOf(query.since, 'since');
  const settledUntil = new Date(deps.clock.now().getTime() - AUDIT_SETTLE_SECONDS * 1000);
  const until = query.until === undefined ? settledUntil : timeOf(query.until, 'until');
  if (until.getTime() < since.getTime()) throw new ValidationError('VALIDATION', 'until', 'must not be before since');
  const limit = query.limit ?? MAX_AUDIT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE_SIZE) throw new ValidationError('VALIDATION', 'limit', `must be an integer from 1 to ${MAX_AUDIT_PAGE_SIZE}`);
  if (query.partner !== undefined && !/^\d{16}$/.test(query.partner)) throw new ValidationError('INVALID_ACCOUNT_ID', 'partner', 'must be a 16-digit account ID');
  const items = await deps.ledger.auditPage({
    since,
    until,
    limit,
    ...(query.partner === undefined ? {} : { partnerAccountId: query.partner }),
    ...(query.cursor === undefined ? {} : { after: decodeCursor(query.cursor) }),
  });
  const last = items[items.length - 1];
  return {
    items,
    ...(items.length === limit && last !== undefined ? { next: encodeCursor(last.at, last.id) } : {}),
    until: until.toISOString(),
    settled: until.getTime() <= settledUntil.getTime(),
  };
}
