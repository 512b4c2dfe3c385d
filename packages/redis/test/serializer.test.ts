import { expect, it } from 'vitest';
import { describeWithRedis, expiresOf, session, sid } from './helpers';

/** connect-redis's serializer contract: parse may return a Promise, and the store must await it. */
const asyncJson = {
  stringify: (value: unknown) => `v1:${JSON.stringify(value)}`,
  parse: async (text: string): Promise<unknown> => {
    await new Promise((resolve) => setImmediate(resolve));
    if (!text.startsWith('v1:')) throw new Error('not v1');
    return JSON.parse(text.slice(3)) as unknown;
  },
};

await describeWithRedis('RedisStore with a serializer whose parse is async', (redis) => {
  for (const driver of ['node-redis', 'ioredis'] as const) {
    it(`get, all, iterate and touch await parse, never returning a Promise as the session (${driver})`, async () => {
      const store = redis.store({ driver, serializer: asyncJson });
      const id = sid();
      const data = session(60_000, { user: 'ada' });
      await store.set(id, data);
      expect(await redis.admin.get(store.key(id))).toMatch(/^v1:\{/);
      const loaded = await store.get(id);
      expect(loaded).not.toBeInstanceOf(Promise);
      expect(loaded).toMatchObject({ user: 'ada' });
      expect((await store.all()).map((entry) => (entry as { user?: string }).user)).toEqual(['ada']);
      for await (const entry of store.iterate()) expect(entry.session).toMatchObject({ user: 'ada' });
      // A custom format cannot be spliced by the touch script: the store decodes it (awaiting parse) and rewrites the cookie.
      const touched = session(600_000, { user: 'stale copy' });
      await store.touch(id, touched);
      const after = await store.get(id);
      expect(after).toMatchObject({ user: 'ada' });
      expect(expiresOf(after)).toBe(expiresOf(touched));
      expect(await redis.admin.get(store.key(id))).toContain(expiresOf(touched));
    });
  }

  it('a parse that rejects is a miss reported as decodeError, not a crash', async () => {
    const store = redis.store({ serializer: asyncJson });
    const errors: unknown[] = [];
    store.on('decodeError', (event) => errors.push(event));
    const id = sid();
    await redis.admin.set(store.key(id), 'v0:{}', 'PX', 60_000);
    expect(await store.get(id)).toBeNull();
    expect(errors).toHaveLength(1);
  });
});
