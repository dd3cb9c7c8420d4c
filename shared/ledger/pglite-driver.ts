/**
 * PGlite (Postgres compiled to WASM) as a ledger driver: embedded, no server, data directory on
 * disk (or in memory for throwaway use). PGlite is a single connection, so one mutex serialises
 * every statement and every transaction: a plain query from another caller can never land inside
 * somebody else's BEGIN/COMMIT.
 */
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db';
import { Mutex } from './db';

interface PgliteResults<T> {
  rows: T[];
  rowCount?: number;
  affectedRows?: number;
}

function toResult<T>(r: PgliteResults<T>): QueryResult<T> {
  return { rows: r.rows, rowCount: r.affectedRows ?? r.rowCount ?? r.rows.length };
}

class PgliteDb implements Db {
  readonly driver = 'pglite' as const;
  private readonly mutex = new Mutex();
  private closed = false;

  constructor(private readonly pg: PGlite) {}

  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    return this.mutex.run(async () => toResult(await this.pg.query<T>(sql, [...params])));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.mutex.run(() =>
      this.pg.transaction(async (tx) => {
        const handle: Queryable = {
          query: async <R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []) => toResult(await tx.query<R>(sql, [...params])),
        };
        return fn(handle);
      }),
    );
  }

  close(): Promise<void> {
    return this.mutex.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.pg.close();
    });
  }
}

/**
 * Open (initialising if empty) a PGlite database. `dataDir` undefined = in memory.
 * Durability: on disk PGlite uses Node's filesystem directly, so every page and WAL write is in
 * the OS before the statement's promise resolves and an acknowledged write survives `kill -9` of
 * this process (test/integration/ledger/durability.test.ts). relaxedDurability stays off so that
 * this also holds if the filesystem layer ever syncs asynchronously (it does for IndexedDB).
 */
export async function openPgliteDb(dataDir: string | undefined): Promise<Db> {
  const pg = await PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), relaxedDurability: false });
  await pg.waitReady;
  return new PgliteDb(pg);
}
