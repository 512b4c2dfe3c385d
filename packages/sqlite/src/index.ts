export { SqliteStore } from './sqlite-store';
export type { SqliteStoreOptions } from './options';
export type { LayoutName } from './layout';
export type { ConnectSqlite3Options } from './connect-sqlite3-options';
export type { ConnectSqlite3StoreClass } from './connect-sqlite3';
