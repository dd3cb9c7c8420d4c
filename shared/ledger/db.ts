/**
 * The ledger's tiny database driver contract. Two implementations: PGlite (embedded, on disk or
 * in memory) and pg (a server via DATABASE_URL). The repository and the migrations see only this,
 * so the same SQL and the same contract tests run on both.
 */
import { CrossroleError, errorMessage } from '../domain/errors';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that runs one SQL statement with positional parameters ($1, $2, ...). */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly driver: 'pglite' | 'pg';
  /**
   * Run `fn` inside BEGIN/COMMIT on one connection; ROLLBACK if it throws. Queries issued on the
   * returned handle belong to the transaction; do not call `transaction` again from inside `fn`
   * (PGlite has one connection, so that would wait on itself).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The SQLSTATE of a database error, when the thrown value carries one (pg and PGlite both do). */
export function sqlStateOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = (e as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The constraint (or unique index) a database error names, when it names one (pg and PGlite both do). */
export function constraintOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('constraint' in e)) return undefined;
  const name = (e as { constraint: unknown }).constraint;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Connection-level failures (server down, refused, reset, admin shutdown) become a retryable
 * DEPENDENCY_UNAVAILABLE; everything else (SQL errors) is rethrown untouched for the repository
 * to interpret.
 */
export function translateConnectionError(e: unknown): unknown {
  if (typeof e !== 'object' || e === null) return e;
  const code = 'code' in e ? (e as { code: unknown }).code : undefined;
  const state = sqlStateOf(e);
  const network = typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|EAI_AGAIN)$/.test(code);
  // Class 08 = connection exception; 57P01..57P03 = server shutting down / cannot connect now.
  const serverGone = state !== undefined && (state.startsWith('08') || /^57P0[123]$/.test(state));
  const message = errorMessage(e);
  if (network || serverGone || /Connection terminated/i.test(message)) {
    return new CrossroleError('DEPENDENCY_UNAVAILABLE', `ledger database unavailable: ${message}`, { cause: e });
  }
  return e;
}

/** A FIFO async mutex: each `run` starts after the previous one settled. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    // Keep the chain alive whatever `fn` did; the caller still sees its own rejection.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
