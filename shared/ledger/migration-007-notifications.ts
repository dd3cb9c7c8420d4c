/**
 * Migration 7: the notifications outbox (shared/domain/notifications.ts, docs/architecture.md
 * "Notifications").
 *
 * A notification is written in the same transaction as the transition that raised it, so a crash
 * between the ledger's commit and the send loses nothing: the expiry scan finds rows never
 * attempted and sends them again. `key` makes each event idempotent (one expiring-soon warning per
 * grant and expiry, one `revoked` per request). delivered_to lists the webhooks that accepted it,
 * so a retry only goes to those that did not; dead_at marks what the notifier gave up on (its
 * message was dead-lettered), for operators (`crossrole doctor`). It never touches `requests`.
 *
 * Frozen once released: never edit, add the next migration.
 */
import type { Migration } from './migrations';

export const MIGRATION_7: Migration = {
  version: 7,
  name: 'notifications outbox',
  statements: [
    `CREATE TABLE notifications (
      id           bigserial PRIMARY KEY,
      request_id   text NOT NULL REFERENCES requests (id),
      event        text NOT NULL,
      key          text NOT NULL,
      created_at   timestamptz NOT NULL,
      attempted_at timestamptz,
      attempts     integer NOT NULL DEFAULT 0,
      swept_at     timestamptz,
      delivered_to jsonb NOT NULL DEFAULT '[]'::jsonb,
      delivered_at timestamptz,
      dead_at      timestamptz,
      last_error   text
    )`,
    'CREATE UNIQUE INDEX notifications_key_uidx ON notifications (key)',
    // What the notifier reads per request, and what the scan sweeps: only live rows are indexed.
    'CREATE INDEX notifications_outstanding_idx ON notifications (request_id, id) WHERE delivered_at IS NULL AND dead_at IS NULL',
    'CREATE INDEX notifications_unsent_idx ON notifications (created_at, id) WHERE attempted_at IS NULL AND delivered_at IS NULL AND dead_at IS NULL',
    'CREATE INDEX notifications_dead_idx ON notifications (dead_at, id) WHERE dead_at IS NOT NULL',
  ],
};
