/**
 * Use case: the expiry function's periodic scan (timer, every minute). It is the safety net under
 * every message: whatever a crash, a lost or a dead-lettered message left behind, the next scan
 * moves on. Every phase is bounded per run and reports what it did.
 */
import type { AccessRequest } from '../../domain/access-request';
import { RevokeMode } from '../../domain/access-request';
import { formatDuration } from '../../domain/duration';
import { errorMessage } from '../../domain/errors';
import type { DeadLetterInbox, NotificationOutbox, WorkflowMessage } from '../../domain/ports';
import { Status, Transition, isApproved, isRevoking } from '../../domain/state-machine';
import { STUCK_AFTER_SECONDS } from '../../domain/timing';
import { Actor } from '../support/deps';
import type { WorkflowDeps } from '../support/deps';
import { startExpiry } from '../support/expiry';
import { resendStuckExtensions } from '../support/extension';
import { sendFor } from '../support/messages';
import { startScheduled } from '../support/schedule';
import { scheduledEnd } from '../../domain/quorum';
import { hasCode, revokeInRam } from '../support/ram-grant';
import { reconcileManagedRoles } from '../support/reconcile';
import { notificationDead, scanNotifications } from '../support/notifications';
import { emptyReport, type ScanReport } from '../support/scan-report';

/** The scan reads the dead-letter queue through an inbox the expiry function's edge unwraps. */
export interface ScanDeps extends WorkflowDeps {
  deadLetters: DeadLetterInbox;
  /** The ledger's notifications outbox: expiring-soon warnings, the sweep, dead notifications (support/notifications.ts). */
  notifications?: NotificationOutbox;
}

interface ScanOptions {
  /** Most items each phase handles per run (default 100). */
  limit?: number;
  /** Ledger page size (default 50). */
  pageSize?: number;
  /**
   * A row unchanged this long in APPROVED/REVOKING/FAILED is stuck (default STUCK_AFTER_SECONDS,
   * 301 s: derived from the functions' timeout and the triggers' retries in shared/domain/timing.ts).
   */
  staleSeconds?: number;
  /**
   * PENDING rows are re-announced once, when their age falls in [stale, stale + window) (default
   * 60 s, the timer's period). Rows read for that are capped at `announceMaxRead` (default 500).
   */
  announceWindowSeconds?: number;
  announceMaxRead?: number;
  /** Most managed roles the reconcile phase changes per run (default: `limit`); the rest wait for the next run. */
  reconcileLimit?: number;
  /** Most trust-revoked grants whose RAM resources are released per run (default 50). */
  releaseLimit?: number;
}

interface Settings {
  limit: number;
  pageSize: number;
  staleMs: number;
  announceWindowMs: number;
  announceMaxRead: number;
  reconcileLimit: number;
  releaseLimit: number;
}

/** A transition lost to a concurrent worker is not an error: the row moved on, which is the point. */
const lostRace = (e: unknown): boolean => hasCode(e, 'VERSION_CONFLICT', 'ILLEGAL_TRANSITION');

async function each<T>(deps: WorkflowDeps, report: ScanReport, phase: string, items: readonly T[], idOf: (t: T) => string, act: (t: T) => Promise<void>): Promise<void> {
  for (const item of items) {
    try {
      await act(item);
    } catch (e) {
      report.errors++;
      deps.logger.warn('scan item failed; the next scan retries it', { phase, id: idOf(item), error: errorMessage(e) });
    }
  }
}

/** (1) Due ACTIVE grants -> REVOKING + `revoke`, in pages (each page's rows leave the due set). */
async function expireDue(deps: WorkflowDeps, s: Settings, report: ScanReport, now: Date): Promise<void> {
  const seen = new Set<string>();
  let stuck = 0;
  while (report.expired < s.limit) {
    const size = s.pageSize + stuck;
    const page = await deps.ledger.listDueForExpiry(now, size);
    const fresh = page.filter((r) => !seen.has(r.id)).slice(0, s.limit - report.expired);
    if (fresh.length === 0) break;
    for (const r of fresh) {
      seen.add(r.id);
      try {
        const moved = await startExpiry(deps, r);
        report.expired++;
        try {
          await sendFor(deps, moved, 'revoke');
        } catch (e) {
          // Phase (2) of a later scan re-sends for REVOKING rows.
          deps.logger.warn('revoke message not sent; a later scan re-sends it', { requestId: r.id, error: errorMessage(e) });
        }
      } catch (e) {
        if (!lostRace(e)) {
          report.errors++;
          deps.logger.warn('could not start expiry', { requestId: r.id, error: errorMessage(e) });
        }
        stuck++;
      }
    }
    if (page.length < size) break;
  }
}

