import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from 'express-session';
import { withUserIndex } from './user-sessions';

export type ClosableStore = Store & { close?(): unknown };

export interface DemoStore {
  store: ClosableStore;
  /** Where the sessions are, for the page and the log. */
  label: string;
  /** The `STORE` value that chose the store. */
  kind: StoreKind;
}

export const DEFAULT_SQLITE_FILE = fileURLToPath(new URL('../data/sessions.db', import.meta.url));
export const STORE_KINDS = ['sqlite', 'redis', 'mongo', 'postgres', 'memcached'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

function required(env: NodeJS.ProcessEnv, kind: string, name: string): string {
  const value = env[name]?.trim();
  if (!value)
    throw new Error(`STORE=${kind} needs ${name}: set it to the server to use, for example ${EXAMPLE_URLS[name]}`);
  return value;
}

const EXAMPLE_URLS: Record<string, string> = {
  REDIS_URL: 'REDIS_URL=redis://127.0.0.1:6379',
  MONGO_URL: 'MONGO_URL=mongodb://127.0.0.1:27017/demo',
  DATABASE_URL: 'DATABASE_URL=postgres://user:password@127.0.0.1:5432/demo',
  MEMCACHED_SERVERS: 'MEMCACHED_SERVERS=127.0.0.1:11211',
};

/**
 * The store class `exportName` of a @session-stores package, loaded only when chosen, so the
 * demo starts with SQLite even when another backend's package or driver is missing or broken.
 */
async function storeClass(
  load: () => Promise<unknown>,
  packageName: string,
  exportName: string,
): Promise<new (options: object) => ClosableStore> {
  let module: Record<string, unknown>;
  try {
    module = (await load()) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot load ${packageName}: ${(error as Error).message}`, { cause: error });
  }
  const StoreClass = module[exportName];
  if (typeof StoreClass !== 'function') throw new Error(`${packageName} does not export ${exportName}`);
  return StoreClass as new (options: object) => ClosableStore;
}

/** Hides the password of a connection URL before it is printed. */
function redact(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

/**
 * The store chosen by `STORE` (default sqlite) with its address from the matching variable:
 * `SQLITE_FILE`, `REDIS_URL`, `MONGO_URL`, `DATABASE_URL` or `MEMCACHED_SERVERS`.
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<DemoStore> {
  const kind = (env.STORE?.trim() || 'sqlite').toLowerCase();
  switch (kind) {
    case 'sqlite': {
      const filename = env.SQLITE_FILE?.trim() || DEFAULT_SQLITE_FILE;
      mkdirSync(dirname(filename), { recursive: true });
      const SqliteStore = await storeClass(
        () => import('@session-stores/sqlite'),
        '@session-stores/sqlite',
        'SqliteStore',
      );
      return {
        store: withUserIndex((extra) => new SqliteStore({ filename, ...extra })),
        label: `the SQLite file ${filename}`,
        kind,
      };
    }
    case 'redis': {
      const url = required(env, kind, 'REDIS_URL');
      const RedisStore = await storeClass(() => import('@session-stores/redis'), '@session-stores/redis', 'RedisStore');
      return {
        store: withUserIndex((extra) => new RedisStore({ url, driver: 'ioredis', ...extra })),
        label: `Redis at ${redact(url)}`,
        kind,
      };
    }
    case 'mongo': {
      const mongoUrl = required(env, kind, 'MONGO_URL');
      const MongoStore = await storeClass(() => import('@session-stores/mongo'), '@session-stores/mongo', 'MongoStore');
      return {
        store: withUserIndex((extra) => new MongoStore({ mongoUrl, ...extra })),
        label: `MongoDB at ${redact(mongoUrl)}`,
        kind,
      };
    }
    case 'postgres': {
      const connectionString = required(env, kind, 'DATABASE_URL');
      const PostgresStore = await storeClass(
        () => import('@session-stores/postgres'),
        '@session-stores/postgres',
        'PostgresStore',
      );
      return {
        store: withUserIndex((extra) => new PostgresStore({ connectionString, createTableIfMissing: true, ...extra })),
        label: `PostgreSQL at ${redact(connectionString)}`,
        kind,
      };
    }
    case 'memcached': {
      const servers = required(env, kind, 'MEMCACHED_SERVERS');
      const MemcachedStore = await storeClass(
        () => import('@session-stores/memcached'),
        '@session-stores/memcached',
        'MemcachedStore',
      );
      return {
        store: withUserIndex((extra) => new MemcachedStore({ servers, ...extra })),
        label: `memcached at ${servers}`,
        kind,
      };
    }
    default:
      throw new Error(`STORE=${env.STORE} is not one of ${STORE_KINDS.join(', ')}`);
  }
}
