/**
 * The architecture's layer rules are enforced by ESLint (eslint.config.mjs). This proves each rule
 * fires: every fixture under test/lint-fixtures/ breaks exactly one rule at a path mirroring the
 * production folders, and the clean fixtures pass. Each fixture is linted twice: as the file it is
 * (the fixture globs) and as if it lived at the mirrored production path (the real globs), so the
 * two sets of globs cannot drift apart unnoticed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

const ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURES = 'test/lint-fixtures';

const SDK = 'Domain and policy code imports no cloud SDK: put it in a shared/cloud adapter.';
const DB = 'Domain and policy code imports no database driver: use the ledger port.';
const LOCAL = 'Production code never imports the local cloud.';
const INNER = 'Domain and policy are the innermost layer.';
const TEST = 'Nothing imports test code.';
const FUNCTION = 'A function never imports another function.';
const FN_LOCAL = 'Functions never import the local cloud.';
const SHARED_OUT = 'shared/ never imports the local cloud or a function.';
const CLI_LOCAL = 'The shipped CLI never imports the local cloud: read .crossrole/local.json through shared/contract.';
const USE_CASE = 'A use case never imports another use case: move what they share to shared/workflow/support.';
const WORKFLOW_INNER = 'shared/workflow imports only domain, policy and its own support: no adapter, ledger, runtime or identity code.';
const SUPPORT = 'shared/workflow/support never imports a use case (nor the barrel).';
const BARREL = 'Outside shared/workflow, import the workflow through its barrel (shared/workflow): use-cases/ and support/ are internal.';
const LOCAL_WITNESS = 'The local cloud is an independent witness: it never imports the product\'s policy, cloud, workflow, runtime, ledger or identity code.';
const nodeIo = (m: string): string => `'${m}' import is restricted from being used.`;

/** fixture (relative to test/lint-fixtures) → the one message it must produce; null = must be clean. */
const EXPECTED: Record<string, string | null> = {
  'shared/domain/imports-ram-sdk.ts': SDK,
  'shared/domain/imports-pg.ts': DB,
  'shared/domain/imports-pglite.ts': DB,
  'shared/domain/imports-node-http.ts': nodeIo('node:http'),
  'shared/domain/imports-fs.ts': nodeIo('fs'),
  'shared/domain/imports-local.ts': LOCAL,
  'shared/domain/imports-runtime.ts': INNER,
  'shared/domain/imports-test.ts': TEST,
  'shared/domain/clean.ts': null,
  'shared/policy/imports-sdk.ts': SDK,
  'shared/policy/imports-node-net.ts': nodeIo('node:net'),
  'shared/cloud/imports-test.ts': TEST,
  'shared/cloud/clean.ts': null,
  'shared/runtime/imports-function.ts': SHARED_OUT,
  'shared/runtime/imports-local.ts': SHARED_OUT,
  'shared/runtime/imports-workflow-internal.ts': BARREL,
  'shared/runtime/imports-workflow-barrel.ts': null,
  'shared/workflow/use-cases/imports-sibling-use-case.ts': USE_CASE,
  'shared/workflow/use-cases/imports-use-cases-folder.ts': USE_CASE,
  'shared/workflow/use-cases/imports-barrel.ts': USE_CASE,
  'shared/workflow/use-cases/clean.ts': null,
  'shared/workflow/support/imports-cloud.ts': WORKFLOW_INNER,
  'shared/workflow/support/imports-ledger.ts': WORKFLOW_INNER,
  'shared/workflow/support/imports-runtime.ts': WORKFLOW_INNER,
  'shared/workflow/support/imports-identity.ts': WORKFLOW_INNER,
  'shared/workflow/support/imports-use-case.ts': SUPPORT,
  'shared/workflow/support/clean.ts': null,
  'functions/a/index.ts': FUNCTION,
  'functions/c/index.ts': FUNCTION,
  'functions/a/imports-local.ts': FN_LOCAL,
  'functions/a/imports-test.ts': TEST,
  'functions/a/imports-workflow-internal.ts': BARREL,
  'functions/b/index.ts': null,
  'local/access/imports-product-policy.ts': LOCAL_WITNESS,
  'local/ram/imports-product-cloud.ts': LOCAL_WITNESS,
  'local/fc/clean.ts': null,
  'cli/imports-test.ts': TEST,
  'cli/imports-workflow-internal.ts': BARREL,
  'cli/imports-local.ts': CLI_LOCAL,
  'cli/imports-local-lazily.ts': CLI_LOCAL,
};

