import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { opened, type GradedStore } from '../types';
import { connectStyleStore } from './express-session';
import { knexStoreFactory } from './postgres';

const require = createRequire(import.meta.url);

// Stores on files: the "server" is a fresh directory, kept across the backend's absence of
// faults (there is no server to stop, so the fault clauses are skipped).

type BetterSqliteStore = new (options: { client: unknown }) => object;

export const betterSqlite3SessionStore: GradedStore = {
  id: 'better-sqlite3-session-store',
  title: 'better-sqlite3-session-store',
  ours: false,
  packages: ['better-sqlite3-session-store', 'better-sqlite3'],
  backend: 'directory',
  namespace: 'database file `<namespace>.db` (the table name is fixed)',
  notes: ['Its table is always `sessions`: a namespace is a database file of its own.'],
  capabilities: () => ({ persistent: true }),
  factory:
    (server) =>
    ({ namespace }) => {
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      const SqliteStore = connectStyleStore<BetterSqliteStore>('better-sqlite3-session-store');
      const db = new Database(join(server.url, `${namespace}.db`));
      return opened(new SqliteStore({ client: db }), () => db.close());
    },
};

type ConnectSqliteStore = new (options: { db: string; dir: string; table: string }) => object & {
  db: { close(cb: (error: Error | null) => void): void };
};

export const connectSqlite3: GradedStore = {
  id: 'connect-sqlite3',
  title: 'connect-sqlite3',
  ours: false,
  packages: ['connect-sqlite3', 'sqlite3'],
  backend: 'directory',
  namespace: 'table `<namespace>` in one database file',
  capabilities: () => ({ persistent: true }),
  factory:
    (server) =>
    ({ namespace }) => {
      const SQLiteStore = connectStyleStore<ConnectSqliteStore>('connect-sqlite3');
      const store = new SQLiteStore({ db: 'connect-sqlite3.db', dir: server.url, table: namespace });
      return opened(store, () => new Promise<void>((resolve) => store.db.close(() => resolve())));
    },
};

export const connectSessionKnexSqlite: GradedStore = {
  id: 'connect-session-knex-sqlite',
  title: 'connect-session-knex (SQLite)',
  ours: false,
  packages: ['connect-session-knex', 'knex', 'sqlite3'],
  backend: 'directory',
  namespace: 'table `<namespace>` in one database file',
  capabilities: () => ({ persistent: true }),
  factory: (server) =>
    knexStoreFactory(() => ({
      client: 'sqlite3',
      connection: { filename: join(server.url, 'knex.db') },
      useNullAsDefault: true,
    })),
};

type FileStore = new (options: { path: string; logFn: (message: string) => void }) => object & {
  options: { reapIntervalObject?: NodeJS.Timeout };
};

export const sessionFileStore: GradedStore = {
  id: 'session-file-store',
  title: 'session-file-store',
  ours: false,
  packages: ['session-file-store'],
  backend: 'directory',
  namespace: 'directory `<namespace>/`',
  notes: ['Its retry messages are silenced (`logFn`); everything else is its defaults.'],
  capabilities: () => ({ persistent: true }),
  factory:
    (server) =>
    ({ namespace }) => {
      const FileStoreClass = connectStyleStore<FileStore>('session-file-store');
      const path = join(server.url, namespace);
      mkdirSync(path, { recursive: true });
      const store = new FileStoreClass({ path, logFn: () => undefined });
      return opened(store, () => clearInterval(store.options.reapIntervalObject));
    },
};

type MemoryStore = new (options: { checkPeriod: number }) => object & { stopInterval(): void };

export const memorystore: GradedStore = {
  id: 'memorystore',
  title: 'memorystore',
  ours: false,
  packages: ['memorystore'],
  backend: 'memory',
  namespace: 'none: each instance is its own memory',
  notes: [
    'In-process memory: two instances never share sessions, so the clauses that open a second store on one namespace (two app instances, an app restart) fail by design.',
  ],
  capabilities: () => ({ persistent: false }),
  factory: () => () => {
    const MemoryStoreClass = connectStyleStore<MemoryStore>('memorystore');
    // checkPeriod as its README shows: prune expired entries every 24 h.
    const store = new MemoryStoreClass({ checkPeriod: 86_400_000 });
    return opened(store, () => store.stopInterval());
  },
};
