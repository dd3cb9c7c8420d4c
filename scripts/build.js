#!/usr/bin/env node
// Build: one self-contained CommonJS bundle per FC function (what `s deploy` uploads, and what
// the local FC runtime loads), each with the validated catalog next to it (`catalog.json`), plus
// bundles of the local cloud and the CLI with node_modules left external. esbuild only strips
// types; `npm run lint` type-checks.
//
// The catalog: `npm run build -- --catalog <file>`, or $CROSSROLE_CATALOG_FILE, else the local
// stack's deploy/local-catalog.json. It travels in the code package, not in an environment
// variable: FC allows 4 KB for all of a function's variables together.
'use strict';
const { build } = require('esbuild');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { CATALOG_STAMP, resolveCatalogFile, sha256OfFile } = require('./build-state');

const root = join(__dirname, '..');
const functions = readdirSync(join(root, 'functions')).filter((d) => statSync(join(root, 'functions', d)).isDirectory());

/**
 * A freshly initialised PGlite data directory, made once per PGlite version: `npm start` on an
 * empty state directory copies it (well under a second) instead of running initdb (~4 s).
 */
async function pgliteTemplate(quiet) {
  // The package's exports hide package.json; read it from its directory.
  const version = JSON.parse(readFileSync(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')).version;
  const dir = join(root, 'dist', 'pglite-template');
  const stamp = join(dir, '.crossrole-template');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return;
  const started = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const { PGlite } = require('@electric-sql/pglite');
  const db = await PGlite.create(tmp);
  await db.close();
  writeFileSync(join(tmp, '.crossrole-template'), version);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  if (!quiet) console.log(`  ledger template (PGlite ${version}) in ${Date.now() - started} ms`);
}

/**
 * Validate the catalog with the product's own checks (scripts/catalog-check.ts, bundled here first)
 * and return the text to ship. Every problem is listed; any error fails the build.
 */
async function checkedCatalog(file, quiet) {
  const shown = relative(process.cwd(), file) || file;
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the catalog ${shown}: ${e.message} (pass --catalog <file> or set CROSSROLE_CATALOG_FILE)`);
  }
  const checker = join(root, 'dist', 'build', 'catalog-check.js');
  await build({ entryPoints: [join(root, 'scripts', 'catalog-check.ts')], outfile: checker, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  delete require.cache[checker];
  const { checkCatalogText, CATALOG_FILE_NAME } = require(checker);
  const r = checkCatalogText(text, shown);
  for (const w of r.warnings) console.warn(`  ${shown}: ${w}`);
  if (!r.ok) {
    const n = r.errors.length;
    throw new Error(`the catalog ${shown} is invalid (${n} error${n === 1 ? '' : 's'}); nothing was built:\n${r.errors.map((e) => `  ${e}`).join('\n')}`);
  }
  if (!quiet) console.log(`  catalog ${shown}: owner ${r.owner}, profiles ${r.profiles.join(', ')}`);
  return { json: r.json, fileName: CATALOG_FILE_NAME };
}

async function main() {
  const quiet = process.argv.includes('--quiet');
  const started = Date.now();
  const catalogFile = resolveCatalogFile(process.argv.slice(2), process.env);
  const catalog = await checkedCatalog(catalogFile, quiet);
  const results = await Promise.all([
    ...functions.map((name) =>
      build({
        entryPoints: [join(root, 'functions', name, 'index.ts')],
        outfile: join(root, 'dist', 'functions', name, 'index.js'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        minify: true,
        sourcemap: 'linked',
        metafile: true,
        legalComments: 'none',
        // The embedded ledger (PGlite, ~10 MB of WASM) never runs inside FC: functions reach
        // PostgreSQL through `pg` (ApsaraDB RDS, or the local stack's PGlite socket).
        external: ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'pg-native'],
        logLevel: 'warning',
      }).then((r) => ({ name, r })),
    ),
    ...[
      ['local/main.ts', 'dist/local/main.js'],
      ['cli/index.ts', 'dist/cli/index.js'],
    ].map(([entry, out]) =>
      build({
        entryPoints: [join(root, entry)],
        outfile: join(root, out),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: 'linked',
        packages: 'external',
        logLevel: 'warning',
      }).then((r) => ({ name: entry, r })),
    ),
  ]);
  mkdirSync(join(root, 'dist'), { recursive: true });
  // FC_FUNC_CODE_PATH/catalog.json at run time (shared/runtime/config.ts).
  for (const name of functions) writeFileSync(join(root, 'dist', 'functions', name, catalog.fileName), catalog.json);
  await pgliteTemplate(quiet);
  writeFileSync(CATALOG_STAMP, `${JSON.stringify({ file: catalogFile, sha256: sha256OfFile(catalogFile) })}\n`);
  writeFileSync(join(root, 'dist', '.build-stamp'), new Date().toISOString());
  if (!quiet) {
    for (const { name, r } of results) {
      if (!r.metafile) continue;
      const bytes = Object.entries(r.metafile.outputs).filter(([f]) => f.endsWith('.js')).reduce((n, [, o]) => n + (o.bytes || 0), 0);
      console.log(`  function ${name.padEnd(14)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
    }
    console.log(`built in ${Date.now() - started} ms`);
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
