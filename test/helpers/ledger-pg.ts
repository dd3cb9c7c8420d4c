/**
 * The PostgreSQL server for ledger tests: 127.0.0.1:5432 database `test` unless
 * CROSSROLE_TEST_DATABASE_URL says otherwise. Each run gets its own schema.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const PG_TEST_URL = process.env.CROSSROLE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Synchronous reachability probe (jest decides describe vs describe.skip synchronously).
 * Returns undefined when reachable, else the reason.
 */
export function probePostgres(url = PG_TEST_URL): string | undefined {
  const script = `
    const { Client } = require('pg');
    const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
    c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(
      () => process.exit(0),
      (e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, url], { cwd: process.cwd(), encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0) return undefined;
  return (r.stderr || r.error?.message || `probe exited ${String(r.status)}`).trim();
}

export function randomSchemaName(): string {
  return `crossrole_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(schema: string, url = PG_TEST_URL): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}
