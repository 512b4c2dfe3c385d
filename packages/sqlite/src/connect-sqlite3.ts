import { fromConnectSqlite3Options, type ConnectSqlite3Options } from './connect-sqlite3-options';
import { checkSessionModule, type ExpressSessionModule } from './express-session-module';
import { SqliteStore } from './sqlite-store';

export type { ConnectSqlite3Options } from './connect-sqlite3-options';

/** A SqliteStore on connect-sqlite3's table, built from connect-sqlite3's options. */
export interface ConnectSqlite3StoreClass {
  new (options?: ConnectSqlite3Options): SqliteStore;
}

/**
 * connect-sqlite3's shape, so that switching is the require line only:
 * `const SQLiteStore = require('@session-stores/sqlite/connect-sqlite3')(session)`, then
 * `new SQLiteStore({ db, dir, table })` (or `new SQLiteStore` alone) as before.
 */
export default function connectSqlite3(session: ExpressSessionModule): ConnectSqlite3StoreClass {
  checkSessionModule('connect-sqlite3', session);
  return class SQLiteStore extends SqliteStore {
    constructor(options?: ConnectSqlite3Options) {
      super(fromConnectSqlite3Options(options));
    }
  };
}
