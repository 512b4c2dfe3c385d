import memjs from 'memjs';
import { backendTitle } from '@session-stores/test-servers';
import { describe, expect, it } from 'vitest';
import { MemcachedStore, sessionKey } from '../src';
import {
  browserSession,
  DAY_MS,
  dumpKeys,
  eventually,
  expectAbout,
  randomPrefix,
  rawFill,
  randomSid,
  rawGet,
  rawSet,
  remainingSeconds,
  sessionExpiringIn,
  testServer,
} from './helpers';

const { server, endpoint, makeStore } = await testServer();

describe.skipIf(!server)(backendTitle('memcached', server), () => {
  describe('MemcachedStore TTL rules', () => {
    it('set(sid) with 31, 60 and 400 days sends an absolute Unix exptime that memcached keeps', async () => {
      const store = makeStore();
      for (const days of [31, 60, 400]) {
        const sid = randomSid();
        const session = sessionExpiringIn(days * DAY_MS, { days });
        await store.set(sid, session);
        expect(await store.get(sid)).toMatchObject({ days });
        const expiresAt = Date.parse(session.cookie.expires as unknown as string);
        const exp = (await dumpKeys(endpoint)).get(sessionKey(store.prefix, sid));
        expect(exp).toBeDefined();
        // Rounded up, plus the one-second clock margin: after the cookie's expiry, less than two seconds after it.
        expect(exp! * 1000).toBeGreaterThan(expiresAt);
        expect(exp! * 1000).toBeLessThan(expiresAt + 2000);
        const remaining = await remainingSeconds(endpoint, sessionKey(store.prefix, sid));
        expectAbout(remaining, days * 86_400);
      }
    });

    it('set(sid) with 29 and 30 days keeps the item that long, on either side of the switch to absolute times', async () => {
      const store = makeStore();
      for (const days of [29, 30]) {
        const sid = randomSid();
        await store.set(sid, sessionExpiringIn(days * DAY_MS));
        expectAbout(await remainingSeconds(endpoint, sessionKey(store.prefix, sid)), days * 86_400);
      }
    });

    it('set(sid) with a sub-second remainder stores 1 s (plus the clock margin), never 0 (no expiry), and the session is gone at its expiry', async () => {
      const store = makeStore();
      const sid = randomSid();
      await store.set(sid, sessionExpiringIn(300, { short: true }));
      const key = sessionKey(store.prefix, sid);
      const remaining = await remainingSeconds(endpoint, key);
      expect(remaining).not.toBe(-1);
      expect(remaining).toBeGreaterThanOrEqual(1);
      expect(remaining).toBeLessThanOrEqual(2);
      expect(await eventually(async () => (await store.get(sid)) === null, 1500)).toBe(true);
      // memcached itself drops the item too, so no never-expiring leftover stays behind.
      expect(await eventually(async () => (await remainingSeconds(endpoint, key)) === null, 3500, 100)).toBe(true);
    });

    it('set(sid) of a browser-session cookie uses the default ttl', async () => {
      const store = makeStore({ ttl: 120 });
      const sid = randomSid();
      await store.set(sid, browserSession({ b: 1 }));
      expect(await store.get(sid)).toEqual(browserSession({ b: 1 }));
      const remaining = await remainingSeconds(endpoint, sessionKey(store.prefix, sid));
      expect(remaining! - 120).toBeGreaterThanOrEqual(0);
      expect(remaining! - 120).toBeLessThanOrEqual(2);
    });

    it('get(sid) never returns a session whose cookie has expired, even while memcached still holds it', async () => {
      const store = makeStore();
      const sid = randomSid();
      const key = sessionKey(store.prefix, sid);
      // Written behind the store's back with a long exptime: only cookie.expires says it is over.
      const expired = {
        cookie: { originalMaxAge: 1000, expires: new Date(Date.now() - 1).toISOString(), path: '/' },
        n: 1,
      };
      await rawSet(endpoint, key, JSON.stringify(expired), 2, 600);
      expect(await store.get(sid)).toBeNull();
      expect(await store.ids()).not.toContain(sid);
    });
  });

  describe('MemcachedStore keys', () => {
    it('stores sids with spaces, %, non-ASCII and surrogate pairs as independent, escaped keys', async () => {
      const store = makeStore();
      // A lone surrogate is refused by the core on every store (clause 65), escaping or not.
      await expect(store.set('\ud800', sessionExpiringIn(60_000))).rejects.toMatchObject({
        code: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
      });
      const sids = ['a b', 'a%20b', 'a+b', '%', 'ünïcødé', 'e\u0301', '😀', 'x/y.z*?', '__proto__', 'constructor'];
      await Promise.all(sids.map((sid, index) => store.set(sid, sessionExpiringIn(60_000, { index }))));
      for (const [index, sid] of sids.entries()) expect(await store.get(sid)).toMatchObject({ index });
      expect((await store.ids()).sort()).toEqual([...sids].sort());
      const keys = [...(await dumpKeys(endpoint)).keys()].filter((key) => key.startsWith(store.prefix));
      expect(keys).toContain(`${store.prefix}a%20b`);
      expect(keys).toContain(`${store.prefix}a%2520b`);
      for (const key of keys) expect(key).toMatch(/^[\x21-\x7e]+$/);
    });

    it('set(sid) with a sid too long for a memcached key fails clearly; get and destroy miss', async () => {
      const store = makeStore();
      const sid = 'x'.repeat(260);
      await expect(store.set(sid, sessionExpiringIn(60_000))).rejects.toMatchObject({
        code: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
        message: expect.stringMatching(/^MemcachedStore\.set failed: the sid is too long for a memcached key/),
      });
      expect(await store.get(sid)).toBeNull();
      await expect(store.destroy(sid)).resolves.toBeUndefined();
      await expect(store.touch(sid, sessionExpiringIn(60_000))).resolves.toBeUndefined();
    });
  });

  describe('MemcachedStore size limit', () => {
    it('set(sid) of a session over the item size limit fails through the callback and keeps the previous value', async () => {
      const store = makeStore();
      const sid = randomSid();
      await store.set(sid, sessionExpiringIn(60_000, { v: 'previous' }));
      const error = await new Promise<unknown>((resolve) =>
        store.set(sid, sessionExpiringIn(60_000, { big: 'x'.repeat(1_048_576) }), resolve),
      );
      expect(error).toMatchObject({
        code: 'ERR_SESSION_STORE_TOO_LARGE',
        message: expect.stringMatching(/^MemcachedStore\.set failed: the serialized session is \d+ bytes/),
      });
      expect(await store.get(sid)).toMatchObject({ v: 'previous' });
    });

    it('a session just under the limit round-trips with the longest key', async () => {
      const store = makeStore({ prefix: `${'p'.repeat(199)}:` });
      const sid = 's'.repeat(50);
      const empty = JSON.stringify(sessionExpiringIn(60_000, { big: '' })).length;
      const session = sessionExpiringIn(60_000, { big: 'y'.repeat(store.capabilities.maxSessionBytes! - empty) });
      expect(JSON.stringify(session).length).toBe(store.capabilities.maxSessionBytes);
      await store.set(sid, session);
      expect(await store.get(sid)).toEqual(JSON.parse(JSON.stringify(session)));
    });

    it('a server whose -I is below itemSizeMax refusing a set gives a clear too-large error', async () => {
      const store = makeStore({ itemSizeMax: 4 * 1_048_576 });
      const events: string[] = [];
      store.on('disconnect', () => events.push('disconnect'));
      const error = await new Promise<unknown>((resolve) =>
        store.set(randomSid(), sessionExpiringIn(60_000, { big: 'z'.repeat(2 * 1_048_576) }), resolve),
      );
      expect(error).toMatchObject({
        code: 'ERR_SESSION_STORE_TOO_LARGE',
        message: expect.stringMatching(/memcached refused the session as larger than its item size limit/),
      });
      expect(events).toEqual([]);
    });
  });

  describe('MemcachedStore enumeration', () => {
    it("all(), ids(), length() and iterate() list this prefix's live sessions exactly once, across pages", async () => {
      const store = makeStore({ batchSize: 7 });
      const other = makeStore();
      const sids = Array.from({ length: 25 }, () => randomSid());
      await Promise.all(sids.map((sid, index) => store.set(sid, sessionExpiringIn(60_000, { index }))));
      await other.set(randomSid(), sessionExpiringIn(60_000));
      // Under the prefix but not written by the store: a key not in escaped form, and a value that is no session.
      await rawSet(endpoint, `${store.prefix}a%2fb`, JSON.stringify(sessionExpiringIn(60_000)), 2, 60);
      await rawSet(endpoint, `${store.prefix}garbage`, 'not json', 0, 60);
      expect(await store.length()).toBe(25);
      expect((await store.ids()).sort()).toEqual([...sids].sort());
      const all = await store.all();
      expect(all.map((session) => session.id).sort()).toEqual([...sids].sort());
      for (const session of all) expect(session).toMatchObject({ index: sids.indexOf(session.id) });
      const iterated: string[] = [];
      for await (const { sid } of store.iterate()) iterated.push(sid);
      expect(iterated.sort()).toEqual([...sids].sort());
    });

    it('nested prefixes (sess: and sess:admin:) on one server list and clear only their own sessions', async () => {
      const outer = makeStore({ prefix: `${randomPrefix()}sess:` });
      const inner = makeStore({ prefix: `${outer.prefix}admin:` });
      const outerSids = [randomSid(), randomSid(), randomSid()];
      const innerSids = [randomSid(), randomSid()];
      await Promise.all(outerSids.map((sid) => outer.set(sid, sessionExpiringIn(60_000))));
      await Promise.all(innerSids.map((sid) => inner.set(sid, sessionExpiringIn(60_000, { admin: true }))));
      expect((await outer.ids()).sort()).toEqual([...outerSids].sort());
      expect((await outer.all()).map((session) => session.id).sort()).toEqual([...outerSids].sort());
      expect(await outer.length()).toBe(3);
      expect((await inner.ids()).sort()).toEqual([...innerSids].sort());
      await outer.clear();
      expect(await outer.length()).toBe(0);
      for (const sid of innerSids) expect(await inner.get(sid)).toMatchObject({ admin: true });
      await inner.clear();
      expect(await inner.length()).toBe(0);
    });

    it('a sid holding ":" is refused by set (it would be a key of a nested prefix) and misses on get', async () => {
      const store = makeStore();
      const error = await new Promise<unknown>((resolve) => store.set('admin:x', sessionExpiringIn(60_000), resolve));
      expect(error).toMatchObject({
        code: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
        message: expect.stringMatching(/":"/),
      });
      expect(await store.get('admin:x')).toBeNull();
    });

    it("an iterate() held open past the operation timeout blocks neither another store's all() nor its clear()", async () => {
      // A dump far larger than the socket buffers, so that a listing paced by its consumer would
      // still be holding memcached's one crawler when the app stops reading.
      await rawFill(endpoint, randomPrefix(), 150_000, 30);
      const held = makeStore({ batchSize: 2, operationTimeoutMs: 500 });
      const other = makeStore({ operationTimeoutMs: 500 });
      await Promise.all(Array.from({ length: 200 }, () => held.set(randomSid(), sessionExpiringIn(60_000))));
      const otherSid = randomSid();
      await other.set(otherSid, sessionExpiringIn(60_000));
      const iterator = held.iterate()[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      // The app holds its first session for longer than a whole operation may take.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect((await other.all()).map((session) => session.id)).toEqual([otherSid]);
      await other.clear();
      expect(await other.length()).toBe(0);
      // The held iterator still goes on to the end.
      let rest = 0;
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) rest++;
      expect(rest).toBe(199);
    });

    it('clear() deletes only this prefix: other prefixes and unrelated keys stay (no flush_all)', async () => {
      const store = makeStore();
      const other = makeStore();
      const mine = Array.from({ length: 12 }, () => randomSid());
      await Promise.all(mine.map((sid) => store.set(sid, sessionExpiringIn(60_000))));
      const theirs = randomSid();
      await other.set(theirs, sessionExpiringIn(60_000, { kept: true }));
      const unrelated = `unrelated-${randomSid()}`;
      await rawSet(endpoint, unrelated, 'keep me', 0, 60);
      await store.clear();
      expect(await store.length()).toBe(0);
      for (const sid of mine) expect(await store.get(sid)).toBeNull();
      expect(await other.get(theirs)).toMatchObject({ kept: true });
      expect(await rawGet(endpoint, unrelated)).toMatchObject({ value: 'keep me' });
    });

    it('expired sessions are absent from all(), ids() and length()', async () => {
      const store = makeStore();
      const live = randomSid();
      const short = randomSid();
      await store.set(live, sessionExpiringIn(60_000));
      await store.set(short, sessionExpiringIn(200));
      expect(await eventually(async () => (await store.get(short)) === null, 1500)).toBe(true);
      expect(await store.ids()).toEqual([live]);
      expect(await store.length()).toBe(1);
      expect((await store.all()).map((session) => session.id)).toEqual([live]);
    });
  });

  describe('MemcachedStore clients and events', () => {
    it('close() leaves a client you gave it open', async () => {
      const client = memjs.Client.create(server!.url, { logger: { log: () => {} } });
      const store = new MemcachedStore({ client, prefix: randomPrefix() });
      const sid = randomSid();
      await store.set(sid, sessionExpiringIn(60_000));
      await store.close();
      await expect(store.get(sid)).rejects.toMatchObject({ code: 'ERR_SESSION_STORE_CLOSED' });
      expect((await client.get(sessionKey(store.prefix, sid))).value).not.toBeNull();
      client.close();
    });

    it("keeps working past 2^31 requests, where memjs's request counter turns negative", async () => {
      const store = makeStore();
      (store.client as unknown as { seq: number }).seq = 2 ** 31 - 2;
      const sid = randomSid();
      for (let i = 0; i < 4; i++) await store.set(sid, sessionExpiringIn(60_000, { i }));
      expect(await store.get(sid)).toMatchObject({ i: 3 });
      expect(store.client.seq).toBeGreaterThan(2 ** 31);
    });

    it("writes JSON sessions with the memcached package's JSON flag, other serializers with none", async () => {
      const json = makeStore();
      const custom = makeStore({
        serializer: { stringify: (value) => `x${JSON.stringify(value)}`, parse: (text) => JSON.parse(text.slice(1)) },
      });
      const sid = randomSid();
      await Promise.all([json.set(sid, sessionExpiringIn(60_000)), custom.set(sid, sessionExpiringIn(60_000))]);
      expect((await rawGet(endpoint, sessionKey(json.prefix, sid)))!.flags).toBe(2);
      expect((await rawGet(endpoint, sessionKey(custom.prefix, sid)))!.flags).toBe(0);
      expect(await custom.get(sid)).toMatchObject({ cookie: { path: '/' } });
    });
  });
});
