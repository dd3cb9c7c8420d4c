/**
 * The ledger schema as ordered, append-only migrations. Never edit a released migration: add the
 * next one. `migrate` is idempotent and safe to run from several processes at once (it takes a
 * transaction-scoped advisory lock, keyed on the schema, before looking at what is applied).
 */
import type { Db, Queryable } from './db';
import { sqlStateOf } from './db';
import { CrossroleError } from '../domain/errors';
import { Status } from '../domain/state-machine';
import { RevokeMode } from '../domain/access-request';
import { MIGRATION_3 } from './migration-003-role-names';
import { EFFECTIVE_EXPIRY_INDEX, MIGRATION_4 } from './migration-004-extensions';
import { MIGRATION_5 } from './migration-005-scheduled-quorum';
import { MIGRATION_6 } from './migration-006-break-glass-audit';
import { MIGRATION_7 } from './migration-007-notifications';

export interface Migration {
  version: number;
  name: string;
  /** One statement per entry: PGlite's extended protocol runs a single statement per query. */
  statements: readonly string[];
}

/** SQL string literal for a constant we control (status names, revoke modes). */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const inList = (values: readonly string[]): string => values.map(literal).join(', ');

/**
 * The statuses migration 1 allowed, frozen: it once read ALL_STATUSES, and a released migration
 * must not change when the state machine grows (migration 5 re-creates the CHECK with SCHEDULED).
 */
const STATUSES_V1: readonly string[] = ['PENDING', 'APPROVED', 'ACTIVE', 'REVOKING', 'REVOKED', 'REJECTED', 'CANCELLED', 'LAPSED', 'FAILED'];

/** Migration 1's due-for-expiry index on expires_at; migration 4 replaced it (the frozen text keeps its name). */
const V1_DUE_FOR_EXPIRY_INDEX = 'requests_active_expiry_idx';

/** Name of the partial index serving listDueForExpiry (asserted by the EXPLAIN test): on the effective expiry since migration 4. */
export const DUE_FOR_EXPIRY_INDEX = EFFECTIVE_EXPIRY_INDEX;

