import { MongoStore as ConnectMongo } from 'connect-mongo';
import session, { type SessionData } from 'express-session';
import type { Collection } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { expectSwitchKeepsVisits } from '../../../scripts/test-support/visit-counter-app';
import type { MongoStore } from '../src/index';
import { mongoTargets, TEST_DB, testBed, uniqueName } from './helpers';

// Sessions written by connect-mongo 6.0.0 are read by MongoStore, and the reverse, in both of
// its layouts: an app can switch packages (either way) without logging anyone out.

const { targets, skipped } = await mongoTargets();
for (const title of skipped) describe.skip(title, () => it('runs the connect-mongo compatibility tests', () => {}));

type Cb<T> = (error: unknown, value?: T) => void;
const call = <T>(run: (cb: Cb<T>) => void) =>
  new Promise<T | undefined>((resolve, reject) =>
    run((error, value) => (error ? reject(error as Error) : resolve(value))),
  );

/** A session as express-session hands it to stores: a real Cookie, and user data. */
function liveSession(data: Record<string, unknown>, maxAge = 60_000): SessionData {
  // The typings omit the constructor's options argument, which express-session itself passes.
  const cookie = new (session.Cookie as unknown as new (options: object) => session.Cookie)({
    maxAge,
    httpOnly: true,
    path: '/',
  });
  return { cookie, ...data } as unknown as SessionData;
}

/** What a store must give back for `value`: its JSON form (CONTRACT clause 3). */
const jsonOf = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe.each(targets)('connect-mongo 6.0.0 compatibility on $title', (target) => {
  const bed = testBed(target);

  // connect-mongo's default autoRemove ("native") makes every call of it fail on FerretDB: its
  // collection promise waits on the TTL index that FerretDB refuses.
  const theirAutoRemove = target.kind === 'ferretdb' ? 'disabled' : 'native';

  function pair(stringify: boolean): { theirs: ConnectMongo; ours: MongoStore; collection: Collection } {
    const collectionName = uniqueName();
    const theirs = ConnectMongo.create({
      client: bed.direct,
      dbName: TEST_DB,
      collectionName,
      stringify,
      autoRemove: theirAutoRemove,
    });
    // On the same client as connect-mongo's: the store is given it, not a URL.
    const { store, collection } = bed.makeStore({ mongoUrl: undefined, client: bed.direct, collectionName, stringify });
    return { theirs, ours: store, collection: collection as unknown as Collection };
  }

  describe.each([true, false])('stringify: %s', (stringify) => {
    it('MongoStore reads what connect-mongo wrote, with its expiry', async () => {
      const { theirs, ours: store } = pair(stringify);
      const written = liveSession({ user: { id: 7, name: 'Ada' }, cart: [1, 2], flag: true, none: null });
      await call<void>((cb) => theirs.set('sid-theirs', written, cb));
      // The session connect-mongo itself would return. (With stringify: false it stores the
      // cookie's unset fields as null, and its expiry as a BSON date: both come back as JSON has them.)
      const theirView = jsonOf(await call<SessionData | null>((cb) => theirs.get('sid-theirs', cb)));
      expect(await store.get('sid-theirs')).toEqual(theirView);
      expect(await store.get('sid-theirs')).toMatchObject({
        ...(jsonOf(written) as object),
        cookie: { expires: written.cookie.expires!.toISOString() },
      });
      expect(await store.ids()).toEqual(['sid-theirs']);
      expect(await store.length()).toBe(1);
    });

    it('connect-mongo reads what MongoStore wrote', async () => {
      const { theirs, ours: store } = pair(stringify);
      const written = liveSession({ user: { id: 8 }, list: [{ a: 1 }], s: 'text' });
      await store.set('sid-ours', written);
      expect(jsonOf(await call<SessionData | null>((cb) => theirs.get('sid-ours', cb)))).toEqual(jsonOf(written));
      const all = await call<unknown[]>((cb) => theirs.all(cb as never));
      expect(all?.map(jsonOf)).toEqual([jsonOf(written)]);
    });

    it('touch and destroy by either one are seen by the other', async () => {
      const { theirs, ours: store, collection } = pair(stringify);
      const written = liveSession({ n: 1 });
      await call<void>((cb) => theirs.set('sid', written, cb));

      const later = new Date(Date.now() + 300_000);
      await store.touch('sid', {
        ...written,
        cookie: { ...(jsonOf(written.cookie) as object), expires: later },
      } as unknown as SessionData);
      expect((await collection.findOne({ _id: 'sid' as never }))?.expires).toEqual(later);
      expect(await call<SessionData | null>((cb) => theirs.get('sid', cb))).toMatchObject({ n: 1 });

      const latest = new Date(Date.now() + 600_000);
      const touched = liveSession({ n: 1 }, 600_000);
      touched.cookie.expires = latest;
      await call<void>((cb) => theirs.touch('sid', touched, cb));
      expect((await store.get('sid'))?.cookie.expires).toBe(latest.toISOString());

      await store.destroy('sid');
      expect(await call<SessionData | null>((cb) => theirs.get('sid', cb))).toBeNull();
    });
  });

  it('connect-mongo cannot store a key BSON refuses at all with stringify: false; MongoStore encodes it', async () => {
    const { theirs, ours: store } = pair(false);
    const written = liveSession({ 'nul\u0000key': 1, 'dotted.key': 2, $dollar: 3 });
    await expect(call<void>((cb) => theirs.set('sid', written, cb))).rejects.toThrow(/null bytes/);
    await store.set('sid', written);
    expect(await store.get('sid')).toEqual(jsonOf(written));
  });

  it.runIf(target.kind === 'ferretdb')(
    'connect-mongo with stringify: false cannot store "." or "$" keys on FerretDB; MongoStore can',
    async () => {
      const { theirs, ours: store } = pair(false);
      const written = liveSession({ 'dotted.key': 2, $dollar: 3 });
      await expect(call<void>((cb) => theirs.set('sid', written, cb))).rejects.toThrow(/invalid key/);
      await store.set('sid', written);
      expect(await store.get('sid')).toEqual(jsonOf(written));
    },
  );

  describe('switching packages under a running app', () => {
    it.each([
      ['connect-mongo to MongoStore', 'theirs', 'ours'],
      ['MongoStore to connect-mongo', 'ours', 'theirs'],
    ] as const)('%s keeps every user logged in', async (_title, first, second) => {
      const stores = pair(true);
      await expectSwitchKeepsVisits(stores[first], stores[second]);
    });
  });
});
