import type { Store } from 'express-session';
import type { AppConfig } from './protocol';

/**
 * The store an app process runs: made from a URL as most apps make it, so that the store's own
 * client (with its reconnect and fail-fast settings) is what the faults meet.
 */
export async function createSoakStore(config: AppConfig): Promise<Store> {
  const common = { operationTimeoutMs: config.operationTimeoutMs };
  switch (config.backend) {
    case 'redis': {
      const { RedisStore } = await import('@session-stores/redis');
      return new RedisStore({ ...common, url: config.url, prefix: `${config.namespace}:` });
    }
    case 'redis-sentinel': {
      const { RedisStore } = await import('@session-stores/redis');
      return new RedisStore({
        ...common,
        sentinel: { sentinels: config.sentinels ?? [], name: config.masterName ?? 'mymaster' },
        prefix: `${config.namespace}:`,
      });
    }
    case 'postgres': {
      const { PostgresStore } = await import('@session-stores/postgres');
      return new PostgresStore({
        ...common,
        connectionString: config.url,
        tableName: config.namespace,
        createTableIfMissing: true,
      });
    }
    case 'mongo': {
      const { MongoStore } = await import('@session-stores/mongo');
      return new MongoStore({ ...common, mongoUrl: config.url, collectionName: config.namespace });
    }
    case 'sqlite': {
      const { SqliteStore } = await import('@session-stores/sqlite');
      return new SqliteStore({ ...common, filename: config.filename, table: config.namespace });
    }
    case 'memcached': {
      const { MemcachedStore } = await import('@session-stores/memcached');
      return new MemcachedStore({ ...common, servers: config.url, prefix: `${config.namespace}:` });
    }
  }
}