/** (1b) The delayed `start`'s fallback: due SCHEDULED rows START; PENDING ones whose window ended lapse. */
async function startDue(deps: WorkflowDeps, s: Settings, report: ScanReport, now: Date): Promise<void> {
  const due = await deps.ledger.listStartDue(Status.SCHEDULED, now, s.limit);
  await each(deps, report, 'start', due, (r) => r.id, async (r) => {
    let started: AccessRequest;
    try {
      started = await startScheduled(deps, r, Actor.SCAN);
    } catch (e) {
      if (lostRace(e)) return;
      throw e;
    }
    report.started++;
    await sendFor(deps, started, 'provision');
  });
  const over = (await deps.ledger.listStartDue(Status.PENDING, now, s.limit)).filter((r) => (scheduledEnd(r)?.getTime() ?? Infinity) <= now.getTime());
  await each(deps, report, 'lapse-window', over, (r) => r.id, async (r) => {
    try {
      await deps.ledger.transition(r.id, r.version, Transition.LAPSE, {}, { actor: Actor.SCAN, reason: `not decided before the end of its window (${r.startAt ?? '?'} + ${formatDuration(r.durationSeconds)})` });
      report.lapsed++;
    } catch (e) {
      if (!lostRace(e)) throw e;
    }
  });
}

/** (2)/(4) Re-send the message a stuck row waits for. */
async function resend(deps: WorkflowDeps, s: Settings, report: ScanReport, status: Status, kind: 'revoke' | 'provision', now: Date): Promise<number> {
  const rows = await deps.ledger.listStale(status, new Date(now.getTime() - s.staleMs), s.limit);
  let sent = 0;
  await each(deps, report, `resend-${kind}`, rows, (r) => r.id, async (r) => {
    await sendFor(deps, r, kind);
    sent++;
  });
  if (sent > 0) deps.logger.info('stuck requests: message re-sent', { status, kind, count: sent });
  return sent;
}

/** (3) PENDING past the pending TTL -> LAPSED. */
async function lapsePending(deps: WorkflowDeps, s: Settings, report: ScanReport, now: Date): Promise<void> {
  const ttl = deps.catalog.pendingTtlSeconds;
  const rows = await deps.ledger.listStale(Status.PENDING, new Date(now.getTime() - ttl * 1000), s.limit);
  await each(deps, report, 'lapse', rows, (r) => r.id, async (r) => {
    try {
      await deps.ledger.transition(r.id, r.version, Transition.LAPSE, {}, { actor: Actor.SCAN, reason: `not decided within the pending TTL (${formatDuration(ttl)})` });
      report.lapsed++;
    } catch (e) {
      if (!lostRace(e)) throw e;
    }
  });
}

/**
 * (4b) A crash between submit's ledger write and its send leaves a PENDING row nobody was told
 * about. Re-announcing is harmless (the approver inbox drops requests that are no longer PENDING)
 * but must not become a reminder every minute: a row is re-announced only by the scan during which
 * its age crosses `stale`, i.e. once when the timer runs every `announceWindow`. A missed scan only
 * loses the notification: the request stays listed (GET /requests?status=PENDING) and lapses on time.
 */
async function announcePending(deps: WorkflowDeps, s: Settings, report: ScanReport, now: Date): Promise<void> {
  const newest = now.getTime() - s.staleMs;
  const oldest = newest - s.announceWindowMs;
  let after: string | undefined;
  let read = 0;
  while (read < s.announceMaxRead && report.announced < s.limit) {
    const page = await deps.ledger.listByStatus(Status.PENDING, { limit: s.pageSize, ...(after === undefined ? {} : { after }) });
    read += page.length;
    const due = page.filter((r) => {
      const created = Date.parse(r.createdAt);
      return created > oldest && created <= newest;
    });
    await each(deps, report, 'announce', due, (r) => r.id, async (r) => {
      await sendFor(deps, r, 'approval-needed');
      report.announced++;
    });
    const last = page[page.length - 1];
    if (page.length < s.pageSize || last === undefined || Date.parse(last.createdAt) > newest) break;
    after = last.id;
  }
}

/**
 * FAILED revocations are retried by the scan (docs/architecture.md, the state machine). Only rows whose last
 * attempt was a revocation: `revokeMode` is set by START_REVOKE alone, and never cleared, so a
 * FAILED row with a mode failed while revoking. Failed provisionings wait for an approver's retry.
 */
