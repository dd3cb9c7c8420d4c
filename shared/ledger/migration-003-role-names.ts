/**
 * Migration 3: a role name is held by at most one request at a time (shared/domain/role-names.ts).
 *
 * A partial unique index on lower(role_name) over the rows that hold their name: two concurrent
 * creates for one name cannot both commit (the second waits for the first and fails with 23505,
 * which the repository turns into ROLE_NAME_TAKEN). Its predicate is holdsRoleName written in SQL;
 * the repository contract checks the two agree on every status, revoke mode and release.
 *
 * A ledger written before this migration may already hold one name twice (the later request's
 * provisioning failed on the earlier one's role and it stayed FAILED). Such rows would make
 * CREATE UNIQUE INDEX fail, and with it every cold start, so they are marked instead: of the rows
 * holding a name, the oldest keeps it and later ones get role_name_legacy_duplicate = true, which
 * leaves them out of the index. New rows are never marked.
 *
 * Frozen once released: never edit, add the next migration.
 */
import type { Migration } from './migrations';

/** Name of the partial unique index that reserves role names (the repository recognises it). */
export const ROLE_NAME_INDEX = 'requests_role_name_held_uidx';

/**
 * holdsRoleName as SQL over the row (of alias `t`, if given): not terminal, or REVOKED outside
 * delete mode and not released yet. Literals, not the TypeScript constants: a released migration
 * must not change when the code does.
 */
function holds(t?: string): string {
  const c = (column: string): string => (t === undefined ? column : `${t}.${column}`);
  return `(${c('status')} IN ('PENDING', 'APPROVED', 'ACTIVE', 'REVOKING', 'FAILED')
    OR (${c('status')} = 'REVOKED' AND (${c('revoke_mode')} IS NULL OR ${c('revoke_mode')} <> 'delete') AND ${c('resources_released_at')} IS NULL))`;
}

export const MIGRATION_3: Migration = {
  version: 3,
  name: 'role names reserved while a request holds them',
  statements: [
    // A constant default: PostgreSQL >= 11 adds it without rewriting the table.
    'ALTER TABLE requests ADD COLUMN role_name_legacy_duplicate boolean NOT NULL DEFAULT false',
    `UPDATE requests AS r SET role_name_legacy_duplicate = true
      WHERE ${holds('r')}
        AND EXISTS (SELECT 1 FROM requests AS o
                    WHERE ${holds('o')} AND lower(o.role_name) = lower(r.role_name) AND (o.created_at, o.id) < (r.created_at, r.id))`,
    `CREATE UNIQUE INDEX ${ROLE_NAME_INDEX} ON requests (lower(role_name))
      WHERE ${holds()} AND NOT role_name_legacy_duplicate`,
  ],
};
