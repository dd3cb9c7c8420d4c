// Is the build output older than a source? One rule for `npm start`, `npm run bench` and the
// tests (test/helpers/build.ts): every source scripts/build.js bundles.
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const STAMP = join(root, 'dist', '.build-stamp');
const SOURCES = ['functions', 'shared', 'local', 'cli', 's.yaml', 'package-lock.json'];

function newest(path) {
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

function isBuildStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.some((p) => newest(join(root, p)) > built);
}

/** Build when stale; returns the build's exit status (0 when nothing had to be done). */
function buildIfStale(options = {}) {
  if (!isBuildStale()) return 0;
  if (!options.quiet) process.stdout.write('Building (sources changed since the last build)...\n');
  const r = spawnSync(process.execPath, [join(__dirname, 'build.js'), '--quiet'], { stdio: options.stdio ?? 'inherit', cwd: root, encoding: 'utf8' });
  if (options.onOutput) options.onOutput(`${r.stderr ?? ''}${r.stdout ?? ''}`);
  return r.status ?? 1;
}

module.exports = { isBuildStale, buildIfStale, SOURCES };
