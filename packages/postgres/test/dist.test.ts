import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as PostgresModule from '../src/index';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`);
// No database is needed: the store connects on its first call.
const options = { connectionString: 'postgres://nobody@127.0.0.1:1/none', pruneSessionInterval: false } as const;

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(
  `@session-stores/postgres built output${built ? '' : ' (skipped: run pnpm build first)'}`,
  () => {
    it("loads with require('@session-stores/postgres')", async () => {
      const { PostgresStore } = createRequire(import.meta.url)('@session-stores/postgres') as typeof PostgresModule;
      expect(typeof PostgresStore).toBe('function');
      const store = new PostgresStore(options);
      expect(store.table).toBe('"session"');
      expect(store.capabilities.ttlGranularityMs).toBe(1);
      await store.close();
    });

    it("gives connect-pg-simple's factory with require('@session-stores/postgres/connect-pg-simple')", async () => {
      const load = createRequire(import.meta.url);
      const factory = load('@session-stores/postgres/connect-pg-simple') as (session: unknown) => unknown;
      const { PostgresStore } = load('@session-stores/postgres') as typeof PostgresModule;
      expect(typeof factory).toBe('function');
      // The same class as the main entry's, not a second copy of it.
      expect(factory(load('express-session'))).toBe(PostgresStore);
      expect(() => factory({})).toThrow(/factory takes express-session's module/);
      const esm = (await import(pathToFileURL(`${dist}connect-pg-simple.js`).href)) as { default: typeof factory };
      const { PostgresStore: esmStore } = (await import(
        pathToFileURL(`${dist}index.js`).href
      )) as typeof PostgresModule;
      expect(esm.default({ session: { Store: Object } })).toBe(esmStore);
    });

    it('loads with import() of dist/index.js', async () => {
      const { PostgresStore } = (await import(pathToFileURL(`${dist}index.js`).href)) as typeof PostgresModule;
      expect(typeof PostgresStore).toBe('function');
      const store = new PostgresStore({ ...options, tableName: 'Sessions' });
      expect(store.table).toBe('"Sessions"');
      await expect(store.get('sid')).rejects.toMatchObject({
        name: 'SessionStoreError',
        code: 'ERR_SESSION_STORE_BACKEND',
      });
      await store.close();
    });
  },
);
