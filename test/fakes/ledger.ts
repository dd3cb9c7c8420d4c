/**
 * In-memory RequestRepository, faithful to shared/ledger/repository.ts: versions, the state
 * machine's source statuses, stale-version-before-illegal-edge errors, append-only audit events,
 * notes that bump neither version nor updatedAt, keyset pages by (createdAt, id), single-use nonces,
 * releases (markReleased) that are idempotent and allowed only for REVOKED rows, role names held
 * by one request at a time (ROLE_NAME_TAKEN, as the unique index of migration 3), lists filtered
 * by requester.
 */
import type { AccessRequest, AuditEvent } from '../../shared/domain/access-request';
import type { AuditExportEvent, RamCallRecord } from '../../shared/domain/api';
import { CrossroleError, NotFoundError, ValidationError, VersionConflictError } from '../../shared/domain/errors';
import type { AuditInput, AuditWindow, Clock, ListOptions, PartnerListOptions, RequestPatch, RequestRepository, ReviewInput, UnreviewedOptions } from '../../shared/domain/ports';
import { requesterMatches } from '../../shared/domain/partner-roles';
import { holdsRoleName, roleNameTaken } from '../../shared/domain/role-names';
import { RevokeMode } from '../../shared/domain/access-request';
import { Status, nextStatusFor } from '../../shared/domain/state-machine';
import type { Transition } from '../../shared/domain/state-machine';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

type Method = 'create' | 'get' | 'transition' | 'note' | 'listDueForExpiry' | 'listStale' | 'listByStatus' | 'listByPartner' | 'listUnreleased' | 'markReleased';

const clone = <T>(v: T): T => structuredClone(v);

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('VALIDATION', 'limit', 'must be a positive integer');
  return Math.min(limit, MAX_LIMIT);
}

const byCreated = (a: AccessRequest, b: AccessRequest): number => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

export class InMemoryLedger implements RequestRepository {
  private readonly rows = new Map<string, AccessRequest>();
  private readonly audit: AuditEvent[] = [];
  private readonly nonces = new Map<string, number>();
  private readonly failures: Array<{ method: Method; error: Error }> = [];
  private nextAuditId = 1;
  closed = false;

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  /** The next call of `method` throws `error` (before doing anything). */
  failNext(method: Method, error: Error): void {
    this.failures.push({ method, error });
  }

  /** Every row, for invariants in tests. */
  all(): AccessRequest[] {
    return [...this.rows.values()].map(clone);
  }

  allEvents(): AuditEvent[] {
    return clone(this.audit);
  }

