/**
 * The ledger's side of extensions (ExtensionLedger over SQL, migration 4). Like every state change
 * of the repository, a step is conditional UPDATEs plus its audit event in one transaction: the
 * extension's status is guarded by its step's source statuses, the grant's row (when the step
 * moves it) by its version and ACTIVE, so two workers racing on one extension cannot both win.
 */
import type { AccessRequest, AuditEvent } from '../domain/access-request';
import { CrossroleError, IllegalTransitionError, NotFoundError, VersionConflictError } from '../domain/errors';
import { ExtensionStep, extensionSourcesOf, extensionTargetOf, isApprovedExtension, nextExtensionStatus, stepMovesGrant } from '../domain/extension';
import type { Extension, ExtensionKind, ExtensionStatus } from '../domain/extension';
import type { AuditInput, Clock, ExtensionLedger, ExtensionResult } from '../domain/ports';
import { Status, isActive } from '../domain/state-machine';
import type { Db, Queryable } from './db';
import { constraintOf, sqlStateOf } from './db';
import { OPEN_EXTENSION_INDEX } from './migration-004-extensions';

interface ExtensionRow {
  id: string;
  request_id: string;
  kind: string;
  status: string;
  requested_by: string;
  reason: string;
  from_expires_at: Date | string;
  new_expires_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
  decided_by: string | null;
  decision_reason: string | null;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

function toExtension(row: ExtensionRow): Extension {
  const e: Extension = {
    id: row.id,
    requestId: row.request_id,
    kind: row.kind as ExtensionKind,
    status: row.status as ExtensionStatus,
    requestedBy: row.requested_by,
    reason: row.reason,
    fromExpiresAt: iso(row.from_expires_at),
    newExpiresAt: iso(row.new_expires_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  if (row.decided_by !== null) e.decidedBy = row.decided_by;
  if (row.decision_reason !== null) e.decisionReason = row.decision_reason;
  return e;
}

function notActive(id: string, status: string): CrossroleError {
  return new CrossroleError('NOT_ACTIVE', `request ${id} is ${status}: only an ACTIVE grant's expiry can change`, { details: { id, status } });
}

/** Audit details of an extension step: `movesGrant` says it bumped the grant's version. */
function details(e: Extension, movesGrant: boolean, extra: Record<string, unknown> | undefined): Record<string, unknown> {
  return { ...extra, extensionId: e.id, kind: e.kind, status: e.status, fromExpiresAt: e.fromExpiresAt, newExpiresAt: e.newExpiresAt, movesGrant };
}

/**
 * The repository's extension methods (SqlRequestRepository extends it). `Row` is a `requests` row
 * as the repository reads it, `toRequest` its mapping to the entity.
 */
export class SqlExtensionStore<Row> implements ExtensionLedger {
  constructor(
    private readonly xdb: Db,
    private readonly xclock: Clock,
    private readonly toRequest: (row: Row) => AccessRequest,
  ) {}

  async createExtension(extension: Extension, expectedVersion: number, audit: AuditInput): Promise<ExtensionResult> {
    const now = this.xclock.now().toISOString();
    try {
      return await this.xdb.transaction(async (tx) => {
        const approved = isApprovedExtension(extension.status);
        const request = approved
          ? await this.moveGrant(tx, extension.requestId, expectedVersion, 'target_expires_at = $3::timestamptz', [extension.newExpiresAt], now)
          : await this.activeGrant(tx, extension.requestId, expectedVersion);
        const { rows } = await tx.query<ExtensionRow>(
          `INSERT INTO extensions (id, request_id, kind, status, requested_by, reason, from_expires_at, new_expires_at, created_at, updated_at, decided_by, decision_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamptz, $9::timestamptz, $10, $11) RETURNING *`,
          [extension.id, extension.requestId, extension.kind, extension.status, extension.requestedBy, extension.reason, extension.fromExpiresAt,
            extension.newExpiresAt, now, extension.decidedBy ?? null, extension.decisionReason ?? null],
        );
        const created = toExtension(rows[0] as ExtensionRow);
        await this.audit(tx, request, created, approved, audit, now);
        return { extension: created, request };
      });
    } catch (e) {
      if (sqlStateOf(e) === '23505' && constraintOf(e) === OPEN_EXTENSION_INDEX) {
        throw new CrossroleError('EXTENSION_OPEN', `request ${extension.requestId} already has an extension or shortening open: wait for its decision`, { details: { id: extension.requestId }, cause: e });
      }
      throw e;
    }
  }

  async stepExtension(id: string, step: ExtensionStep, expectedVersion: number | undefined, decision: { decidedBy?: string; decisionReason?: string }, audit: AuditInput): Promise<ExtensionResult> {
    const now = this.xclock.now().toISOString();
    return this.xdb.transaction(async (tx) => {
      const { rows } = await tx.query<ExtensionRow>(
        `UPDATE extensions SET status = $2, updated_at = $3::timestamptz, decided_by = COALESCE($5, decided_by), decision_reason = COALESCE($6, decision_reason)
         WHERE id = $1 AND status = ANY($4::text[]) RETURNING *`,
        [id, extensionTargetOf(step), now, [...extensionSourcesOf(step)], decision.decidedBy ?? null, decision.decisionReason ?? null],
      );
      if (rows[0] === undefined) {
        const current = await this.getExtensionIn(tx, id);
        if (current === undefined) throw new NotFoundError('extension', id);
        nextExtensionStatus(current.status, step, id);
        throw new IllegalTransitionError(current.status, extensionTargetOf(step), id);
      }
      const moved = toExtension(rows[0]);
      const moves = stepMovesGrant(step);
      let request: AccessRequest;
      if (moves && expectedVersion === undefined) throw new CrossroleError('INTERNAL', `extension step ${step} needs the grant's version`);
      if (step === ExtensionStep.APPROVE) {
        request = await this.moveGrant(tx, moved.requestId, expectedVersion ?? -1, 'target_expires_at = $3::timestamptz', [moved.newExpiresAt], now);
      } else if (step === ExtensionStep.APPLY) {
        request = await this.moveGrant(tx, moved.requestId, expectedVersion ?? -1,
          'duration_seconds = r.duration_seconds + round(extract(epoch FROM ($3::timestamptz - r.expires_at)))::integer, expires_at = $3::timestamptz, target_expires_at = NULL',
          [moved.newExpiresAt], now);
      } else {
        const { rows: found } = await tx.query<Row>('SELECT * FROM requests WHERE id = $1', [moved.requestId]);
        if (found[0] === undefined) throw new NotFoundError('request', moved.requestId);
        request = this.toRequest(found[0]);
      }
      await this.audit(tx, request, moved, moves, audit, now);
      return { extension: moved, request };
    });
  }

  async getExtension(id: string): Promise<Extension | undefined> {
    if (id.includes('\u0000')) return undefined;
    return this.getExtensionIn(this.xdb, id);
  }

  async listExtensions(requestId: string): Promise<Extension[]> {
    if (requestId.includes('\u0000')) return [];
    const { rows } = await this.xdb.query<ExtensionRow>('SELECT * FROM extensions WHERE request_id = $1 ORDER BY created_at, id', [requestId]);
    return rows.map(toExtension);
  }

  async listStaleExtensions(status: ExtensionStatus, olderThan: Date, limit: number): Promise<Extension[]> {
    const { rows } = await this.xdb.query<ExtensionRow>(
      'SELECT * FROM extensions WHERE status = $1 AND updated_at < $2::timestamptz ORDER BY updated_at, id LIMIT $3::integer',
      [status, olderThan.toISOString(), Math.max(1, Math.min(limit, 1000))],
    );
    return rows.map(toExtension);
  }

  private async getExtensionIn(q: Queryable, id: string): Promise<Extension | undefined> {
    const { rows } = await q.query<ExtensionRow>('SELECT * FROM extensions WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toExtension(rows[0]);
  }

  /** The grant, required ACTIVE at `expectedVersion` (read inside the transaction, locked against movers). */
  private async activeGrant(tx: Queryable, id: string, expectedVersion: number): Promise<AccessRequest> {
    const { rows } = await tx.query<Row>('SELECT * FROM requests WHERE id = $1 FOR UPDATE', [id]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('request', id);
    const r = this.toRequest(row);
    if (r.version !== expectedVersion) throw new VersionConflictError(id, expectedVersion);
    if (!isActive(r.status)) throw notActive(id, r.status);
    return r;
  }

  /** Move the grant's expiry columns, guarded by version and ACTIVE; bumps version and updated_at. */
  private async moveGrant(tx: Queryable, id: string, expectedVersion: number, set: string, values: unknown[], now: string): Promise<AccessRequest> {
    const { rows } = await tx.query<Row>(
      `UPDATE requests AS r SET ${set}, version = r.version + 1, updated_at = $${3 + values.length}::timestamptz
       WHERE r.id = $1 AND r.version = $2::integer AND r.status = '${Status.ACTIVE}' RETURNING r.*`,
      [id, expectedVersion, ...values, now],
    );
    if (rows[0] !== undefined) return this.toRequest(rows[0]);
    const { rows: current } = await tx.query<{ status: string; version: number }>('SELECT status, version FROM requests WHERE id = $1', [id]);
    const c = current[0];
    if (c === undefined) throw new NotFoundError('request', id);
    if (Number(c.version) !== expectedVersion) throw new VersionConflictError(id, expectedVersion);
    throw notActive(id, c.status);
  }

  private async audit(tx: Queryable, request: AccessRequest, e: Extension, movesGrant: boolean, audit: AuditInput, at: string): Promise<void> {
    const action: AuditEvent['action'] = 'EXTENSION';
    await tx.query(
      `INSERT INTO audit_events (request_id, at, actor, action, from_status, to_status, reason, details)
       VALUES ($1, $2::timestamptz, $3, $4, $5, $5, $6, $7::jsonb)`,
      [request.id, at, audit.actor, action, request.status, audit.reason ?? null, JSON.stringify(details(e, movesGrant, audit.details))],
    );
  }
}
