import { createRequire } from 'node:module';
import { opened, type GradedStore } from '../types';
import { connectStyleStore } from './express-session';

const require = createRequire(import.meta.url);

/** One database for every graded Mongo store; the namespace is the collection. */
const DB_NAME = 'session_grade';

const FERRETDB_NOTE =
  'Locally MongoDB is FerretDB (MongoDB wire protocol over SQLite): what FerretDB lacks fails every Mongo store alike (see packages/mongo/test/conformance-options.ts).';

type ConnectMongo = { create(options: Record<string, unknown>): object & { close(): Promise<void> } };

export const connectMongo: GradedStore = {
  id: 'connect-mongo',
  title: 'connect-mongo',
  ours: false,
  packages: ['connect-mongo', 'mongodb'],
  backend: 'mongo',
  namespace: 'collection `<namespace>`',
  notes: [
    FERRETDB_NOTE,
    "On FerretDB, `autoRemove: 'interval'` (its documented choice where TTL indexes are missing): FerretDB refuses the TTL index of the default 'native', and every write would fail on it.",
  ],
  capabilities: (server) => ({ persistent: server.dataSurvivesRestart }),
  factory:
    (server) =>
    ({ namespace }) => {
      const { default: MongoStore } = require('connect-mongo') as { default: ConnectMongo };
      const store = MongoStore.create({
        mongoUrl: server.url,
        dbName: DB_NAME,
        collectionName: namespace,
        autoRemove: server.provider === 'local' ? 'interval' : 'native',
      });
      return opened(store, () => store.close());
    },
};

type MongoDbStore = new (options: Record<string, unknown>) => object & {
  client: { close(): Promise<void> };
  on(event: 'error', listener: (error: unknown) => void): void;
};

export const connectMongodbSession: GradedStore = {
  id: 'connect-mongodb-session',
  title: 'connect-mongodb-session',
  ours: false,
  packages: ['connect-mongodb-session', 'mongodb'],
  backend: 'mongo',
  namespace: 'collection `<namespace>`',
  notes: [FERRETDB_NOTE, 'The store emits `error` when it cannot connect: it gets the listener its README shows.'],
  capabilities: (server) => ({ persistent: server.dataSurvivesRestart }),
  factory:
    (server) =>
    ({ namespace }) => {
      const MongoDBStore = connectStyleStore<MongoDbStore>('connect-mongodb-session');
      const store = new MongoDBStore({ uri: server.url, databaseName: DB_NAME, collection: namespace });
      store.on('error', () => undefined);
      return opened(store, () => store.client.close());
    },
};
