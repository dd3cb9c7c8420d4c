/**
 * The functions' cold-start schema check (checkSchemaVersion, openLedger schema: 'check'): one
 * query, no migration, and a clear refusal naming the expected and found versions when the schema
 * is behind the code. `crossrole bootstrap` (and the local stack at start) is what migrates.
 */
import { Pool } from 'pg';
import { migrate, MIGRATIONS, openDb, openLedger, type Db } from '../../../shared/ledger';
import { checkSchemaVersion, SCHEMA_VERSION } from '../../../shared/ledger/migrations';
import type { Queryable } from '../../../shared/ledger/db';
import { CrossroleError } from '../../../shared/domain/errors';
import { minimalRequest } from '../../helpers/ledger-fixtures';
import { PG_TEST_URL, dropSchema, probePostgres, randomSchemaName } from '../../helpers/ledger-pg';
import { copyLedgerTemplate } from '../../helpers/ledger-template';

/** A Queryable that counts the statements sent through it. */
function counting(db: Queryable): Queryable & { sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    query: <T>(text: string, params?: readonly unknown[]) => {
      sql.push(text);
      return db.query<T>(text, params);
    },
  };
}

async function refusal(p: Promise<unknown>): Promise<CrossroleError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof CrossroleError)) throw new Error(`expected a CrossroleError, got ${String(e)}`);
  return e;
}

it('SCHEMA_VERSION is the newest migration', () => {
  expect(SCHEMA_VERSION).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
});

// One PGlite copy (opening one takes seconds); the tests run in order, each a step further behind.
describe('checkSchemaVersion on PGlite', () => {
  let db: Db;
  let cleanup: () => void;
  beforeAll(async () => {
    const copy = await copyLedgerTemplate();
    cleanup = copy.cleanup;
    db = await openDb({ driver: 'pglite', dataDir: copy.dir });
  }, 60_000);
  afterAll(async () => {
    await db.close();
    cleanup();
  });

  it('a migrated ledger passes in exactly one query, and nothing is written', async () => {
    const q = counting(db);
    await expect(checkSchemaVersion(q)).resolves.toEqual({ expected: SCHEMA_VERSION, found: SCHEMA_VERSION });
    expect(q.sql).toHaveLength(1);
    expect(q.sql[0]).toMatch(/^SELECT /);
  });

  it('a newer schema is accepted (bootstrap runs before the new code is deployed)', async () => {
    await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [SCHEMA_VERSION + 1, 'from a newer release']);
    await expect(checkSchemaVersion(db)).resolves.toEqual({ expected: SCHEMA_VERSION, found: SCHEMA_VERSION + 1 });
    await db.query('DELETE FROM schema_migrations WHERE version = $1', [SCHEMA_VERSION + 1]);
  });
  // Versions may have gaps (numbers assigned ahead to features built in parallel): "one behind" is the previous one that exists.
  const previous = Math.max(...MIGRATIONS.map((m) => m.version).filter((v) => v < SCHEMA_VERSION));
  it('a schema one migration behind is refused with both versions', async () => {
    await db.query('DELETE FROM schema_migrations WHERE version = $1', [SCHEMA_VERSION]);
    const e = await refusal(checkSchemaVersion(db));
    expect(e.details).toEqual({ expectedSchemaVersion: SCHEMA_VERSION, foundSchemaVersion: previous });
    expect(e.message).toMatch(new RegExp(`is at schema version ${previous}, and this code needs version ${SCHEMA_VERSION}`));
  });

  it('a schema at the newest version that lacks an older migration is refused, naming it', async () => {
    await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [SCHEMA_VERSION, 'newest']);
    await db.query('DELETE FROM schema_migrations WHERE version = $1', [previous]);
    const e = await refusal(checkSchemaVersion(db));
    expect(e.details).toEqual({ expectedSchemaVersion: SCHEMA_VERSION, foundSchemaVersion: SCHEMA_VERSION, missingVersions: [previous] });
    // Back to the previous test's state (one behind) for the tests after this one.
    await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [previous, 'restored']);
    await db.query('DELETE FROM schema_migrations WHERE version = $1', [SCHEMA_VERSION]);
  });

  it('a database never migrated (no schema_migrations) is refused: found 0, run crossrole bootstrap', async () => {
    await db.query('DROP TABLE schema_migrations');
    const q = counting(db);
    const e = await refusal(checkSchemaVersion(q));
    expect(e).toMatchObject({ code: 'INVALID_CONFIG', field: 'ledger.schema', details: { expectedSchemaVersion: SCHEMA_VERSION, foundSchemaVersion: 0 } });
    expect(e.message).toMatch(/never migrated/);
    expect(e.message).toMatch(new RegExp(`needs version ${SCHEMA_VERSION}: run crossrole bootstrap`));
    expect(q.sql).toHaveLength(1);
    // Still unmigrated: the check never creates anything.
    await expect(db.query("SELECT to_regclass('schema_migrations') AS t")).resolves.toMatchObject({ rows: [{ t: null }] });
  });

});

// Like pg.test.ts: without a server this skips locally, and fails under CI.
const runPg = probePostgres() === undefined || Boolean(process.env.CI);
(runPg ? describe : describe.skip)('openLedger schema: check, on a PostgreSQL server', () => {
  let schema: string;
  /** The schema travels in the URL, as a deployment's DATABASE_URL would carry it: no extra round trip. */
  let url: string;
  beforeEach(() => {
    schema = randomSchemaName();
    url = `${PG_TEST_URL}${PG_TEST_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await dropSchema(schema);
  });

  async function createSchema(): Promise<void> {
    const db = await openDb({ driver: 'pg', url: PG_TEST_URL, schema, maxConnections: 1 });
    await db.close();
  }

  it('an unmigrated database: refused with the versions, the pool closed, nothing created', async () => {
    await createSchema();
    const e = await refusal(openLedger({ driver: 'pg', url }, { schema: 'check' }));
    expect(e).toMatchObject({ code: 'INVALID_CONFIG', details: { expectedSchemaVersion: SCHEMA_VERSION, foundSchemaVersion: 0 } });
    expect(e.message).toMatch(/run crossrole bootstrap/);
    const db = await openDb({ driver: 'pg', url, maxConnections: 1 });
    try {
      await expect(db.query("SELECT to_regclass('schema_migrations') AS t")).resolves.toMatchObject({ rows: [{ t: null }] });
    } finally {
      await db.close();
    }
  });

  it('a migrated database: the open costs one query, and the ledger works', async () => {
    await createSchema();
    const migrator = await openDb({ driver: 'pg', url, maxConnections: 1 });
    await migrate(migrator);
    await migrator.close();

    const sent: string[] = [];
    const original = Pool.prototype.query;
    jest.spyOn(Pool.prototype, 'query').mockImplementation(function (this: Pool, ...args: unknown[]) {
      if (typeof args[0] === 'string') sent.push(args[0]);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as unknown as Pool['query']);
    const ledger = await openLedger({ driver: 'pg', url }, { schema: 'check' });
    try {
      expect(sent).toEqual(['SELECT version FROM schema_migrations']);
      jest.restoreAllMocks();
      const r = minimalRequest();
      await ledger.create(r, { actor: 'test' });
      expect(await ledger.get(r.id)).toEqual(r);
    } finally {
      await ledger.close();
    }
  }, 30_000);
});
