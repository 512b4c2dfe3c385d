import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backendForTests } from '@session-stores/test-servers';
import { describe, expect, it } from 'vitest';
import type * as MemcachedModule from '../src/index';
import { randomPrefix, randomSid, sessionExpiringIn } from './helpers';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${dist}index.cjs`) && readFileSync(`${dist}index.cjs`, 'utf8').includes('MemcachedStore');
const server = built ? await backendForTests('memcached') : null;

/** A round trip through the built store: memjs must load in both module systems too. */
async function roundTrip({ MemcachedStore }: typeof MemcachedModule): Promise<void> {
  const store = new MemcachedStore({ servers: server ? server.url : '127.0.0.1:1', prefix: randomPrefix() });
  expect(store.capabilities.ttlGranularityMs).toBe(1000);
  if (server) {
    const sid = randomSid();
    await store.set(sid, sessionExpiringIn(60_000, { built: true }));
    expect(await store.get(sid)).toMatchObject({ built: true });
  }
  await store.close();
}

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(
  `@session-stores/memcached built output${built ? '' : ' (skipped: run pnpm build first)'}`,
  () => {
    it("loads with require('@session-stores/memcached')", async () => {
      const module = createRequire(import.meta.url)('@session-stores/memcached') as typeof MemcachedModule;
      expect(typeof module.MemcachedStore).toBe('function');
      expect(module.sessionKey('sess:', 'a b')).toBe('sess:a%20b');
      await roundTrip(module);
    });

    it('loads with import() of dist/index.js', async () => {
      const module = (await import(pathToFileURL(`${dist}index.js`).href)) as typeof MemcachedModule;
      expect(typeof module.MemcachedStore).toBe('function');
      await roundTrip(module);
    });

    it("the compatibility entry is connect-memcached's factory: require(...)(session) and import", async () => {
      const session: unknown = createRequire(import.meta.url)('express-session');
      const required = createRequire(import.meta.url)('@session-stores/memcached/connect-memcached') as unknown;
      const imported = ((await import(pathToFileURL(`${dist}connect-memcached.js`).href)) as { default: unknown })
        .default;
      for (const factory of [required, imported]) {
        expect(typeof factory).toBe('function');
        const Store = (factory as (s: unknown) => new (o: object) => { prefix: string; close(): Promise<void> })(
          session,
        );
        const store = new Store({ hosts: [server ? server.url : '127.0.0.1:1'] });
        expect(store.prefix).toBe('');
        await store.close();
      }
    });
  },
);
