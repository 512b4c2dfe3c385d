// `pnpm mutation`: mutation testing of the reference store and the core (issue 20). Never part
// of `pnpm test`: it runs the suite once per mutant. Results go to bench/results/mutation.*;
// the incremental file there is committed so a rerun only tests the mutants whose code or
// tests changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  // pnpm does not hoist the plugins next to @stryker-mutator/core, so name them.
  plugins: ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker'],
  testRunner: 'vitest',
  vitest: { configFile: 'scripts/mutation/vitest.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: ['conformance/src/reference-store.ts', 'packages/core/src/**/*.ts', '!packages/core/src/index.ts'],
  // Only the files the tests and the checker need go into the sandbox (node_modules is linked).
  ignorePatterns: [
    '/*',
    '!/package.json',
    '!/tsconfig*.json',
    '!/vitest.config.ts',
    '!/scripts',
    '!/conformance',
    '!/packages',
    '/packages/*',
    '!/packages/core',
    '**/dist',
  ],
  coverageAnalysis: 'perTest',
  // Code run once at module load (constants, message tables) is covered by every test: each of
  // its mutants would rerun the whole suite for little information.
  ignoreStatic: true,
  // One checker and two test runners: the machine is shared, and `pnpm mutation` runs niced.
  concurrency: 3,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'bench/results/mutation-incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'bench/results/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.tmp/stryker',
  cleanTempDir: 'always',
};
