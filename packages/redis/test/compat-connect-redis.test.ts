import { RedisStore as ConnectRedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithRedis, expiresOf, pastExpiry, prefix, session, sid } from './helpers';

// connect-redis 10 (a devDependency) on its node-redis client, beside our store on the same
// server and prefix, once on that very node-redis client and once on ioredis: an app can switch
// packages either way without logging anyone out.
await describeWithRedis('switching from connect-redis to RedisStore and back', (redis) => {
  let nodeRedis: ReturnType<typeof createClient>;
  beforeAll(async () => {
    nodeRedis = createClient({ url: redis.server.url });
    await nodeRedis.connect();
  });
  afterAll(async () => {
    await nodeRedis?.close();
  });

  for (const driver of ['node-redis', 'ioredis'] as const)
    describe(`ours on ${driver}`, () => {
      function pair(options: { prefix?: string; disableTTL?: boolean } = {}) {
        const shared = { prefix: options.prefix ?? prefix(), disableTTL: options.disableTTL };
        const theirs = new ConnectRedisStore({ client: nodeRedis, ...shared });
        const disableTTL = shared.disableTTL ?? false;
        const ours =
          driver === 'node-redis'
            ? redis.store({ client: nodeRedis, prefix: shared.prefix, disableTTL })
            : redis.store({ driver, prefix: shared.prefix, disableTTL });
        return { theirs, ours, prefix: shared.prefix };
      }

      const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
      const withoutExpires = (value: unknown) => {
        const copy = plain(value) as { cookie: Record<string, unknown> };
        delete copy.cookie.expires;
        return copy;
      };

      it('a session connect-redis wrote is read by RedisStore, with the expiry Redis really holds', async () => {
        const { theirs, ours } = pair();
        const id = sid();
        const data = session(60_000, { user: 'ada', cart: [1, 2, { n: 3 }] });
        await theirs.set(id, data);
        const loaded = await ours.get(id);
        expect(withoutExpires(loaded)).toEqual(withoutExpires(data));
        // connect-redis rounds the lifetime up to whole seconds (EX).
        const drift = Date.parse(expiresOf(loaded)) - Date.parse(expiresOf(data));
        expect(drift).toBeGreaterThanOrEqual(0);
        expect(drift).toBeLessThanOrEqual(1000);
      });

      it('a session connect-redis touched is read with the touched expiry, not the stale cookie inside it', async () => {
        const { theirs, ours } = pair();
        const id = sid();
        await theirs.set(id, session(60_000, { user: 'ada' }));
        const touched = session(600_000, { user: 'ada' });
        await theirs.touch(id, touched);
        const drift = Date.parse(expiresOf(await ours.get(id))) - Date.parse(expiresOf(touched));
        expect(drift).toBeGreaterThanOrEqual(0);
        expect(drift).toBeLessThanOrEqual(1000);
      });

      it('a session RedisStore wrote is read by connect-redis exactly as it was saved', async () => {
        const { theirs, ours } = pair();
        const id = sid();
        const data = session(60_000, { user: 'grace', flags: { admin: false }, empty: [] });
        await ours.set(id, data);
        expect(await theirs.get(id)).toEqual(plain(data));
        const ttlSeconds = await nodeRedis.ttl(`${ours.prefix}${id}`);
        expect(ttlSeconds).toBeGreaterThan(55);
        expect(ttlSeconds).toBeLessThanOrEqual(60);
      });

      it('RedisStore.touch leaves a session connect-redis can still read, and connect-redis.touch one RedisStore can', async () => {
        const { theirs, ours } = pair();
        const id = sid();
        await ours.set(id, session(60_000, { n: 1 }));
        const touched = session(120_000, { n: 0 });
        await ours.touch(id, touched);
        // The stored cookie moved with the expiry, so connect-redis (which trusts it) sees the touch too.
        expect(await theirs.get(id)).toMatchObject({ n: 1, cookie: { expires: touched.cookie.expires } });
        await theirs.touch(id, session(180_000, { n: 0 }));
        expect(await ours.get(id)).toMatchObject({ n: 1 });
      });

      it('both list, count and clear the same sessions', async () => {
        const { theirs, ours } = pair();
        const theirIds = [sid(), sid()];
        const ourIds = [sid(), sid(), sid()];
        for (const id of theirIds) await theirs.set(id, session(60_000, { by: 'connect-redis' }));
        for (const id of ourIds) await ours.set(id, session(60_000, { by: 'session-stores' }));
        const everyone = [...theirIds, ...ourIds].sort();
        expect([...(await ours.ids())].sort()).toEqual(everyone);
        expect([...((await theirs.ids()) as string[])].sort()).toEqual(everyone);
        expect(await ours.length()).toBe(5);
        expect(await theirs.length()).toBe(5);
        expect((await ours.all()).map((s) => s.id).sort()).toEqual(everyone);
        expect(((await theirs.all()) as Array<{ id: string }>).map((s) => s.id).sort()).toEqual(everyone);
        await ours.destroy(theirIds[0]!);
        await theirs.destroy(ourIds[0]!);
        expect(await theirs.get(theirIds[0]!)).toBeNull();
        expect(await ours.get(ourIds[0]!)).toBeNull();
        await ours.clear();
        expect(await theirs.length()).toBe(0);
      });

      it('the default prefix is the same: sess:', async () => {
        const theirs = new ConnectRedisStore({ client: nodeRedis });
        const ours = redis.store({ prefix: undefined });
        const id = sid();
        await theirs.set(id, session(60_000, { n: 7 }));
        expect(ours.prefix).toBe('sess:');
        expect(await ours.get(id)).toMatchObject({ n: 7 });
        await ours.destroy(id);
      });

      it('with disableTTL on both, sessions are shared, and RedisStore still honours the cookie expiry', async () => {
        const { theirs, ours } = pair({ disableTTL: true });
        const id = sid();
        const data = session(60_000, { n: 1 }) as SessionData;
        await theirs.set(id, data);
        expect(await nodeRedis.ttl(`${ours.prefix}${id}`)).toBe(-1);
        expect(await ours.get(id)).toEqual(plain(data));
        const gone = sid();
        const short = session(100, { n: 2 });
        await theirs.set(gone, short);
        await pastExpiry(short);
        expect(await ours.get(gone)).toBeNull();
        await ours.set(id, session(60_000, { n: 3 }));
        expect(await theirs.get(id)).toMatchObject({ n: 3 });
      });
    });
});
