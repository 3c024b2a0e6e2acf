// Mutation testing of the permissions module: `npm run mutate` (= `stryker run`).
// Report: the clear-text table in the console and reports/mutation/index.html.
//
// The tests are TypeScript run through tsx, as `npm test` does: `--import tsx` in every
// test-runner process. test/helpers/stryker-setup.ts does what test/run.ts does around
// mocha (a migrated template SQLite database per run) and fixes fast-check's seed.

// Fewer fast-check runs per property keep one mutant run short; set it to override.
process.env.PORTICO_PROPERTY_RUNS ??= '10';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  testRunnerNodeArgs: ['--import', 'tsx'],
  mutate: ['server/permissions/**/*.ts'],
  mochaOptions: {
    spec: ['test/unit/permissions/**/*.test.ts'],
    extension: ['ts'],
    require: ['test/helpers/stryker-setup.ts'],
    'no-config': true,
    'no-package': true,
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
