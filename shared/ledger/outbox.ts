/**
 * The notifications outbox (migration 7) over SQL. SqlLedger is the repository plus the outbox:
 * every transition that raises an event (shared/domain/notifications.ts) records it in the
 * transition's own transaction, so the event exists exactly when the transition committed.
 * Delivery happens later, outside the transaction, at least once (the notifier, the scan's sweep).
 */
import type { AccessRequest } from '../domain/access-request';
import { isNotificationEvent, notificationEventOf, notificationKey, type NotificationEvent } from '../domain/notifications';
import type { Clock, DeadNotification, NotificationOutbox, OutboxNotification } from '../domain/ports';
import { Status, type Transition } from '../domain/state-machine';
import { CrossroleError } from '../domain/errors';
import type { Db, Queryable } from './db';
import { SqlRequestRepository } from './repository';

interface NotificationRow {
  id: number | string;
  request_id: string;
  event: string;
  created_at: Date | string;
  delivered_to: unknown;
  attempts: number | string;
  last_error: string | null;
  dead_at: Date | string | null;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

function toNotification(row: NotificationRow): OutboxNotification {
  if (!isNotificationEvent(row.event)) throw new CrossroleError('INTERNAL', `notifications holds an unknown event "${row.event}"`);
  const n: OutboxNotification = {
    id: Number(row.id),
    requestId: row.request_id,
    event: row.event,
    createdAt: iso(row.created_at),
    deliveredTo: Array.isArray(row.delivered_to) ? row.delivered_to.map(String) : [],
    attempts: Number(row.attempts),
  };
  if (row.last_error !== null) n.lastError = row.last_error;
  return n;
}

const INSERT = `INSERT INTO notifications (request_id, event, key, created_at) VALUES ($1, $2, $3, $4::timestamptz)
  ON CONFLICT (key) DO NOTHING RETURNING id`;

export class SqlLedger extends SqlRequestRepository implements NotificationOutbox {
  constructor(
    private readonly outboxDb: Db,
    private readonly outboxClock: Clock = { now: () => new Date() },
    /** Record events at all: off when the catalog configures no webhook (nothing would read them). */
    private readonly notificationsOn = false,
  ) {
    super(outboxDb, outboxClock);
  }

  protected override async afterWrite(tx: Queryable, request: AccessRequest, transition: Transition | 'CREATE', at: string): Promise<void> {
    if (!this.notificationsOn) return;
    const event = notificationEventOf(transition, request);
    if (event !== undefined) await tx.query(INSERT, [request.id, event, notificationKey(event, request), at]);
  }

  async addNotification(requestId: string, event: NotificationEvent, key: string): Promise<boolean> {
    const { rows } = await this.outboxDb.query(INSERT, [requestId, event, key, this.outboxClock.now().toISOString()]);
    return rows.length === 1;
  }

  async recordExpiringSoon(until: Date, limit: number): Promise<string[]> {
    // One statement, served by the ACTIVE partial index: the key names the expiry, so a grant is
    // warned once per expiry however often the scan runs, and rows already warned cost nothing.
    const { rows } = await this.outboxDb.query<{ request_id: string }>(
      `INSERT INTO notifications (request_id, event, key, created_at)
       SELECT r.id, 'expiring-soon', r.id || ':expiring-soon:' || to_char(r.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), $2::timestamptz
       FROM requests r
       WHERE r.status = '${Status.ACTIVE}' AND r.expires_at <= $1::timestamptz
         AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.key = r.id || ':expiring-soon:' || to_char(r.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       ORDER BY r.expires_at, r.id LIMIT $3::integer
       ON CONFLICT (key) DO NOTHING RETURNING request_id`,
      [until.toISOString(), this.outboxClock.now().toISOString(), limit],
    );
    return rows.map((r) => r.request_id);
  }

  async takeOutstanding(requestId: string): Promise<OutboxNotification[]> {
    const { rows } = await this.outboxDb.query<NotificationRow>(
      `UPDATE notifications SET attempted_at = $2::timestamptz, attempts = attempts + 1
       WHERE request_id = $1 AND delivered_at IS NULL AND dead_at IS NULL RETURNING *`,
      [requestId, this.outboxClock.now().toISOString()],
    );
    return rows.map(toNotification).sort((a, b) => a.id - b.id);
  }

  async recordAttempt(id: number, deliveredTo: string[], done: boolean, error?: string): Promise<void> {
    await this.outboxDb.query(
      `UPDATE notifications SET delivered_to = $2::jsonb, last_error = $3, delivered_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE NULL END
       WHERE id = $1::bigint AND dead_at IS NULL`,
      [id, JSON.stringify(deliveredTo), error ?? null, done, this.outboxClock.now().toISOString()],
    );
  }

  async listUnsent(createdBefore: Date, limit: number): Promise<string[]> {
    // Swept rows are sent again only after 5 minutes: a sweep's message may itself be on its way.
    const now = this.outboxClock.now();
    const { rows } = await this.outboxDb.query<{ request_id: string }>(
      `UPDATE notifications SET swept_at = $3::timestamptz
       WHERE id IN (SELECT id FROM notifications
                    WHERE attempted_at IS NULL AND delivered_at IS NULL AND dead_at IS NULL AND created_at < $1::timestamptz
                      AND (swept_at IS NULL OR swept_at < $4::timestamptz)
                    ORDER BY created_at, id LIMIT $2::integer)
       RETURNING request_id`,
      [createdBefore.toISOString(), limit, now.toISOString(), new Date(now.getTime() - 300_000).toISOString()],
    );
    return [...new Set(rows.map((r) => r.request_id))];
  }

  async markDead(requestId: string, reason: string): Promise<OutboxNotification[]> {
    const { rows } = await this.outboxDb.query<NotificationRow>(
      `UPDATE notifications SET dead_at = $2::timestamptz, last_error = coalesce(last_error, $3)
       WHERE request_id = $1 AND delivered_at IS NULL AND dead_at IS NULL AND attempted_at IS NOT NULL RETURNING *`,
      [requestId, this.outboxClock.now().toISOString(), reason],
    );
    return rows.map(toNotification);
  }

  async listDead(limit: number): Promise<DeadNotification[]> {
    const { rows } = await this.outboxDb.query<NotificationRow>(
      'SELECT * FROM notifications WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT $1::integer',
      [limit],
    );
    return rows.map((r) => ({ ...toNotification(r), deadAt: iso(r.dead_at ?? new Date(0)) }));
  }
}
