import { join } from 'node:path';
import { opened, type GradeBackend, type GradedStore, type GradeServer } from '../types';

// This repository's five stores, loaded from their published entry points (dist), made the way
// their READMEs show. They declare their own capability manifest.

type Closable = { close(): Promise<void> | void };

function ourStore(
  backend: GradeBackend,
  name: string,
  driver: string,
  namespace: string,
  make: (server: GradeServer, namespace: string) => Promise<Closable>,
): GradedStore {
  return {
    id: `ours-${name}`,
    title: `@session-stores/${name}`,
    ours: true,
    packages: [`@session-stores/${name}`, driver],
    backend,
    namespace,
    factory:
      (server) =>
      async ({ namespace }) => {
        const store = await make(server, namespace);
        return opened(store, () => store.close());
      },
  };
}

export const oursRedis = ourStore('redis', 'redis', 'ioredis', 'key prefix `<namespace>:`', async (server, ns) => {
  const { RedisStore } = await import('@session-stores/redis');
  return new RedisStore({ url: server.url, prefix: `${ns}:` });
});

export const oursPostgres = ourStore('postgres', 'postgres', 'pg', 'table `<namespace>`', async (server, ns) => {
  const { PostgresStore } = await import('@session-stores/postgres');
  return new PostgresStore({ connectionString: server.url, tableName: ns, createTableIfMissing: true });
});

export const oursMongo = ourStore('mongo', 'mongo', 'mongodb', 'collection `<namespace>`', async (server, ns) => {
  const { MongoStore } = await import('@session-stores/mongo');
  return new MongoStore({ mongoUrl: server.url, dbName: 'session_grade', collectionName: ns });
});

export const oursSqlite = ourStore(
  'directory',
  'sqlite',
  'better-sqlite3',
  'table `<namespace>` in one database file',
  async (server, ns) => {
    const { SqliteStore } = await import('@session-stores/sqlite');
    return new SqliteStore({ filename: join(server.url, 'ours.db'), table: ns });
  },
);

export const oursMemcached = ourStore(
  'memcached',
  'memcached',
  'memjs',
  'key prefix `<namespace>:`',
  async (server, ns) => {
    const { MemcachedStore } = await import('@session-stores/memcached');
    return new MemcachedStore({ servers: server.url, prefix: `${ns}:` });
  },
);
