import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { mongoTargets, sessionData, TEST_DB, testBed } from './helpers';

const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the MongoStore inspect tests', () => {}));

describe.each(targets)('MongoStore inspect(sid) on $title', (target) => {
  const bed = testBed(target);

  it('shows the document as MongoDB holds it, expired ones included', async () => {
    const { store, collection } = bed.makeStore({ stringify: true });
    const session = sessionData(60_000, { views: 4 });
    await store.set('sid-a', session as unknown as SessionData);
    expect(await store.inspect('sid-a')).toEqual({
      backend: 'MongoDB',
      location: `document _id "sid-a" of ${TEST_DB}.${collection.collectionName}`,
      stored: { _id: 'sid-a', session: JSON.stringify(session), expires: session.cookie.expires },
      expiresAt: Date.parse(session.cookie.expires),
      expiry: `expires = ISODate("${session.cookie.expires}")`,
    });

    const past = new Date('2000-01-01T00:00:00.000Z');
    await collection.updateOne({ _id: 'sid-a' }, { $set: { expires: past } });
    expect(await store.get('sid-a')).toBeNull();
    expect(await store.inspect('sid-a')).toMatchObject({ expiresAt: past.getTime() });
    expect(await store.inspect('sid-missing')).toBeNull();
  });

  it('shows a session kept as a subdocument (stringify: false) as its fields', async () => {
    const { store } = bed.makeStore({ stringify: false });
    await store.set('sid-b', sessionData(60_000, { user: { name: 'ada' } }) as unknown as SessionData);
    expect((await store.inspect('sid-b'))?.stored).toMatchObject({
      _id: 'sid-b',
      session: { user: { name: 'ada' } },
    });
  });
});
