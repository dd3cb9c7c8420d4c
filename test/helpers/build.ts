/**
 * The local FC runtime runs the functions from the build output (dist/functions/<name>/index.js),
 * as FC runs the uploaded bundle; child-process tests run dist/local/main.js and dist/cli/index.js.
 * Tests call `ensureBuilt()` in beforeAll: it runs `scripts/build.js` once if any source is newer
 * than the last build (scripts/start.js's rule). Jest may run several such files at once in
 * different workers, so the build is serialised with a lock directory and re-checked after waiting.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const STAMP = join(PROJECT_ROOT, 'dist', '.build-stamp');
const LOCK = join(PROJECT_ROOT, 'dist', '.build-lock');
/** Everything scripts/build.js bundles (the same list scripts/start.js watches). */
const SOURCES = ['functions', 'shared', 'local', 'cli', 's.yaml', 'package-lock.json'];
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

export function isBuildStale(): boolean {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  if (built === 0) return true;
  return SOURCES.some((p) => newest(join(PROJECT_ROOT, p)) > built);
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

/** Build if the build output is missing or older than a source file. */
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
      if (r.status !== 0) throw new Error(`scripts/build.js failed (${r.status ?? r.signal ?? 'unknown'}):\n${r.stderr}${r.stdout}`);
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for child processes that need a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
  });
}
