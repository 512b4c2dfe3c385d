import { MongoClient } from 'mongodb';
import { describe } from 'vitest';
import { backendForTests, backendTitle, startMongo, type HarnessServer } from '@session-stores/test-servers';
import { lifecycleTests, type DataProbe } from './lifecycle';

async function withCollection<T>(
  server: HarnessServer,
  use: (collection: ReturnType<ReturnType<MongoClient['db']>['collection']>) => Promise<T>,
): Promise<T> {
  const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 3000 });
  try {
    await client.connect();
    return await use(client.db('harness').collection('probe'));
  } finally {
    await client.close();
  }
}

const probe: DataProbe = {
  write: (server, key, value) =>
    withCollection(server, async (collection) => {
      await collection.updateOne({ _id: key as never }, { $set: { value } }, { upsert: true });
    }),
  read: (server, key) =>
    withCollection(server, async (collection) => {
      const document = await collection.findOne({ _id: key as never });
      return document ? String(document.value) : null;
    }),
};

const server = await backendForTests('mongo');

describe.skipIf(!server)(backendTitle('mongo', server), () => {
  lifecycleTests(() => server as HarnessServer, startMongo, probe);
});
