/**
 * The ledger: PostgreSQL through PGlite (embedded, the default) or pg (a server), one schema,
 * one repository. `openLedger` connects and migrates (or, for the functions, only checks the
 * schema version); the caller owns `close()`.
 * Imports shared/domain and the database drivers. Imported by shared/runtime (ledger-wiring.ts),
 * cli/ (bootstrap) and the local launcher (local/stack.ts); never by shared/domain, shared/policy,
 * shared/workflow (which sees the RequestRepository port) or the local cloud's services.
 */
import type { Clock, NotificationOutbox, RequestRepository } from '../domain/ports';
import type { Db } from './db';
import { checkSchemaVersion, migrate } from './migrations';
import { openPgDb } from './pg-driver';
import { SqlLedger } from './outbox';

export type LedgerOptions =
  | { driver: 'pglite'; dataDir: string }
  /** `schema`: optional Postgres schema (created if missing) to isolate this ledger in a shared database. */
  | { driver: 'pg'; url: string; schema?: string; maxConnections?: number }
  /** Throwaway in-memory PGlite (each open runs initdb: a few seconds). */
  | { driver: 'pglite-memory' };

export interface Ledger extends RequestRepository, NotificationOutbox {
  /** EXPLAIN plan of the due-for-expiry query (proves the partial index serves it). */
  explainDueForExpiry(now: Date): Promise<string>;
  /** EXPLAIN plan of the listUnreleased query (proves its partial index serves it). */
  explainUnreleased(revokedBefore: Date): Promise<string>;
}

export interface LedgerDeps {
  /** Clock for updatedAt and audit timestamps; default the system clock. */
  clock?: Clock;
  /**
   * `migrate` (default): apply pending migrations (bootstrap, the local stack, tools, tests).
   * `check`: one query that the schema is current, refusing with INVALID_CONFIG otherwise (the
   * functions: `crossrole bootstrap` migrates, not every cold start).
   */
  schema?: 'migrate' | 'check';
  /**
   * Record notifications in the outbox with each transition that raises one (migration 7). On when
   * the catalog configures a webhook; off by default, so tools and tests see only their own rows.
   */
  notifications?: boolean;
}

/** Connect to the database named by `options`, without migrating (tools and tests). */
export async function openDb(options: LedgerOptions): Promise<Db> {
  switch (options.driver) {
    // Loaded lazily: PGlite (~10 MB of WASM) is never bundled into a function; in FC the
    // ledger is always reached through `pg`.
    case 'pglite':
      return (await import('./pglite-driver.js')).openPgliteDb(options.dataDir);
    case 'pglite-memory':
      return (await import('./pglite-driver.js')).openPgliteDb(undefined);
    case 'pg':
      return openPgDb({
        url: options.url,
        ...(options.schema === undefined ? {} : { schema: options.schema }),
        ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      });
  }
}

export async function openLedger(options: LedgerOptions, deps: LedgerDeps = {}): Promise<Ledger> {
  const db = await openDb(options);
  try {
    if (deps.schema === 'check') await checkSchemaVersion(db);
    else await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return new SqlLedger(db, deps.clock, deps.notifications === true);
}

export type { Db } from './db';
export { MIGRATIONS, DUE_FOR_EXPIRY_INDEX, migrate } from './migrations';
export { SqlRequestRepository } from './repository';
