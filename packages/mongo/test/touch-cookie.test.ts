import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import type { MongoStoreOptions, SessionDocument } from '../src/index';
import { mongoTargets, sessionData, testBed } from './helpers';

/**
 * touch keeps the stored cookie true, not only the expiry, as on every store (conformance
 * clauses 19, 20, 56): a cookie whose maxAge changed without any data changing reaches the
 * store only through touch, and the next request resets the cookie from the stored one.
 */
const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the touch-cookie tests', () => {}));

type AnySession = SessionData & Record<string, unknown>;

/** The session with its cookie's maxAge changed, as express-session's Cookie does it. */
function withMaxAge(session: AnySession, maxAge: number): AnySession {
  const cookie = { ...session.cookie, originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge).toISOString() };
  return { ...session, cookie } as unknown as AnySession;
}

const LAYOUTS: Array<[string, Partial<MongoStoreOptions>]> = [
  ['JSON text (stringify: true)', {}],
  ['sub-document (stringify: false)', { stringify: false }],
  ['encrypted', { encryption: { secret: 'a secret of thirty-two characters!' } }],
];

describe.each(targets)('touch and the stored cookie, on $title', (target) => {
  const bed = testBed(target);
  const makeStore = (options: Partial<MongoStoreOptions>) => {
    const { store, collection } = bed.makeStore(options);
    return { store, collectionName: collection.collectionName };
  };

  describe.each(LAYOUTS)('%s', (_layout, options) => {
    it('a new maxAge replaces the stored cookie, and the data stays as set, not as touch was given', async () => {
      const { store } = makeStore(options);
      const original = sessionData(60_000, { cart: ['book'], nested: { n: 1 } }) as unknown as AnySession;
      await store.set('sid', original);
      const touched = withMaxAge(original, 30 * 86_400_000);
      await store.touch('sid', { ...touched, cart: ['stale copy'] } as AnySession);
      const read = (await store.get('sid')) as unknown as AnySession;
      expect(read.cart).toEqual(['book']);
      expect(read.nested).toEqual({ n: 1 });
      expect(read.cookie).toMatchObject({ originalMaxAge: 30 * 86_400_000 });
      expect(Date.parse(String(read.cookie.expires))).toBe(Date.parse(String(touched.cookie.expires)));
    });

    it('touch of a destroyed session does not bring it back', async () => {
      const { store } = makeStore(options);
      const original = sessionData() as unknown as AnySession;
      await store.set('sid', original);
      await store.destroy('sid');
      await store.touch('sid', withMaxAge(original, 60_000));
      expect(await store.get('sid')).toBeNull();
    });
  });

  it('a cookie JSON cannot hold fails with ERR_SESSION_STORE_SERIALIZE, as in every store, and changes nothing', async () => {
    const { store, collectionName } = makeStore({});
    const original = sessionData(60_000, { n: 1 }) as unknown as AnySession;
    await store.set('sid', original);
    const before = await bed.db.collection<SessionDocument>(collectionName).findOne({ _id: 'sid' });
    const unserializable = {
      ...original,
      cookie: { ...original.cookie, originalMaxAge: 10n },
    } as unknown as AnySession;
    await expect(store.touch('sid', unserializable)).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_SERIALIZE',
      message: expect.stringMatching(/^MongoStore\.touch failed: the cookie cannot be serialized/),
    });
    expect(await bed.db.collection<SessionDocument>(collectionName).findOne({ _id: 'sid' })).toEqual(before);
  });

  it('a stored session the store cannot read keeps its data; only the expiry moves', async () => {
    const { store, collectionName } = makeStore({});
    const expires = new Date(Date.now() + 60_000);
    await bed.db
      .collection<SessionDocument>(collectionName)
      .insertOne({ _id: 'sid', session: '{"cookie": not json', expires });
    const later = withMaxAge(sessionData() as unknown as AnySession, 3_600_000);
    await store.touch('sid', later);
    const document = await bed.db.collection<SessionDocument>(collectionName).findOne({ _id: 'sid' });
    expect(document?.session).toBe('{"cookie": not json');
    expect(document?.expires.getTime()).toBe(Date.parse(String(later.cookie.expires)));
  });
});
