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

const PGLITE = 'PGlite (npm start)';
const SERVER = 'PostgreSQL server (--database-url)';

/**
 * Two runs per ledger in the order PGlite, server, server, PGlite: on a shared 2-core machine the
 * load drifts during the section, and the mirrored order keeps the drift from favouring one side.
 */
export async function benchIntakeLedgers(projectRoot: string, total: number, concurrency: number): Promise<SectionResult> {
  const runs: LedgerRun[] = [];
  let skipped: string | undefined;
  for (const ledger of [PGLITE, SERVER, SERVER, PGLITE]) {
    if (ledger === PGLITE) {
      runs.push(await runOn(projectRoot, ledger, undefined, total, concurrency));
      continue;
    }
    if (skipped !== undefined) continue;
    try {
      runs.push(await withSchema(BENCH_PG_URL, (url) => runOn(projectRoot, ledger, url, total, concurrency)));
    } catch (e) {
      skipped = `PostgreSQL at ${BENCH_PG_URL} not used: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const section = 'intake ledgers';
  const version = skipped === undefined ? await serverVersion(BENCH_PG_URL) : 'n/a';
  const of = (ledger: string): LedgerRun[] => runs.filter((r) => r.ledger === ledger);
  const fmt = (r: LedgerRun): string => `${r.throughputPerSec.toFixed(0)} req/s, ${ms(r.latencyMs.p50 ?? Number.NaN)} / ${ms(r.latencyMs.p95 ?? Number.NaN)} / ${ms(r.latencyMs.p99 ?? Number.NaN)}`;
  const ledgerRow = (ledger: string): ReturnType<typeof row> => {
    const rs = of(ledger);
    const worstP95 = Math.max(...rs.map((r) => r.latencyMs.p95 ?? Infinity));
    return row(section, `${ledger}: req/s, p50 / p95 / p99 to 202 (${total} req; run 1 | run 2)`, rs.map(fmt).join(' | '), 'p95 <= 100 ms', worstP95 <= 100);
  };
  return {
    key: 'intakeLedgers',
    title: `Intake, ${concurrency} concurrent partners, on PGlite and on a PostgreSQL server`,
    figures: { requests: total, concurrency, order: runs.map((r) => r.ledger), runs, postgresVersion: version, ...(skipped === undefined ? {} : { skipped }) },
    rows: [
      ledgerRow(PGLITE),
      ...(skipped === undefined ? [ledgerRow(SERVER)] : [row(section, SERVER, 'skipped', undefined, false)]),
    ],
    notes: [
      `Intake on both ledgers: the same load (${total} requests from ${concurrency} partners, each with a fresh identity proof, after a warm-up) on a fresh stack per run, in the order PGlite, server, server, PGlite; the server is PostgreSQL ${version} at ${BENCH_PG_URL.replace(/:[^:@/]*@/, ':***@')}, each run in a fresh schema dropped afterwards. Main thread busy per run: ${runs.map((r) => `${r.ledger === PGLITE ? 'PGlite' : 'server'} ${String(r.mainThreadUtilization)}`).join(', ')}: the local cloud's HTTP server, STS replay of every identity proof and MNS run on that thread in both cases, and with PGlite every SQL statement of every instance too; with the server, the SQL runs in another process on the same 2 cores. Intake instances per run: ${runs.map((r) => String(r.instances)).join(', ')}.${skipped === undefined ? '' : ` ${skipped}.`}`,
    ],
  };
}

async function serverVersion(url: string): Promise<string> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
  } finally {
    await c.end();
  }
}
