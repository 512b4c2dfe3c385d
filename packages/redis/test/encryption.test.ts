import { expect, it } from 'vitest';
import { SEALED_EXPIRY_KEY, sealedExpiryCases } from '../../../scripts/test-support/sealed-expiry';
import { describeWithRedis, expiresOf, session, sid } from './helpers';

/** Encrypted sessions in Redis: a key's TTL cannot extend a session past the expiry sealed with it. */
await describeWithRedis('RedisStore encryption', (redis) => {
  const keyOf = (store: { prefix: string }, sid: string) => `${store.prefix}${sid}`;
  sealedExpiryCases({
    make: (encryption) => redis.store({ encryption: encryption as never }),
    readPayload: async (store, sid) => String(await redis.admin.get(keyOf(store, sid))),
    async replacePayload(store, sid, payload) {
      await redis.admin.set(keyOf(store, sid), payload, 'KEEPTTL');
    },
    async extendStoredExpiry(store, sid, ms) {
      const key = keyOf(store, sid);
      await redis.admin.pexpire(key, (await redis.admin.pttl(key)) + ms);
    },
  });

  it('every touch rewrites the value, even one that only moves the date of a cookie touched before (the sealed expiry moves too)', async () => {
    const store = redis.store({ encryption: { secret: SEALED_EXPIRY_KEY } });
    const id = sid();
    await store.set(id, session(60_000, { user: 'ada' }));
    await store.touch(id, session(120_000));
    const before = await redis.admin.get(keyOf(store, id));
    const later = session(120_000);
    later.cookie.expires = new Date(Date.now() + 600_000).toISOString() as never;
    await store.touch(id, later);
    expect(await redis.admin.get(keyOf(store, id))).not.toBe(before);
    expect(expiresOf(await store.get(id))).toBe(expiresOf(later));
  });
});
