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
const cliNoLocal = 'The shipped CLI never imports the local cloud: read .crossrole/local.json through shared/contract.';

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
    files: ['functions/**/*.ts', 'test/lint-fixtures/functions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/functions/**'], message: 'A function never imports another function.' },
        { regex: '^\\.\\./(?!\\.\\./)', message: 'A function never imports another function.' },
        { group: ['**/local/**'], message: 'Functions never import the local cloud.' },
        noTestImports,
      ] }],
    },
  },
  {
    files: ['shared/**/*.ts', 'cli/**/*.ts', 'local/**/*.ts', 'scripts/**/*.ts', 'test/lint-fixtures/shared/**/*.ts', 'test/lint-fixtures/cli/**/*.ts', 'test/lint-fixtures/local/**/*.ts', 'test/lint-fixtures/scripts/**/*.ts'],
    ignores: ['shared/domain/**', 'shared/policy/**', 'test/lint-fixtures/shared/domain/**', 'test/lint-fixtures/shared/policy/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports] }],
    },
  },
  {
    files: ['shared/**/*.ts', 'test/lint-fixtures/shared/**/*.ts'],
    ignores: ['shared/domain/**', 'shared/policy/**', 'test/lint-fixtures/shared/domain/**', 'test/lint-fixtures/shared/policy/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, { group: ['**/local/**', '**/local', '**/functions/**'], message: 'shared/ never imports the local cloud or a function.' }] }],
    },
  },
  // The shipped CLI reads the local stack's contract file (shared/contract), never the local cloud's
  // code: neither a static import nor a lazy import(). Replaces the generic rules above for cli/**,
  // so it repeats the test-import and named-export rules.
  {
    files: ['cli/**/*.ts', 'test/lint-fixtures/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noTestImports, { group: ['**/local/**', '**/local'], message: cliNoLocal }] }],
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
