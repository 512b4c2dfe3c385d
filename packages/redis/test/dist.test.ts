import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as RedisModule from '../src/index';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`);
// No server is needed: nothing listens on port 1, so a call fails fast through the store's own client.
const url = 'redis://127.0.0.1:1';

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(`@session-stores/redis built output${built ? '' : ' (skipped: run pnpm build first)'}`, () => {
  it("loads with require('@session-stores/redis')", async () => {
    const { RedisStore } = createRequire(import.meta.url)('@session-stores/redis') as typeof RedisModule;
    expect(typeof RedisStore).toBe('function');
    const store = new RedisStore({ url, clientOptions: { lazyConnect: true } });
    expect(store.key('abc')).toBe('sess:abc');
    expect(store.capabilities.ttlGranularityMs).toBe(1);
    await store.close();
  });

  it('loads with import() of dist/index.js', async () => {
    const { RedisStore, escapeGlob } = (await import(pathToFileURL(`${dist}index.js`).href)) as typeof RedisModule;
    expect(typeof RedisStore).toBe('function');
    expect(escapeGlob('a*')).toBe('a\\*');
    const store = new RedisStore({ url, prefix: 'app:' });
    await expect(store.get('sid')).rejects.toMatchObject({
      name: 'SessionStoreError',
      code: 'ERR_SESSION_STORE_BACKEND',
      message: /^RedisStore\.get failed: /,
    });
    await store.close();
  });
});
