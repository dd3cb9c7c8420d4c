// Lint = style + the architecture's layer rules, enforced by the tool rather than by hope.
// test/unit/lint/layer-rules.test.ts proves each rule fires on a fixture under test/lint-fixtures/.
// The fixtures violate the rules on purpose, so the default run (`eslint .`) ignores them and the test
// lints them with `ignore: false`; each layer rule lists the fixture folder that mirrors its paths.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sdkAndIo = [
  { group: ['@alicloud/*'], message: 'Domain and policy code imports no cloud SDK: put it in a shared/cloud adapter.' },
  { group: ['pg', '@electric-sql/*'], message: 'Domain and policy code imports no database driver: use the ledger port.' },
  { group: ['**/local/**', '**/local'], message: 'Production code never imports the local cloud.' },
  { group: ['**/cloud/**', '**/ledger/**', '**/runtime/**', '**/workflow/**', '**/identity/**'], message: 'Domain and policy are the innermost layer.' },
];
const nodeIo = ['http', 'https', 'node:http', 'node:https', 'net', 'node:net', 'fs', 'node:fs', 'child_process', 'node:child_process'];
const noTestImports = { group: ['**/test/**', '**/test'], message: 'Nothing imports test code.' };
const localWitness = 'The local cloud is an independent witness: it never imports the product\'s policy, cloud, workflow, runtime, ledger or identity code.';
const cliNoLocal = 'The shipped CLI never imports the local cloud: read .crossrole/local.json through shared/contract.';
const sharedOut = { group: ['**/local/**', '**/local', '**/functions/**'], message: 'shared/ never imports the local cloud or a function.' };

// shared/workflow: use-cases/ (one file per use case) over support/, entered through index.ts only.
// (c) Outside shared/workflow, its use cases and support are reached through the barrel.
const workflowBarrel = {
  regex: '(^|/)workflow/(?!index$).',
  message: 'Outside shared/workflow, import the workflow through its barrel (shared/workflow): use-cases/ and support/ are internal.',
};
// (b) The workflow sees ports, not their implementations: only domain, policy and its own support.
const workflowInner = {
  group: ['**/cloud', '**/cloud/**', '**/ledger', '**/ledger/**', '**/runtime', '**/runtime/**', '**/identity', '**/identity/**', '@alicloud/*', 'pg', '@electric-sql/*'],
  message: 'shared/workflow imports only domain, policy and its own support: no adapter, ledger, runtime or identity code.',
};
// (a) What two use cases share lives in support/; a use case importing another (or the barrel, which re-exports them all) is coupling.
const noOtherUseCase = {
  regex: '^\\./|(^|/)use-cases(/|$)|^\\.\\.(/index)?/?$|(^|/)workflow(/index)?/?$',
  message: 'A use case never imports another use case: move what they share to shared/workflow/support.',
};
// support/ serves the use cases: it never imports one, nor the barrel that re-exports them.
const supportBelowUseCases = {
  regex: '(^|/)use-cases(/|$)|^\\.\\.(/index)?/?$|(^|/)workflow(/index)?/?$',
  message: 'shared/workflow/support never imports a use case (nor the barrel).',
};
const fixturesOf = (globs) => globs.flatMap((g) => [g, `test/lint-fixtures/${g}`]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.crossrole/**', 'bench/results.json', '**/*.js', '**/*.cjs', '**/*.mjs', 'test/lint-fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['shared/domain/**/*.ts', 'shared/policy/**/*.ts', 'test/lint-fixtures/shared/domain/**/*.ts', 'test/lint-fixtures/shared/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeIo, patterns: [...sdkAndIo, noTestImports] }],
    },
  },
  {
    files: fixturesOf(['functions/**/*.ts']),
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/functions/**'], message: 'A function never imports another function.' },
        { regex: '^\\.\\./(?!\\.\\./)', message: 'A function never imports another function.' },
        { group: ['**/local/**'], message: 'Functions never import the local cloud.' },
        noTestImports,
        workflowBarrel,
      ] }],
    },
  },
  // ESLint does not merge a rule's options across blocks: the last block that matches a file sets
  // them, so each block below repeats what it inherits and the blocks narrow from here on.
  {
    files: fixturesOf(['cli/**/*.ts', 'local/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts']),
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, workflowBarrel] }],
    },
  },
  {
    files: fixturesOf(['shared/**/*.ts']),
    ignores: fixturesOf(['shared/domain/**', 'shared/policy/**', 'shared/workflow/**']),
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, sharedOut, workflowBarrel] }],
    },
  },
  {
    files: fixturesOf(['shared/workflow/**/*.ts']),
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, sharedOut, workflowInner] }],
    },
  },
  {
    files: fixturesOf(['shared/workflow/support/**/*.ts']),
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, sharedOut, workflowInner, supportBelowUseCases] }],
    },
  },
  {
    files: fixturesOf(['shared/workflow/use-cases/**/*.ts']),
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, sharedOut, workflowInner, noOtherUseCase] }],
    },
  },
  // The local cloud is an independent witness: its services never learn RAM, MNS or FC from the
  // product (policy, cloud adapters, workflow, runtime, ledger). Only the launcher of `npm start`
  // (stack.ts, world.ts, main.ts), which deploys the product into the local cloud as bootstrap
  // would, may import product code.
  {
    files: fixturesOf(['local/**/*.ts']),
    ignores: ['local/stack.ts', 'local/world.ts', 'local/main.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, workflowBarrel, {
        group: ['**/shared/policy', '**/shared/policy/**', '**/shared/cloud', '**/shared/cloud/**', '**/shared/workflow', '**/shared/workflow/**', '**/shared/runtime/**', '**/shared/ledger', '**/shared/ledger/**', '**/shared/identity/**'],
        message: localWitness,
      }] }],
    },
  },
  // The shipped CLI reads the local stack's contract file (shared/contract), never the local cloud's
  // code: neither a static import nor a lazy import(). Replaces the generic rules above for cli/**,
  // so it repeats the test-import, workflow-barrel and named-export rules.
  {
    files: ['cli/**/*.ts', 'test/lint-fixtures/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, workflowBarrel, { group: ['**/local/**', '**/local'], message: cliNoLocal }] }],
      'no-restricted-syntax': ['error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: 'ImportExpression[source.value=/(^|\\/)local(\\/|$)/]', message: cliNoLocal },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    ignores: ['test/lint-fixtures/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
