import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directClient, mongoTargets, TEST_DB, uniqueName } from './helpers';

// What FerretDB v1.24 (SQLite) does differently from MongoDB, shown with the plain driver: the
// reasons the README gives for the conformance cases skipped on FerretDB. If FerretDB changes,
// these fail, and the README and the skips must change with them.
const { targets } = await mongoTargets();
const ferret = targets.find((target) => target.kind === 'ferretdb');

describe.skipIf(!ferret)('FerretDB limits the MongoStore README documents', () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = directClient(ferret!);
    await client.connect();
  });
  afterAll(() => client.close());

  it('concurrent updates of one document can lose one of them (why touch racing set is skipped, C50)', async () => {
    const collection = client.db(TEST_DB).collection<{ _id: string; a: number; b: number }>(uniqueName());
    await collection.insertOne({ _id: 'doc', a: 0, b: 0 });
    let lost = 0;
    for (let round = 1; round <= 200 && lost === 0; round += 1) {
      // Different fields: on MongoDB both always land.
      await Promise.all([
        collection.updateOne({ _id: 'doc' }, { $set: { a: round } }),
        collection.updateOne({ _id: 'doc' }, { $set: { b: round } }),
      ]);
      const document = await collection.findOne({ _id: 'doc' });
      if (document?.a !== round || document?.b !== round) lost += 1;
    }
    expect(lost).toBeGreaterThan(0);
  });

  it('arrays directly inside arrays are refused (why stringify: false skips C29 and C40 there)', async () => {
    const collection = client.db(TEST_DB).collection(uniqueName());
    await expect(collection.insertOne({ grid: [[1]] })).rejects.toThrow(/nested arrays are not supported/);
  });

  // The SQLite file FerretDB keeps the test database in is only known for a server the harness started.
  it.runIf(ferret?.server.local)(
    'a write waiting for a lock runs past its maxTimeMS and lands later (why a timeout there means "outcome unknown")',
    async () => {
      const sqlite = await import('node:sqlite').catch(() => null);
      if (!sqlite) return; // Node without node:sqlite: nothing to hold the lock with.
      const collection = client.db(TEST_DB).collection<{ _id: string; v: number }>(uniqueName());
      await collection.insertOne({ _id: 'doc', v: 1 });
      // Another connection to FerretDB's SQLite file holds its write lock, as a long transaction would.
      const file = new sqlite.DatabaseSync(join(ferret!.server.local!.dir, 'data', `${TEST_DB}.sqlite`));
      file.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const update = collection.updateOne({ _id: 'doc' }, { $set: { v: 2 } }, { maxTimeMS: 200 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      file.exec('COMMIT');
      file.close();
      expect((await update).modifiedCount).toBe(1);
      expect(performance.now() - started).toBeGreaterThan(1000);
      expect(await collection.findOne({ _id: 'doc' })).toEqual({ _id: 'doc', v: 2 });
    },
  );

  it('TTL indexes are refused (why autoRemove "native" falls back to "interval" there)', async () => {
    const collection = client.db(TEST_DB).collection(uniqueName());
    await expect(collection.createIndex({ expires: 1 }, { expireAfterSeconds: 0 })).rejects.toThrow(
      /expireAfterSeconds/,
    );
  });
});