  private maybeFail(method: Method): void {
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      if (f) throw f.error;
    }
  }

  async create(request: AccessRequest, audit: AuditInput): Promise<AccessRequest> {
    this.maybeFail('create');
    if (request.status !== Status.PENDING && request.status !== Status.APPROVED) {
      throw new ValidationError('VALIDATION', 'status', `a new request starts PENDING or APPROVED, not ${request.status}`);
    }
    if (this.rows.has(request.id)) throw new CrossroleError('ALREADY_EXISTS', `request ${request.id} already exists`, { details: { id: request.id } });
    const name = request.roleName.toLowerCase();
    if ([...this.rows.values()].some((r) => holdsRoleName(r) && r.roleName.toLowerCase() === name)) throw roleNameTaken(request.roleName);
    const row = clone(request);
    this.rows.set(row.id, row);
    this.append(row.id, 'CREATE', null, row.status, audit, row.createdAt);
    return clone(row);
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    this.maybeFail('get');
    const r = this.rows.get(id);
    return r === undefined ? undefined : clone(r);
  }

  async listByStatus(status: Status, options: ListOptions = {}): Promise<AccessRequest[]> {
    this.maybeFail('listByStatus');
    return this.page((r) => r.status === status, options);
  }

  async listByPartner(partnerAccountId: string, options: PartnerListOptions = {}): Promise<AccessRequest[]> {
    this.maybeFail('listByPartner');
    const { requester } = options;
    return this.page((r) => r.partnerAccountId === partnerAccountId && (options.status === undefined || r.status === options.status)
      && (requester === undefined || requesterMatches(requester, r.requesterArn)), options);
  }

  private page(where: (r: AccessRequest) => boolean, options: ListOptions): AccessRequest[] {
    let rows = [...this.rows.values()].filter(where).sort(byCreated);
    if (options.after !== undefined) {
      const cursor = this.rows.get(options.after);
      if (cursor === undefined) return [];
      rows = rows.filter((r) => byCreated(r, cursor) > 0);
    }
    return rows.slice(0, limitOf(options.limit)).map(clone);
  }

  async listDueForExpiry(now: Date, limit: number): Promise<AccessRequest[]> {
    this.maybeFail('listDueForExpiry');
    return [...this.rows.values()]
      .filter((r) => r.status === Status.ACTIVE && r.expiresAt !== undefined && Date.parse(r.expiresAt) <= now.getTime())
      .sort((a, b) => Date.parse(a.expiresAt ?? '') - Date.parse(b.expiresAt ?? '') || a.id.localeCompare(b.id))
      .slice(0, limitOf(limit))
      .map(clone);
  }

  async listStale(status: Status, olderThan: Date, limit: number): Promise<AccessRequest[]> {
    this.maybeFail('listStale');
    return [...this.rows.values()]
      .filter((r) => r.status === status && Date.parse(r.updatedAt) < olderThan.getTime())
      .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || a.id.localeCompare(b.id))
      .slice(0, limitOf(limit))
      .map(clone);
  }

  async listUnreleased(revokedBefore: Date, limit: number): Promise<AccessRequest[]> {
    this.maybeFail('listUnreleased');
    return [...this.rows.values()]
      .filter((r) => r.status === Status.REVOKED && r.revokeMode === RevokeMode.TRUST && r.resourcesReleasedAt === undefined
        && Date.parse(r.updatedAt) < revokedBefore.getTime())
      .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || a.id.localeCompare(b.id))
      .slice(0, limitOf(limit))
      .map(clone);
  }

  async markReleased(id: string, audit: AuditInput): Promise<void> {
    this.maybeFail('markReleased');
    const row = this.rows.get(id);
    if (row === undefined) throw new NotFoundError('request', id);
    if (row.resourcesReleasedAt !== undefined) return;
    if (row.status !== Status.REVOKED) {
      throw new CrossroleError('ILLEGAL_TRANSITION', `request ${id} is ${row.status}: only a REVOKED request's resources can be released`, { details: { id, status: row.status } });
    }
    // As note(): neither version nor updatedAt move.
    const now = this.clock.now().toISOString();
    row.resourcesReleasedAt = now;
    this.append(id, 'NOTE', row.status, row.status, audit, now);
  }

  async transition(id: string, expectedVersion: number, transition: Transition, patch: RequestPatch, audit: AuditInput): Promise<AccessRequest> {
    this.maybeFail('transition');
    const row = this.rows.get(id);
    if (row === undefined) throw new NotFoundError('request', id);
    // As the SQL repository: a stale version wins over an illegal edge.
    if (row.version !== expectedVersion) throw new VersionConflictError(id, expectedVersion);
    const to = nextStatusFor({ id, status: row.status, revokeMode: row.revokeMode }, transition);
    const from = row.status;
    const now = this.clock.now().toISOString();
    const next: AccessRequest = { ...row, status: to, version: row.version + 1, updatedAt: now };
    applyPatch(next, patch);
    this.rows.set(id, next);
    this.append(id, transition, from, to, audit, now);
    return clone(next);
  }

  async note(id: string, patch: Pick<RequestPatch, 'lastError'>, audit: AuditInput): Promise<void> {
    this.maybeFail('note');
    const row = this.rows.get(id);
    if (row === undefined) throw new NotFoundError('request', id);
    applyPatch(row, patch);
    this.append(id, 'NOTE', row.status, row.status, audit, this.clock.now().toISOString());
  }

  async history(id: string): Promise<AuditEvent[]> {
    return clone(this.audit.filter((e) => e.requestId === id));
  }

  async review(id: string, review: ReviewInput, audit: AuditInput): Promise<AccessRequest> {
    const row = this.rows.get(id);
    if (row === undefined) throw new NotFoundError('request', id);
    if (row.breakGlass === undefined) throw new CrossroleError('NOT_BREAK_GLASS', `request ${id} is not a break-glass grant`, { details: { id } });
    if (row.breakGlass.reviewedAt !== undefined) throw new CrossroleError('ALREADY_REVIEWED', `request ${id} was already reviewed`, { details: { id, review: clone(row.breakGlass) } });
    // As note(): neither version nor updatedAt move.
    const now = this.clock.now().toISOString();
    row.breakGlass = { ...row.breakGlass, verdict: review.verdict, reviewedBy: review.by, reviewNote: review.note, reviewedAt: now };
    this.append(id, 'REVIEW', row.status, row.status, audit, now);
    return clone(row);
  }

  async listUnreviewed(options: UnreviewedOptions = {}): Promise<AccessRequest[]> {
    const key = (r: AccessRequest): string => `${r.breakGlass?.reviewDueAt ?? ''}|${r.id}`;
    let rows = [...this.rows.values()]
      .filter((r) => r.breakGlass !== undefined && r.breakGlass.reviewedAt === undefined
        && (options.dueBefore === undefined || Date.parse(r.breakGlass.reviewDueAt) < options.dueBefore.getTime()))
      .sort((a, b) => key(a).localeCompare(key(b)));
    if (options.after !== undefined) {
      const cursor = this.rows.get(options.after);
      if (cursor === undefined) return [];
      rows = rows.filter((r) => key(r) > key(cursor));
    }
    return rows.slice(0, limitOf(options.limit)).map(clone);
  }

  async auditPage(w: AuditWindow): Promise<AuditExportEvent[]> {
    const after = w.after;
    return this.audit
      .filter((e) => Date.parse(e.at) >= w.since.getTime() && Date.parse(e.at) < w.until.getTime())
      .filter((e) => w.partnerAccountId === undefined || this.rows.get(e.requestId)?.partnerAccountId === w.partnerAccountId)
      .filter((e) => after === undefined || e.at > after.at || (e.at === after.at && e.id > after.id))
      .sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id)
      .slice(0, limitOf(w.limit))
      .map((e) => {
        const r = this.rows.get(e.requestId);
        const { ramActions, ...details } = e.details ?? {};
        const out: AuditExportEvent = {
          id: e.id, at: e.at, requestId: e.requestId, partnerAccountId: r?.partnerAccountId ?? '', requesterArn: r?.requesterArn ?? '',
          profile: r?.profile ?? '', roleName: r?.roleName ?? '', actor: e.actor, action: e.action, fromStatus: e.fromStatus, toStatus: e.toStatus,
          ramCalls: Array.isArray(ramActions) ? clone(ramActions as RamCallRecord[]) : [],
        };
        if (e.reason !== undefined) out.reason = e.reason;
        if (r?.ticket !== undefined) out.ticket = r.ticket;
        if (Object.keys(details).length > 0) out.details = clone(details);
        return out;
      });
  }

  async useNonce(nonce: string, expiresAt: Date): Promise<boolean> {
    if (this.nonces.has(nonce)) return false;
    this.nonces.set(nonce, expiresAt.getTime());
    return true;
  }

  async purgeExpiredNonces(now: Date): Promise<number> {
    let n = 0;
    for (const [k, exp] of this.nonces) {
      if (exp <= now.getTime()) {
        this.nonces.delete(k);
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private append(requestId: string, action: AuditEvent['action'], from: Status | null, to: Status | null, audit: AuditInput, at: string): void {
    const e: AuditEvent = { id: this.nextAuditId++, requestId, at, actor: audit.actor, action, fromStatus: from, toStatus: to };
    if (audit.reason !== undefined) e.reason = audit.reason;
    if (audit.details !== undefined) e.details = clone(audit.details);
    this.audit.push(e);
  }
}

/** A key present with `undefined` clears the field; an absent key leaves it (as the SQL repository). */
function applyPatch(row: AccessRequest, patch: RequestPatch): void {
  const target = row as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete target[k];
    else target[k] = clone(v);
  }
}
