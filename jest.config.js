// The tiers, each runnable alone: `npx jest --selectProjects unit`.
// @swc/jest strips types only (fast); `npm run lint` runs tsc for the type check.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  // PGlite's CJS build loads its WASM via dynamic import(), which jest's VM refuses without
  // --experimental-vm-modules; swc rewrites those import() calls to require().
  '/node_modules/@electric-sql/pglite[^/]*/dist/.+\\.c?js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const common = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite)'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // NodeNext needs `.js` on dynamic imports of our own TS modules; resolve them to the .ts source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

// Parity: the same files against the local cloud (`parity`, in every run) and, only when
// CROSSROLE_LIVE=1 (`npm run test:live`), against a real Alibaba Cloud account (`live`).
// test/parity/README.md documents the variables.
const parityMatch = ['<rootDir>/test/parity/**/*.test.ts'];
const paritySetup = ['<rootDir>/test/parity/setup-timeout.ts'];
function liveProject() {
  const missing = require('./test/parity/live-env.json').required.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    // The one line a run without an account prints; no test file matches, so `--passWithNoTests` exits 0.
    console.log(`[live] skipped: set ${missing.join(', ')} to run the parity tests against a real account (test/parity/README.md)`);
    return { ...common, displayName: 'live', testMatch: ['<rootDir>/test/parity/no-live-account/**/*.test.ts'] };
  }
  return { ...common, displayName: 'live', testMatch: parityMatch, setupFilesAfterEnv: paritySetup, globalSetup: '<rootDir>/test/parity/live-setup.ts', globals: { CROSSROLE_TARGET: 'live' } };
}

/** @type {import('jest').Config} */
module.exports = {
  // Two workers on the 2-core CI machine: most of an e2e or fault test's time is spent waiting on the
  // local stack (timers, queues, child processes), so two files overlap well. Measured on a full run:
  // 521 s with two workers against about 780 s with jest's default of one (cores - 1).
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'emulator', testMatch: ['<rootDir>/test/emulator/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // Fault injection, crash recovery, fuzzing and attacks against the whole local stack.
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
    { ...common, displayName: 'parity', testMatch: parityMatch, setupFilesAfterEnv: paritySetup, globals: { CROSSROLE_TARGET: 'local' } },
    ...(process.env.CROSSROLE_LIVE === '1' ? [liveProject()] : []),
  ],
};
