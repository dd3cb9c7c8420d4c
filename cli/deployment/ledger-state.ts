/**
 * The ledger database as an operator sees it: reachable or not, and which of this CLI's migrations
 * (shared/ledger MIGRATIONS) it has applied. Reading never writes: no schema is created, no table
 * touched, so `crossrole doctor` and `crossrole bootstrap --dry-run` can look without changing.
 */
import { MIGRATIONS, migrate, openDb, type Db } from '../../shared/ledger';
import { sqlStateOf } from '../../shared/ledger/db';
import { errorMessage } from '../../shared/domain/errors';
import { CliError, UsageError } from '../errors';

interface LedgerState {
  /** Versions recorded in schema_migrations (empty when the table does not exist). */
  applied: number[];
  /** This CLI's versions the database lacks. */
  pending: number[];
  /** Versions in the database this CLI does not know (a newer release migrated it). */
  unknown: number[];
  /** Whether schema_migrations exists at all. */
  initialised: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkSchema(schema: string | undefined): void {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new UsageError(`--database-schema must be a lower-case SQL identifier (got ${JSON.stringify(schema)})`);
}

async function connect(url: string, schema?: string): Promise<Db> {
  checkSchema(schema);
  try {
    const db = await openDb({ driver: 'pg', url, maxConnections: 1, ...(schema === undefined ? {} : { schema }) });
    // pg connects lazily: make the first query here, so an unreachable server is reported as such.
    await db.query('SELECT 1');
    return db;
  } catch (e) {
    throw new CliError('DATABASE_UNREACHABLE', `cannot connect to the ledger database: ${errorMessage(e)}`, {
      hint: 'check --database-url (postgres://user:password@host:5432/db) and that this machine can reach the database (RDS whitelists, VPC).',
    });
  }
}

/** What is applied, without changing anything (no schema is created: `schema` only qualifies the table). */
export async function readLedgerState(url: string, schema?: string): Promise<LedgerState> {
  checkSchema(schema);
  const db = await connect(url);
  try {
    const table = schema === undefined ? 'schema_migrations' : `${schema}.schema_migrations`;
    const exists = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
    let applied: number[] = [];
    if (exists.rows[0]?.t != null) {
      try {
        applied = (await db.query<{ version: number }>(`SELECT version FROM ${table} ORDER BY version`)).rows.map((r) => Number(r.version));
      } catch (e) {
        // 42P01 undefined_table: dropped between the two queries; anything else is a real failure.
        if (sqlStateOf(e) !== '42P01') throw e;
      }
    }
    const known = new Set(MIGRATIONS.map((m) => m.version));
    const have = new Set(applied);
    return {
      applied,
      pending: MIGRATIONS.map((m) => m.version).filter((v) => !have.has(v)).sort((a, b) => a - b),
      unknown: applied.filter((v) => !known.has(v)),
      initialised: exists.rows[0]?.t != null,
    };
  } finally {
    await db.close();
  }
}

/** Apply the pending migrations (creating `schema` if missing); the versions applied now. */
export async function migrateLedger(url: string, schema?: string): Promise<number[]> {
  const db = await connect(url, schema);
  try {
    return await migrate(db);
  } finally {
    await db.close();
  }
}

interface DeadNotificationsState {
  /** False when the ledger has no notifications table yet (migration 7 not applied). */
  present: boolean;
  total: number;
  recent: Array<{ requestId: string; event: string; deadAt: string; lastError: string | null }>;
}

/** Notifications the notifier gave up on (dead-lettered): what operators must look at. Read only. */
export async function readDeadNotifications(url: string, schema?: string, limit = 5): Promise<DeadNotificationsState> {
  checkSchema(schema);
  const db = await connect(url);
  try {
    const table = schema === undefined ? 'notifications' : `${schema}.notifications`;
    const exists = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
    if (exists.rows[0]?.t == null) return { present: false, total: 0, recent: [] };
    const total = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table} WHERE dead_at IS NOT NULL`);
    const rows = await db.query<{ request_id: string; event: string; dead_at: Date | string; last_error: string | null }>(
      `SELECT request_id, event, dead_at, last_error FROM ${table} WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT $1::integer`, [limit],
    );
    return {
      present: true,
      total: Number(total.rows[0]?.n ?? 0),
      recent: rows.rows.map((r) => ({ requestId: r.request_id, event: r.event, deadAt: new Date(r.dead_at).toISOString(), lastError: r.last_error })),
    };
  } finally {
    await db.close();
  }
}
