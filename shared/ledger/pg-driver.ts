/**
 * node-postgres as a ledger driver: a connection pool to a PostgreSQL server (ApsaraDB RDS /
 * PolarDB in production, any PostgreSQL >= 13 in tests).
 */
import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import type { Db, Queryable, QueryResult } from './db';
import { sqlStateOf, translateConnectionError } from './db';
import { ValidationError } from '../domain/errors';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface PgDbOptions {
  url: string;
  /**
   * Postgres schema the ledger lives in (created if missing; becomes the connections' search_path).
   * Lets several ledgers share one database, e.g. parallel test runs. Default: the server's default.
   */
  schema?: string;
  /** Pool size; default 10. */
  maxConnections?: number;
}

async function run<T>(client: Pool | PoolClient, sql: string, params: readonly unknown[]): Promise<QueryResult<T>> {
  try {
    const r = await client.query(sql, [...params]);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  } catch (e) {
    throw translateConnectionError(e);
  }
}

class PgDb implements Db {
  readonly driver = 'pg' as const;

  constructor(private readonly pool: Pool) {}

  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    return run<T>(this.pool, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw translateConnectionError(e);
    }
    const handle: Queryable = { query: <R>(sql: string, params: readonly unknown[] = []) => run<R>(client, sql, params) };
    try {
      await run(client, 'BEGIN', []);
      const result = await fn(handle);
      await run(client, 'COMMIT', []);
      client.release();
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (rollbackError) {
        // A connection that cannot even roll back is broken: destroy it rather than pool it.
        client.release(rollbackError instanceof Error ? rollbackError : true);
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export async function openPgDb(options: PgDbOptions): Promise<Db> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ValidationError('INVALID_CONFIG', 'schema', 'must be a lower-case SQL identifier (letters, digits, _)');
  }
  if (schema !== undefined) {
    // Created through a short-lived pool without the search_path option, which needs the schema to exist.
    const bootstrap = new Pool({ connectionString: options.url, max: 1 });
    try {
      await run(bootstrap, `CREATE SCHEMA IF NOT EXISTS ${schema}`, []);
    } catch (e) {
      // IF NOT EXISTS is not atomic: two openers racing both pass the check and one hits the
      // unique index on pg_namespace. The schema exists either way, which is all we need.
      if (sqlStateOf(e) !== '23505' && sqlStateOf(e) !== '42P06') throw e;
    } finally {
      await bootstrap.end();
    }
  }
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle pooled connection that dies (server restart) emits 'error' on the pool; without a
  // listener that would crash the process. The next query simply gets a fresh connection.
  pool.on('error', () => undefined);
  return new PgDb(pool);
}
