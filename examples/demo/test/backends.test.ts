import { backendForTests, backendTitle, type BackendServer } from '@session-stores/test-servers';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { SessionView } from '../src/session-view';
import { storeFromEnv } from '../src/store-from-env';
import { CookieJar } from './cookie-jar';

/**
 * The demo over HTTP on the server backends the browser test does not drive: a save writes a
 * record, and the state shows it through the store's own inspect.
 * The environment is the one a user sets for `STORE=... pnpm start`.
 */
const cases = [
  { kind: 'redis', variable: 'REDIS_URL', backend: 'Redis' },
  { kind: 'mongo', variable: 'MONGO_URL', backend: 'MongoDB' },
  { kind: 'memcached', variable: 'MEMCACHED_SERVERS', backend: 'Memcached' },
] as const;

const servers = new Map<string, BackendServer | null>();
for (const { kind } of cases) servers.set(kind, await backendForTests(kind));

describe.each(cases)('demo on $kind', ({ kind, variable, backend }) => {
  const server = servers.get(kind) ?? null;
  it.skipIf(!server)(`a save shows its record, on ${backendTitle(kind, server)}`, async () => {
    const { store } = await storeFromEnv({ STORE: kind, [variable]: server!.url });
    const app = createApp({ store, secret: 'demo backends test secret', storeKind: kind });
    const listener: Server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      const jar = new CookieJar();
      expect((await jar.fetch(`${url}/save`, { method: 'POST' })).status).toBe(303);
      const view = (await (await jar.fetch(`${url}/state`)).json()) as SessionView;
      expect(view.sid).toBe(jar.sid);
      expect(view.data).toEqual({ views: 1 });
      // Every store of the repository has inspect(sid): the page shows exactly what it returns.
      expect(view.record).toEqual(await store.inspect(jar.sid!));
      expect(view.record).toMatchObject({ backend, location: expect.stringContaining(jar.sid!) });
    } finally {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
      await store.close?.();
    }
  });
});

describe('demo on redis, sessions by user', () => {
  const server = servers.get('redis') ?? null;
  it.skipIf(!server)(
    `lists a user's sessions and logs out the other device only, with two cookie jars, on ${backendTitle('redis', server)}`,
    async () => {
      const { store } = await storeFromEnv({ STORE: 'redis', REDIS_URL: server!.url });
      const app = createApp({ store, secret: 'demo backends test secret', storeKind: 'redis' });
      const listener: Server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => listener.once('listening', resolve));
      const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      // Redis outlives the test: names of this run only, so earlier runs' sessions are not listed.
      const [ada, grace] = [`ada-${randomUUID()}`, `grace-${randomUUID()}`];
      const login = (jar: CookieJar, username: string) =>
        jar.fetch(`${url}/login`, {
          method: 'POST',
          body: new URLSearchParams({ username }),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
      const state = async (jar: CookieJar) => (await (await jar.fetch(`${url}/state`)).json()) as SessionView;
      try {
        const [laptop, phone, other] = [new CookieJar(), new CookieJar(), new CookieJar()];
        await login(laptop, ada);
        await login(phone, ada);
        await login(other, grace);
        const view = await state(laptop);
        expect(view.logoutOthers).toEqual({ available: true, reason: null });
        expect(view.userSessions?.map((entry) => entry.sid).sort()).toEqual([laptop.sid, phone.sid].sort());
        const others = await laptop.fetch(`${url}/logout-others`, {
          method: 'POST',
          headers: { accept: 'application/json' },
        });
        expect(await others.json()).toMatchObject({ message: `Logged out 1 other session(s) of ${ada}.` });
        expect((await state(phone)).sid).toBeNull();
        expect((await state(laptop)).userSessions?.map((entry) => entry.sid)).toEqual([laptop.sid]);
        expect((await state(other)).userSessions?.map((entry) => entry.sid)).toEqual([other.sid]);
      } finally {
        listener.closeAllConnections();
        await new Promise((resolve) => listener.close(resolve));
        await store.close?.();
      }
    },
  );
});