/** The rule each fixture must trip, when it is not no-restricted-imports (a lazy import() is syntax). */
const RULE: Record<string, string> = {
  'cli/imports-local-lazily.ts': 'no-restricted-syntax',
};

function listFixtures(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(listFixtures(p));
    else if (name.endsWith('.ts')) out.push(relative(join(ROOT, FIXTURES), p).split('\\').join('/'));
  }
  return out.sort();
}

type Found = Array<{ ruleId: string | null; message: string }>;
interface Report {
  asFixture: Record<string, Found>;
  asProduction: Record<string, Found>;
  ignored: Record<string, boolean>;
}

/**
 * ESLint loads eslint.config.mjs with a dynamic import(), which jest's module sandbox refuses
 * (it would need --experimental-vm-modules); so the ESLint API runs in a plain node child process.
 */
const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const { readFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const { root, fixtures, files, probes } = JSON.parse(process.argv[1]);
const pick = (r) => (r ? r.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })) : []);
(async () => {
  // ignore: false, because the default run ignores the fixtures (they fail on purpose).
  const withFixtures = new ESLint({ cwd: root, ignore: false });
  const asFixture = {};
  for (const r of await withFixtures.lintFiles([fixtures + '/**/*.ts'])) {
    asFixture[relative(join(root, fixtures), r.filePath).split(sep).join('/')] = pick(r);
  }
  const standard = new ESLint({ cwd: root });
  const asProduction = {};
  for (const rel of files) {
    const [r] = await standard.lintText(readFileSync(join(root, fixtures, rel), 'utf8'), { filePath: join(root, rel) });
    asProduction[rel] = pick(r);
  }
  const ignored = {};
  for (const p of probes) ignored[p] = await standard.isPathIgnored(join(root, p));
  process.stdout.write(JSON.stringify({ asFixture, asProduction, ignored }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

const PROBES = [`${FIXTURES}/shared/domain/imports-pg.ts`, 'shared/domain/errors.ts', 'test/unit/lint/layer-rules.test.ts'];
let report: Report;

beforeAll(() => {
  const args = JSON.stringify({ root: ROOT, fixtures: FIXTURES, files: Object.keys(EXPECTED), probes: PROBES });
  const out = execFileSync(process.execPath, ['-e', LINT_SCRIPT, args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  report = JSON.parse(out) as Report;
}, 60_000);

describe('layer rules', () => {
  it('every fixture file has an expectation, and every expectation a file', () => {
    expect(listFixtures(join(ROOT, FIXTURES))).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (rel, message) => {
    const check = (found: Found | undefined): void => {
      expect(found).toBeDefined();
      if (message === null) {
        expect(found).toEqual([]);
      } else {
        expect(found).toHaveLength(1);
        expect(found?.[0]?.ruleId).toBe(RULE[rel] ?? 'no-restricted-imports');
        expect(found?.[0]?.message).toContain(message);
      }
    };
    it(message === null ? 'passes as a fixture' : 'fires as a fixture', () => check(report.asFixture[rel]));
    it(message === null ? 'passes at the mirrored production path' : 'fires at the mirrored production path', () => check(report.asProduction[rel]));
  });

  it('the default run (`eslint .`) ignores the fixtures but not the production folders', () => {
    expect(report.ignored).toEqual({ [PROBES[0] as string]: true, [PROBES[1] as string]: false, [PROBES[2] as string]: false });
  });
});
