/**
 * Migration 5: scheduled start and quorum (docs/architecture.md "Quorum and scheduled start").
 *
 * - `requests.status` may be SCHEDULED: the CHECK of migration 1 is dropped and re-created with
 *   the ten statuses, and the role-name index of migration 3 likewise (a SCHEDULED request holds
 *   its role name, shared/domain/role-names.ts). Both in this transaction: no moment without them.
 * - `requests.start_at` (the partner's startAt) and `requests.approvals_required` (the profile's
 *   `approvals` when the request was made: a catalog change later does not move the bar).
 * - `request_approvals`: one row per (request, approver); the primary key makes a second decision
 *   of the same approver count once, whatever the concurrency.
 * - A partial index for the scan's start phase, like requests_active_expiry_idx for expiry.
 *
 * Literals, not the TypeScript constants: a released migration must not change when the code does.
 * Frozen once released: never edit, add the next migration.
 */
import type { Migration } from './migrations';

/** Name of the partial index serving listStartDue (asserted by the EXPLAIN test). */
export const START_DUE_INDEX = 'requests_start_due_idx';

const STATUSES_V5 = "'PENDING', 'SCHEDULED', 'APPROVED', 'ACTIVE', 'REVOKING', 'REVOKED', 'REJECTED', 'CANCELLED', 'LAPSED', 'FAILED'";

export const MIGRATION_5: Migration = {
  version: 5,
  name: 'scheduled start (SCHEDULED, start_at) and quorum (approvals_required, request_approvals)',
  statements: [
    'ALTER TABLE requests DROP CONSTRAINT requests_status_check',
    `ALTER TABLE requests ADD CONSTRAINT requests_status_check CHECK (status IN (${STATUSES_V5}))`,
    'ALTER TABLE requests ADD COLUMN start_at timestamptz NULL',
    // A constant default: PostgreSQL >= 11 adds it without rewriting the table; existing rows needed one approval.
    'ALTER TABLE requests ADD COLUMN approvals_required integer NOT NULL DEFAULT 1 CHECK (approvals_required BETWEEN 1 AND 5)',
    'DROP INDEX requests_role_name_held_uidx',
    `CREATE UNIQUE INDEX requests_role_name_held_uidx ON requests (lower(role_name))
      WHERE (status IN ('PENDING', 'SCHEDULED', 'APPROVED', 'ACTIVE', 'REVOKING', 'FAILED')
        OR (status = 'REVOKED' AND (revoke_mode IS NULL OR revoke_mode <> 'delete') AND resources_released_at IS NULL))
        AND NOT role_name_legacy_duplicate`,
    // PENDING rows with a start are read too (their window may pass undecided): both live, both small.
    `CREATE INDEX ${START_DUE_INDEX} ON requests (status, start_at, id) WHERE status IN ('SCHEDULED', 'PENDING') AND start_at IS NOT NULL`,
    `CREATE TABLE request_approvals (
      request_id       text NOT NULL REFERENCES requests (id),
      approver         text NOT NULL,
      arn              text NOT NULL,
      decision         text NOT NULL CHECK (decision IN ('approve', 'reject')),
      reason           text,
      duration_seconds integer CHECK (duration_seconds > 0),
      at               timestamptz NOT NULL,
      PRIMARY KEY (request_id, approver)
    )`,
  ],
};
