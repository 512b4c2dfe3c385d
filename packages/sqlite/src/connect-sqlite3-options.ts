import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { DEFAULT_TABLE, STORE_NAME, type SqliteStoreOptions } from './options';

/** connect-sqlite3 0.9's options, beside SqliteStore's own (`ttl`, `pruneInterval`, ...). */
export interface ConnectSqlite3Options extends Omit<
  SqliteStoreOptions,
  'db' | 'client' | 'filename' | 'layout' | 'expired'
> {
  /** Table name. Default `"sessions"`. */
  table?: string;
  /**
   * A database file name inside `dir` (default: the table name, so `./sessions`), `":memory:"`,
   * or an open better-sqlite3 Database. A node-sqlite3 Database is refused (this store runs on better-sqlite3).
   */
  db?: string | Database;
  /** The directory of the `db` file. Default `"."`. */
  dir?: string;
  /** Create `dir` (recursively) when it is missing. Default false. */
  createDirIfNotExists?: boolean;
  /** WAL, which a file the store opens always has; `false` is refused (see README). */
  concurrentDB?: boolean;
  /** The spelling connect-sqlite3's code reads for `concurrentDB`. */
  concurrentDb?: boolean;
}

/** The SqliteStore options that do what connect-sqlite3 did with `options`, on its table layout. */
export function fromConnectSqlite3Options(options: ConnectSqlite3Options | undefined): SqliteStoreOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`${STORE_NAME}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const { db, dir, createDirIfNotExists, concurrentDB, concurrentDb, ...rest } = (options ?? {}) as Record<
    string,
    unknown
  >;
  for (const name of ['client', 'filename', 'layout', 'expired'] as const) {
    if (rest[name] !== undefined) {
      throw new TypeError(
        `${STORE_NAME}: option "${name}" is not one of connect-sqlite3's; give the database as "db" (a file name, or a better-sqlite3 Database), or use SqliteStore from '@session-stores/sqlite'`,
      );
    }
  }
  if (rest.mode !== undefined) {
    throw new TypeError(
      `${STORE_NAME}: option "mode" (node-sqlite3's open flags) is not supported; open the database with better-sqlite3 (its "readonly" and "fileMustExist" options) and pass it as "db"`,
    );
  }
  for (const [name, value] of [
    ['concurrentDB', concurrentDB],
    ['concurrentDb', concurrentDb],
    ['createDirIfNotExists', createDirIfNotExists],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`${STORE_NAME}: option "${name}" must be a boolean, got ${typeof value}`);
    }
  }
  if (concurrentDB === false || concurrentDb === false) {
    throw new TypeError(
      `${STORE_NAME}: option "concurrentDB: false" is not supported: a file the store opens is always in WAL mode; to keep another journal mode, open the database with better-sqlite3 and pass it as "db"`,
    );
  }
  if (dir !== undefined && (typeof dir !== 'string' || dir === '')) {
    throw new TypeError(`${STORE_NAME}: option "dir" must be a non-empty directory path`);
  }

  const layout = 'connect-sqlite3' as const;
  if (typeof db === 'object' && db !== null) {
    if (dir !== undefined || createDirIfNotExists !== undefined) {
      throw new TypeError(
        `${STORE_NAME}: options "dir" and "createDirIfNotExists" apply only when "db" is a file name`,
      );
    }
    if (!isBetterSqlite3(db)) {
      throw new TypeError(
        `${STORE_NAME}: option "db" is a database object that is not better-sqlite3's (a node-sqlite3 Database?); pass its file name as "db" (with "dir"), or a better-sqlite3 Database`,
      );
    }
    return { ...rest, db, layout };
  }
  if (db !== undefined && (typeof db !== 'string' || db === '')) {
    throw new TypeError(`${STORE_NAME}: option "db" must be a file name or a better-sqlite3 Database`);
  }
  // As connect-sqlite3: the file is named after the table unless `db` names it, inside `dir`.
  const name = db ?? (typeof rest.table === 'string' ? rest.table : DEFAULT_TABLE);
  const inMemory = name.includes(':memory:') || name.includes('?mode=memory');
  if (inMemory && dir !== undefined) {
    throw new TypeError(`${STORE_NAME}: option "dir" does not apply to an in-memory "db"`);
  }
  if (dir !== undefined && createDirIfNotExists === true) mkdirSync(dir, { recursive: true });
  return { ...rest, filename: inMemory ? name : join(dir ?? '.', name), layout };
}

function isBetterSqlite3(value: object): value is Database {
  const candidate = value as Partial<Database>;
  return typeof candidate.prepare === 'function' && typeof candidate.pragma === 'function';
}
