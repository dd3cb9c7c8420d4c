/**
 * The local FC runtime runs the functions from the build output (dist/functions/<name>/index.js),
 * as FC runs the uploaded bundle. Tests that go through it call `ensureBuilt()` in beforeAll: it
 * runs `scripts/build.js` once if a source the function bundles are made of is newer than the
 * last build (scripts/start.js's rule, narrowed to the bundles tests load: the stack itself runs
 * from TypeScript source). Jest may run several such files at once in different workers, so the
 * build is serialised with a lock directory and re-checked after waiting.
 *
 * If the full build fails outside the functions (say, a CLI command half written in the shared
 * working tree), the function bundles are built alone with the same esbuild options, and
 * `dist/.functions-stamp` records that build without pretending the CLI was built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const STAMP = join(PROJECT_ROOT, 'dist', '.build-stamp');
const FUNCTIONS_STAMP = join(PROJECT_ROOT, 'dist', '.functions-stamp');
const LOCK = join(PROJECT_ROOT, 'dist', '.build-lock');
/** What the function bundles are made of (scripts/start.js also watches local/, cli/ and s.yaml). */
const SOURCES = ['functions', 'shared', 'package-lock.json'];
/** A lock older than this was left by a killed worker. */
const STALE_LOCK_MS = 180_000;

function newest(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

const mtime = (path: string): number => (existsSync(path) ? statSync(path).mtimeMs : 0);

export function isBuildStale(): boolean {
  const built = Math.max(mtime(STAMP), mtime(FUNCTIONS_STAMP));
  if (built === 0) return true;
  return SOURCES.some((p) => newest(join(PROJECT_ROOT, p)) > built);
}

/** The function bundles only, with scripts/build.js's options for them. */
async function buildFunctionsOnly(): Promise<void> {
  const { build } = await import('esbuild');
  const names = readdirSync(join(PROJECT_ROOT, 'functions')).filter((d) => statSync(join(PROJECT_ROOT, 'functions', d)).isDirectory());
  await Promise.all(names.map((name) => build({
    entryPoints: [join(PROJECT_ROOT, 'functions', name, 'index.ts')],
    outfile: join(PROJECT_ROOT, 'dist', 'functions', name, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    external: ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'pg-native'],
    logLevel: 'silent',
  })));
  writeFileSync(FUNCTIONS_STAMP, new Date().toISOString());
}

function tryLock(): boolean {
  mkdirSync(join(PROJECT_ROOT, 'dist'), { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // removed by its owner meanwhile
    }
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Build the functions if the build output is missing or older than a source file. */
export async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + STALE_LOCK_MS;
  while (isBuildStale()) {
    if (!tryLock()) {
      if (Date.now() > deadline) throw new Error(`ensureBuilt: ${LOCK} is held for too long`);
      await sleep(200);
      continue;
    }
    try {
      if (!isBuildStale()) return;
      const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.js'), '--quiet'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      if (r.status === 0) return;
      try {
        await buildFunctionsOnly();
      } catch (e) {
        throw new Error(`scripts/build.js failed (${r.status ?? r.signal ?? 'unknown'}):\n${r.stderr}${r.stdout}\nand the functions alone do not build either: ${e instanceof Error ? e.message : String(e)}`);
      }
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
