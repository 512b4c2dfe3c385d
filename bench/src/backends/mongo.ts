import type { Store } from 'express-session';
import { MongoStore as ConnectMongoStore } from 'connect-mongo';
import { MongoClient } from 'mongodb';
import { startHarnessServer } from '../servers';
import { expiresAt } from '../session-expiry';
import { loadOurStore, storeSubject, type BackendDefinition, type Subject, type SubjectContext } from '../subject';

const DB_NAME = 'session_bench';

interface SessionDocument {
  _id: string;
  session: string;
  expires: Date;
}

/**
 * MongoDB (FerretDB here, real MongoDB where the harness finds one): each subject has its own
 * MongoClient and collection, in connect-mongo's layout (`{ _id, session: JSON text, expires }`),
 * which ours keeps. FerretDB refuses TTL indexes, so the anchor runs with
 * `autoRemove: 'interval'`; ours runs with its default (a TTL index, falling back to an interval).
 */
export const mongoBackend: BackendDefinition = {
  name: 'mongo',
  anchorLabel: 'connect-mongo 6.0.0',
  oursLabel: '@session-stores/mongo',
  rawLabel: 'mongodb findOne / updateOne (upsert) / updateOne / deleteOne',

  async startServer() {
    const { startMongo } = await import('@session-stores/conformance/harness');
    return startHarnessServer('mongo', () => startMongo(), async (server) => {
      const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
      try {
        const info = await client.db('admin').command({ buildInfo: 1 });
        const ferret = (info as { ferretdbVersion?: string }).ferretdbVersion;
        return ferret ? `FerretDB ${ferret} (MongoDB ${String(info.version)} wire protocol, SQLite backend)` : `MongoDB ${String(info.version)}`;
      } finally {
        await client.close();
      }
    });
  },

  async createSubject(kind, context) {
    if (kind === 'ours') return ours(context);
    if (kind === 'anchor') return anchor(context);
    return raw(context);
  },
};

const collectionName = (kind: string, context: SubjectContext) => `${kind}_${context.namespace}`;

async function connect(context: SubjectContext): Promise<MongoClient> {
  const client = new MongoClient(context.server.url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return client;
}

async function ours(context: SubjectContext): Promise<Subject> {
  type Ctor = new (options: { client: MongoClient; dbName: string; collectionName: string }) => Store & { close(): Promise<void> };
  const MongoStore = await loadOurStore<Ctor>('@session-stores/mongo', 'MongoStore', () => import('@session-stores/mongo'));
  const client = await connect(context);
  const store = new MongoStore({ client, dbName: DB_NAME, collectionName: collectionName('ours', context) });
  return storeSubject('ours', mongoBackend.oursLabel, store, async () => {
    await store.close();
    await client.close();
  });
}

async function anchor(context: SubjectContext): Promise<Subject> {
  const client = await connect(context);
  const store = ConnectMongoStore.create({ client, dbName: DB_NAME, collectionName: collectionName('anchor', context), autoRemove: 'interval' });
  return storeSubject('anchor', mongoBackend.anchorLabel, store, async () => {
    await store.close().catch(() => undefined);
    await client.close();
  }, { enumerationNote: 'length() counts expired documents too' });
}

async function raw(context: SubjectContext): Promise<Subject> {
  const client = await connect(context);
  const collection = client.db(DB_NAME).collection<SessionDocument>(collectionName('raw', context));
  return {
    kind: 'raw',
    label: mongoBackend.rawLabel,
    get: async (sid) => {
      const document = await collection.findOne({ _id: sid, expires: { $gt: new Date() } }, { projection: { session: 1 } });
      return document ? (JSON.parse(document.session) as unknown) : null;
    },
    set: async (sid, session) => {
      await collection.updateOne({ _id: sid }, { $set: { session: JSON.stringify(session), expires: new Date(expiresAt(session)) } }, { upsert: true });
    },
    touch: async (sid, session) => {
      await collection.updateOne({ _id: sid, expires: { $gt: new Date() } }, { $set: { expires: new Date(expiresAt(session)) } });
    },
    destroy: async (sid) => {
      await collection.deleteOne({ _id: sid });
    },
    close: () => client.close(),
  };
}