async function retryFailedRevocations(deps: WorkflowDeps, s: Settings, report: ScanReport, now: Date): Promise<void> {
  const rows = (await deps.ledger.listStale(Status.FAILED, new Date(now.getTime() - s.staleMs), s.limit)).filter((r) => r.revokeMode !== undefined);
  await each(deps, report, 'retry-revocation', rows, (r) => r.id, async (r) => {
    let moved: AccessRequest;
    try {
      moved = await deps.ledger.transition(r.id, r.version, Transition.START_REVOKE, { lastError: undefined }, {
        actor: Actor.SCAN,
        reason: 'retry of a failed revocation',
        details: { mode: r.revokeMode, lastError: r.lastError },
      });
    } catch (e) {
      if (lostRace(e)) return;
      throw e;
    }
    report.revocationsRetried++;
    await sendFor(deps, moved, 'revoke');
  });
}

/** (6) Dead letters: the step gave up after its retries; record it on the request. */
async function drainDeadLetters(deps: ScanDeps, s: Settings, report: ScanReport): Promise<void> {
  while (report.deadLetters < s.limit) {
    const batch = await deps.deadLetters.receive(Math.min(16, s.limit - report.deadLetters));
    if (batch.length === 0) break;
    for (const dl of batch) {
      report.deadLetters++;
      try {
        for (const entry of dl.entries) {
          if (!entry.ok) deps.logger.warn('unreadable dead letter dropped', { messageId: dl.messageId, error: entry.error });
          // A dead notification is the notifier's, never the grant's: it must not fail the request.
          else if (entry.message.kind === 'notify') await notificationDead(deps, report, entry.message, dl.dequeueCount);
          else await markFromDeadLetter(deps, report, entry.message, dl.dequeueCount);
        }
        await deps.deadLetters.delete(dl.receiptHandle);
      } catch (e) {
        // Left in the queue: it becomes visible again and the next scan tries again.
        report.errors++;
        deps.logger.warn('dead letter not handled; kept for the next scan', { messageId: dl.messageId, error: errorMessage(e) });
      }
    }
  }
}

async function markFromDeadLetter(deps: WorkflowDeps, report: ScanReport, m: WorkflowMessage, dequeueCount: number): Promise<void> {
  const r = await deps.ledger.get(m.requestId);
  if (r === undefined) {
    deps.logger.warn('dead letter for an unknown request dropped', { requestId: m.requestId, kind: m.kind });
    return;
  }
  let transition: Transition | undefined;
  // A provision dead letter from an earlier round (the request was retried since) says nothing
  // about the current attempt: only the version it was sent for may be failed by it.
  if (m.kind === 'provision' && isApproved(r.status) && (m.version === undefined || m.version === r.version)) transition = Transition.PROVISION_FAILED;
  // A stale revoke dead letter can only fail a revocation the scan retries anyway: no version check.
  if ((m.kind === 'revoke' || m.kind === 'expire') && isRevoking(r.status)) transition = Transition.REVOKE_FAILED;
  if (transition === undefined) {
    deps.logger.info('dead letter without effect', { requestId: r.id, kind: m.kind, status: r.status });
    return;
  }
  const step = transition === Transition.PROVISION_FAILED ? 'provisioning' : 'revocation';
  const lastError = `${step} gave up: its message was dead-lettered${dequeueCount > 0 ? ` after ${dequeueCount} deliveries` : ''}${r.lastError ? ` (last error: ${r.lastError})` : ''}`;
  try {
    await deps.ledger.transition(r.id, r.version, transition, { lastError }, { actor: Actor.SCAN, reason: lastError, details: { kind: m.kind } });
    report.markedFailed++;
    deps.logger.error('request failed (dead letter)', { requestId: r.id, step, lastError });
  } catch (e) {
    if (!lostRace(e)) throw e;
  }
}

/**
 * (5) Reconcile: every role tagged crossrole:managed=true is compared with its request in the
 * ledger and made to match it (support/reconcile.ts): access the ledger ended is stripped whatever
 * the expiry tag says, a live grant that drifted is put back, a delete-mode revocation leaves
 * nothing, a role the ledger does not know is stripped (orphan). This is what bounds how long RAM
 * may disagree with the ledger: one timer period plus this phase, whatever interleaving of the
 * queue-driven steps came before (README "Reliability and security").
 */
async function reconcileRoles(deps: WorkflowDeps, s: Settings, report: ScanReport, now: Date): Promise<void> {
  const pass = await reconcileManagedRoles(deps, { now, stuckMs: s.staleMs, limit: s.reconcileLimit });
  report.rolesChecked += pass.checked;
  report.rolesStripped += pass.stripped;
  report.rolesRestored += pass.restored;
  report.rolesDeleted += pass.deleted;
  report.orphanRoles += pass.orphans;
  report.foreignRoles += pass.foreign;
  report.rolesDeferred += pass.deferred;
  report.errors += pass.errors;
}

