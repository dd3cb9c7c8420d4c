// Is the build output older than a source, or built with another catalog? One rule for
// `npm start`, `npm run bench` and the tests (test/helpers/build.ts): every source scripts/build.js
// bundles, and the catalog it writes into each function's code package.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const STAMP = join(root, 'dist', '.build-stamp');
/** What the last build put in the code packages: `{ file, sha256 }` of its catalog. */
const CATALOG_STAMP = join(root, 'dist', '.build-catalog.json');
const SOURCES = ['functions', 'shared', 'local', 'cli', 's.yaml', 'package-lock.json', 'scripts/catalog-check.ts'];
/** The local stack's catalog: the default when none is named. */
const DEFAULT_CATALOG = join(root, 'deploy', 'local-catalog.json');

/**
 * The catalog to build with: `--catalog <file>` (or `--catalog=<file>`), else $CROSSROLE_CATALOG_FILE,
 * else deploy/local-catalog.json. Relative paths are relative to the current directory.
 */
function resolveCatalogFile(argv = [], env = process.env, cwd = process.cwd()) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--catalog') {
      const next = argv[i + 1];
      if (next === undefined || next === '' || next.startsWith('--')) throw new Error('--catalog needs a file: npm run build -- --catalog catalog.json');
      return resolve(cwd, next);
    }
    if (a.startsWith('--catalog=')) return resolve(cwd, a.slice('--catalog='.length));
  }
  const fromEnv = (env.CROSSROLE_CATALOG_FILE || '').trim();
  return fromEnv === '' ? DEFAULT_CATALOG : resolve(cwd, fromEnv);
}

function sha256OfFile(file) {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

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

/** The catalog the last build wrote, or undefined. */
function builtCatalog() {
  try {
    return JSON.parse(readFileSync(CATALOG_STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Stale: no build, a source newer than it, or its catalog is not `catalogFile` as it is now. */
function isBuildStale(catalogFile = DEFAULT_CATALOG) {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  if (SOURCES.some((p) => newest(join(root, p)) > built)) return true;
  const stamp = builtCatalog();
  return stamp === undefined || stamp.sha256 !== sha256OfFile(catalogFile);
}

/**
 * Build when stale; returns the build's exit status (0 when nothing had to be done). Used by what
 * runs the local stack, so the default is the local stack's catalog, whatever $CROSSROLE_CATALOG_FILE says.
 */
function buildIfStale(options = {}) {
  const catalog = options.catalog ?? DEFAULT_CATALOG;
  if (!isBuildStale(catalog)) return 0;
  if (!options.quiet) process.stdout.write('Building (sources or the catalog changed since the last build)...\n');
  const r = spawnSync(process.execPath, [join(__dirname, 'build.js'), '--quiet', '--catalog', catalog], { stdio: options.stdio ?? 'inherit', cwd: root, encoding: 'utf8' });
  if (options.onOutput) options.onOutput(`${r.stderr ?? ''}${r.stdout ?? ''}`);
  return r.status ?? 1;
}

module.exports = { isBuildStale, buildIfStale, resolveCatalogFile, sha256OfFile, SOURCES, CATALOG_STAMP, DEFAULT_CATALOG };
