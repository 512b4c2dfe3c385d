import { expect, it } from 'vitest';
import { describeWithRedis, expiresOf, pastExpiry, session, sid } from './helpers';

await describeWithRedis('RedisStore with disableTTL', (redis) => {
  it('writes keys without a Redis expiry, and still never returns a session whose cookie has expired', async () => {
    const store = redis.store({ disableTTL: true });
    const id = sid();
    const short = session(500, { n: 1 });
    await store.set(id, short);
    expect(await redis.admin.pttl(`${store.prefix}${id}`)).toBe(-1);
    expect(await store.get(id)).toMatchObject({ n: 1 });
    await pastExpiry(short);
    expect(await store.get(id)).toBeNull();
    expect(await store.ids()).toEqual([]);
    expect(await store.length()).toBe(0);
    expect(await store.all()).toEqual([]);
    // Nothing expires it in Redis: that is what the option asks for.
    expect(await redis.admin.exists(`${store.prefix}${id}`)).toBe(1);
  });

  it('touch(sid) rewrites only the stored cookie, keeping the stored data over its stale copy', async () => {
    const store = redis.store({ disableTTL: true });
    const id = sid();
    const short = session(500, { n: 1 });
    await store.set(id, short);
    const stale = session(60_000, { n: 0 });
    await store.touch(id, stale);
    await pastExpiry(short);
    const loaded = await store.get(id);
    expect(loaded).toMatchObject({ n: 1 });
    expect(expiresOf(loaded)).toBe(expiresOf(stale));
    expect(JSON.parse((await redis.admin.get(`${store.prefix}${id}`))!)).toEqual({
      ...JSON.parse(JSON.stringify(stale)),
      n: 1,
    });
    expect(await redis.admin.pttl(`${store.prefix}${id}`)).toBe(-1);
  });

  it('touch(sid) of a missing session does not create it', async () => {
    const store = redis.store({ disableTTL: true });
    const id = sid();
    await store.touch(id, session(60_000));
    expect(await redis.admin.exists(`${store.prefix}${id}`)).toBe(0);
  });
});
