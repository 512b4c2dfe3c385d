import type { SessionData } from 'express-session';
import { type Db, type MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoStore, type SessionDocument } from '../src/index';
import { directClient, mongoTargets, sessionData, TEST_DB, uniqueName } from './servers';

const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the MongoStore inspect tests', () => {}));

describe.each(targets)('MongoStore inspect(sid) on $title', (target) => {
  let direct: MongoClient;
  let db: Db;
  const stores: MongoStore[] = [];

  beforeAll(async () => {
    direct = directClient(target);
    await direct.connect();
    db = direct.db(TEST_DB);
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await direct.close();
  });

  function makeStore(stringify = true): { store: MongoStore; collectionName: string } {
    const collectionName = uniqueName();
    const store = new MongoStore({
      mongoUrl: target.server.url,
      dbName: TEST_DB,
      collectionName,
      autoRemove: 'disabled',
      stringify,
    });
    stores.push(store);
    return { store, collectionName };
  }

  it('shows the document as MongoDB holds it, expired ones included', async () => {
    const { store, collectionName } = makeStore();
    const session = sessionData(60_000, { views: 4 });
    await store.set('sid-a', session as unknown as SessionData);
    expect(await store.inspect('sid-a')).toEqual({
      backend: 'MongoDB',
      location: `document _id "sid-a" of ${TEST_DB}.${collectionName}`,
      stored: { _id: 'sid-a', session: JSON.stringify(session), expires: session.cookie.expires },
      expiresAt: Date.parse(session.cookie.expires),
      expiry: `expires = ISODate("${session.cookie.expires}")`,
    });

    const past = new Date('2000-01-01T00:00:00.000Z');
    await db.collection<SessionDocument>(collectionName).updateOne({ _id: 'sid-a' }, { $set: { expires: past } });
    expect(await store.get('sid-a')).toBeNull();
    expect(await store.inspect('sid-a')).toMatchObject({ expiresAt: past.getTime() });
    expect(await store.inspect('sid-missing')).toBeNull();
  });

  it('shows a session kept as a subdocument (stringify: false) as its fields', async () => {
    const { store } = makeStore(false);
    const session = sessionData(60_000, { user: { name: 'ada' } });
    await store.set('sid-b', session as unknown as SessionData);
    const shown = await store.inspect('sid-b');
    expect(shown?.stored).toMatchObject({ _id: 'sid-b', session: { user: { name: 'ada' } } });
  });
});
