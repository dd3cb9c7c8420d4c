/**
 * One migrated PGlite data directory per machine and schema version, copied for each test file.
 * PGlite's initdb takes seconds; copying a finished directory takes a fraction of that.
 * Cached under os.tmpdir(), keyed by the PGlite version, the migration count and a hash of the
 * migrations' SQL (so an edited migration can never be served a stale template).
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MIGRATIONS, migrate } from '../../shared/ledger/migrations';
import { openPgliteDb } from '../../shared/ledger/pglite-driver';

export interface TemplateTimings {
  /** ms spent initialising + migrating the template in this process (0 if it was cached). */
  initMs: number;
  /** ms of the last copy. */
  copyMs: number;
}

export const templateTimings: TemplateTimings = { initMs: 0, copyMs: 0 };

function pgliteVersion(): string {
  // The package's exports map hides package.json; find it beside the resolved entry point.
  let dir = dirname(require.resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export function templateKey(): string {
  const sql = createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 12);
  return `pglite-${pgliteVersion()}-m${MIGRATIONS.length}-${sql}`;
}

let building: Promise<string> | undefined;

/** Path of the (built on first use) template directory. Never open it directly: copy it. */
export function ledgerTemplateDir(): Promise<string> {
  building ??= (async () => {
    const final = join(tmpdir(), `crossrole-ledger-template-${templateKey()}`);
    if (existsSync(join(final, 'PG_VERSION'))) return final;
    // Build beside the final path and rename: parallel jest workers may race, and rename of a
    // directory onto an existing non-empty one fails, so exactly one complete template wins.
    const tmp = `${final}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    try {
      const db = await openPgliteDb(tmp);
      await migrate(db);
      await db.close();
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    templateTimings.initMs = Date.now() - started;
    try {
      renameSync(tmp, final);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
    return final;
  })();
  return building;
}

/** A fresh, migrated PGlite data directory in a new temporary folder; `cleanup` removes it. */
export async function copyLedgerTemplate(): Promise<{ dir: string; cleanup: () => void }> {
  const template = await ledgerTemplateDir();
  const parent = mkdtempSync(join(tmpdir(), 'crossrole-ledger-'));
  const dir = join(parent, 'data');
  const started = Date.now();
  cpSync(template, dir, { recursive: true });
  templateTimings.copyMs = Date.now() - started;
  return { dir, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}
