import type { Store } from 'express-session';
import { MongoStore as ConnectMongoStore } from 'connect-mongo';
import { MongoClient } from 'mongodb';
import { parseLive, rawEnumeration } from '../raw-enumeration';
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
  rawLabel: 'mongodb findOne by _id / updateOne (upsert) / updateOne / deleteOne',

  async startServer() {
    const { startMongo } = await import('@session-stores/test-servers');
    return startHarnessServer(
      'mongo',
      () => startMongo(),
      async (server) => {
        const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
        try {
          const info = await client.db('admin').command({ buildInfo: 1 });
          const ferret = (info as { ferretdbVersion?: string }).ferretdbVersion;
          return ferret
            ? `FerretDB ${ferret} (MongoDB ${String(info.version)} wire protocol, SQLite backend)`
            : `MongoDB ${String(info.version)}`;
        } finally {
          await client.close();
        }
      },
    );
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

/**
 * Writes sessions straight into a collection in connect-mongo's layout, which both stores read:
 * FerretDB answers a few hundred single writes per second, so writing 100,000 sessions one
 * set() at a time would take minutes, while batches of 1,000 take seconds.
 */
function bulkSeed(client: MongoClient, name: string): NonNullable<Subject['seed']> {
  return async (sids, session) => {
    const collection = client.db(DB_NAME).collection<SessionDocument>(name);
    const payload = JSON.stringify(session);
    const expires = new Date(expiresAt(session));
    for (let start = 0; start < sids.length; start += 1000) {
      const batch = sids.slice(start, start + 1000).map((sid) => ({ _id: sid, session: payload, expires }));
      await collection.insertMany(batch, { ordered: false });
    }
  };
}

async function ours(context: SubjectContext): Promise<Subject> {
  type Ctor = new (options: {
    client: MongoClient;
    dbName: string;
    collectionName: string;
    operationTimeoutMs: number;
  }) => Store & { close(): Promise<void> };
  const MongoStore = await loadOurStore<Ctor>(
    '@session-stores/mongo',
    'MongoStore',
    () => import('@session-stores/mongo'),
  );
  const client = await connect(context);
  const name = collectionName('ours', context);
  // FerretDB queues requests and answers each in up to seconds at concurrency 64; the store's
  // default 5 s deadline would turn that queueing into errors where the anchor (no deadline)
  // just waits. A longer deadline makes both measure throughput.
  const store = new MongoStore({
    client,
    dbName: DB_NAME,
    collectionName: name,
    operationTimeoutMs: 60_000,
    ...context.storeOptions,
  });
  return storeSubject(
    'ours',
    mongoBackend.oursLabel,
    store,
    async () => {
      await store.close();
      await client.close();
    },
    { seed: bulkSeed(client, name) },
  );
}

async function anchor(context: SubjectContext): Promise<Subject> {
  const client = await connect(context);
  const name = collectionName('anchor', context);
  const store = ConnectMongoStore.create({ client, dbName: DB_NAME, collectionName: name, autoRemove: 'interval' });
  return storeSubject(
    'anchor',
    mongoBackend.anchorLabel,
    store,
    async () => {
      await store.close().catch(() => undefined);
      await client.close();
    },
    { enumerationNote: 'length() counts expired documents too', seed: bulkSeed(client, name) },
  );
}

/** Documents per batch of the raw listing's cursor. */
const RAW_BATCH = 1000;

async function raw(context: SubjectContext): Promise<Subject> {
  const client = await connect(context);
  const name = collectionName('raw', context);
  const collection = client.db(DB_NAME).collection<SessionDocument>(name);
  return {
    kind: 'raw',
    label: mongoBackend.rawLabel,
    // One find() filtered on expiry, read batch by batch from its cursor; countDocuments with the
    // same filter. The session is JSON text in this layout: parsed here.
    ...rawEnumeration({
      async *pages() {
        const cursor = collection.find(
          { expires: { $gt: new Date() } },
          { projection: { _id: 0, session: 1 }, batchSize: RAW_BATCH },
        );
        try {
          let page: string[] = [];
          for await (const document of cursor) {
            page.push(document.session);
            if (page.length === RAW_BATCH) {
              yield parseLive(page);
              page = [];
            }
          }
          if (page.length > 0) yield parseLive(page);
        } finally {
          await cursor.close();
        }
      },
      count: () => collection.countDocuments({ expires: { $gt: new Date() } }),
    }),
    seed: bulkSeed(client, name),
    // By _id alone, expiry checked here: FerretDB answers only an _id-only filter from its index.
    get: async (sid) => {
      const document = await collection.findOne({ _id: sid }, { projection: { session: 1, expires: 1 } });
      return document && document.expires.getTime() > Date.now() ? (JSON.parse(document.session) as unknown) : null;
    },
    set: async (sid, session) => {
      await collection.updateOne(
        { _id: sid },
        { $set: { session: JSON.stringify(session), expires: new Date(expiresAt(session)) } },
        { upsert: true },
      );
    },
    touch: async (sid, session) => {
      await collection.updateOne(
        { _id: sid, expires: { $gt: new Date() } },
        { $set: { expires: new Date(expiresAt(session)) } },
      );
    },
    destroy: async (sid) => {
      await collection.deleteOne({ _id: sid });
    },
    close: () => client.close(),
  };
}
