import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources; the one test per package that loads the built
// output (dist) imports it by path, so both are covered.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@session-stores\/conformance$/, replacement: here('./conformance/src/index.ts') },
      // Every other workspace package lives in packages/<name>: no list to keep by hand.
      { find: /^@session-stores\/([a-z0-9-]+)$/, replacement: here('./packages/$1/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'conformance/test/**/*.test.ts',
      'conformance/examples/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'scripts/packed/**/*.test.ts',
      'bench/soak/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    // .ci/run asks for a JSON summary too, to print one plain "N passed, N failed" line.
    reporters: process.env.VITEST_SUMMARY_FILE ? ['default', 'json'] : ['default'],
    outputFile: process.env.VITEST_SUMMARY_FILE ? { json: process.env.VITEST_SUMMARY_FILE } : undefined,
  },
});
