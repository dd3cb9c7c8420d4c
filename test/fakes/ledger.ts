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
import type { AuditInput, AuditWindow, Clock, DecisionInput, DecisionResult, ExtensionResult, ListOptions, PartnerListOptions, RequestPatch, RequestRepository, ReviewInput, UnreviewedOptions } from '../../shared/domain/ports';
import { ApprovalDecision, approvalsRequiredOf, approverKey, type ApprovalRecord } from '../../shared/domain/quorum';
import { ForbiddenError, IllegalTransitionError } from '../../shared/domain/errors';
import { ExtensionStep, effectiveExpiresAt, isApprovedExtension, isOpenExtension, nextExtensionStatus, stepMovesGrant } from '../../shared/domain/extension';
import type { Extension, ExtensionStatus } from '../../shared/domain/extension';
import { requesterMatches } from '../../shared/domain/partner-roles';
import { holdsRoleName, roleNameTaken } from '../../shared/domain/role-names';
import { RevokeMode } from '../../shared/domain/access-request';
import { Status, Transition as T, canTransition, nextStatusFor, targetOf } from '../../shared/domain/state-machine';
import type { Transition } from '../../shared/domain/state-machine';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

type Method = 'create' | 'get' | 'transition' | 'decide' | 'listStartDue' | 'note' | 'listDueForExpiry' | 'listStale' | 'listByStatus' | 'listByPartner' | 'listUnreleased' | 'markReleased'
  | 'createExtension' | 'stepExtension';

const clone = <T>(v: T): T => structuredClone(v);

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('VALIDATION', 'limit', 'must be a positive integer');
  return Math.min(limit, MAX_LIMIT);
}

const byCreated = (a: AccessRequest, b: AccessRequest): number => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

export class InMemoryLedger implements RequestRepository {
  private readonly rows = new Map<string, AccessRequest>();
  private readonly extensions = new Map<string, Extension>();
  private readonly audit: AuditEvent[] = [];
  /** request id -> approver -> decision (request_approvals of migration 5). */
  private readonly decisions = new Map<string, Map<string, ApprovalRecord>>();
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
    if (request.status !== Status.PENDING && request.status !== Status.APPROVED && request.status !== Status.SCHEDULED) {
      throw new ValidationError('VALIDATION', 'status', `a new request starts PENDING, SCHEDULED or APPROVED, not ${request.status}`);
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
      .filter((r) => r.status === Status.ACTIVE && effectiveExpiresAt(r) !== undefined && Date.parse(effectiveExpiresAt(r) ?? '') <= now.getTime())
      .sort((a, b) => Date.parse(effectiveExpiresAt(a) ?? '') - Date.parse(effectiveExpiresAt(b) ?? '') || a.id.localeCompare(b.id))
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

  /** As shared/ledger/approvals.ts decideInTx: one atomic step (the SQL holds a row lock). */
  async decide(id: string, input: DecisionInput, audit: AuditInput): Promise<DecisionResult> {
    this.maybeFail('decide');
    const row = this.rows.get(id);
    if (row === undefined) throw new NotFoundError('request', id);
    const account = /^acs:ram::(\d{16}):/.exec(input.arn)?.[1];
    if (account === row.partnerAccountId || input.approver === approverKey(row.requesterArn)) {
      throw new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'the requester and identities of the partner account never count as approvers');
    }
    const mine = this.decisions.get(id) ?? new Map<string, ApprovalRecord>();
    const list = (): ApprovalRecord[] => clone([...mine.values()].sort((a, b) => a.at.localeCompare(b.at) || a.approver.localeCompare(b.approver)));
    if (mine.get(input.approver)?.decision === input.decision) return { request: clone(row), approvals: list(), counted: false };
    const reject = input.decision === ApprovalDecision.REJECT;
    const transition = reject ? T.REJECT : input.onQuorum?.transition ?? T.APPROVE;
    if (!canTransition(row.status, transition)) throw new IllegalTransitionError(row.status, targetOf(transition), id);
    const now = this.clock.now().toISOString();
    mine.set(input.approver, {
      approver: input.approver, arn: input.arn, decision: input.decision, at: now,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      ...(input.durationSeconds === undefined ? {} : { durationSeconds: input.durationSeconds }),
    });
    this.decisions.set(id, mine);
    const approvals = list();
    const details = { ...audit.details, approver: input.approver };
    if (reject) {
      const request = await this.transition(id, row.version, T.REJECT, { decidedBy: input.arn, ...(input.reason === undefined ? {} : { decisionReason: input.reason }) }, { ...audit, details });
      return { request, approvals, counted: true };
    }
    const approving = approvals.filter((a) => a.decision === ApprovalDecision.APPROVE);
    const required = approvalsRequiredOf(row);
    if (approving.length < required) {
      this.append(id, 'NOTE', row.status, row.status, { ...audit, reason: audit.reason ?? `approval ${approving.length} of ${required}`, details: { ...details, approval: approving.length, required } }, now);
      return { request: clone(row), approvals, counted: true };
    }
    const onQuorum = input.onQuorum ?? { transition: T.APPROVE, patch: {} };
    const shortest = Math.min(row.durationSeconds, ...approving.map((a) => a.durationSeconds ?? row.durationSeconds));
    const patch: RequestPatch = { ...onQuorum.patch, ...(shortest < row.durationSeconds ? { durationSeconds: shortest } : {}) };
    const request = await this.transition(id, row.version, onQuorum.transition, patch, {
      ...audit,
      details: { ...details, durationSeconds: patch.durationSeconds ?? row.durationSeconds, approvals: approving.length, required, approvers: approving.map((a) => a.approver) },
    });
    return { request, approvals, counted: true };
  }

