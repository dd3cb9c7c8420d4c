/**
 * RequestRepository over SQL (PGlite or pg, see db.ts). Every state change is one conditional
 * UPDATE guarded by version and by the state machine's source statuses, plus its audit event,
 * in one transaction: two workers racing on one request cannot both win.
 */
import type { AccessRequest, AuditEvent } from '../domain/access-request';
import { CrossroleError, IllegalTransitionError, NotFoundError, ValidationError, VersionConflictError } from '../domain/errors';
import { roleSessionPrefix } from '../domain/partner-roles';
import type { AuditExportEvent } from '../domain/api';
import type { AuditInput, AuditWindow, Clock, DecisionInput, DecisionResult, ListOptions, PartnerListOptions, RequestPatch, RequestRepository, ReviewInput, UnreviewedOptions } from '../domain/ports';
import type { ApprovalRecord } from '../domain/quorum';
import { roleNameTaken } from '../domain/role-names';
import { Status, nextStatusFor, refusedForRevoked, sourcesOf, targetOf } from '../domain/state-machine';
import type { Transition } from '../domain/state-machine';
import type { Db, Queryable } from './db';
import { constraintOf, sqlStateOf } from './db';
import { ROLE_NAME_INDEX } from './migration-003-role-names';
import { decideInTx, listApprovals, startDueSql } from './approvals';
import { SqlExtensionStore } from './extension-store';
import { readAuditPage, reviewInsertValues, unreviewedQuery, writeReview } from './review-audit';
import { AuditRow, CREATABLE, DEFAULT_LIMIT, DUE_FOR_EXPIRY_SQL, RequestRow, UNRELEASED_SQL, json, likeEscape, limitOf, patchAssignments, releaseRefused, toAuditEvent, toRequest, toStatus } from './request-rows';

/** The extension methods (migration 4) are inherited from extension-store.ts. */
export class SqlRequestRepository extends SqlExtensionStore<RequestRow> implements RequestRepository {
  constructor(private readonly db: Db, private readonly clock: Clock = { now: () => new Date() }) {
    super(db, clock, toRequest);
  }

