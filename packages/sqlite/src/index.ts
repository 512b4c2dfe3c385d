export { SqliteStore } from './sqlite-store';
export type { SqliteStoreOptions } from './options';
export type { LayoutName } from './layout';
