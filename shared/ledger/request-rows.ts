/**
 * The requests table's rows as the repository reads and writes them: row types, their mapping to
 * the domain's AccessRequest and AuditEvent, patch encoding, and the SQL of the list queries.
 * Split from repository.ts, which keeps the transactions.
 */
import { RevokeMode } from '../domain/access-request';
import type { AccessRequest, AuditEvent, GrantDetails } from '../domain/access-request';
import { MAX_PAGE_SIZE } from '../domain/api';
import { CrossroleError, ValidationError } from '../domain/errors';
import type { RequestPatch } from '../domain/ports';
import { Status, isStatus } from '../domain/state-machine';
import { readScheduleColumns, type ScheduleColumns } from './approvals';
import { reviewFieldsOf, type ReviewColumns } from './review-audit';

/** Rows a list returns when its caller names no limit: one API page. */
export const DEFAULT_LIMIT = MAX_PAGE_SIZE;
/**
 * The ledger's own cap on rows per query, whatever the caller asks. Not the API's page size: the
 * scan reads past rows it could not move, so its pages grow beyond one API page.
 */
const MAX_ROWS_PER_QUERY = 1000;

/** A row of `requests` as both drivers return it (timestamptz may come back as Date or string). */
export interface RequestRow extends ScheduleColumns, ReviewColumns {
  id: string;
  version: number;
  status: string;
  partner_account_id: string;
  requester_arn: string;
  profile: string;
  duration_seconds: number;
  reason: string;
  role_name: string;
  principals: unknown;
  external_id: string;
  created_at: Date | string;
  updated_at: Date | string;
  expires_at: Date | string | null;
  decided_by: string | null;
  decision_reason: string | null;
  revoke_mode: string | null;
  last_error: string | null;
  grant: unknown;
  resources_released_at: Date | string | null;
  target_expires_at?: Date | string | null;
}

export interface AuditRow {
  id: number | string;
  request_id: string;
  at: Date | string;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  details: unknown;
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function toStatus(value: string): Status {
  if (!isStatus(value)) throw new CrossroleError('INTERNAL', `ledger holds an unknown status "${value}"`);
  return value;
}

export function toRequest(row: RequestRow): AccessRequest {
  const r: AccessRequest = {
    id: row.id,
    version: Number(row.version),
    status: toStatus(row.status),
    partnerAccountId: row.partner_account_id,
    requesterArn: row.requester_arn,
    profile: row.profile,
    durationSeconds: Number(row.duration_seconds),
    reason: row.reason,
    ...reviewFieldsOf(row),
    roleName: row.role_name,
    principals: Array.isArray(row.principals) ? row.principals.map(String) : [],
    externalId: row.external_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  // Absent optional fields stay absent (not null), so an entity round-trips deep-equal.
  if (row.expires_at !== null) r.expiresAt = iso(row.expires_at);
  if (row.decided_by !== null) r.decidedBy = row.decided_by;
  if (row.decision_reason !== null) r.decisionReason = row.decision_reason;
  if (row.revoke_mode !== null) r.revokeMode = row.revoke_mode as RevokeMode;
  if (row.last_error !== null) r.lastError = row.last_error;
  if (row.grant !== null && row.grant !== undefined) r.grant = row.grant as GrantDetails;
  if (row.resources_released_at !== null && row.resources_released_at !== undefined) r.resourcesReleasedAt = iso(row.resources_released_at);
  readScheduleColumns(row, r);
  if (row.target_expires_at !== null && row.target_expires_at !== undefined) r.targetExpiresAt = iso(row.target_expires_at);
  return r;
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  const e: AuditEvent = {
    id: Number(row.id),
    requestId: row.request_id,
    at: iso(row.at),
    actor: row.actor,
    action: row.action as AuditEvent['action'],
    fromStatus: row.from_status === null ? null : toStatus(row.from_status),
    toStatus: row.to_status === null ? null : toStatus(row.to_status),
  };
  if (row.reason !== null) e.reason = row.reason;
  if (row.details !== null && row.details !== undefined) e.details = row.details as Record<string, unknown>;
  return e;
}

export function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('VALIDATION', 'limit', 'must be a positive integer');
  return Math.min(limit, MAX_ROWS_PER_QUERY);
}

/** A LIKE pattern matching `text` literally (escape character: backslash). */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** Patchable entity fields -> column, value encoder and SQL cast. */
const PATCH_COLUMNS: { [K in keyof Required<RequestPatch>]: { column: string; cast: string; encode: (v: RequestPatch[K]) => unknown } } = {
  durationSeconds: { column: 'duration_seconds', cast: 'integer', encode: (v) => v ?? null },
  expiresAt: { column: 'expires_at', cast: 'timestamptz', encode: (v) => v ?? null },
  decidedBy: { column: 'decided_by', cast: 'text', encode: (v) => v ?? null },
  decisionReason: { column: 'decision_reason', cast: 'text', encode: (v) => v ?? null },
  revokeMode: { column: 'revoke_mode', cast: 'text', encode: (v) => v ?? null },
  lastError: { column: 'last_error', cast: 'text', encode: (v) => v ?? null },
  grant: { column: '"grant"', cast: 'jsonb', encode: (v) => json(v) },
};

/**
 * SET clauses for a patch. A key that is present with the value `undefined` clears the column
 * (e.g. `{ lastError: undefined }` on RETRY); an absent key leaves it untouched.
 */
export function patchAssignments(patch: RequestPatch, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const key of Object.keys(PATCH_COLUMNS) as (keyof RequestPatch)[]) {
    if (!Object.prototype.hasOwnProperty.call(patch, key)) continue;
    const spec = PATCH_COLUMNS[key] as { column: string; cast: string; encode: (v: unknown) => unknown };
    params.push(spec.encode(patch[key]));
    sets.push(`${spec.column} = $${params.length}::${spec.cast}`);
  }
  return sets;
}

/** The due-for-expiry query, on the effective expiry (extension.ts). The literal status and the expression match the partial index exactly. */
export const DUE_FOR_EXPIRY_SQL = `SELECT * FROM requests
  WHERE status = '${Status.ACTIVE}' AND COALESCE(target_expires_at, expires_at) <= $1::timestamptz
  ORDER BY COALESCE(target_expires_at, expires_at), id LIMIT $2::integer`;

/** The listUnreleased query. Its literals match the partial index predicate exactly. */
export const UNRELEASED_SQL = `SELECT * FROM requests
  WHERE status = '${Status.REVOKED}' AND revoke_mode = '${RevokeMode.TRUST}' AND resources_released_at IS NULL
    AND updated_at < $1::timestamptz
  ORDER BY updated_at, id LIMIT $2::integer`;

/** Only a REVOKED request's RAM resources may be released: anything else may still need them. */
export function releaseRefused(id: string, status: Status): CrossroleError {
  return new CrossroleError('ILLEGAL_TRANSITION', `request ${id} is ${status}: only a REVOKED request's resources can be released`, { details: { id, status } });
}

export const CREATABLE: readonly Status[] = [Status.PENDING, Status.SCHEDULED, Status.APPROVED];
