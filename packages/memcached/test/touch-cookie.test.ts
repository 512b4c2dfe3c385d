import type { SessionData } from 'express-session';
import memjs from 'memjs';
import { backendTitle } from '@session-stores/test-servers';
import { describe, expect, it } from 'vitest';
import { sessionKey } from '../src';
import {
  DAY_MS,
  expectAbout,
  randomPrefix,
  randomSid,
  rawGet,
  rawSet,
  remainingSeconds,
  sessionExpiringIn,
  testServer,
} from './helpers';

const { server, endpoint, makeStore } = await testServer();

/**
 * touch keeps the stored cookie true: memcached keeps the cookie only inside the stored JSON, so
 * touch rewrites it with compare-and-set, never taking data from the copy it is given.
 */
describe.skipIf(!server)(backendTitle('memcached', server), () => {
  describe('MemcachedStore touch', () => {
    it('touch(sid) writes the touched cookie into the stored session and moves the exptime', async () => {
      const store = makeStore();
      const sid = randomSid();
      await store.set(sid, sessionExpiringIn(60_000, { n: 1 }));
      const touched = sessionExpiringIn(45 * DAY_MS, { n: 1 });
      await store.touch(sid, touched);
      const stored = await rawGet(endpoint, sessionKey(store.prefix, sid));
      expect(JSON.parse(stored!.value)).toEqual(JSON.parse(JSON.stringify(touched)));
      expect(stored!.flags).toBe(2);
      expectAbout(await remainingSeconds(endpoint, sessionKey(store.prefix, sid)), 45 * 86_400);
    });

    it('touch(sid) never writes the stale data it is given over newer data', async () => {
      const store = makeStore();
      const sid = randomSid();
      const stale = sessionExpiringIn(60_000, { n: 1, cart: ['a'] });
      await store.set(sid, stale);
      await store.set(sid, sessionExpiringIn(60_000, { n: 2, cart: ['a', 'b'] }));
      const touched = {
        ...stale,
        cookie: { ...stale.cookie, expires: new Date(Date.now() + 120_000).toISOString() },
      } as unknown as SessionData;
      await store.touch(sid, touched);
      expect(await store.get(sid)).toEqual({
        cookie: JSON.parse(JSON.stringify(touched.cookie)),
        n: 2,
        cart: ['a', 'b'],
      });
    });

    it('touch(sid) re-reads and retries when a set lands between its read and its compare-and-set', async () => {
      const client = memjs.Client.create(server!.url, { logger: { log: () => {} } });
      const prefix = randomPrefix();
      const store = makeStore({ servers: undefined, client, prefix });
      const writer = makeStore({ prefix });
      const sid = randomSid();
      await store.set(sid, sessionExpiringIn(60_000, { n: 1 }));
      const perform = client.perform.bind(client);
      let casWrites = 0;
      // Lets a real concurrent set reach the server just before touch's first compare-and-set.
      client.perform = (key, request, seq, callback, retries) => {
        const isCasSet = request[1] === 0x01 && !request.subarray(16, 24).equals(Buffer.alloc(8));
        if (isCasSet && ++casWrites === 1) {
          void (async () => {
            await writer.set(sid, sessionExpiringIn(60_000, { n: 2 }));
            perform(key, request, seq, callback, retries);
          })();
          return;
        }
        perform(key, request, seq, callback, retries);
      };
      const touched = sessionExpiringIn(90_000, { n: 1 });
      await store.touch(sid, touched);
      expect(casWrites).toBe(2);
      expect(await store.get(sid)).toEqual({ cookie: JSON.parse(JSON.stringify(touched.cookie)), n: 2 });
      await store.close();
      client.close();
    });

    it('touch(sid) racing set(sid) never rolls the set back', async () => {
      const store = makeStore();
      for (let round = 0; round < 20; round++) {
        const sid = randomSid();
        await store.set(sid, sessionExpiringIn(60_000, { round, v: 'old' }));
        await Promise.all([
          store.set(sid, sessionExpiringIn(60_000, { round, v: 'new' })),
          store.touch(sid, sessionExpiringIn(90_000, { round, v: 'old' })),
        ]);
        expect(await store.get(sid)).toMatchObject({ round, v: 'new' });
      }
    });

    it('touch(sid) of an unknown, destroyed or cookie-expired sid creates nothing', async () => {
      const store = makeStore();
      const unknown = randomSid();
      await store.touch(unknown, sessionExpiringIn(60_000));
      expect(await store.get(unknown)).toBeNull();

      const destroyed = randomSid();
      await store.set(destroyed, sessionExpiringIn(60_000));
      await store.destroy(destroyed);
      await store.touch(destroyed, sessionExpiringIn(60_000));
      expect(await rawGet(endpoint, sessionKey(store.prefix, destroyed))).toBeNull();

      const expired = randomSid();
      const key = sessionKey(store.prefix, expired);
      await rawSet(
        endpoint,
        key,
        JSON.stringify({ cookie: { expires: new Date(Date.now() - 1).toISOString() }, n: 1 }),
        2,
        600,
      );
      await store.touch(expired, sessionExpiringIn(60_000, { n: 1 }));
      expect(await store.get(expired)).toBeNull();
    });
  });
});
