import { describe, it } from 'vitest';
import { sealedExpiryCases } from '../../../scripts/test-support/sealed-expiry';
import type { MongoStore, MongoStoreOptions, SessionDocument } from '../src/index';
import { mongoTargets, testBed } from './helpers';
import type { Collection } from 'mongodb';

/** Encrypted sessions in MongoDB: the `expires` field cannot extend a session past the expiry sealed with it. */
const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the encryption tests', () => {}));

describe.each(targets)('MongoStore encryption, on $title', (target) => {
  const bed = testBed(target);
  const collections = new WeakMap<MongoStore, Collection<SessionDocument>>();
  sealedExpiryCases({
    make(encryption) {
      const { store, collection } = bed.makeStore({ encryption } as Partial<MongoStoreOptions>);
      collections.set(store, collection);
      return store;
    },
    async readPayload(store, sid) {
      return String((await collections.get(store)!.findOne({ _id: sid }))?.session);
    },
    async replacePayload(store, sid, payload) {
      await collections.get(store)!.updateOne({ _id: sid }, { $set: { session: payload } });
    },
    async extendStoredExpiry(store, sid, ms) {
      const collection = collections.get(store)!;
      const document = await collection.findOne({ _id: sid });
      await collection.updateOne({ _id: sid }, { $set: { expires: new Date(document!.expires.getTime() + ms) } });
    },
  });
});
