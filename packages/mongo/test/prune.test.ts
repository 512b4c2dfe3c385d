import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { MongoStoreWarningCode, type MongoStoreWarning, type SessionDocument } from '../src/index';
import { eventually, mongoTargets, sessionData, testBed } from './helpers';

const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the MongoStore prune tests', () => {}));

describe.each(targets)('MongoStore pruning on $title', (target) => {
  const bed = testBed(target);
  const { makeStore } = bed;

  describe('autoRemove', () => {
    it.runIf(target.kind === 'ferretdb')(
      '"native" on FerretDB (no TTL indexes) falls back to "interval" with a warning event, never an error',
      async () => {
        const errors: unknown[] = [];
        const { store } = makeStore({ autoRemove: 'native', autoRemoveInterval: 1 / 600 });
        store.on('error', (error) => errors.push(error));
        const warning = await new Promise<MongoStoreWarning>((resolve) => store.once('warning', resolve));
        expect(warning).toMatchObject({ name: 'MongoStoreWarning', code: MongoStoreWarningCode.ttlIndexRefused });
        expect(warning.message).toMatch(/refused the TTL index.*autoRemove: "interval"/);
        expect(store.autoRemove).toBe('interval');
        // And the timer it fell back to does remove expired documents.
        const collection = bed.db.collection<SessionDocument>(
          (store as unknown as { settings: { collectionName: string } }).settings.collectionName,
        );
        await collection.insertOne({ _id: 'expired', session: '{}', expires: new Date(Date.now() - 1) });
        await eventually('the fallback timer to prune', async () => (await collection.countDocuments()) === 0);
        expect(errors).toEqual([]);
      },
    );

    it.runIf(target.kind === 'mongodb')(
      '"native" creates connect-mongo\'s TTL index (expires_1, expireAfterSeconds 0)',
      async () => {
        const { store, collection } = makeStore({ autoRemove: 'native' });
        const warnings: unknown[] = [];
        store.on('warning', (warning) => warnings.push(warning));
        await eventually('the TTL index', () => store.autoRemove === 'native');
        const indexes = await collection.listIndexes().toArray();
        expect(indexes).toContainEqual(
          expect.objectContaining({ name: 'expires_1', key: { expires: 1 }, expireAfterSeconds: 0 }),
        );
        expect(warnings).toEqual([]);
      },
    );

    // The timer is the core's PruneTimer, unref'd (packages/core/test/prune-timer.test.ts).
    it('"interval" prunes expired documents on a timer, and leaves live ones', async () => {
      const { store, collection } = makeStore({ autoRemove: 'interval', autoRemoveInterval: 1 / 600 });
      await store.set('live', sessionData() as unknown as SessionData);
      await collection.insertMany(
        Array.from({ length: 5 }, (_, i) => ({
          _id: `expired-${i}`,
          session: '{}',
          expires: new Date(Date.now() - 1),
        })),
      );
      await eventually('the timer to prune', async () => (await collection.countDocuments()) === 1);
      expect(await store.get('live')).not.toBeNull();
    });

    it('prune() deletes every expired document in bounded batches and says how many', async () => {
      const { store, collection } = makeStore({ pruneBatchSize: 4 });
      await collection.insertMany(
        Array.from({ length: 10 }, (_, i) => ({
          _id: `expired-${i}`,
          session: '{}',
          expires: new Date(Date.now() - 1),
        })),
      );
      await store.set('live', sessionData() as unknown as SessionData);
      expect(await store.prune()).toBe(10);
      expect(await collection.countDocuments()).toBe(1);
      expect(
        await new Promise((resolve, reject) => store.prune((error, count) => (error ? reject(error) : resolve(count)))),
      ).toBe(0);
    });
  });
});
