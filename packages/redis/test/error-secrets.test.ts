import { secretsIn } from '@session-stores/conformance';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, expect, it } from 'vitest';
import { describeWithRedis, prefix, session, sid as newSid } from './helpers';

// Both drivers' reply errors tell what the command was: ioredis puts its arguments (the key,
// which holds the sid, and the session JSON) in `command.args`. The store's error must keep
// neither (clause 66), whichever driver it runs on.
await describeWithRedis('RedisStore errors carry no sid and no session contents', (redis) => {
  const ioredis = new Redis(redis.server.url);
  const nodeRedis = createClient({ url: redis.server.url });
  afterAll(async () => {
    ioredis.disconnect();
    await nodeRedis.quit().catch(() => {});
  });

  for (const driver of ['ioredis', 'node-redis'] as const) {
    it(`a reply error from Redis (WRONGTYPE) on ${driver}`, async () => {
      if (driver === 'node-redis' && !nodeRedis.isOpen) await nodeRedis.connect();
      const keyPrefix = prefix();
      const store = redis.store({ client: driver === 'ioredis' ? ioredis : nodeRedis, prefix: keyPrefix } as never);
      const sid = `${newSid()}-secret-sid`;
      const marker = `contents-${newSid()}`;
      await store.set(sid, session(60_000, { marker }));
      // The key now holds a list: every command of the store on it is a WRONGTYPE reply.
      await redis.admin.del(`${keyPrefix}${sid}`);
      await redis.admin.rpush(`${keyPrefix}${sid}`, marker);
      const failures: unknown[] = [];
      await store.get(sid).catch((error: unknown) => failures.push(error));
      await store.touch(sid, session(60_000, { marker })).catch((error: unknown) => failures.push(error));
      expect(failures.length).toBeGreaterThan(0);
      for (const error of failures) {
        expect(error).toMatchObject({ code: 'ERR_SESSION_STORE_BACKEND', message: expect.stringMatching(/WRONGTYPE/) });
        expect(secretsIn(error, [sid, marker])).toEqual([]);
        expect(JSON.stringify(error)).not.toMatch(/secret-sid|contents-/);
      }
    });
  }
});
