import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { userIndexKey } from '../src/user-index';
import { DRIVERS } from './conformance-options';
import { describeWithRedis, expiresOf, session, sid } from './helpers';

const userId = (data: SessionData) => (data as { user?: string }).user;
const of = (user: string | undefined, lifetimeMs = 60_000) => session(lifetimeMs, user === undefined ? {} : { user });

it('the index key of a user is outside the namespace and unambiguous across prefixes', () => {
  expect(userIndexKey('sess:', 'alice')).toBe('by-user:5:sess:alice');
  expect(userIndexKey('sess:', 'alice').startsWith('sess:')).toBe(false);
  expect(userIndexKey('a:', 'b:c')).not.toBe(userIndexKey('a:b:', 'c'));
});

await describeWithRedis('RedisStore index by user (layout)', (redis) => {
  for (const driver of DRIVERS)
    describe(driver, () => {
      it('set(sid) with a user adds sid to a sorted set per user, scored with the expiry, the set expiring with its last member; the session key is unchanged', async () => {
        const store = redis.store({ userId, driver });
        const [first, second] = [sid(), sid()];
        const short = of('alice', 60_000);
        const long = of('alice', 120_000);
        await store.set(first, short);
        await store.set(second, long);
        const key = store.userKey('alice');
        expect(key).toBe(userIndexKey(store.prefix, 'alice'));
        expect(await redis.admin.type(key)).toBe('zset');
        expect(await redis.admin.zrange(key, 0, '-1', 'WITHSCORES')).toEqual([
          first,
          String(Date.parse(expiresOf(short))),
          second,
          String(Date.parse(expiresOf(long))),
        ]);
        expect(await redis.admin.pexpiretime(key)).toBe(Date.parse(expiresOf(long)));
        expect(await redis.admin.get(store.key(first))).toBe(JSON.stringify(short));
        // SCAN of the namespace (all, length) never meets the index.
        expect(await store.length()).toBe(2);
      });

      it('a session without a user, or a store without the option, writes no index', async () => {
        const withOption = redis.store({ userId, driver });
        await withOption.set(sid(), of(undefined));
        expect(await redis.admin.keys(`by-user:*${withOption.prefix}*`)).toEqual([]);
        const without = redis.store({ driver });
        await without.set(sid(), of('alice'));
        expect(await redis.admin.exists(userIndexKey(without.prefix, 'alice'))).toBe(0);
      });

      it('touch(sid) raises the member score and the set expiry with the key, so a touched session stays listed', async () => {
        const store = redis.store({ userId, driver });
        const id = sid();
        await store.set(id, of('alice', 60_000));
        const touched = of('alice', 300_000);
        await store.touch(id, touched);
        const expiresAt = Date.parse(expiresOf(touched));
        expect(Number(await redis.admin.zscore(store.userKey('alice'), id))).toBe(expiresAt);
        expect(await redis.admin.pexpiretime(store.userKey('alice'))).toBe(expiresAt);
        expect(await redis.admin.pexpiretime(store.key(id))).toBe(expiresAt);
      });

      it('a member whose session moved to another user stays in the old set but is never listed, and destroyUserSessions of the old user leaves it', async () => {
        const store = redis.store({ userId, driver });
        const id = sid();
        await store.set(id, of('alice'));
        await store.set(id, of('bob'));
        expect(await redis.admin.zscore(store.userKey('alice'), id)).not.toBeNull();
        expect(await store.userSessions('alice')).toEqual([]);
        expect(await store.destroyUserSessions('alice')).toBe(0);
        expect((await store.userSessions('bob')).map((entry) => entry.sid)).toEqual([id]);
        expect(await redis.admin.exists(store.key(id))).toBe(1);
      });

      it('destroyUserSessions deletes the keys and their members; members past their expiry are dropped on read', async () => {
        const store = redis.store({ userId, driver });
        const [kept, gone] = [sid(), sid()];
        await store.set(kept, of('alice'));
        await store.set(gone, of('alice'));
        // A member left behind whose score has passed (as after a crash between the two writes).
        await redis.admin.zadd(store.userKey('alice'), String(Date.now() - 1), 'stale');
        expect(await store.destroyUserSessions('alice', { except: kept })).toBe(1);
        expect(await redis.admin.exists(store.key(gone))).toBe(0);
        expect(await redis.admin.zrange(store.userKey('alice'), 0, '-1')).toEqual([kept]);
      });

      it('a member is never scored lower: a set with an earlier expiry keeps the later one, and the set never expires before it', async () => {
        const store = redis.store({ userId, driver });
        const id = sid();
        const long = of('alice', 120_000);
        await store.set(id, long);
        await store.set(id, of('alice', 60_000));
        expect(Number(await redis.admin.zscore(store.userKey('alice'), id))).toBe(Date.parse(expiresOf(long)));
        expect(await redis.admin.pexpiretime(store.userKey('alice'))).toBe(Date.parse(expiresOf(long)));
        expect((await store.userSessions('alice')).map((entry) => entry.sid)).toEqual([id]);
      });

      it('a set adding a member drops the members past their expiry', async () => {
        const store = redis.store({ userId, driver });
        await redis.admin.zadd(store.userKey('alice'), String(Date.now() - 1), 'stale');
        const id = sid();
        await store.set(id, of('alice'));
        expect(await redis.admin.zrange(store.userKey('alice'), 0, '-1')).toEqual([id]);
      });

      it('when the index write fails, set fails and leaves no session without its member (even where the SET went out with it)', async () => {
        const store = redis.store({ userId, driver });
        // Not a sorted set: ZADD fails with WRONGTYPE, while the SET of the session would succeed.
        await redis.admin.set(store.userKey('mallory'), 'not a set');
        const id = sid();
        await expect(store.set(id, of('mallory'))).rejects.toThrow();
        expect(await redis.admin.exists(store.key(id))).toBe(0);
        await redis.admin.del(store.userKey('mallory'));
      });

      it('with disableTTL the set gets its member and no expiry, like every key of the store', async () => {
        const store = redis.store({ userId, driver, disableTTL: true });
        const id = sid();
        await store.set(id, of('alice'));
        expect(await redis.admin.zrange(store.userKey('alice'), 0, '-1')).toEqual([id]);
        expect(await redis.admin.pexpiretime(store.userKey('alice'))).toBe(-1);
        expect((await store.userSessions('alice')).map((entry) => entry.sid)).toEqual([id]);
      });
    });
});
