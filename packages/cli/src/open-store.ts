import { existsSync } from 'node:fs';
import type { SessionEntry } from '@session-stores/core';
import type { SessionData } from 'express-session';
import type { StoreKind, StoreSpec } from './endpoint';
import { UsageError } from './usage-error';

/** What a copy needs of a store: the public API every one of our stores has. */
export interface CopyableStore {
  get(sid: string): Promise<SessionData | null>;
  set(sid: string, session: SessionData): Promise<void>;
  /** A promise when called without a callback, as on every one of our stores. */
  close(): Promise<void> | undefined;
  /** Absent on a store that cannot list its sessions. */
  iterate?(): AsyncIterable<SessionEntry>;
  ids?(): Promise<string[]>;
}

/** Each store's package, loaded only when a side names it (they are optional peer dependencies). */
const PACKAGES: Record<
  StoreKind,
  { name: string; driver: string; load: () => Promise<new (options: never) => unknown> }
> = {
  redis: {
    name: '@session-stores/redis',
    driver: 'redis',
    load: async () => (await import('@session-stores/redis')).RedisStore,
  },
  postgres: {
    name: '@session-stores/postgres',
    driver: 'pg',
    load: async () => (await import('@session-stores/postgres')).PostgresStore,
  },
  mongo: {
    name: '@session-stores/mongo',
    driver: 'mongodb',
    load: async () => (await import('@session-stores/mongo')).MongoStore,
  },
  sqlite: {
    name: '@session-stores/sqlite',
    driver: 'better-sqlite3',
    load: async () => (await import('@session-stores/sqlite')).SqliteStore,
  },
  memcached: {
    name: '@session-stores/memcached',
    driver: 'memjs',
    load: async () => (await import('@session-stores/memcached')).MemcachedStore,
  },
};

/**
 * Options the command adds to what a side names, unless the side sets them: no background
 * pruning (a copy is short, and pruning is the app's job), a table made on the target only, and
 * a SQLite source that must already exist (opening a missing file would create an empty one).
 */
function roleDefaults(spec: StoreSpec, role: 'from' | 'to'): Record<string, unknown> {
  switch (spec.store) {
    case 'sqlite':
      return { pruneInterval: false, createTable: role === 'to' };
    case 'postgres':
      return { pruneSessionInterval: false, createTableIfMissing: role === 'to' };
    default:
      return {};
  }
}

export async function openStore(spec: StoreSpec, role: 'from' | 'to'): Promise<CopyableStore> {
  const filename = spec.options.filename;
  if (spec.store === 'sqlite' && role === 'from' && typeof filename === 'string' && !existsSync(filename))
    throw new UsageError(`the from side ${spec.label}: no such SQLite file`);
  const pkg = PACKAGES[spec.store];
  let Store: new (options: never) => unknown;
  try {
    Store = await pkg.load();
  } catch (error) {
    if (isModuleNotFound(error))
      throw new UsageError(
        `the ${spec.store} store is not installed; install it next to this command: npm install ${pkg.name} ${pkg.driver}`,
      );
    throw error;
  }
  try {
    return new Store({ ...roleDefaults(spec, role), ...spec.options } as never) as CopyableStore;
  } catch (error) {
    // Options are validated at construction: say which side they belong to.
    throw new UsageError(`the ${role} side ${spec.label}: ${(error as Error).message}`);
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
