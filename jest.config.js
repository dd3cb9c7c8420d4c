// Four tiers, each runnable alone: `npx jest --selectProjects unit`.
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

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'emulator', testMatch: ['<rootDir>/test/emulator/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // Fault injection, crash recovery, fuzzing and attacks against the whole local stack.
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
  ],
};
