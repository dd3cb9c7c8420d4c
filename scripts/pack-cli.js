#!/usr/bin/env node
// `npm run pack:cli`: the installable `crossrole` for partners and approvers, as an npm tarball
// (dist/crossrole-cli-<version>.tgz) that works without this repository and installs offline.
//
// One self-contained CommonJS bundle of cli/index.ts with every runtime dependency inside (no
// `dependencies` to fetch), the seeded local catalog and the catalog schema beside it. It carries
// nothing of the local cloud (local/) and no PGlite: `npm run pack:cli` refuses to write a tarball
// whose bundle would (the CLI never runs the embedded ledger; eslint keeps local/ out of cli/).
// `crossrole demo` in the installed CLI plays against a local stack that is already running (its
// local.json); starting one needs this repository.
'use strict';
const { build } = require('esbuild');
const { execFileSync } = require('node:child_process');
const { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const stage = join(root, 'dist', 'cli-package');
const NAME = 'crossrole-cli';

/** Input paths that must never reach the bundle: the emulated cloud and the embedded ledger. */
const FORBIDDEN = [/^local\//, /@electric-sql[\\/]pglite/, /(^|\/)shared\/ledger\/pglite-driver\.ts$/];

/**
 * shared/ledger opens PGlite (the local stack's embedded ledger) by a lazy import; `bootstrap` and
 * `doctor`, the CLI's only ledger users, take a --database-url and go through `pg`. In the
 * installed CLI that import resolves to this stub instead of ~10 MB of WASM.
 */
const noEmbeddedLedger = {
  name: 'no-embedded-ledger',
  setup(b) {
    b.onResolve({ filter: /(^|\/)pglite-driver(\.js)?$/ }, (args) => ({ path: args.path, namespace: 'no-embedded-ledger' }));
    b.onLoad({ filter: /.*/, namespace: 'no-embedded-ledger' }, () => ({
      contents: 'exports.openPgliteDb = async () => { throw new Error("the embedded ledger is not part of the installed crossrole CLI: pass --database-url"); };',
      loader: 'js',
    }));
  },
};

const BIN = `#!/usr/bin/env node
// The installed \`crossrole\` command (npm run pack:cli in the Crossrole repository builds it).
'use strict';
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
require('../lib/crossrole.js').run(process.argv).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(\`\${e && e.message ? e.message : e}\\n\`, () => process.exit(1));
  },
);
`;

async function main() {
  const quiet = process.argv.includes('--quiet');
  const started = Date.now();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'), { recursive: true });
  mkdirSync(join(stage, 'lib'), { recursive: true });
  const r = await build({
    entryPoints: [join(root, 'cli', 'index.ts')],
    outfile: join(stage, 'lib', 'crossrole.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'linked',
    metafile: true,
    // pg's optional native binding is never installed; the ledger driver loads PGlite only for the
    // local stack's embedded mode, which the CLI never opens (bootstrap and doctor use `pg`).
    external: ['pg-native'],
    plugins: [noEmbeddedLedger],
    logLevel: 'warning',
  });
  const inputs = Object.keys(r.metafile.inputs).map((f) => relative(root, join(root, f)).replace(/\\/g, '/'));
  const bad = inputs.filter((f) => FORBIDDEN.some((re) => re.test(f)));
  if (bad.length > 0) throw new Error(`the CLI bundle would contain code it must not ship:\n  ${bad.join('\n  ')}`);
  const bundle = readFileSync(join(stage, 'lib', 'crossrole.js'), 'utf8');
  if (/@electric-sql|PGlite\.create/.test(bundle)) throw new Error('the CLI bundle contains PGlite');

  writeFileSync(join(stage, 'bin', 'crossrole.js'), BIN);
  chmodSync(join(stage, 'bin', 'crossrole.js'), 0o755);
  copyFileSync(join(root, 'catalog.schema.json'), join(stage, 'catalog.schema.json'));
  copyFileSync(join(root, 'deploy', 'local-catalog.json'), join(stage, 'local-catalog.json'));
  writeFileSync(join(stage, 'README.md'), [
    '# crossrole (CLI)',
    '',
    'Time-limited, approved cross-account access on Alibaba Cloud, from the command line: partners request and assume, approvers decide.',
    '',
    '    crossrole configure --intake-url <url> --approval-url <url> --region <id> --sts-endpoint <host>   # from your Crossrole owner',
    '    crossrole request --access-profile ecs-readonly --duration 8h --reason "audit" --profile <aliyun-profile>',
    '    crossrole status <id>; crossrole assume <id>',
    '    crossrole completion bash > ~/.local/share/bash-completion/completions/crossrole',
    '',
    '`catalog.schema.json` is the JSON Schema of a catalog; `local-catalog.json` the catalog of the local demo stack.',
    '',
  ].join('\n'));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({
    name: NAME,
    version: pkg.version,
    description: `${pkg.description} The command-line client.`,
    license: pkg.license,
    engines: pkg.engines,
    bin: { crossrole: 'bin/crossrole.js' },
    files: ['bin', 'lib', 'catalog.schema.json', 'local-catalog.json', 'README.md'],
  }, null, 2)}\n`);
  const out = join(root, 'dist');
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
  if (!quiet) {
    const kib = (Buffer.byteLength(bundle) / 1024).toFixed(0);
    console.log(`dist/${tgz}: bundle ${kib} KiB from ${inputs.length} modules, in ${Date.now() - started} ms`);
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
