import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { escapeGlob } from '../src/index';
import { RecentKeys } from '../src/key-scan';
import { describeWithRedis, pastExpiry, prefix, session, sid } from './helpers';

const sorted = (values: string[]) => [...values].sort();

await describeWithRedis('RedisStore enumeration (SCAN)', (redis) => {
  it('escapeGlob escapes every SCAN MATCH glob character', () => {
    expect(escapeGlob('a*b?c[d]e\\f:')).toBe('a\\*b\\?c\\[d\\]e\\\\f:');
    expect(escapeGlob('sess:')).toBe('sess:');
  });

  it('RecentKeys drops a repeat within its window and holds a bounded number of keys', () => {
    const seen = new RecentKeys(4);
    expect(['a', 'b', 'a', 'c', 'b'].map((key) => seen.add(key))).toEqual([true, true, false, true, false]);
    for (let n = 0; n < 1000; n += 1) seen.add(`k${n}`);
    const held = seen as unknown as { current: Set<string>; previous: Set<string> };
    expect(held.current.size + held.previous.size).toBeLessThanOrEqual(4);
    expect(seen.add('k999')).toBe(false);
  });

  it('all, ids, length and iterate page through many sessions, each exactly once', async () => {
    const store = redis.store({ scanCount: 7 });
    const ids = Array.from({ length: 53 }, () => sid());
    await Promise.all(ids.map((id, n) => store.set(id, session(60_000, { n }))));
    expect(sorted(await store.ids())).toEqual(sorted(ids));
    expect(await store.length()).toBe(53);
    const all = await store.all();
    expect(sorted(all.map((s) => s.id))).toEqual(sorted(ids));
    for (const entry of all) expect((entry as unknown as { n: number }).n).toBe(ids.indexOf(entry.id));
    const walked: string[] = [];
    for await (const { sid: id } of store.iterate()) walked.push(id);
    expect(sorted(walked)).toEqual(sorted(ids));
  });

  it('all() returns the key expiry as cookie.expires, so touched sessions are listed as live', async () => {
    const store = redis.store();
    const id = sid();
    const short = session(500, { n: 1 });
    await store.set(id, short);
    const touched = session(60_000);
    await store.touch(id, touched);
    await pastExpiry(short);
    const all = await store.all();
    expect(all.map((s) => s.id)).toEqual([id]);
    expect(all[0]!.cookie.expires).toBe(touched.cookie.expires);
  });

  it('a prefix with glob characters matches only itself', async () => {
    const tag = prefix().slice(0, -1);
    const globby = redis.store({ prefix: `${tag}[ab]*?\\:` });
    // Keys the unescaped pattern would match too.
    const lookalikes = [`${tag}a-x\\:1`, `${tag}[ab]xy\\:2`, `${tag}bzz:3`];
    for (const key of lookalikes) await redis.admin.set(key, JSON.stringify(session(60_000)));
    const id = sid();
    await globby.set(id, session(60_000, { mine: true }));
    expect(await globby.ids()).toEqual([id]);
    expect(await globby.length()).toBe(1);
    expect((await globby.all()).map((s) => s.id)).toEqual([id]);
    await globby.clear();
    expect(await globby.length()).toBe(0);
    for (const key of lookalikes) expect(await redis.admin.exists(key)).toBe(1);
  });

  it('sids with glob and pattern characters are ordinary keys', async () => {
    const store = redis.store();
    const sids = ['*', '?', '[a]', 'a*', '\\', 'x/y.%', 'with space', 'émoji 🎉', '__proto__'];
    for (const id of sids) await store.set(id, session(60_000, { id_: id }));
    await store.set('a', session(60_000, { id_: 'a' }));
    expect(sorted(await store.ids())).toEqual(sorted([...sids, 'a']));
    await store.destroy('*');
    await store.destroy('[a]');
    expect(await store.get('a')).toMatchObject({ id_: 'a' });
    expect(await store.get('a*')).toMatchObject({ id_: 'a*' });
    expect(await store.get('*')).toBeNull();
    expect(await store.length()).toBe(sids.length - 1);
  });

  it('clear() deletes only this prefix, leaving other stores and unrelated data', async () => {
    const mine = redis.store({ scanCount: 5 });
    const theirs = redis.store();
    const mineIds = Array.from({ length: 23 }, () => sid());
    for (const id of mineIds) await mine.set(id, session(60_000));
    const theirId = sid();
    await theirs.set(theirId, session(60_000));
    const unrelated = `${prefix()}other`;
    await redis.admin.set(unrelated, 'keep me');
    await mine.clear();
    expect(await mine.length()).toBe(0);
    for (const id of mineIds) expect(await mine.get(id)).toBeNull();
    expect(await theirs.get(theirId)).not.toBeNull();
    expect(await redis.admin.get(unrelated)).toBe('keep me');
  });

  it("stores whose prefixes nest (sess: and sess:admin:) never list, count, walk or clear each other's sessions", async () => {
    const base = prefix();
    const outer = redis.store({ prefix: `${base}sess:`, scanCount: 3 });
    const inner = redis.store({ prefix: `${base}sess:admin:`, scanCount: 3 });
    const outerIds = [sid(), sid(), sid()];
    const innerIds = [sid(), sid()];
    for (const id of outerIds) await outer.set(id, session(60_000, { by: 'outer' }));
    for (const id of innerIds) await inner.set(id, session(60_000, { by: 'admin' }));
    expect(sorted(await outer.ids())).toEqual(sorted(outerIds));
    expect(await outer.length()).toBe(3);
    expect(sorted((await outer.all()).map((s) => s.id))).toEqual(sorted(outerIds));
    const walked: string[] = [];
    for await (const { sid: id } of outer.iterate()) walked.push(id);
    expect(sorted(walked)).toEqual(sorted(outerIds));
    expect(sorted(await inner.ids())).toEqual(sorted(innerIds));
    await outer.clear();
    expect(await outer.length()).toBe(0);
    for (const id of innerIds) expect(await inner.get(id)).toMatchObject({ by: 'admin' });
    expect(await inner.length()).toBe(2);
  });

  it('a sid holding ":" (the namespace separator) is never stored: set fails, get misses, destroy and touch do nothing', async () => {
    const outer = redis.store();
    const inner = redis.store({ prefix: `${outer.prefix}admin:` });
    const id = sid();
    await inner.set(id, session(60_000, { by: 'admin' }));
    // The outer store's sid that would name the inner store's key.
    const nested = `admin:${id}`;
    await expect(outer.set(nested, session(60_000))).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
      message: expect.stringMatching(/may not contain ":"/),
    });
    expect(await outer.get(nested)).toBeNull();
    await outer.touch(nested, session(600_000));
    await outer.destroy(nested);
    expect(await inner.get(id)).toMatchObject({ by: 'admin' });
  });

  it('keys under the prefix that are not strings are not sessions: skipped, counted out and left alone', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, session(60_000));
    await redis.admin.hset(`${store.prefix}a-hash`, 'field', 'value');
    expect(await store.ids()).toEqual([id]);
    expect(await store.length()).toBe(1);
    expect((await store.all()).map((s) => s.id)).toEqual([id]);
    await store.clear();
    expect(await redis.admin.exists(`${store.prefix}a-hash`)).toBe(1);
  });

  it('corrupt values are missed and reported through decodeError, never crashing enumeration', async () => {
    const store = redis.store();
    const good = sid();
    await store.set(good, session(60_000));
    await redis.admin.set(`${store.prefix}bad`, '{not json', 'PX', 60_000);
    const reported: string[] = [];
    store.on('decodeError', (event: { sid: string }) => reported.push(event.sid));
    expect((await store.all()).map((s) => s.id)).toEqual([good]);
    expect(reported).toEqual(['bad']);
  });

  it('works through a client with its own keyPrefix, which SCAN patterns and replies do not get', async () => {
    const keyPrefix = prefix();
    const client = new Redis(redis.server.url, { keyPrefix });
    try {
      const store = redis.store({ client });
      const ids = [sid(), sid(), sid()];
      for (const id of ids) await store.set(id, session(60_000));
      expect(await redis.admin.exists(`${keyPrefix}${store.prefix}${ids[0]}`)).toBe(1);
      expect(sorted(await store.ids())).toEqual(sorted(ids));
      expect(sorted((await store.all()).map((s) => s.id))).toEqual(sorted(ids));
      await store.clear();
      expect(await store.length()).toBe(0);
      expect(await redis.admin.exists(`${keyPrefix}${store.prefix}${ids[0]}`)).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
