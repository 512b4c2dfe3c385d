import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as MongoModule from '../src/index';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`);
// No server is needed: nothing is asked of port 1 before the first call, which fails fast.
const options = { mongoUrl: 'mongodb://127.0.0.1:1/none', autoRemove: 'disabled', operationTimeoutMs: 1000 } as const;

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(`@session-stores/mongo built output${built ? '' : ' (skipped: run pnpm build first)'}`, () => {
  it("loads with require('@session-stores/mongo')", async () => {
    const loaded = createRequire(import.meta.url)('@session-stores/mongo') as typeof MongoModule;
    expect(typeof loaded.MongoStore).toBe('function');
    expect(loaded.default).toBe(loaded.MongoStore);
    const store = loaded.MongoStore.create(options);
    expect(store.capabilities.ttlGranularityMs).toBe(1);
    expect(store.autoRemove).toBe('disabled');
    await store.close();
  });

  it('is required as connect-mongo 4 and 5 were: require(...).create and require(...).default', async () => {
    const required = createRequire(import.meta.url)('@session-stores/mongo') as typeof MongoModule;
    expect(required.default).toBe(required.MongoStore);
    expect(required.MongoStoreWarningCode.ttlIndexRefused).toBe('ERR_MONGO_STORE_TTL_INDEX_REFUSED');
    const store = required.create(options);
    expect(store).toBeInstanceOf(required.MongoStore);
    expect(store.constructor.name).toBe('MongoStore');
    await store.close();
  });

  it('loads with import() of dist/index.js', async () => {
    const { MongoStore, MongoStoreWarningCode } = (await import(
      pathToFileURL(`${dist}index.js`).href
    )) as typeof MongoModule;
    expect(typeof MongoStore).toBe('function');
    expect(MongoStore.name).toBe('MongoStore');
    expect(MongoStoreWarningCode.ttlIndexRefused).toBe('ERR_MONGO_STORE_TTL_INDEX_REFUSED');
    const store = new MongoStore(options);
    await expect(store.get('sid')).rejects.toMatchObject({
      name: 'SessionStoreError',
      code: 'ERR_SESSION_STORE_BACKEND',
    });
    await store.close();
  });
});
