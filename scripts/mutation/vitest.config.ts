import { defineConfig } from 'vitest/config';
import base from '../../vitest.config';

/*
 * The tests that must kill the mutants of `pnpm mutation`: the conformance suite against the
 * reference store (and the reference store's own tests), and core's own tests. The stores'
 * conformance files exercise the core too, but need servers and take minutes per mutant. Same
 * aliases, timeouts and pool as the root config; only the files differ. dist.test.ts loads the
 * built output, which Stryker does not mutate.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['conformance/test/reference-store*.test.ts', 'packages/core/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'packages/core/test/dist.test.ts'],
    reporters: ['default'],
    outputFile: undefined,
  },
});
