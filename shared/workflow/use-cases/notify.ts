/**
 * Use case: the notifier (crossrole-notify: `notify` messages) delivers a request's outstanding
 * notifications to the catalog's webhooks. The message only names the request; the ledger's outbox
 * says what is outstanding, so duplicated, reordered or swept messages deliver nothing twice that
 * a webhook already accepted.
 *
 * Delivery never touches the request itself: a webhook that refuses or is down makes this
 * invocation fail (the trigger retries it with back-off, then dead-letters it, and the scan marks
 * the notification dead for operators), while the grant carries on.
 */
import { errorMessage } from '../../domain/errors';
import type { NotificationEvent, WebhookConfig } from '../../domain/notifications';
import { webhookWants } from '../../domain/notifications';
import type { NotificationOutbox, OutboxNotification, WebhookPort, WorkflowMessage } from '../../domain/ports';
import type { AccessRequest } from '../../domain/access-request';
import { buildDelivery, judgeResponse, type ResolvedWebhook } from '../../domain/webhook-messages';
import type { Outcome, WorkflowDeps } from '../support/deps';

export interface NotifyDeps extends WorkflowDeps {
  notifications: NotificationOutbox;
  webhooks: WebhookPort;
  /** The webhook's URL and secret, `{"env": NAME}` values resolved (the runtime's config knows the environment). */
  resolveWebhook(w: WebhookConfig): ResolvedWebhook;
}

/** Thrown when some webhook did not accept: the trigger redelivers the message later. */
class DeliveryFailedError extends Error {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
}

async function deliverOne(deps: NotifyDeps, n: OutboxNotification, r: AccessRequest): Promise<string[]> {
  const delivered = new Set(n.deliveredTo);
  const errors: string[] = [];
  for (const w of deps.catalog.notifications.webhooks) {
    if (delivered.has(w.name) || !webhookWants(w, n.event)) continue;
    try {
      const hook = deps.resolveWebhook(w);
      const d = buildDelivery(hook, n.event, r, { now: deps.clock.now(), deliveryId: `${n.id}-${w.name}` });
      const res = await deps.webhooks.post(d.url, d.headers, d.body);
      const verdict = judgeResponse(w.type, res.status, res.text);
      if (verdict.ok) delivered.add(w.name);
      else errors.push(`${w.name}: ${verdict.error}`);
    } catch (e) {
      errors.push(`${w.name}: ${errorMessage(e)}`);
    }
  }
  const done = errors.length === 0;
  await deps.notifications.recordAttempt(n.id, [...delivered], done, done ? undefined : errors.join('; '));
  return errors;
}

/** Consumer of crossrole-notify. Returns an outcome (acknowledge) or throws (retry, then dead letter). */
export async function deliverNotifications(deps: NotifyDeps, m: WorkflowMessage): Promise<Outcome> {
  if (m.kind !== 'notify') {
    deps.logger.warn('message of another kind on the notify queue acknowledged', { requestId: m.requestId, kind: m.kind });
    return { outcome: 'malformed', requestId: m.requestId, detail: `unexpected kind ${m.kind}` };
  }
  const outstanding = await deps.notifications.takeOutstanding(m.requestId);
  if (outstanding.length === 0) return { outcome: 'stale', requestId: m.requestId };
  const r = await deps.ledger.get(m.requestId);
  if (r === undefined) return { outcome: 'stale', requestId: m.requestId };
  const failures: string[] = [];
  const events: NotificationEvent[] = [];
  for (const n of outstanding) {
    events.push(n.event);
    failures.push(...(await deliverOne(deps, n, r)).map((e) => `${n.event} ${e}`));
  }
  if (failures.length > 0) {
    deps.logger.warn('notification not delivered; the trigger retries it', { requestId: r.id, failures });
    throw new DeliveryFailedError(`notifications of request ${r.id} not delivered: ${failures.join('; ')}`);
  }
  return { outcome: 'done', requestId: r.id, status: r.status, detail: `delivered: ${events.join(', ')}` };
}
