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
  // String literals are error messages, warning texts and labels: the suite checks error codes,
  // types and that a message names the store and the operation (clause 54), not its wording, so
  // each such mutant would cost a whole suite run to report what is known. Leaving them out
  // took a third off the first run on this machine.
  mutator: { excludedMutations: ['StringLiteral'] },
  // One checker and one test runner: the machine is shared, and `pnpm mutation` runs niced.
  concurrency: 2,
  // On top of 1.5x the mutant's tests' own time: an infinite loop is detected in seconds.
  timeoutMS: 5_000,
  incremental: true,
  incrementalFile: 'bench/results/mutation-incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'bench/results/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.tmp/stryker',
  cleanTempDir: 'always',
};
