/**
 * Section 6: cost of the expiry scan's query (`listDueForExpiry(now, 100)`) on PGlite as the
 * number of ACTIVE grants grows, none of them due, then with 100 due.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DUE_FOR_EXPIRY_INDEX, SqlRequestRepository, migrate, openDb } from '../shared/ledger';
import { round, summarize } from './lib';
import { ms, row, type SectionResult } from './report';

const CHUNK = 100_000;

/** Bulk rows in SQL (generate_series): ACTIVE grants expiring 1 h to 25 h from now. */
const INSERT_ACTIVE = `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason,
    role_name, principals, external_id, created_at, updated_at, expires_at)
  SELECT 'bench-' || g, 3, 'ACTIVE', '1879324520397241', 'acs:ram::1879324520397241:user/partner-admin', 'ecs-readonly', 28800, 'benchmark',
    'crossrole-' || lpad(to_hex(g), 12, '0'), '["acs:ram::1879324520397241:root"]'::jsonb, 'crx-bench-' || g,
    now() - interval '1 hour', now() - interval '1 hour', now() + interval '1 hour' + (g % 86400) * interval '1 second'
  FROM generate_series($1::integer, $2::integer) AS g`;

const INSERT_DUE = `INSERT INTO requests (id, version, status, partner_account_id, requester_arn, profile, duration_seconds, reason,
    role_name, principals, external_id, created_at, updated_at, expires_at)
  SELECT 'due-' || g, 3, 'ACTIVE', '1879324520397241', 'acs:ram::1879324520397241:user/partner-admin', 'ecs-readonly', 60, 'benchmark',
    'crossrole-due' || g, '["acs:ram::1879324520397241:root"]'::jsonb, 'crx-due-' || g,
    now() - interval '2 hour', now() - interval '2 hour', now() - g * interval '1 second'
  FROM generate_series(1, 100) AS g`;

async function timeCalls(repo: SqlRequestRepository, calls: number): Promise<{ summary: ReturnType<typeof summarize>; rows: number }> {
  let rows = 0;
  for (let i = 0; i < 5; i++) rows = (await repo.listDueForExpiry(new Date(), 100)).length;
  const t: number[] = [];
  for (let i = 0; i < calls; i++) {
    const s = performance.now();
    rows = (await repo.listDueForExpiry(new Date(), 100)).length;
    t.push(performance.now() - s);
  }
  return { summary: summarize(t), rows };
}

export async function benchScanCost(sizes: readonly number[], maxInsertSeconds: number): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'crossrole-bench-ledger-'));
  const db = await openDb({ driver: 'pglite', dataDir: dir });
  const figures: Record<string, unknown> = {};
  const rows: ReturnType<typeof row>[] = [];
  const notes: string[] = [];
  try {
    await migrate(db);
    const repo = new SqlRequestRepository(db);
    let have = 0;
    let insertMsPerRow = 0;
    for (const size of sizes) {
      const estimate = ((size - have) * insertMsPerRow) / 1000;
      if (have > 0 && estimate > maxInsertSeconds) {
        figures[String(size)] = { skipped: `inserting ${size - have} more rows would take ~${estimate.toFixed(0)} s (limit ${maxInsertSeconds} s)` };
        rows.push(row('6 scan cost', `listDueForExpiry(now, 100), ${size.toLocaleString('en')} ACTIVE`, 'skipped'));
        notes.push(`Scan cost: ${size.toLocaleString('en')} rows skipped: the insert would take ~${estimate.toFixed(0)} s at the measured ${(insertMsPerRow * 1000).toFixed(0)} µs/row.`);
        continue;
      }
      const t = performance.now();
      for (let from = have + 1; from <= size; from += CHUNK) await db.query(INSERT_ACTIVE, [from, Math.min(size, from + CHUNK - 1)]);
      await db.query('ANALYZE requests');
      const insertMs = performance.now() - t;
      insertMsPerRow = insertMs / (size - have);
      have = size;
      const none = await timeCalls(repo, 50);
      const plan = await repo.explainDueForExpiry(new Date());
      await db.query(INSERT_DUE);
      const due = await timeCalls(repo, 50);
      await db.query("DELETE FROM requests WHERE id LIKE 'due-%'");
      const usesIndex = plan.includes(DUE_FOR_EXPIRY_INDEX);
      figures[String(size)] = {
        insertSeconds: round(insertMs / 1000, 1), noneDueMs: roundMs(none.summary), noneDueRows: none.rows, hundredDueMs: roundMs(due.summary), hundredDueRows: due.rows,
        usesPartialIndex: usesIndex, plan,
      };
      rows.push(row('6 scan cost', `listDueForExpiry(now, 100), ${size.toLocaleString('en')} ACTIVE, none due: mean / p95`, `${ms(none.summary.mean)} / ${ms(none.summary.p95)}${usesIndex ? '' : ' (NO INDEX)'}`, size === 100_000 ? '<= 20 ms' : undefined, size === 100_000 ? none.summary.mean <= 20 : undefined));
      rows.push(row('6 scan cost', `  same with 100 due (returns ${due.rows} rows): mean / p95`, `${ms(due.summary.mean)} / ${ms(due.summary.p95)}`));
    }
    notes.push(`Scan cost: PGlite in a temporary data directory, rows bulk-inserted with generate_series, ANALYZE after each size; 50 timed calls after 5 warm-up calls. The query is served by the partial index ${DUE_FOR_EXPIRY_INDEX} (expires_at, id) WHERE status = 'ACTIVE', so its cost follows the rows it returns, not the table size.`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { key: 'scanCost', title: 'Expiry scan query cost vs. table size (PGlite)', figures, rows, notes };
}

function roundMs(s: ReturnType<typeof summarize>): Record<string, number> {
  return { mean: round(s.mean, 3), p50: round(s.p50, 3), p95: round(s.p95, 3), max: round(s.max, 3) };
}