  async approvals(id: string): Promise<ApprovalRecord[]> {
    return clone([...(this.decisions.get(id)?.values() ?? [])].sort((a, b) => a.at.localeCompare(b.at) || a.approver.localeCompare(b.approver)));
  }

  async listStartDue(status: Status, now: Date, limit: number): Promise<AccessRequest[]> {
    this.maybeFail('listStartDue');
    return [...this.rows.values()]
      .filter((r) => r.status === status && r.startAt !== undefined && Date.parse(r.startAt) <= now.getTime())
      .sort((a, b) => Date.parse(a.startAt ?? '') - Date.parse(b.startAt ?? '') || a.id.localeCompare(b.id))
      .slice(0, limitOf(limit))
      .map(clone);
  }

  async note(id: string, patch: Pick<RequestPatch, 'lastError'>, audit: AuditInput): Promise<void> {
    this.maybeFail('note');
    const row = this.rows.get(id);
    if (row === undefined) throw new NotFoundError('request', id);
    applyPatch(row, patch);
    this.append(id, 'NOTE', row.status, row.status, audit, this.clock.now().toISOString());
  }

  // ------------------------------------------------------------ extensions (as extension-store.ts)

  /** The grant, ACTIVE at `expectedVersion`, or the error the SQL store answers. */
  private activeGrant(id: string, expectedVersion: number): AccessRequest {
    const row = this.rows.get(id);
    if (row === undefined) throw new NotFoundError('request', id);
    if (row.version !== expectedVersion) throw new VersionConflictError(id, expectedVersion);
    if (row.status !== Status.ACTIVE) throw new CrossroleError('NOT_ACTIVE', `request ${id} is ${row.status}`, { details: { id, status: row.status } });
    return row;
  }

  private moveGrant(row: AccessRequest, patch: (r: AccessRequest) => void, now: string): AccessRequest {
    const next: AccessRequest = { ...row, version: row.version + 1, updatedAt: now };
    patch(next);
    this.rows.set(row.id, next);
    return next;
  }

  private appendExtension(r: AccessRequest, e: Extension, movesGrant: boolean, audit: AuditInput, now: string): void {
    const details = { ...audit.details, extensionId: e.id, kind: e.kind, status: e.status, fromExpiresAt: e.fromExpiresAt, newExpiresAt: e.newExpiresAt, movesGrant };
    this.append(r.id, 'EXTENSION', r.status, r.status, { ...audit, details }, now);
  }

  async createExtension(extension: Extension, expectedVersion: number, audit: AuditInput): Promise<ExtensionResult> {
    this.maybeFail('createExtension');
    const now = this.clock.now().toISOString();
    let row = this.activeGrant(extension.requestId, expectedVersion);
    if ([...this.extensions.values()].some((e) => e.requestId === extension.requestId && isOpenExtension(e.status))) {
      throw new CrossroleError('EXTENSION_OPEN', `request ${extension.requestId} already has an extension or shortening open`, { details: { id: extension.requestId } });
    }
    const approved = isApprovedExtension(extension.status);
    if (approved) row = this.moveGrant(row, (r) => { r.targetExpiresAt = extension.newExpiresAt; }, now);
    const created: Extension = { ...clone(extension), createdAt: now, updatedAt: now };
    this.extensions.set(created.id, created);
    this.appendExtension(row, created, approved, audit, now);
    return { extension: clone(created), request: clone(row) };
  }

  async stepExtension(id: string, step: ExtensionStep, expectedVersion: number | undefined, decision: { decidedBy?: string; decisionReason?: string }, audit: AuditInput): Promise<ExtensionResult> {
    this.maybeFail('stepExtension');
    const e = this.extensions.get(id);
    if (e === undefined) throw new NotFoundError('extension', id);
    const to: ExtensionStatus = nextExtensionStatus(e.status, step, id);
    const now = this.clock.now().toISOString();
    const moves = stepMovesGrant(step);
    let row = this.rows.get(e.requestId);
    if (row === undefined) throw new NotFoundError('request', e.requestId);
    if (moves) {
      const active = this.activeGrant(e.requestId, expectedVersion ?? -1);
      row = step === ExtensionStep.APPROVE
        ? this.moveGrant(active, (r) => { r.targetExpiresAt = e.newExpiresAt; }, now)
        : this.moveGrant(active, (r) => {
          r.durationSeconds += Math.round((Date.parse(e.newExpiresAt) - Date.parse(r.expiresAt ?? e.newExpiresAt)) / 1000);
          r.expiresAt = e.newExpiresAt;
          delete r.targetExpiresAt;
        }, now);
    }
    const moved: Extension = { ...e, status: to, updatedAt: now, ...(decision.decidedBy === undefined ? {} : { decidedBy: decision.decidedBy }), ...(decision.decisionReason === undefined ? {} : { decisionReason: decision.decisionReason }) };
    this.extensions.set(id, moved);
    this.appendExtension(row, moved, moves, audit, now);
    return { extension: clone(moved), request: clone(row) };
  }

  async getExtension(id: string): Promise<Extension | undefined> {
    const e = this.extensions.get(id);
    return e === undefined ? undefined : clone(e);
  }

  async listExtensions(requestId: string): Promise<Extension[]> {
    return [...this.extensions.values()].filter((e) => e.requestId === requestId).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).map(clone);
  }

  async listStaleExtensions(status: ExtensionStatus, olderThan: Date, limit: number): Promise<Extension[]> {
    return [...this.extensions.values()].filter((e) => e.status === status && Date.parse(e.updatedAt) < olderThan.getTime())
      .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || a.id.localeCompare(b.id)).slice(0, limitOf(limit)).map(clone);
  }

  /** Every extension, for invariants in tests. */
  allExtensions(): Extension[] {
    return [...this.extensions.values()].map(clone);
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
