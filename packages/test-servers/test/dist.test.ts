import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as Harness from '@session-stores/test-servers';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`);

async function startsAndStopsMemcached(harness: typeof Harness): Promise<void> {
  const server = await harness.startMemcached({ provider: 'local' });
  try {
    expect(server.provider).toBe('local');
    expect(server.url).toMatch(/^127\.0\.0\.1:\d+$/);
  } finally {
    await server.dispose();
  }
  expect(existsSync(server.local?.dir as string)).toBe(false);
}

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(
  `@session-stores/test-servers built output${built ? '' : ' (skipped: run pnpm build first)'}`,
  () => {
    it('loads with import and starts a server', async () => {
      const harness = (await import(pathToFileURL(`${dist}index.js`).href)) as typeof Harness;
      expect(typeof harness.backendForTests).toBe('function');
      await startsAndStopsMemcached(harness);
    });

    it('loads with require() and starts a server', async () => {
      const harness = createRequire(import.meta.url)(`${dist}index.cjs`) as typeof Harness;
      expect(typeof harness.startRedisSentinel).toBe('function');
      await startsAndStopsMemcached(harness);
    });

    it('loads a driver it needs (mongodb) from the CommonJS build', async (context) => {
      const harness = createRequire(import.meta.url)(`${dist}index.cjs`) as typeof Harness;
      const server = await harness.startMongo().catch((error: unknown) => {
        if (error instanceof harness.BackendUnavailableError && !harness.isStrictMode()) context.skip(error.message);
        throw error;
      });
      try {
        // The server is only ready once the harness's own mongodb ping, run from dist, answered.
        expect(server.url).toMatch(/^mongodb:\/\//);
      } finally {
        await server.dispose();
      }
    });
  },
);
