import { sealedExpiryCases } from '../../../scripts/test-support/sealed-expiry';
import { describeWithRedis } from './helpers';

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
});
