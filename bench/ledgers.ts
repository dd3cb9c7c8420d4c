/**
 * Section `intake-ledgers`: the intake load of section 1 on both ledgers the local stack offers,
 * one after the other in the same run: PGlite (what `npm start` uses) and a PostgreSQL server
 * (`npm start -- --database-url`), in a fresh schema of its own that is dropped afterwards. The
 * schema travels in the URL (libpq `options=-c search_path=...`), as the functions get nothing but
 * DATABASE_URL (test/integration/local-stack-database.test.ts does the same).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { benchIntake } from './flow';
import { startBenchStack } from './lib';
import { ms, row, type SectionResult } from './report';

/** The server the integration tests use; CROSSROLE_BENCH_DATABASE_URL overrides it. */
export const BENCH_PG_URL = process.env.CROSSROLE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface LedgerRun {
  ledger: string;
  throughputPerSec: number;
  latencyMs: Record<string, number>;
  errors: Record<string, unknown>;
  instances: unknown;
  mainThreadUtilization: unknown;
}

async function runOn(projectRoot: string, ledger: string, databaseUrl: string | undefined, total: number, concurrency: number): Promise<LedgerRun> {
  const s = await startBenchStack({ projectRoot, port: 0, timers: false, retryDelayMs: 1000, ...(databaseUrl === undefined ? {} : { databaseUrl }) });
  try {
    const r = await benchIntake(s, total, concurrency);
    const f = r.figures as { throughputPerSec: number; latencyMs: Record<string, number>; errors: Record<string, unknown>; instancesStarted: unknown; mainThreadUtilization: unknown };
    return { ledger, throughputPerSec: f.throughputPerSec, latencyMs: f.latencyMs, errors: f.errors, instances: f.instancesStarted, mainThreadUtilization: f.mainThreadUtilization };
  } finally {
    await s.close();
  }
}

async function withSchema<T>(url: string, f: (schemaUrl: string) => Promise<T>): Promise<T> {
  const schema = `crossrole_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      return await f(`${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  } finally {
    await admin.end();
  }
}

export async function benchIntakeLedgers(projectRoot: string, total: number, concurrency: number): Promise<SectionResult> {
  const runs: LedgerRun[] = [await runOn(projectRoot, 'PGlite (npm start)', undefined, total, concurrency)];
  let skipped: string | undefined;
  try {
    runs.push(await withSchema(BENCH_PG_URL, (url) => runOn(projectRoot, 'PostgreSQL server (--database-url)', url, total, concurrency)));
  } catch (e) {
    skipped = `PostgreSQL at ${BENCH_PG_URL} not used: ${e instanceof Error ? e.message : String(e)}`;
  }
  const section = 'intake ledgers';
  const version = skipped === undefined ? await serverVersion(BENCH_PG_URL) : 'n/a';
  return {
    key: 'intakeLedgers',
    title: `Intake, ${concurrency} concurrent partners, on PGlite and on a PostgreSQL server`,
    figures: { requests: total, concurrency, runs, postgresVersion: version, ...(skipped === undefined ? {} : { skipped }) },
    rows: [
      ...runs.map((r) => row(section, `${r.ledger}: req/s; p50 / p95 / p99 to 202 (${total} req)`, `${r.throughputPerSec.toFixed(0)} req/s; ${ms(r.latencyMs.p50 ?? Number.NaN)} / ${ms(r.latencyMs.p95 ?? Number.NaN)} / ${ms(r.latencyMs.p99 ?? Number.NaN)}`, 'p95 <= 100 ms', (r.latencyMs.p95 ?? Infinity) <= 100)),
      ...(skipped === undefined ? [] : [row(section, 'PostgreSQL server', 'skipped', undefined, false)]),
    ],
    notes: [
      `Intake on both ledgers: the same load (${total} requests from ${concurrency} partners, each with a fresh identity proof, after a warm-up) on a stack with the PGlite ledger, then on one whose ledger is ${skipped === undefined ? `the PostgreSQL server ${version} at ${BENCH_PG_URL.replace(/:[^:@/]*@/, ':***@')} in a fresh schema` : 'a PostgreSQL server (skipped)'}. Main thread busy: ${runs.map((r) => `${r.ledger} ${String(r.mainThreadUtilization)}`).join(', ')} (with PGlite the ledger runs on that thread; with the server it is another process on the same 2 cores). Intake instances: ${runs.map((r) => `${r.ledger} ${String(r.instances)}`).join(', ')}.${skipped === undefined ? '' : ` ${skipped}.`}`,
    ],
  };
}

async function serverVersion(url: string): Promise<string> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return (await c.query<{ v: string }>('SHOW server_version')).rows[0]?.v ?? '?';
  } finally {
    await c.end();
  }
}
