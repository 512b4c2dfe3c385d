import { join } from 'node:path';
import { opened, type GradedStore } from '../types';

// This repository's five stores, loaded from their published entry points (dist), made the way
// their READMEs show. They declare their own capability manifest.

const closeIt = (store: { close(): Promise<void> | void }) => opened(store, () => store.close());

export const oursRedis: GradedStore = {
  id: 'ours-redis',
  title: '@session-stores/redis',
  ours: true,
  packages: ['@session-stores/redis', 'ioredis'],
  backend: 'redis',
  namespace: 'key prefix `<namespace>:`',
  factory:
    (server) =>
    async ({ namespace }) => {
      const { RedisStore } = await import('@session-stores/redis');
      return closeIt(new RedisStore({ url: server.url, prefix: `${namespace}:` }));
    },
};

export const oursPostgres: GradedStore = {
  id: 'ours-postgres',
  title: '@session-stores/postgres',
  ours: true,
  packages: ['@session-stores/postgres', 'pg'],
  backend: 'postgres',
  namespace: 'table `<namespace>`',
  factory:
    (server) =>
    async ({ namespace }) => {
      const { PostgresStore } = await import('@session-stores/postgres');
      return closeIt(
        new PostgresStore({ connectionString: server.url, tableName: namespace, createTableIfMissing: true }),
      );
    },
};

export const oursMongo: GradedStore = {
  id: 'ours-mongo',
  title: '@session-stores/mongo',
  ours: true,
  packages: ['@session-stores/mongo', 'mongodb'],
  backend: 'mongo',
  namespace: 'collection `<namespace>`',
  factory:
    (server) =>
    async ({ namespace }) => {
      const { MongoStore } = await import('@session-stores/mongo');
      return closeIt(new MongoStore({ mongoUrl: server.url, dbName: 'session_grade', collectionName: namespace }));
    },
};

export const oursSqlite: GradedStore = {
  id: 'ours-sqlite',
  title: '@session-stores/sqlite',
  ours: true,
  packages: ['@session-stores/sqlite', 'better-sqlite3'],
  backend: 'directory',
  namespace: 'table `<namespace>` in one database file',
  factory:
    (server) =>
    async ({ namespace }) => {
      const { SqliteStore } = await import('@session-stores/sqlite');
      return closeIt(new SqliteStore({ filename: join(server.url, 'ours.db'), table: namespace }));
    },
};

export const oursMemcached: GradedStore = {
  id: 'ours-memcached',
  title: '@session-stores/memcached',
  ours: true,
  packages: ['@session-stores/memcached', 'memjs'],
  backend: 'memcached',
  namespace: 'key prefix `<namespace>:`',
  factory:
    (server) =>
    async ({ namespace }) => {
      const { MemcachedStore } = await import('@session-stores/memcached');
      return closeIt(new MemcachedStore({ servers: server.url, prefix: `${namespace}:` }));
    },
};
