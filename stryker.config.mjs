// Mutation testing of the permissions module: `npm run mutate` (= `stryker run`).
// Report: the clear-text table in the console and reports/mutation/index.html.
//
// Stryker 9 with the command test runner. Why not @stryker-mutator/mocha-runner: its
// versions that accept mocha 12 (10.x) need Stryker 10, which refuses to start on
// Node.js 20 (this project's runtime, engines ">=20.19"), and the 9.x runner declares a
// peer mocha < 12 that `npm ci` rejects. The command runner runs the suite exactly as
// `npm test` does (test/run.ts prepares the template database), for each mutant; the
// preloaded test/helpers/stryker-setup.ts fixes fast-check's seed so that the property
// tests meet the same worlds on every run.

// Fewer fast-check runs per property keep one mutant run short; set it to override.
process.env.PORTICO_PROPERTY_RUNS ??= '10';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'command',
  commandRunner: {
    command: 'node --import tsx --import ./test/helpers/stryker-setup.ts test/run.ts test/unit/permissions/*.test.ts',
  },
  mutate: ['server/permissions/**/*.ts'],
  coverageAnalysis: 'off',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['data', 'reports', 'test-results'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