/** Name of the partial index serving listUnreleased (asserted by the EXPLAIN test). */
export const UNRELEASED_INDEX = 'requests_revoked_unreleased_idx';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'requests, audit events, used nonces',
    statements: [
      `CREATE TABLE requests (
        id                 text PRIMARY KEY,
        version            integer NOT NULL CHECK (version >= 0),
        status             text NOT NULL CONSTRAINT requests_status_check CHECK (status IN (${inList(STATUSES_V1)})),
        partner_account_id text NOT NULL,
        requester_arn      text NOT NULL,
        profile            text NOT NULL,
        duration_seconds   integer NOT NULL CHECK (duration_seconds > 0),
        reason             text NOT NULL,
        role_name          text NOT NULL,
        principals         jsonb NOT NULL CHECK (jsonb_typeof(principals) = 'array'),
        external_id        text NOT NULL,
        created_at         timestamptz NOT NULL,
        updated_at         timestamptz NOT NULL,
        expires_at         timestamptz,
        decided_by         text,
        decision_reason    text,
        revoke_mode        text CHECK (revoke_mode IN (${inList(Object.values(RevokeMode))})),
        last_error         text,
        "grant"            jsonb
      )`,
      // Only ACTIVE rows are ever due, and they are a small fraction of the table: a partial index
      // keeps the expiry scan proportional to the live grants, not to history.
      `CREATE INDEX ${V1_DUE_FOR_EXPIRY_INDEX} ON requests (expires_at, id) WHERE status = ${literal(Status.ACTIVE)}`,
      'CREATE INDEX requests_status_updated_idx ON requests (status, updated_at)',
      'CREATE INDEX requests_status_created_idx ON requests (status, created_at, id)',
      'CREATE INDEX requests_partner_created_idx ON requests (partner_account_id, created_at, id)',
      `CREATE TABLE audit_events (
        id          bigserial PRIMARY KEY,
        request_id  text NOT NULL REFERENCES requests (id),
        at          timestamptz NOT NULL,
        actor       text NOT NULL,
        action      text NOT NULL,
        from_status text,
        to_status   text,
        reason      text,
        details     jsonb
      )`,
      'CREATE INDEX audit_events_request_idx ON audit_events (request_id, id)',
      // Append-only is enforced by the database, not by convention: UPDATE, DELETE and TRUNCATE
      // are refused for every client, including a future bug in this repository.
      `CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`,
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`,
      `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`,
      `CREATE TABLE used_nonces (
        nonce      text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`,
      'CREATE INDEX used_nonces_expires_idx ON used_nonces (expires_at)',
    ],
  },
  {
    version: 2,
    name: 'requests.resources_released_at: retention of trust-mode revoked roles',
    statements: [
      // Nullable, no default: adding it rewrites nothing, and every existing REVOKED trust-mode row
      // starts unreleased, so the scan frees the roles that history already accumulated.
      'ALTER TABLE requests ADD COLUMN resources_released_at timestamptz NULL',
      // Only rows still holding a role are indexed: once released (or revoked in delete mode, which
      // is never released because it left nothing) a row leaves the index, so the scan's query
      // stays proportional to the roles still kept, not to the account's whole history.
      `CREATE INDEX ${UNRELEASED_INDEX} ON requests (updated_at, id)
        WHERE status = ${literal(Status.REVOKED)} AND revoke_mode = ${literal(RevokeMode.TRUST)} AND resources_released_at IS NULL`,
    ],
  },
  MIGRATION_3,
  MIGRATION_4,
  MIGRATION_5,
  MIGRATION_6,
  MIGRATION_7,
];

/** The schema version this code needs: the highest migration it knows. */
export const SCHEMA_VERSION: number = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** undefined_table: schema_migrations does not exist, so nothing was ever migrated. */
const UNDEFINED_TABLE = '42P01';

interface SchemaVersionCheck {
  expected: number;
  found: number;
}

/**
 * A function's cold-start check, in ONE query: the schema must be at least SCHEMA_VERSION.
 * Functions never migrate (that is `crossrole bootstrap`'s job, once, with the rights to do DDL):
 * migrating from every cold start would take the advisory lock and read schema_migrations in a
 * transaction on each of many instances starting at once. A newer schema is accepted: bootstrap
 * runs before the functions are deployed, so during a deploy the old code meets the new schema,
 * and migrations only ever add.
 * Throws INVALID_CONFIG (the operator's mistake: a 500 for callers, never a 4xx) with the expected
 * and found versions when the schema is behind.
 */
export async function checkSchemaVersion(db: Queryable): Promise<SchemaVersionCheck> {
  let found: number;
  let applied: Set<number>;
  try {
    const { rows } = await db.query<{ version: number | string | null }>('SELECT version FROM schema_migrations');
    applied = new Set(rows.map((r) => Number(r.version)));
    found = Math.max(0, ...applied);
  } catch (e) {
    if (sqlStateOf(e) !== UNDEFINED_TABLE) throw e;
    found = 0;
    applied = new Set();
  }
  const check = { expected: SCHEMA_VERSION, found };
  if (found < SCHEMA_VERSION) {
    const what = found === 0 ? 'has no Crossrole schema (never migrated)' : `is at schema version ${found}`;
    throw new CrossroleError('INVALID_CONFIG', `the ledger database ${what}, and this code needs version ${SCHEMA_VERSION}: run crossrole bootstrap --database-url <url> to migrate it`, {
      field: 'ledger.schema',
      details: { expectedSchemaVersion: SCHEMA_VERSION, foundSchemaVersion: found },
    });
  }
  // Versions are assigned ahead to features built in parallel: a ledger migrated by one of them
  // may be at a high version yet lack a lower one. The newest alone is not proof.
  const missing = MIGRATIONS.map((m) => m.version).filter((v) => !applied.has(v));
  if (missing.length > 0) {
    throw new CrossroleError('INVALID_CONFIG', `the ledger database lacks migrations ${missing.join(', ')} (it is at ${found}): run crossrole bootstrap --database-url <url> to migrate it`, {
      field: 'ledger.schema',
      details: { expectedSchemaVersion: SCHEMA_VERSION, foundSchemaVersion: found, missingVersions: missing },
    });
  }
  return check;
}

/** Apply every migration not yet recorded in schema_migrations; returns the versions applied now. */
export async function migrate(db: Db): Promise<number[]> {
  return db.transaction(async (tx) => {
    // Serialise concurrent migrators (several FC instances starting at once) per schema.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('crossrole-ledger-migrations:' || current_schema()))");
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const done: number[] = [];
    // By version, not by position in the list: numbers are assigned ahead (features built in
    // parallel), so the list may hold gaps and its entries may be merged out of order.
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      done.push(m.version);
    }
    return done;
  });
}