/**
 * (7) Retention. A trust-mode revocation keeps the role and its guard policy so that it can be
 * reversed, but RAM allows ~1,000 roles per account: kept for ever, they would make every new
 * grant fail after ~1,000 in the account's lifetime. Past the catalog's `revokedRoleRetention`, the
 * delete-mode cleanup runs (idempotent; a role that is not ours is never touched) and the ledger
 * records the release, so the row is not picked again. The status stays REVOKED.
 * Rows are read oldest first; a row that keeps failing must not starve the ones behind it, so,
 * as in (1), each page reads past the rows this run already tried (at most 2 x limit attempts).
 */
async function releaseRetained(deps: WorkflowDeps, s: Settings, report: ScanReport, now: Date): Promise<void> {
  const revokedBefore = new Date(now.getTime() - deps.catalog.revokedRoleRetentionSeconds * 1000);
  const tried = new Set<string>();
  while (report.released < s.releaseLimit && tried.size < 2 * s.releaseLimit) {
    const size = s.releaseLimit + tried.size;
    const page = await deps.ledger.listUnreleased(revokedBefore, size);
    const fresh = page.filter((r) => !tried.has(r.id)).slice(0, s.releaseLimit - report.released);
    if (fresh.length === 0) break;
    for (const r of fresh) tried.add(r.id);
    await each(deps, report, 'release', fresh, (r) => r.id, async (r) => {
      await releaseOne(deps, r);
      report.released++;
    });
    if (page.length < size) break;
  }
}

async function releaseOne(deps: WorkflowDeps, r: AccessRequest): Promise<void> {
  const before = deps.ram.callCount();
  const result = await revokeInRam(deps, r, RevokeMode.DELETE);
  const ramCalls = deps.ram.callCount() - before;
  // A role under our name that is not ours (the tag says so) is somebody else's: nothing of this
  // grant is left in it to free, and trying again every minute would change nothing. The row is
  // released with the fact on its audit trail; the role itself is for a person to look at.
  const reason = result.foreign
    ? `retention (${formatDuration(deps.catalog.revokedRoleRetentionSeconds)}) over; the role under this grant's name is not this grant's, left untouched`
    : `retention (${formatDuration(deps.catalog.revokedRoleRetentionSeconds)}) over: role and guard policy deleted`;
  await deps.ledger.markReleased(r.id, { actor: Actor.SCAN, reason, details: { roleName: r.roleName, ramCalls, ...result } });
  if (result.foreign) deps.logger.warn('release: role is not this grant\'s; left untouched, request marked released', { requestId: r.id, roleName: r.roleName });
  else deps.logger.info('release: revoked grant\'s RAM resources deleted', { requestId: r.id, roleName: r.roleName, ramCalls, deleted: result.deleted });
}

export async function runExpiryScan(deps: ScanDeps, options: ScanOptions = {}): Promise<ScanReport> {
  const s: Settings = {
    limit: options.limit ?? 100,
    pageSize: options.pageSize ?? 50,
    staleMs: (options.staleSeconds ?? STUCK_AFTER_SECONDS) * 1000,
    announceWindowMs: (options.announceWindowSeconds ?? 60) * 1000,
    announceMaxRead: options.announceMaxRead ?? 500,
    reconcileLimit: options.reconcileLimit ?? options.limit ?? 100,
    releaseLimit: options.releaseLimit ?? 50,
  };
  const report = emptyReport();
  const now = deps.clock.now();
  const phases: Array<[string, () => Promise<void>]> = [
    ['expire', () => expireDue(deps, s, report, now)],
    ['start', () => startDue(deps, s, report, now)],
    ['resend-revoke', async () => { report.revokeResent += await resend(deps, s, report, Status.REVOKING, 'revoke', now); }],
    ['lapse', () => lapsePending(deps, s, report, now)],
    ['resend-provision', async () => { report.provisionResent += await resend(deps, s, report, Status.APPROVED, 'provision', now); }],
    ['resend-extend', async () => { report.extendResent += await resendStuckExtensions(deps, new Date(now.getTime() - s.staleMs), s.limit); }],
    ['announce', () => announcePending(deps, s, report, now)],
    ['dead-letters', () => drainDeadLetters(deps, s, report)],
    ['notifications', () => scanNotifications(deps, report, s.limit)],
    ['retry-revocations', () => retryFailedRevocations(deps, s, report, now)],
    ['reconcile', () => reconcileRoles(deps, s, report, now)],
    // Last: the least urgent. If the run is cut short, the phases that end access went first.
    ['release', () => releaseRetained(deps, s, report, now)],
  ];
  // One phase failing (say RAM is down) must not keep the others from running.
  for (const [name, run] of phases) {
    try {
      await run();
    } catch (e) {
      report.errors++;
      deps.logger.error('scan phase failed', { phase: name, error: errorMessage(e) });
    }
  }
  deps.logger.info('expiry scan', { ...report });
  return report;
}
