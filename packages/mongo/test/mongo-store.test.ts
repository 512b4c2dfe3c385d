import type { SessionData } from 'express-session';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { MongoStore, MongoStoreWarningCode, type MongoStoreWarning } from '../src/index';
import { eventually, mongoTargets, sessionData, testBed, TEST_DB, uniqueName } from './helpers';

const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the MongoStore tests', () => {}));

describe.each(targets)('MongoStore on $title', (target) => {
  const bed = testBed(target);
  const { makeStore, stores } = bed;

  describe('layout (connect-mongo)', () => {
    it('set(sid) writes { _id: sid, session: JSON text, expires: Date of cookie.expires }', async () => {
      const { store, collection } = makeStore();
      const session = sessionData(60_000, { user: 'ada' });
      await store.set('sid-layout', session as unknown as SessionData);
      const document = await collection.findOne({ _id: 'sid-layout' });
      expect(document).toEqual({
        _id: 'sid-layout',
        session: JSON.stringify(session),
        expires: new Date(session.cookie.expires),
      });
    });

    it('stringify: false writes the session as a sub-document', async () => {
      const { store, collection } = makeStore({ stringify: false });
      const session = sessionData(60_000, { user: { name: 'ada', roles: ['admin'] } });
      await store.set('sid-object', session as unknown as SessionData);
      const document = await collection.findOne({ _id: 'sid-object' });
      expect(document).toEqual({ _id: 'sid-object', session, expires: new Date(session.cookie.expires) });
    });

    it('a session without cookie expiry lives for ttl seconds (14 days by default, as connect-mongo)', async () => {
      const { store, collection } = makeStore();
      const before = Date.now();
      await store.set('sid-browser', {
        cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' },
      } as unknown as SessionData);
      const { expires } = (await collection.findOne({ _id: 'sid-browser' }))!;
      expect(expires.getTime()).toBeGreaterThanOrEqual(before + 14 * 24 * 3600 * 1000);
      expect(expires.getTime()).toBeLessThanOrEqual(Date.now() + 14 * 24 * 3600 * 1000);
    });

    it('uses dbName and collectionName', async () => {
      const dbName = uniqueName('db');
      const collectionName = uniqueName('c');
      const store = new MongoStore({ mongoUrl: target.server.url, dbName, collectionName, autoRemove: 'disabled' });
      stores.push(store);
      await store.set('sid-where', sessionData() as unknown as SessionData);
      expect(
        await bed.direct
          .db(dbName)
          .collection(collectionName)
          .countDocuments({ _id: 'sid-where' as never }),
      ).toBe(1);
      await bed.direct.db(dbName).dropDatabase();
    });
  });

  describe('expiry is the expires field, with no TTL monitor needed', () => {
    it('get() never returns a document whose expires has passed (clause 10)', async () => {
      const { store, collection } = makeStore();
      // Planted behind the store's back: nothing has removed it, and its cookie still says it is alive.
      await collection.insertOne({
        _id: 'sid-stale',
        session: JSON.stringify(sessionData(60_000, { n: 1 })),
        expires: new Date(Date.now() - 1),
      });
      expect(await store.get('sid-stale')).toBeNull();
      expect(await store.ids()).toEqual([]);
      expect(await store.all()).toEqual([]);
      expect(await store.length()).toBe(0);
      expect(await collection.countDocuments()).toBe(1);
    });

    it('a session set with maxAge 50 ms is gone 50 ms later', async () => {
      const { store } = makeStore();
      await store.set('sid-short', sessionData(50) as unknown as SessionData);
      await eventually('the session to expire', async () => (await store.get('sid-short')) === null, 2000);
    });

    it('length() counts only live sessions (connect-mongo counts expired ones too)', async () => {
      const { store, collection } = makeStore();
      await collection.insertMany([
        { _id: 'expired-1', session: '{}', expires: new Date(Date.now() - 1000) },
        { _id: 'expired-2', session: '{}', expires: new Date(Date.now() - 1000) },
      ]);
      await store.set('live-1', sessionData() as unknown as SessionData);
      await store.set('live-2', sessionData() as unknown as SessionData);
      expect(await store.length()).toBe(2);
      expect((await store.ids()).sort()).toEqual(['live-1', 'live-2']);
    });
  });

  describe('touch', () => {
    it('moves expires and replaces only the cookie, never the data with the copy it is given (clauses 19, 20)', async () => {
      const { store, collection } = makeStore();
      const stored = sessionData(60_000, { n: 1 });
      await store.set('sid-touch', stored as unknown as SessionData);
      // Another request saved newer data meanwhile; this touch carries the stale copy.
      const newer = JSON.stringify({ ...stored, n: 2 });
      await collection.updateOne({ _id: 'sid-touch' }, { $set: { session: newer } });
      const later = new Date(Date.now() + 120_000);
      const cookie = { ...stored.cookie, expires: later.toISOString() };
      await store.touch('sid-touch', { ...stored, cookie } as unknown as SessionData);
      expect(await collection.findOne({ _id: 'sid-touch' })).toEqual({
        _id: 'sid-touch',
        session: JSON.stringify({ ...stored, n: 2, cookie }),
        expires: later,
      });
      const got = await store.get('sid-touch');
      expect(got).toMatchObject({ n: 2, cookie: { expires: later.toISOString() } });
    });

    it('of a missing sid succeeds and creates nothing (clause 21; connect-mongo calls back an error)', async () => {
      const { store, collection } = makeStore();
      await expect(store.touch('sid-missing', sessionData() as unknown as SessionData)).resolves.toBeUndefined();
      expect(await collection.countDocuments()).toBe(0);
    });

    it('of an expired document does not revive it', async () => {
      const { store, collection } = makeStore();
      const past = new Date(Date.now() - 1000);
      await collection.insertOne({ _id: 'sid-dead', session: JSON.stringify(sessionData()), expires: past });
      await store.touch('sid-dead', sessionData(60_000) as unknown as SessionData);
      expect((await collection.findOne({ _id: 'sid-dead' }))?.expires).toEqual(past);
      expect(await store.get('sid-dead')).toBeNull();
    });
  });

  describe('enumeration and clear', () => {
    it('all(), ids() and iterate() page through more sessions than one page holds, each once', async () => {
      const { store } = makeStore({ pageSize: 7 });
      const sids = Array.from({ length: 30 }, (_, i) => `sid-${String(i).padStart(2, '0')}`);
      await Promise.all(sids.map((sid, i) => store.set(sid, sessionData(60_000, { i }) as unknown as SessionData)));
      expect((await store.ids()).sort()).toEqual(sids);
      const all = await store.all();
      expect(all.map((session) => session.id).sort()).toEqual(sids);
      expect(all.find((session) => session.id === 'sid-07')).toMatchObject({ i: 7 });
      const iterated: string[] = [];
      for await (const { sid } of store.iterate()) iterated.push(sid);
      expect(iterated.sort()).toEqual(sids);
    });

    it("clear() deletes this collection's documents only", async () => {
      const { store, collection } = makeStore();
      const { store: neighbour } = makeStore();
      const unrelated = bed.db.collection(uniqueName('other'));
      await unrelated.insertOne({ keep: true });
      await store.set('mine', sessionData() as unknown as SessionData);
      await neighbour.set('theirs', sessionData() as unknown as SessionData);
      await store.clear();
      expect(await collection.countDocuments()).toBe(0);
      expect(await neighbour.get('theirs')).not.toBeNull();
      expect(await unrelated.countDocuments()).toBe(1);
      await unrelated.drop();
    });
  });

  describe('stringify: false and keys BSON cannot hold', () => {
    const awkward = JSON.parse(
      '{"a.b":1,"$set":2,"$":3,"50%":4,"n\\u0000ul":5,"x\\ud800":"lone \\udc00 value","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},' +
        '"deep":{"k.e.y":{"$in":[{"$x.y":"z"}]}},"😀":"emoji","":"empty key"}',
    ) as Record<string, unknown>;

    it('keys with ".", a leading "$", NUL, "%" and lone surrogates round-trip (clauses 41, 44)', async () => {
      const { store, collection } = makeStore({ stringify: false });
      const session = { ...sessionData(), ...awkward };
      await store.set('sid-keys', session as unknown as SessionData);
      const got = (await store.get('sid-keys')) as unknown as Record<string, unknown>;
      expect(JSON.stringify(got)).toBe(JSON.stringify(session));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.keys(got)).toContain('__proto__');
      // The stored keys are the documented percent-encoding; ordinary keys stay as they are.
      const stored = (await collection.findOne({ _id: 'sid-keys' }))!.session as Record<string, unknown>;
      expect(Object.keys(stored)).toEqual(
        expect.arrayContaining([
          'cookie',
          'a%2Eb',
          '%24set',
          '%24',
          '50%25',
          'n%00ul',
          'x%uD800',
          '__proto__',
          'constructor',
          'deep',
          '😀',
          '',
        ]),
      );
      expect(stored.deep).toEqual({ 'k%2Ee%2Ey': { '%24in': [{ '%24x%2Ey': 'z' }] } });
    });

    it('an object with a "_bsontype" key (a form copied from req.body) is stored, read back exactly, and saved again', async () => {
      const { store, collection } = makeStore({ stringify: false });
      const form = { _bsontype: 'ObjectId', id: 'x', nested: { _bsontype: 'Binary', buffer: 'AA==' } };
      const session = sessionData(60_000, { form, list: [{ _bsontype: 'Long', low: 1 }], _bsontype: 'top' });
      await store.set('sid-bsontype', session as unknown as SessionData);
      expect(await store.get('sid-bsontype')).toEqual(session);
      // Every later save of that session succeeds too, and touch keeps it.
      const again = sessionData(120_000, { form: { ...form, id: 'y' }, list: [], _bsontype: 'top' });
      await store.set('sid-bsontype', again as unknown as SessionData);
      await store.touch('sid-bsontype', again as unknown as SessionData);
      expect(await store.get('sid-bsontype')).toEqual(again);
      // Only that key is encoded (its "_" as "%5F"); the rest of the layout is as connect-mongo writes it.
      const stored = (await collection.findOne({ _id: 'sid-bsontype' }))!.session as Record<string, unknown>;
      expect(stored).toMatchObject({ '%5Fbsontype': 'top', form: { '%5Fbsontype': 'ObjectId', id: 'y' } });
      expect(Object.keys(stored)).toEqual(expect.arrayContaining(['cookie', 'form', 'list']));
    });

    it('reads both layouts whichever it writes, so a collection can switch modes', async () => {
      const { store: asText, collection } = makeStore();
      const asObject = new MongoStore({
        mongoUrl: target.server.url,
        dbName: TEST_DB,
        collectionName: collection.collectionName,
        autoRemove: 'disabled',
        stringify: false,
      });
      stores.push(asObject);
      const one = sessionData(60_000, { via: 'text' });
      const two = sessionData(60_000, { via: 'object' });
      await asText.set('one', one as unknown as SessionData);
      await asObject.set('two', two as unknown as SessionData);
      expect(await asObject.get('one')).toEqual(one);
      expect(await asText.get('two')).toEqual(two);
    });

    it.runIf(target.kind === 'mongodb')('arrays directly inside arrays round-trip on MongoDB', async () => {
      const { store } = makeStore({ stringify: false });
      const session = sessionData(60_000, { grid: [[1, 2], [], [[3]]] });
      await store.set('sid-grid', session as unknown as SessionData);
      expect(await store.get('sid-grid')).toEqual(session);
    });

    it.runIf(target.kind === 'ferretdb')(
      'arrays directly inside arrays fail clearly on FerretDB, which cannot store them',
      async () => {
        const { store } = makeStore({ stringify: false });
        await expect(
          store.set('sid-grid', sessionData(60_000, { grid: [[1, 2]] }) as unknown as SessionData),
        ).rejects.toThrow(/^MongoStore\.set failed: .*nested arrays are not supported/);
        // The default layout (a JSON string) holds them on any server.
        const { store: asText } = makeStore();
        const session = sessionData(60_000, { grid: [[1, 2], [], [[3]]] });
        await asText.set('sid-grid', session as unknown as SessionData);
        expect(await asText.get('sid-grid')).toEqual(session);
      },
    );
  });

  describe('a write reported as failed', () => {
    // FerretDB v1 ignores maxTimeMS on writes: see ferretdb-limits.test.ts and the README.
    it.runIf(target.kind === 'mongodb')(
      'never lands later: the server gives up on it (maxTimeMS from the call deadline) before the caller is told',
      async () => {
        const { store, collection } = makeStore({ operationTimeoutMs: 1500 });
        await store.set('sid-late', sessionData(60_000, { v: 1 }) as unknown as SessionData);
        const admin = bed.direct.db('admin');
        // fsyncLock makes every write wait, as a slow server would.
        await admin.command({ fsync: 1, lock: true });
        try {
          await expect(store.set('sid-late', sessionData(60_000, { v: 2 }) as unknown as SessionData)).rejects.toThrow(
            /^MongoStore\.set failed: /,
          );
          await expect(store.destroy('sid-late')).rejects.toThrow(/^MongoStore\.destroy failed: /);
        } finally {
          await admin.command({ fsyncUnlock: 1 });
        }
        const namespace = `${collection.dbName}.${collection.collectionName}`;
        await eventually('no operation of the store left on the server', async () => {
          const { inprog } = await admin.command({ currentOp: 1, ns: namespace });
          return (inprog as unknown[]).length === 0;
        });
        expect(await store.get('sid-late')).toMatchObject({ v: 1 });
      },
    );
  });

  describe('size', () => {
    it('a session whose document would pass 16 MiB fails through the callback with ERR_SESSION_STORE_TOO_LARGE', async () => {
      const { store, collection } = makeStore();
      const error = await new Promise<unknown>((resolve) =>
        store.set(
          'sid-big',
          sessionData(60_000, { blob: 'x'.repeat(16 * 1024 * 1024) }) as unknown as SessionData,
          resolve,
        ),
      );
      expect(error).toMatchObject({
        code: 'ERR_SESSION_STORE_TOO_LARGE',
        message: expect.stringMatching(/^MongoStore\.set failed: /),
      });
      expect(await collection.countDocuments()).toBe(0);
    });

    it('with stringify: false the limit is checked on the BSON document', async () => {
      const { store } = makeStore({ stringify: false });
      // Small in JSON, large in BSON: every array element carries its index as a key.
      const wide = Array.from({ length: 2_500_000 }, () => 0);
      expect(JSON.stringify(wide).length).toBeLessThan(16 * 1024 * 1024);
      await expect(
        store.set('sid-wide', sessionData(60_000, { wide }) as unknown as SessionData),
      ).rejects.toMatchObject({ code: 'ERR_SESSION_STORE_TOO_LARGE' });
    });
  });

  describe('clients', () => {
    it('close() closes a client the store made', async () => {
      const { store } = makeStore();
      await store.set('sid', sessionData() as unknown as SessionData);
      const owned = (store as unknown as { owned: { client: MongoClient } }).owned.client;
      const closed = new Promise((resolve) => owned.once('topologyClosed', resolve));
      await store.close();
      await closed;
      await expect(store.get('sid')).rejects.toMatchObject({ code: 'ERR_SESSION_STORE_CLOSED' });
    });

    it('close() leaves a given client, or one from clientPromise, open', async () => {
      const client = new MongoClient(target.server.url, { serverSelectionTimeoutMS: 5000 });
      try {
        const collectionName = uniqueName();
        const given = new MongoStore({ client, dbName: TEST_DB, collectionName, autoRemove: 'disabled' });
        const promised = new MongoStore({
          clientPromise: Promise.resolve(client),
          dbName: TEST_DB,
          collectionName,
          autoRemove: 'disabled',
        });
        await given.set('sid', sessionData() as unknown as SessionData);
        expect(await promised.get('sid')).not.toBeNull();
        await given.close();
        await promised.close();
        expect(client.listenerCount('topologyDescriptionChanged')).toBe(0);
        expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
      } finally {
        await client.close();
      }
    });

    // The driver's monitor can hang for good after a server dies (see src/heartbeat-watchdog.ts);
    // the race is not reproducible on demand, so the hang is stood in for by a heartbeat that
    // starts and never ends, which is what the watchdog sees when it happens.
    const hangHeartbeat = (client: MongoClient) =>
      client.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:1', awaited: false } as never);

    it('reconnects its own client when a heartbeat hangs, and keeps working', async () => {
      const { store } = makeStore({ mongoOptions: { connectTimeoutMS: 300, heartbeatFrequencyMS: 500 } });
      await store.set('sid', sessionData() as unknown as SessionData);
      const owned = (store as unknown as { owned: { client: MongoClient } }).owned.client;
      const reopened = new Promise((resolve) =>
        owned.once('topologyClosed', () => owned.once('topologyOpening', resolve)),
      );
      hangHeartbeat(owned);
      await reopened;
      await eventually('calls to work again', async () => (await store.get('sid').catch(() => null)) !== null);
    });

    it('reports a hanging heartbeat of a given client as a warning, and leaves the client alone', async () => {
      const client = new MongoClient(target.server.url, { connectTimeoutMS: 300, heartbeatFrequencyMS: 500 });
      try {
        const store = new MongoStore({ client, dbName: TEST_DB, collectionName: uniqueName(), autoRemove: 'disabled' });
        stores.push(store);
        await store.set('sid', sessionData() as unknown as SessionData);
        let closed = false;
        client.once('topologyClosed', () => (closed = true));
        const warning = new Promise<MongoStoreWarning>((resolve) => store.once('warning', resolve));
        hangHeartbeat(client);
        expect(await warning).toMatchObject({
          code: MongoStoreWarningCode.monitorStuck,
          message: expect.stringContaining('127.0.0.1:1'),
        });
        expect(closed).toBe(false);
      } finally {
        await client.close();
      }
    });

    it('a blocked event loop with a healthy server is no hang: the store neither reconnects nor reports disconnect', async () => {
      // The watchdog's limit here is 300 + 500 + 2000 ms; the loop is blocked longer, while a
      // heartbeat is in flight (as a 10 s block does with the defaults).
      const { store } = makeStore({ mongoOptions: { connectTimeoutMS: 300, heartbeatFrequencyMS: 500 } });
      await store.set('sid', sessionData(60_000, { kept: true }) as unknown as SessionData);
      const owned = (store as unknown as { owned: { client: MongoClient } }).owned.client;
      const events: string[] = [];
      store.on('disconnect', () => events.push('disconnect'));
      owned.on('topologyClosed', () => events.push('topologyClosed'));
      await new Promise<void>((resolve) =>
        owned.once('serverHeartbeatStarted', () => {
          const end = Date.now() + 3500;
          while (Date.now() < end);
          resolve();
        }),
      );
      let heartbeats = 0;
      owned.on('serverHeartbeatSucceeded', () => (heartbeats += 1));
      // Several checks of the watchdog and heartbeats of the driver after the block.
      await eventually('three heartbeats after the block', () => heartbeats >= 3);
      expect(events).toEqual([]);
      expect(await store.get('sid')).toMatchObject({ kept: true });
    });

    it('emits connect once the driver reaches the server', async () => {
      const store = new MongoStore({
        mongoUrl: target.server.url,
        dbName: TEST_DB,
        collectionName: uniqueName(),
        autoRemove: 'disabled',
      });
      stores.push(store);
      await new Promise((resolve) => store.once('connect', resolve));
    });
  });
});
