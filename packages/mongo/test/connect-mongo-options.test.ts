import { MongoStore as ConnectMongo, createWebCryptoAdapter } from 'connect-mongo';
import type { SessionData } from 'express-session';
import { type CommandStartedEvent, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { MongoStore } from '../src/index';
import { mongoTargets, sessionData, TEST_DB, testBed, uniqueName } from './helpers';

// connect-mongo's options that change what is written: timestamps, writeOperationOptions, and
// cryptoAdapter (its sessions read, then written again with `encryption`).

const { targets, skipped } = await mongoTargets();
for (const title of skipped) describe.skip(title, () => it("runs the connect-mongo options' tests", () => {}));

const session = (extra: Record<string, unknown> = {}) => sessionData(60_000, extra) as unknown as SessionData;

describe.each(targets)("connect-mongo's writing options on $title", (target) => {
  const bed = testBed(target);

  it('timestamps: createdAt on the first set only, updatedAt on every set and touch', async () => {
    const { store, collection } = bed.makeStore({ timestamps: true });
    await store.set('sid', session({ n: 1 }));
    const first = await collection.findOne({ _id: 'sid' });
    expect(first).toMatchObject({ createdAt: expect.any(Date), updatedAt: expect.any(Date) });

    await collection.updateOne({ _id: 'sid' }, { $unset: { updatedAt: '' } });
    await store.set('sid', session({ n: 2 }));
    const second = await collection.findOne({ _id: 'sid' });
    expect(second?.createdAt).toEqual(first?.createdAt);
    expect(second?.updatedAt).toBeInstanceOf(Date);

    await collection.updateOne({ _id: 'sid' }, { $unset: { updatedAt: '' } });
    await store.touch('sid', session({ n: 2 }));
    expect((await collection.findOne({ _id: 'sid' }))?.updatedAt).toBeInstanceOf(Date);
    expect(await store.get('sid')).toMatchObject({ n: 2 });
  });

  it('without timestamps no createdAt or updatedAt is written', async () => {
    const { store, collection } = bed.makeStore();
    await store.set('sid', session());
    await store.touch('sid', session());
    const document = await collection.findOne({ _id: 'sid' });
    expect(document).not.toHaveProperty('createdAt');
    expect(document).not.toHaveProperty('updatedAt');
  });

  it('writeOperationOptions is the write concern of set, touch, destroy and clear', async () => {
    const client = new MongoClient(target.server.url, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    const seen: Array<{ command: string; writeConcern: unknown }> = [];
    client.on('commandStarted', (event: CommandStartedEvent) => {
      if (['update', 'delete'].includes(event.commandName))
        seen.push({ command: event.commandName, writeConcern: event.command['writeConcern'] });
    });
    await client.connect();
    try {
      const collectionName = uniqueName();
      const store = new MongoStore({
        client,
        dbName: TEST_DB,
        collectionName,
        autoRemove: 'disabled',
        writeOperationOptions: { w: 1, wtimeoutMS: 4321 },
      });
      await store.set('sid', session());
      await store.touch('sid', session());
      await store.destroy('sid');
      await store.clear();
      await store.close();
      expect(seen.length).toBeGreaterThanOrEqual(4);
      for (const command of seen) expect(command.writeConcern).toEqual({ w: 1, wtimeout: 4321 });
    } finally {
      await client.close();
    }
  });

  it('cryptoAdapter: sessions connect-mongo encrypted with its adapter are read, and written again with encryption', async () => {
    const collectionName = uniqueName();
    const cryptoAdapter = createWebCryptoAdapter({ secret: 'the web crypto secret', iterations: 1000 });
    const theirs = ConnectMongo.create({
      client: bed.direct,
      dbName: TEST_DB,
      collectionName,
      autoRemove: 'disabled',
      cryptoAdapter,
    });
    await new Promise<void>((resolve, reject) =>
      theirs.set('sid', session({ user: 'ada' }), (error) => (error ? reject(error as Error) : resolve())),
    );
    const collection = bed.db.collection(collectionName);
    const before = await collection.findOne({ _id: 'sid' as never });
    expect(before?.['session']).not.toContain('ada');

    const encryption = { secret: 'our own secret of 32 characters!' };
    const { store } = bed.makeStore({
      mongoUrl: undefined,
      client: bed.direct,
      collectionName,
      cryptoAdapter,
      encryption,
    });
    expect(await store.get('sid')).toMatchObject({ user: 'ada' });
    const after = await collection.findOne({ _id: 'sid' as never });
    expect(after?.['session']).toMatch(/^\{"ss_encrypted":"v2\./);
    // Our format now: a store with only `encryption` reads it.
    const { store: plain } = bed.makeStore({ mongoUrl: undefined, client: bed.direct, collectionName, encryption });
    expect(await plain.get('sid')).toMatchObject({ user: 'ada' });
  });
});
