/**
 * What the soak runner and its app processes tell each other over the IPC channel, and how the
 * runner describes a store to an app process (the app makes the store itself, as an app would).
 */

/** The backends the soak runs, each with the topology its faults need. */
export type StoreKind = 'redis' | 'redis-sentinel' | 'postgres' | 'mongo' | 'sqlite' | 'memcached';

/** Everything an app process needs to make its store: passed as JSON in SOAK_APP_CONFIG. */
export interface AppConfig {
  backend: StoreKind;
  /** redis://, postgres://, mongodb://, or a memcached server list. */
  url?: string;
  /** redis-sentinel: the Sentinels and the master's name. */
  sentinels?: Array<{ host: string; port: number }>;
  masterName?: string;
  /** sqlite: the database file both app processes share. */
  filename?: string;
  /** A namespace of this run (table, prefix, collection), so runs never see each other's sessions. */
  namespace: string;
  /** The store's call deadline: a request waits at most about this long on the store. */
  operationTimeoutMs: number;
}

/** App → runner messages. */
export type AppMessage =
  | { type: 'listening'; port: number }
  | { type: 'memory'; at: number; rss: number; heapUsed: number }
  /** A store call failed after the response was sent (express-session's touch at the end of a read). */
  | { type: 'late-error'; at: number; message: string }
  | { type: 'store-event'; at: number; event: 'connect' | 'disconnect' | 'warning'; detail?: string };

export const APP_CONFIG_VARIABLE = 'SOAK_APP_CONFIG';
