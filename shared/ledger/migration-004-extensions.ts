/**
 * Migration 4: extensions and shortenings of ACTIVE grants (shared/domain/extension.ts).
 *
 * - `extensions`: one row per asked-for change of a grant's expiry, with its own small state
 *   machine. A partial unique index lets at most one change per grant be open (PENDING or
 *   APPROVED): of two concurrent asks exactly one commits, the other gets EXTENSION_OPEN.
 * - `requests.target_expires_at`: the approved expiry not yet applied to RAM. It lives on the
 *   grant's row, not only in `extensions`, because every step that reads the row (the scan, the
 *   `expire` message, the reconciler, a resumed apply) must see it without a second query.
 * - The due-for-expiry index becomes one on the effective expiry, COALESCE(target, expires_at),
 *   so the scan expires a shortened grant at its new time even while the shortening is applied.
 *
 * Frozen once released: never edit, add the next migration.
 */
import type { Migration } from './migrations';

/** The partial index serving listDueForExpiry from this migration on (asserted by the EXPLAIN test). */
export const EFFECTIVE_EXPIRY_INDEX = 'requests_active_effective_expiry_idx';
/** The partial unique index that keeps one open change per grant (the repository recognises it). */
export const OPEN_EXTENSION_INDEX = 'extensions_one_open_uidx';

export const MIGRATION_4: Migration = {
  version: 4,
  name: 'extensions and shortenings of ACTIVE grants',
  statements: [
    'ALTER TABLE requests ADD COLUMN target_expires_at timestamptz NULL',
    `CREATE TABLE extensions (
      id               text PRIMARY KEY,
      request_id       text NOT NULL REFERENCES requests (id),
      kind             text NOT NULL CHECK (kind IN ('extend', 'shorten')),
      status           text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'APPLIED', 'REJECTED', 'CANCELLED')),
      requested_by     text NOT NULL,
      reason           text NOT NULL,
      from_expires_at  timestamptz NOT NULL,
      new_expires_at   timestamptz NOT NULL,
      created_at       timestamptz NOT NULL,
      updated_at       timestamptz NOT NULL,
      decided_by       text,
      decision_reason  text
    )`,
    'CREATE INDEX extensions_request_idx ON extensions (request_id, created_at, id)',
    `CREATE UNIQUE INDEX ${OPEN_EXTENSION_INDEX} ON extensions (request_id) WHERE status IN ('PENDING', 'APPROVED')`,
    // The scan's "stuck approved change" and approvers' "pending changes" lists.
    `CREATE INDEX extensions_open_idx ON extensions (status, updated_at, id) WHERE status IN ('PENDING', 'APPROVED')`,
    `CREATE INDEX ${EFFECTIVE_EXPIRY_INDEX} ON requests ((COALESCE(target_expires_at, expires_at)), id) WHERE status = 'ACTIVE'`,
    'DROP INDEX IF EXISTS requests_active_expiry_idx',
  ],
};
