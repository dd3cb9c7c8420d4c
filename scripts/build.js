#!/usr/bin/env node
// Build: one self-contained CommonJS bundle per FC function (what `s deploy` uploads, and what
// the local FC runtime loads), plus bundles of the local cloud and the CLI with node_modules
// left external. esbuild only strips types; `npm run lint` type-checks.
'use strict';
const { build } = require('esbuild');
const { readdirSync, statSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const functions = readdirSync(join(root, 'functions')).filter((d) => statSync(join(root, 'functions', d)).isDirectory());

async function main() {
  const quiet = process.argv.includes('--quiet');
  const started = Date.now();
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
