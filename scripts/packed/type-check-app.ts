import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type CommandResult } from './commands';

/**
 * A small TypeScript app a user would write: every store made from its own options type, and
 * a store error narrowed by class and code. Each `@ts-expect-error` proves that the options are
 * really typed (a wrong type must be an error, not `any`). The stores' declarations name their
 * drivers' types, so the stores on drivers without bundled types (pg, memjs, better-sqlite3)
 * depend on the matching `@types` package: the app installs none of them itself.
 */
const APP = `import { SessionStoreError } from '@session-stores/core';
import { MemcachedStore, type MemcachedStoreOptions } from '@session-stores/memcached';
import { MongoStore, type MongoStoreOptions } from '@session-stores/mongo';
import { PostgresStore, type PostgresStoreOptions } from '@session-stores/postgres';
import { RedisStore, type RedisStoreOptions } from '@session-stores/redis';
import { SqliteStore, type SqliteStoreOptions } from '@session-stores/sqlite';
import session from 'express-session';

const sqlite: SqliteStoreOptions = { filename: 'sessions.db' };
const redis: RedisStoreOptions = { url: 'redis://127.0.0.1:6379', prefix: 'app:' };
const postgres: PostgresStoreOptions = { connectionString: 'postgres://127.0.0.1/app', createTableIfMissing: true };
const mongo: MongoStoreOptions = { mongoUrl: 'mongodb://127.0.0.1:27017/app' };
const memcached: MemcachedStoreOptions = { servers: '127.0.0.1:11211' };

// @ts-expect-error: a file name is a string
export const wrongSqlite: SqliteStoreOptions = { filename: 42 };
// @ts-expect-error: not an option of the Redis store
export const wrongRedis: RedisStoreOptions = { url: 'redis://127.0.0.1:6379', noSuchOption: true };

export function makeStores(): session.Store[] {
  return [
    new SqliteStore(sqlite),
    new RedisStore(redis),
    new PostgresStore(postgres),
    new MongoStore(mongo),
    new MemcachedStore(memcached),
  ];
}

export async function describeRead(store: SqliteStore, sid: string): Promise<string> {
  try {
    const found = await store.get(sid);
    return found ? \`found, expires \${String(found.cookie.expires)}\` : 'not found';
  } catch (error) {
    if (error instanceof SessionStoreError) return \`\${error.code}: \${error.message}\`;
    throw error;
  }
}

export function middleware(store: session.Store) {
  return session({ store, secret: 'type-check', resave: false, saveUninitialized: false });
}
`;

/** The compiler settings of each resolution mode a user may have. */
const SETTINGS = {
  // Node's own resolution: the ESM file uses the import condition, the CommonJS one require.
  node16: { compilerOptions: { module: 'node16', moduleResolution: 'node16' }, files: ['app.mts', 'app.cts'] },
  bundler: { compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, files: ['app.mts'] },
} as const;

/** Writes the app and `tsconfig.<resolution>.json` into `dir`, and runs `tsc -p` on it. */
export async function typeCheckApp(
  dir: string,
  resolution: keyof typeof SETTINGS,
  env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  writeFileSync(join(dir, 'app.mts'), APP);
  writeFileSync(join(dir, 'app.cts'), APP);
  const { compilerOptions, files } = SETTINGS[resolution];
  const config = {
    compilerOptions: {
      ...compilerOptions,
      strict: true,
      target: 'es2022',
      lib: ['es2023'],
      types: ['node'],
      esModuleInterop: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files,
  };
  writeFileSync(join(dir, `tsconfig.${resolution}.json`), JSON.stringify(config, null, 2));
  return runCommand(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${resolution}.json`], {
    cwd: dir,
    env,
    timeoutMs: 110_000,
  });
}
