import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import type { MongoStore, SessionDocument } from '../src/index';
import { directClient, type MongoTarget, mongoTargets, sessionData, storeOnNewCollection, TEST_DB } from './helpers';

const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the MongoStore inspect tests', () => {}));

/** Runs `body` with a store on a fresh collection of `target`, closed afterwards whatever happens. */
async function withStore(
  target: MongoTarget,
  stringify: boolean,
  body: (store: MongoStore, collectionName: string) => Promise<void>,
): Promise<void> {
  const { store, collectionName } = storeOnNewCollection(target, { stringify });
  try {
    await body(store, collectionName);
  } finally {
    await store.close();
  }
}

describe.each(targets)('MongoStore inspect(sid) on $title', (target) => {
  it('shows the document as MongoDB holds it, expired ones included', () =>
    withStore(target, true, async (store, collectionName) => {
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
      const direct = directClient(target);
      try {
        await direct
          .db(TEST_DB)
          .collection<SessionDocument>(collectionName)
          .updateOne({ _id: 'sid-a' }, { $set: { expires: past } });
      } finally {
        await direct.close();
      }
      expect(await store.get('sid-a')).toBeNull();
      expect(await store.inspect('sid-a')).toMatchObject({ expiresAt: past.getTime() });
      expect(await store.inspect('sid-missing')).toBeNull();
    }));

  it('shows a session kept as a subdocument (stringify: false) as its fields', () =>
    withStore(target, false, async (store) => {
      await store.set('sid-b', sessionData(60_000, { user: { name: 'ada' } }) as unknown as SessionData);
      expect((await store.inspect('sid-b'))?.stored).toMatchObject({
        _id: 'sid-b',
        session: { user: { name: 'ada' } },
      });
    }));
});
