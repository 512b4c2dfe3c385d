import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { expiresOf, redisAt, session, sid, type TestRedis } from './helpers';
import { isStrictMode, ProviderUnavailableError, startLocalRedisWithConfig } from '@session-stores/test-servers';

// A Redis 7 that answers PEXPIRETIME like Redis 6.2 does: "unknown command". Local binaries
// only; without them the file is skipped (an error in strict mode).
async function legacyRedis(): Promise<TestRedis | null> {
  try {
    return redisAt(await startLocalRedisWithConfig(['rename-command PEXPIRETIME ""']), { dispose: true });
  } catch (error) {
    if (error instanceof ProviderUnavailableError && !isStrictMode()) {
      console.warn(`[harness] redis without PEXPIRETIME skipped: ${error.message}`);
      return null;
    }
    throw error;
  }
}
const legacy = await legacyRedis();

const closeTo = (iso: string, expected: number) => Math.abs(Date.parse(iso) - expected);

describe.skipIf(!legacy)('RedisStore on a Redis without PEXPIRETIME (before 7.0)', () => {
  const redis = legacy!;
  it('the server really lacks PEXPIRETIME', async () => {
    await expect(redis.admin.pexpiretime('x')).rejects.toThrow(/unknown command/);
  });

  it('get(sid) falls back to PTTL plus the local clock, once, and keeps working', async () => {
    const client = new Redis(redis.server.url);
    try {
      const store = redis.store({ client });
      const id = sid();
      const data = session(60_000, { n: 1 });
      await store.set(id, data);
      const first = await store.get(id);
      expect(first).toMatchObject({ n: 1 });
      expect(closeTo(expiresOf(first), Date.parse(expiresOf(data)))).toBeLessThan(50);
      const touched = session(120_000);
      await store.touch(id, touched);
      expect(closeTo(expiresOf(await store.get(id)), Date.parse(expiresOf(touched)))).toBeLessThan(50);
      expect(await store.get(sid())).toBeNull();
    } finally {
      client.disconnect();
    }
  });

  it('all() reads expiries with PTTL too', async () => {
    const store = redis.store();
    const ids = [sid(), sid()];
    const data = session(60_000);
    for (const id of ids) await store.set(id, data);
    const all = await store.all();
    expect(all.map((s) => s.id).sort()).toEqual([...ids].sort());
    for (const entry of all)
      expect(closeTo(entry.cookie.expires as unknown as string, Date.parse(expiresOf(data)))).toBeLessThan(50);
  });
});
