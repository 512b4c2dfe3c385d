export { PostgresStore } from './postgres-store';
export type { PostgresStoreOptions } from './options';
export type { TableLayout } from './layout';
