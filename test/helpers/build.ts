/**
 * The local FC runtime runs the functions from the build output (dist/functions/<name>/index.js),
 * as FC runs the uploaded bundle; child-process tests run dist/local/main.js and dist/cli/index.js.
 * Tests call `ensureBuilt()` in beforeAll: it runs `scripts/build.js` once if any source is newer
 * than the last build (scripts/start.js's rule). Jest may run several such files at once in
 * different workers, so the build is serialised with a lock directory and re-checked after waiting.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { buildIfStale, isBuildStale } from '../../scripts/build-state';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const LOCK = join(PROJECT_ROOT, 'dist', '.build-lock');
/** A lock older than this was left by a killed worker. */
const STALE_LOCK_MS = 180_000;

export { isBuildStale };

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
      let output = '';
      const status = buildIfStale({ quiet: true, stdio: 'pipe', onOutput: (text) => (output = text) });
      if (status !== 0) throw new Error(`scripts/build.js failed (${status}):\n${output}`);
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
