import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { describeWithRedis, expiresOf, pastExpiry, session, sid } from './helpers';

await describeWithRedis('RedisStore layout and expiry', (redis) => {
  it('set(sid) writes the session JSON to the string key prefix + sid, expiring at cookie.expires to the millisecond', async () => {
    const store = redis.store();
    const id = sid();
    const data = session(60_000, { n: 1, nested: { list: [1, 'two'] } });
    await store.set(id, data);
    expect(await redis.admin.type(`${store.prefix}${id}`)).toBe('string');
    expect(await redis.admin.get(`${store.prefix}${id}`)).toBe(JSON.stringify(data));
    expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(data)));
  });

  it('set(sid) of a browser-session cookie expires after the default ttl (one day)', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, { cookie: { originalMaxAge: null, expires: null, path: '/' } } as never);
    const ttl = await redis.admin.pttl(`${store.prefix}${id}`);
    expect(ttl).toBeGreaterThan(86_400_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
  });

  it('set(sid) with a ttl function rounds a fractional lifetime up to the next millisecond', async () => {
    const store = redis.store({ ttl: () => 10.0004 });
    const id = sid();
    const before = Date.now();
    await store.set(id, session(60_000));
    const expiresAt = await redis.admin.pexpiretime(`${store.prefix}${id}`);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 10_001);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 10_001);
  });

  it('get(sid) returns the key expiry as cookie.expires, whoever moved it', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, session(60_000, { n: 1 }));
    const moved = Date.now() + 120_000;
    await redis.admin.pexpireat(`${store.prefix}${id}`, moved);
    expect(expiresOf(await store.get(id))).toBe(new Date(moved).toISOString());
  });

  it('touch(sid) replaces only the stored cookie and the key expiry, never writing its stale copy of the data', async () => {
    const store = redis.store();
    const id = sid();
    const data = session(60_000, { n: 1, text: 'a } "cookie": { ] \\ " }' });
    await store.set(id, data);
    const stale = session(600_000, { n: 0, gone: true });
    stale.cookie.originalMaxAge = 600_000;
    await store.touch(id, stale);
    const raw = JSON.parse((await redis.admin.get(`${store.prefix}${id}`))!);
    expect(raw).toEqual({ ...JSON.parse(JSON.stringify(data)), cookie: JSON.parse(JSON.stringify(stale.cookie)) });
    expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(stale)));
    const loaded = await store.get(id);
    expect(loaded).toMatchObject({ n: 1, text: data.text, cookie: { originalMaxAge: 600_000 } });
    expect(loaded).not.toHaveProperty('gone');
    expect(expiresOf(loaded)).toBe(expiresOf(stale));
  });

  it('touch(sid) splices the cookie without reformatting anything else in the stored JSON', async () => {
    const store = redis.store();
    const id = sid();
    const data = session(60_000, { big: 9007199254740991, float: 0.1, empty: [], obj: {}, s: '\u2028 "} é 🎉' });
    // Braces, quotes and backslashes inside the cookie's own strings must not end it early.
    (data.cookie as unknown as { path: string }).path = '/we}ird"\\pa{th]';
    await store.set(id, data);
    const before = (await redis.admin.get(`${store.prefix}${id}`))!;
    const touched = session(120_000);
    await store.touch(id, touched);
    const after = (await redis.admin.get(`${store.prefix}${id}`))!;
    const cookieJson = JSON.stringify(data.cookie);
    expect(before.startsWith(`{"cookie":${cookieJson}`)).toBe(true);
    expect(after).toBe(`{"cookie":${JSON.stringify(touched.cookie)}${before.slice(`{"cookie":${cookieJson}`.length)}`);
  });

  it('touch(sid) of a session whose cookie is not its first key (written by another tool) rewrites it with a compare-and-set', async () => {
    const store = redis.store();
    const id = sid();
    const key = `${store.prefix}${id}`;
    const written = session(60_000);
    await redis.admin.set(key, JSON.stringify({ n: 1, cookie: written.cookie }), 'PX', 60_000);
    const touched = session(120_000, { n: 0 });
    await store.touch(id, touched);
    expect(JSON.parse((await redis.admin.get(key))!)).toEqual({
      n: 1,
      cookie: JSON.parse(JSON.stringify(touched.cookie)),
    });
    expect(await redis.admin.pexpiretime(key)).toBe(Date.parse(expiresOf(touched)));
  });

  it.each([
    ['encryption', { encryption: { secret: 'a secret of at least sixteen characters' } }],
    [
      'a custom serializer',
      {
        serializer: {
          stringify: (value: unknown) => `v1:${JSON.stringify(value)}`,
          parse: (text: string) => JSON.parse(text.slice(3)),
        },
      },
    ],
  ])(
    "touch(sid) with %s rewrites the cookie through the store's own encoding, keeping the data",
    async (_, options) => {
      const store = redis.store(options);
      const id = sid();
      await store.set(id, session(60_000, { n: 1, secretish: 'visible only to the store' }));
      const touched = session(120_000, { n: 0 });
      touched.cookie.originalMaxAge = 120_000;
      await store.touch(id, touched);
      const raw = (await redis.admin.get(`${store.prefix}${id}`))!;
      if ('encryption' in options) expect(raw).not.toContain('visible only');
      else expect(raw.startsWith('v1:')).toBe(true);
      expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(touched)));
      expect(await store.get(id)).toEqual({
        ...JSON.parse(JSON.stringify(touched)),
        n: 1,
        secretish: 'visible only to the store',
      });
    },
  );

  it('touch(sid) with a cookie JSON cannot hold fails with a serialize error and leaves the session as it was', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, session(60_000, { n: 1 }));
    const before = await redis.admin.get(`${store.prefix}${id}`);
    const odd = session(120_000);
    (odd.cookie as unknown as { domain: unknown }).domain = 10n;
    await expect(store.touch(id, odd)).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_SERIALIZE',
      message: expect.stringMatching(/^RedisStore\.touch failed: /),
    });
    expect(await redis.admin.get(`${store.prefix}${id}`)).toBe(before);
  });

  it('touch(sid) then save() of the loaded session keeps the touched expiry (no silent logout)', async () => {
    const store = redis.store();
    const id = sid();
    const short = session(500, { user: 'ada' });
    await store.set(id, short);
    const touched = session(60_000, { user: 'ada' });
    await store.touch(id, touched);
    // express-session's req.session.save() writes back the cookie that get() returned.
    const loaded = await store.get(id);
    await store.set(id, loaded!);
    // Past the first expiry: only the touched one keeps the session.
    await pastExpiry(short);
    expect(await store.get(id)).toMatchObject({ user: 'ada' });
    expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(touched)));
  });

  it('touch(sid) that only moves cookie.expires moves the key expiry and leaves the value: get and save() see the new date', async () => {
    const store = redis.store();
    const id = sid();
    const data = session(60_000, { n: 1 });
    await store.set(id, data);
    const before = await redis.admin.get(`${store.prefix}${id}`);
    const touched = session(60_000, { n: 0 });
    touched.cookie.expires = new Date(Date.parse(expiresOf(data)) + 30_000).toISOString() as never;
    await store.touch(id, touched);
    expect(await redis.admin.get(`${store.prefix}${id}`)).toBe(before);
    expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(touched)));
    const loaded = await store.get(id);
    expect(loaded).toEqual({ ...JSON.parse(JSON.stringify(data)), cookie: JSON.parse(JSON.stringify(touched.cookie)) });
    // save() of what get returned keeps the touched expiry (clause 56).
    await store.set(id, loaded!);
    expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(touched)));
  });

  it("touch(sid) with a ttl function rewrites the stored cookie even when only its date moves (the key expiry is not the cookie's)", async () => {
    const store = redis.store({ ttl: () => 600 });
    const id = sid();
    const data = session(60_000, { n: 1 });
    await store.set(id, data);
    const touched = session(60_000, { n: 0 });
    touched.cookie.expires = new Date(Date.parse(expiresOf(data)) + 30_000).toISOString() as never;
    await store.touch(id, touched);
    expect(expiresOf(await store.get(id))).toBe(expiresOf(touched));
    expect(expiresOf(JSON.parse((await redis.admin.get(`${store.prefix}${id}`))!))).toBe(expiresOf(touched));
  });

  it('touch(sid) with any other cookie change (remember me: a new maxAge) rewrites the stored cookie, even right after get', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, session(60_000, { n: 1 }));
    const loaded = (await store.get(id))!;
    const remembered = session(3_600_000, { n: 0 });
    await store.touch(id, remembered);
    const raw = JSON.parse((await redis.admin.get(`${store.prefix}${id}`))!);
    expect(raw).toEqual({
      ...JSON.parse(JSON.stringify(loaded)),
      cookie: JSON.parse(JSON.stringify(remembered.cookie)),
    });
    expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(remembered)));
  });

  it('touch(sid) from a copy older than a cookie another process stored keeps that newer cookie and moves the expiry', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, session(60_000, { n: 1 }));
    // Another app instance stores a new cookie after this process last saw the session.
    const elsewhere = session(600_000, { n: 2 });
    await redis.admin.set(`${store.prefix}${id}`, JSON.stringify(elsewhere), 'PXAT', Date.parse(expiresOf(elsewhere)));
    const touched = session(60_000);
    await store.touch(id, touched);
    expect(await redis.admin.get(`${store.prefix}${id}`)).toBe(JSON.stringify(elsewhere));
    expect(await redis.admin.pexpiretime(`${store.prefix}${id}`)).toBe(Date.parse(expiresOf(touched)));
    expect(await store.get(id)).toEqual({
      n: 2,
      cookie: { ...JSON.parse(JSON.stringify(elsewhere.cookie)), expires: expiresOf(touched) },
    });
    // A touch from that loaded copy with a cookie change of its own takes the script again.
    const remembered = session(3_600_000);
    await store.touch(id, remembered);
    expect(JSON.parse((await redis.admin.get(`${store.prefix}${id}`))!)).toEqual({
      n: 2,
      cookie: JSON.parse(JSON.stringify(remembered.cookie)),
    });
  });

  it('touch(sid) of a missing key does not create it', async () => {
    const store = redis.store();
    const id = sid();
    await store.touch(id, session(60_000, { n: 1 }));
    expect(await redis.admin.exists(`${store.prefix}${id}`)).toBe(0);
  });

  it('set(sid) with an expiry already past deletes the key instead of writing it', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, session(60_000, { n: 1 }));
    await store.set(id, session(-1_000, { n: 2 }));
    expect(await redis.admin.exists(`${store.prefix}${id}`)).toBe(0);
  });

  it('destroy(sid) removes the key', async () => {
    const store = redis.store();
    const id = sid();
    await store.set(id, session(60_000));
    await store.destroy(id);
    expect(await redis.admin.exists(`${store.prefix}${id}`)).toBe(0);
  });

  it('get(sid) of a key that is not a string is a backend error, not a miss', async () => {
    const store = redis.store();
    const id = sid();
    await redis.admin.hset(`${store.prefix}${id}`, 'a', '1');
    await expect(store.get(id)).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(/^RedisStore\.get failed: .*WRONGTYPE/),
    });
  });

  it.each([
    ['stringNumbers', { stringNumbers: true }],
    ['RESP2', { protocol: 2 as const }],
    ['a keyPrefix', { keyPrefix: 'kp:' }],
  ])('works the same through a client with %s', async (_, clientOptions) => {
    const client = new Redis(redis.server.url, clientOptions);
    try {
      const store = redis.store({ client });
      const id = sid();
      const data = session(60_000, { n: 1 });
      await store.set(id, data);
      expect(expiresOf(await store.get(id))).toBe(expiresOf(data));
      const touched = session(120_000, { n: 0 });
      await store.touch(id, touched);
      expect(await store.get(id)).toEqual({ ...JSON.parse(JSON.stringify(touched)), n: 1 });
      const other = sid();
      await client.set(store.key(other), JSON.stringify({ n: 2, cookie: data.cookie }), 'PX', 60_000);
      await store.touch(other, touched);
      expect(await store.get(other)).toEqual({ n: 2, cookie: JSON.parse(JSON.stringify(touched.cookie)) });
      expect((await store.all()).map((s) => s.id).sort()).toEqual([id, other].sort());
      expect(await store.get(sid())).toBeNull();
      await store.clear();
      expect(await store.length()).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
