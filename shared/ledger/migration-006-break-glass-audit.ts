/**
 * Migration 6: tickets, the post-hoc review of break-glass grants, and the audit export's order.
 *
 * - `ticket`: the reference a request was made with (catalog profile `ticket`), shown with the reason.
 * - `review_due_at` is set only on break-glass grants (it is what marks one); the review columns
 *   are written once, by an approver (`POST /requests/{id}/review`).
 * - A partial index over the break-glass grants still waiting for their review, by due time: the
 *   unreviewed list, doctor and the daily reminder read only those, never the history.
 * - `audit_events (at, id)`: the audit export pages through a time window in that order (keyset),
 *   which the (request_id, id) index of migration 1 cannot serve.
 *
 * Every column is nullable without a default: adding them rewrites nothing, and older rows are
 * simply requests without a ticket that were never break-glass. Literals, not TypeScript
 * constants: a released migration must not change when the code does. Frozen once released.
 */
import type { Migration } from './migrations';

/** The partial index serving listUnreviewed (the repository's query repeats its predicate). */
const UNREVIEWED_INDEX = 'requests_break_glass_unreviewed_idx';

export const MIGRATION_6: Migration = {
  version: 6,
  name: 'tickets, break-glass reviews, audit export order',
  statements: [
    'ALTER TABLE requests ADD COLUMN ticket text NULL',
    'ALTER TABLE requests ADD COLUMN review_due_at timestamptz NULL',
    `ALTER TABLE requests ADD COLUMN review_verdict text NULL CONSTRAINT requests_review_verdict_check CHECK (review_verdict IN ('ok', 'flagged'))`,
    'ALTER TABLE requests ADD COLUMN reviewed_by text NULL',
    'ALTER TABLE requests ADD COLUMN review_note text NULL',
    'ALTER TABLE requests ADD COLUMN reviewed_at timestamptz NULL',
    `CREATE INDEX ${UNREVIEWED_INDEX} ON requests (review_due_at, id) WHERE review_due_at IS NOT NULL AND reviewed_at IS NULL`,
    'CREATE INDEX audit_events_at_idx ON audit_events (at, id)',
  ],
};
