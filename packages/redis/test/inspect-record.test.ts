import { expect, it } from 'vitest';
import { describeWithRedis, expiresOf, session, sid } from './helpers';

await describeWithRedis('RedisStore inspect(sid)', (redis) => {
  it.each(['node-redis', 'ioredis'] as const)('shows the key as Redis holds it, on %s', async (driver) => {
    const store = redis.store({ driver });
    const id = sid();
    const data = session(60_000, { views: 2 });
    await store.set(id, data);
    const expiresAt = Date.parse(expiresOf(data));
    expect(await store.inspect(id)).toEqual({
      backend: 'Redis',
      location: `key "${store.key(id)}"`,
      stored: await redis.admin.get(store.key(id)),
      expiresAt,
      expiry: `PEXPIRETIME ${expiresAt} (${new Date(expiresAt).toISOString()})`,
    });
    expect(await redis.admin.pexpiretime(store.key(id))).toBe(expiresAt);
    expect(await store.inspect(sid())).toBeNull();
  });

  it('says when the key has no expiry (disableTTL)', async () => {
    const store = redis.store({ disableTTL: true });
    const id = sid();
    await store.set(id, session(60_000));
    expect(await store.inspect(id)).toMatchObject({ expiresAt: null, expiry: 'no expiry on the key (disableTTL)' });
  });
});
