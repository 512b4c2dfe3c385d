import { defineConfig } from 'vitest/config';
import base from '../../vitest.config';

/*
 * The tests that must kill the mutants of `pnpm mutation`: the conformance suite against the
 * reference store, and core's own tests (which include the conformance suite against a store
 * built on the core). Same aliases, timeouts and pool as the root config; only the files
 * differ. dist.test.ts files load the built output, which Stryker does not mutate.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['conformance/test/reference-store.test.ts', 'packages/core/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'packages/core/test/dist.test.ts'],
    reporters: ['default'],
    outputFile: undefined,
  },
});