  async create(request: AccessRequest, audit: AuditInput): Promise<AccessRequest> {
    if (!CREATABLE.includes(request.status)) {
      throw new ValidationError('VALIDATION', 'status', `a new request starts ${CREATABLE.join(' or ')}, not ${request.status}`);
    }
    try {
      return await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<RequestRow>(
          `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason,
             role_name, principals, external_id, created_at, updated_at, expires_at, decided_by, decision_reason,
             revoke_mode, last_error, "grant", start_at, approvals_required, ticket, review_due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12::timestamptz, $13::timestamptz, $14::timestamptz,
             $15, $16, $17, $18, $19::jsonb, $20::timestamptz, $21::integer, $22, $23::timestamptz)
           RETURNING *`,
          [
            request.id, request.version, request.status, request.partnerAccountId, request.requesterArn, request.profile,
            request.durationSeconds, request.reason, request.roleName, JSON.stringify(request.principals), request.externalId,
            request.createdAt, request.updatedAt, request.expiresAt ?? null, request.decidedBy ?? null,
            request.decisionReason ?? null, request.revokeMode ?? null, request.lastError ?? null, json(request.grant),
            request.startAt ?? null, request.approvalsRequired ?? 1,
            ...reviewInsertValues(request),
          ],
        );
        const created = toRequest(this.one(rows, request.id));
        await this.appendAudit(tx, created.id, 'CREATE', null, created.status, audit, created.createdAt);
        await this.afterWrite(tx, created, 'CREATE', created.createdAt);
        return created;
      });
    } catch (e) {
      if (sqlStateOf(e) === '23505' && constraintOf(e) === ROLE_NAME_INDEX) throw roleNameTaken(request.roleName, { cause: e });
      if (sqlStateOf(e) === '23505') {
        throw new CrossroleError('ALREADY_EXISTS', `request ${request.id} already exists`, { details: { id: request.id }, cause: e });
      }
      throw e;
    }
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    // PostgreSQL text cannot hold NUL, so no row has such an id; sent as a parameter it would fail
    // the whole query (22021) and turn a caller's junk path (/requests/%00) into a 500.
    if (id.includes('\u0000')) return undefined;
    const { rows } = await this.db.query<RequestRow>('SELECT * FROM requests WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toRequest(rows[0]);
  }

  /** Oldest first, by (createdAt, id); `after` is the id of the last row of the previous page. */
  listByStatus(status: Status, options: ListOptions = {}): Promise<AccessRequest[]> {
    return this.page('status = $1', [status], options);
  }

  listByPartner(partnerAccountId: string, options: PartnerListOptions = {}): Promise<AccessRequest[]> {
    const where = ['partner_account_id = $1'];
    const params: unknown[] = [partnerAccountId];
    const add = (clause: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (options.status !== undefined) add((n) => `status = $${n}`, options.status);
    const r = options.requester;
    if (r?.kind === 'arn') add((n) => `requester_arn = $${n}`, r.arn);
    // Every session of one role: the ARN up to the session name, the role name case-insensitive.
    if (r?.kind === 'role-sessions') add((n) => `lower(requester_arn) LIKE $${n} ESCAPE '\\'`, `${likeEscape(roleSessionPrefix(r))}%`);
    return this.page(where.join(' AND '), params, options);
  }

  private async page(where: string, params: unknown[], options: ListOptions): Promise<AccessRequest[]> {
    const args = [...params];
    let keyset = '';
    if (options.after !== undefined) {
      args.push(options.after);
      // A cursor id that does not exist matches nothing: the page is empty rather than restarting.
      keyset = ` AND (created_at, id) > (SELECT c.created_at, c.id FROM requests c WHERE c.id = $${args.length})`;
    }
    args.push(limitOf(options.limit));
    const { rows } = await this.db.query<RequestRow>(
      `SELECT * FROM requests WHERE ${where}${keyset} ORDER BY created_at, id LIMIT $${args.length}::integer`,
      args,
    );
    return rows.map(toRequest);
  }

  async listDueForExpiry(now: Date, limit: number): Promise<AccessRequest[]> {
    const { rows } = await this.db.query<RequestRow>(DUE_FOR_EXPIRY_SQL, [now.toISOString(), limitOf(limit)]);
    return rows.map(toRequest);
  }

  /** The EXPLAIN plan of {@link listDueForExpiry}'s query, one plan line per line. */
  explainDueForExpiry(now: Date, limit = DEFAULT_LIMIT): Promise<string> {
    return this.explain(DUE_FOR_EXPIRY_SQL, [now.toISOString(), limitOf(limit)]);
  }

  async listStale(status: Status, olderThan: Date, limit: number): Promise<AccessRequest[]> {
    const { rows } = await this.db.query<RequestRow>(
      'SELECT * FROM requests WHERE status = $1 AND updated_at < $2::timestamptz ORDER BY updated_at, id LIMIT $3::integer',
      [status, olderThan.toISOString(), limitOf(limit)],
    );
    return rows.map(toRequest);
  }

  async listUnreleased(revokedBefore: Date, limit: number): Promise<AccessRequest[]> {
    const { rows } = await this.db.query<RequestRow>(UNRELEASED_SQL, [revokedBefore.toISOString(), limitOf(limit)]);
    return rows.map(toRequest);
  }

  /** The EXPLAIN plan of {@link listUnreleased}'s query, one plan line per line. */
  explainUnreleased(revokedBefore: Date, limit = DEFAULT_LIMIT): Promise<string> {
    return this.explain(UNRELEASED_SQL, [revokedBefore.toISOString(), limitOf(limit)]);
  }

  private async explain(sql: string, args: unknown[]): Promise<string> {
    const { rows } = await this.db.query<Record<string, string>>(`EXPLAIN ${sql}`, args);
    return rows.map((r) => Object.values(r).join(' ')).join('\n');
  }

  async markReleased(id: string, audit: AuditInput): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.db.transaction(async (tx) => {
      // Like a note, not a transition: version and updated_at stay, so "revoked at" keeps its
      // meaning. Only a REVOKED row that is not released yet changes; anything else says why not.
      const { rows } = await tx.query<{ status: string }>(
        `UPDATE requests SET resources_released_at = $2::timestamptz
         WHERE id = $1 AND status = '${Status.REVOKED}' AND resources_released_at IS NULL RETURNING status`,
        [id, now],
      );
      if (rows[0] === undefined) {
        const current = await tx.query<{ status: string; resources_released_at: Date | string | null }>(
          'SELECT status, resources_released_at FROM requests WHERE id = $1', [id],
        );
        const row = current.rows[0];
        if (row === undefined) throw new NotFoundError('request', id);
        if (row.resources_released_at !== null) return; // already released: idempotent, no second event
        throw releaseRefused(id, toStatus(row.status));
      }
      await this.appendAudit(tx, id, 'NOTE', Status.REVOKED, Status.REVOKED, audit, now);
    });
  }

  transition(id: string, expectedVersion: number, transition: Transition, patch: RequestPatch, audit: AuditInput): Promise<AccessRequest> {
    return this.db.transaction((tx) => this.moveIn(tx, id, expectedVersion, transition, patch, audit));
  }

  decide(id: string, input: DecisionInput, audit: AuditInput): Promise<DecisionResult> {
    return this.db.transaction((tx) => decideInTx(tx, id, input, this.clock.now().toISOString(), audit, {
      lock: async (t, rid) => (await t.query<RequestRow>('SELECT * FROM requests WHERE id = $1 FOR UPDATE', [rid])).rows.map(toRequest)[0],
      move: (t, r, tr, patch, a) => this.moveIn(t, r.id, r.version, tr, patch, a),
      note: (t, r, a) => this.appendAudit(t, r.id, 'NOTE', r.status, r.status, a, this.clock.now().toISOString()),
    }));
  }

  approvals(id: string): Promise<ApprovalRecord[]> {
    return listApprovals(this.db, id);
  }

  async listStartDue(status: Status, now: Date, limit: number): Promise<AccessRequest[]> {
    const { rows } = await this.db.query<RequestRow>(startDueSql(status), [now.toISOString(), limitOf(limit)]);
    return rows.map(toRequest);
  }

  /** The guarded UPDATE and its audit event, inside the caller's transaction. */
  private async moveIn(tx: Queryable, id: string, expectedVersion: number, transition: Transition, patch: RequestPatch, audit: AuditInput): Promise<AccessRequest> {
    const to = targetOf(transition);
    const now = this.clock.now().toISOString();
    const params: unknown[] = [id, expectedVersion, [...sourcesOf(transition)], to, now];
    const sets = ['status = $4', 'version = r.version + 1', 'updated_at = $5::timestamptz', ...patchAssignments(patch, params)];
    // `prev` is the same row read by the statement's snapshot: when the guarded UPDATE succeeds
    // the row was not changed concurrently, so prev.status is exactly the status we moved from.
    const { rows } = await tx.query<RequestRow & { from_status: string }>(
      `UPDATE requests AS r SET ${sets.join(', ')}
       FROM requests AS prev
       WHERE r.id = $1 AND prev.id = r.id AND r.version = $2::integer AND r.status = ANY($3::text[])${refusedForRevoked(transition) ? ' AND r.revoke_mode IS NULL' : ''}
       RETURNING r.*, prev.status AS from_status`,
      params,
    );
    const row = rows[0];
    if (row === undefined) throw await this.whyNotMoved(tx, id, expectedVersion, transition);
    const moved = toRequest(row);
    await this.appendAudit(tx, id, transition, toStatus(row.from_status), moved.status, audit, now);
    await this.afterWrite(tx, moved, transition, now);
    return moved;
  }

  /** The guarded UPDATE matched nothing: say precisely why. */
  private async whyNotMoved(tx: Queryable, id: string, expectedVersion: number, transition: Transition): Promise<Error> {
    const { rows } = await tx.query<{ status: string; version: number; revoke_mode: string | null }>('SELECT status, version, revoke_mode FROM requests WHERE id = $1', [id]);
    const current = rows[0];
    if (current === undefined) return new NotFoundError('request', id);
    // A stale version wins over an illegal edge: the caller decided on a view that is out of date,
    // and must re-read before anything it concluded means something.
    if (Number(current.version) !== expectedVersion) return new VersionConflictError(id, expectedVersion);
    try {
      nextStatusFor({ id, status: toStatus(current.status), revokeMode: current.revoke_mode ?? undefined }, transition);
    } catch (e) {
      if (e instanceof IllegalTransitionError) return e;
      throw e;
    }
    // Unreachable while versions only grow; report a conflict, the safe answer (re-read, retry).
    return new VersionConflictError(id, expectedVersion);
  }

  async note(id: string, patch: Pick<RequestPatch, 'lastError'>, audit: AuditInput): Promise<void> {
    await this.db.transaction(async (tx) => {
      const params: unknown[] = [id];
      const sets = patchAssignments(patch, params);
      // A note changes neither version nor updated_at: it is not a transition, so it must not make
      // a concurrent worker's version stale, nor reset the "time in status" that listStale measures.
      const sql = sets.length > 0
        ? `UPDATE requests SET ${sets.join(', ')} WHERE id = $1 RETURNING status`
        : 'SELECT status FROM requests WHERE id = $1';
      const { rows } = await tx.query<{ status: string }>(sql, params);
      const row = rows[0];
      if (row === undefined) throw new NotFoundError('request', id);
      const status = toStatus(row.status);
      await this.appendAudit(tx, id, 'NOTE', status, status, audit, this.clock.now().toISOString());
    });
  }

  async history(id: string): Promise<AuditEvent[]> {
    const { rows } = await this.db.query<AuditRow>('SELECT * FROM audit_events WHERE request_id = $1 ORDER BY id', [id]);
    return rows.map(toAuditEvent);
  }

  async review(id: string, review: ReviewInput, audit: AuditInput): Promise<AccessRequest> {
    const now = this.clock.now().toISOString();
    return this.db.transaction(async (tx) => {
      const status = await writeReview(tx, id, review, now);
      await this.appendAudit(tx, id, 'REVIEW', status, status, audit, now);
      const { rows } = await tx.query<RequestRow>('SELECT * FROM requests WHERE id = $1', [id]);
      return toRequest(this.one(rows, id));
    });
  }

  async listUnreviewed(options: UnreviewedOptions = {}): Promise<AccessRequest[]> {
    const { sql, params } = unreviewedQuery({ ...options, limit: limitOf(options.limit) });
    const { rows } = await this.db.query<RequestRow>(sql, params);
    return rows.map(toRequest);
  }

  auditPage(window: AuditWindow): Promise<AuditExportEvent[]> {
    return readAuditPage(this.db, { ...window, limit: limitOf(window.limit) });
  }

  async useNonce(nonce: string, expiresAt: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO used_nonces (nonce, expires_at) VALUES ($1, $2::timestamptz) ON CONFLICT (nonce) DO NOTHING',
      [nonce, expiresAt.toISOString()],
    );
    return rowCount === 1;
  }

  async purgeExpiredNonces(now: Date): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM used_nonces WHERE expires_at <= $1::timestamptz', [now.toISOString()]);
    return rowCount;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** In the write's own transaction, after its audit event (the ledger's outbox hooks here, outbox.ts). */
  protected async afterWrite(_tx: Queryable, _request: AccessRequest, _transition: Transition | 'CREATE', _at: string): Promise<void> {}

  private async appendAudit(tx: Queryable, requestId: string, action: AuditEvent['action'], from: Status | null, to: Status | null, audit: AuditInput, at: string): Promise<void> {
    await tx.query(
      `INSERT INTO audit_events (request_id, at, actor, action, from_status, to_status, reason, details)
       VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8::jsonb)`,
      [requestId, at, audit.actor, action, from, to, audit.reason ?? null, json(audit.details)],
    );
  }

  private one<T>(rows: T[], id: string): T {
    const row = rows[0];
    if (row === undefined) throw new CrossroleError('INTERNAL', `request ${id}: the database returned no row`);
    return row;
  }
}
