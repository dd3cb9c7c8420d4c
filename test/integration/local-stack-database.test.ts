/**
 * The local stack's ledger choices (local/stack.ts): `npm start -- --database-url` keeps the ledger
 * on a real PostgreSQL server, which the stack migrates once (as bootstrap would) and declares
 * inside the local VPC so the functions reach it; and a build made with another catalog than the
 * local one is refused before anything starts.
 * The server: 127.0.0.1:5432 database `test` (test/helpers/ledger-pg.ts), in a schema of this run's
 * own; unreachable, this skips locally and fails under CI.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startLocalStack } from '../../local/stack';
import { LOCAL_CATALOG } from '../../local/world';
import { SCHEMA_VERSION } from '../../shared/ledger/migrations';
import { PG_TEST_URL, dropSchema, probePostgres, randomSchemaName } from '../helpers/ledger-pg';
import { ensureBuilt } from '../helpers/build';
import { PROJECT_ROOT, startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(60_000);

const unreachable = probePostgres();
const runPg = unreachable === undefined || Boolean(process.env.CI);

(runPg ? describe : describe.skip)('npm start --database-url: the ledger on a PostgreSQL server', () => {
  const schema = randomSchemaName();
  // The schema travels in the URL (libpq `options`), as the functions get nothing but DATABASE_URL.
  const url = `${PG_TEST_URL}${PG_TEST_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  let t: TestStack | undefined;
  let pg: Client;

  beforeAll(async () => {
    if (unreachable !== undefined) throw new Error(`PostgreSQL at ${PG_TEST_URL} is unreachable (${unreachable}); CI must run this test`);
    pg = new Client({ connectionString: PG_TEST_URL });
    await pg.connect();
    await pg.query(`CREATE SCHEMA ${schema}`);
    t = await startTestStack({ databaseUrl: url });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await pg?.end();
    await dropSchema(schema);
  });

  it('migrates the server once at start and serves its ledger there, not on PGlite', async () => {
    expect(t?.stack.ledgerUrl).toBe(url);
    const { rows } = await pg.query<{ version: number }>(`SELECT max(version)::int AS version FROM ${schema}.schema_migrations`);
    expect(rows[0]?.version).toBe(SCHEMA_VERSION);
  });

  it('one request goes to ACTIVE with the functions reading and writing the server\'s ledger', async () => {
    if (t === undefined) throw new Error('no stack');
    const partner = t.api('partner-admin');
    const res = await partner.call<{ request: { id: string; status: string } }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly-auto', duration: '1h', reason: 'ledger on a real PostgreSQL' } });
    expect(res.status).toBe(202);
    const active = await t.waitForStatus(res.body.request.id, 'ACTIVE', 20_000);
    expect(active.roleName).toMatch(/^crossrole-/);
    const { rows } = await pg.query<{ status: string }>(`SELECT status FROM ${schema}.requests WHERE id = $1`, [res.body.request.id]);
    expect(rows).toEqual([{ status: 'ACTIVE' }]);
    expect(t.runtimeProblems()).toEqual([]);
  });
});

describe('the local stack and the build\'s catalog', () => {
  beforeAll(ensureBuilt, 120_000);

  it('refuses a dist/ built with another catalog, before starting anything', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossrole-root-'));
    try {
      cpSync(join(PROJECT_ROOT, 's.yaml'), join(root, 's.yaml'));
      for (const fn of ['intake', 'approval']) {
        mkdirSync(join(root, 'dist', 'functions', fn), { recursive: true });
        const other = fn === 'approval' ? { ...LOCAL_CATALOG, ownerAccountId: '1999999999999999' } : LOCAL_CATALOG;
        writeFileSync(join(root, 'dist', 'functions', fn, 'catalog.json'), JSON.stringify(other));
      }
      await expect(startLocalStack({ projectRoot: root, port: 0 })).rejects.toThrow(/approval\/catalog\.json is not the local stack's catalog .*run npm run build \(without --catalog\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses an unusable --database-url without echoing its password', async () => {
    await expect(startLocalStack({ projectRoot: PROJECT_ROOT, port: 0, databaseUrl: 'mysql://root:hunter2@db:3306/x' })).rejects.toThrow(/postgres:\/\/ URL/);
    await expect(startLocalStack({ projectRoot: PROJECT_ROOT, port: 0, databaseUrl: 'mysql://root:hunter2@db:3306/x' })).rejects.not.toThrow(/hunter2/);
  });
});
