import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as SqliteModule from '../src/index';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`);

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(`@session-stores/sqlite built output${built ? '' : ' (skipped: run pnpm build first)'}`, () => {
  it("loads with require('@session-stores/sqlite')", async () => {
    const { SqliteStore } = createRequire(import.meta.url)('@session-stores/sqlite') as typeof SqliteModule;
    expect(typeof SqliteStore).toBe('function');
    const store = new SqliteStore({ filename: ':memory:', pruneInterval: false });
    await store.set('sid', { cookie: { expires: new Date(Date.now() + 60_000).toISOString() } } as never);
    expect(await store.length()).toBe(1);
    await store.close();
  });

  it('loads with import() of dist/index.js', async () => {
    const { SqliteStore } = (await import(pathToFileURL(`${dist}index.js`).href)) as typeof SqliteModule;
    expect(typeof SqliteStore).toBe('function');
    const store = new SqliteStore({ filename: ':memory:', pruneInterval: false });
    expect(store.capabilities.ttlGranularityMs).toBe(1);
    await store.close();
  });

  it("the anchors' shapes: require('@session-stores/sqlite/connect-sqlite3')(session) and the better-sqlite3-session-store one", async () => {
    const require = createRequire(import.meta.url);
    const session = require('express-session') as unknown;
    const SQLiteStore = (
      require('@session-stores/sqlite/connect-sqlite3') as (s: unknown) => new (o: object) => SqliteModule.SqliteStore
    )(session);
    const store = new SQLiteStore({ db: ':memory:', pruneInterval: false });
    expect(await store.layout()).toBe('connect-sqlite3');
    await store.close();
    const Store = (require('@session-stores/sqlite/better-sqlite3-session-store') as (s: unknown) => unknown)(session);
    expect(typeof Store).toBe('function');
    const esm = (await import(pathToFileURL(`${dist}connect-sqlite3.js`).href)) as { default: unknown };
    expect(typeof esm.default).toBe('function');
  });
});
