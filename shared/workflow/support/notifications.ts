/**
 * The expiry scan's notification phases (scan.ts runs them; no phase touches a request's status):
 * - expiring-soon: ACTIVE grants within the catalog's lead of their expiry are warned, once per
 *   grant and expiry (the outbox's key), then announced to the notifier;
 * - review-overdue: break-glass grants past their review's due time remind the approvers, once a
 *   day each (the outbox's key names the UTC day);
 * - sweep: notifications recorded with a transition whose `notify` message never reached the
 *   notifier (a crash between the ledger's commit and the send, MNS down) are announced again;
 * - dead: a dead-lettered `notify` message marks the request's undelivered notifications dead and
 *   records `notification-dead` on its audit trail, and never fails the grant.
 */
import { errorMessage } from '../../domain/errors';
import { reviewOverdueKey } from '../../domain/notifications';
import type { NotificationOutbox, WorkflowMessage } from '../../domain/ports';
import { Actor, type WorkflowDeps } from './deps';
import { sendFor } from './messages';

/** How long after its transition a notification never attempted counts as lost (the fast path had its chance). */
const UNSENT_AFTER_MS = 60_000;

export interface NotificationScanReport {
  expiringSoon: number;
  /** Daily reminders of overdue break-glass reviews recorded and announced by this scan. */
  reviewsReminded: number;
  notificationsSwept: number;
  notificationsDead: number;
}

async function announce(deps: WorkflowDeps, requestIds: readonly string[]): Promise<number> {
  let sent = 0;
  for (const id of requestIds) {
    try {
      await sendFor(deps, { id, version: 0 }, 'notify');
      sent++;
    } catch (e) {
      // The row stays unattempted: the next sweep sends it again.
      deps.logger.warn('notify message not sent; the next scan sweeps it', { requestId: id, error: errorMessage(e) });
    }
  }
  return sent;
}

export async function scanNotifications(deps: WorkflowDeps & { notifications?: NotificationOutbox }, report: NotificationScanReport, limit: number): Promise<void> {
  const outbox = deps.notifications;
  if (outbox === undefined || deps.catalog.notifications.webhooks.length === 0) return;
  const now = deps.clock.now();
  const warned = await outbox.recordExpiringSoon(new Date(now.getTime() + deps.catalog.notifications.expiringSoonLeadSeconds * 1000), limit);
  report.expiringSoon += await announce(deps, warned);
  // Break-glass grants whose review is overdue: the approvers are reminded once a day (the key names the day).
  const overdue = await deps.ledger.listUnreviewed({ dueBefore: now, limit });
  const reminded: string[] = [];
  for (const r of overdue) if (await outbox.addNotification(r.id, 'review-overdue', reviewOverdueKey(r.id, now))) reminded.push(r.id);
  report.reviewsReminded += await announce(deps, reminded);
  const unsent = await outbox.listUnsent(new Date(now.getTime() - UNSENT_AFTER_MS), limit);
  const announced = new Set([...warned, ...reminded]);
  report.notificationsSwept += await announce(deps, unsent.filter((id) => !announced.has(id)));
}

/** A dead-lettered `notify` message: the notifications are given up on, the grant is untouched. */
export async function notificationDead(deps: WorkflowDeps & { notifications?: NotificationOutbox }, report: NotificationScanReport, m: WorkflowMessage, dequeueCount: number): Promise<void> {
  const reason = `notification gave up: its message was dead-lettered${dequeueCount > 0 ? ` after ${dequeueCount} deliveries` : ''}`;
  const dead = (await deps.notifications?.markDead(m.requestId, reason)) ?? [];
  if (dead.length === 0) return;
  report.notificationsDead += dead.length;
  const details = { kind: 'notification-dead', notifications: dead.map((n) => ({ id: n.id, event: n.event, deliveredTo: n.deliveredTo, lastError: n.lastError ?? reason })) };
  await deps.ledger.note(m.requestId, {}, { actor: Actor.SCAN, reason: `notification-dead: ${dead.map((n) => n.event).join(', ')} (${dead[0]?.lastError ?? reason})`, details });
  deps.logger.error('notification dead (dead letter); the grant is unaffected', { requestId: m.requestId, ...details });
}
