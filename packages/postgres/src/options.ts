import { type BaseStoreOptions, validate } from '@session-stores/core';
import type { Pool, PoolConfig } from 'pg';

export const STORE_NAME = 'PostgresStore';

/** Options of {@link PostgresStore}. Names follow connect-pg-simple where they mean the same. */
export interface PostgresStoreOptions extends BaseStoreOptions {
  /**
   * A `pg.Pool` to use. The store never ends it. Set `connectionTimeoutMillis` and
   * `statement_timeout` on it so that calls fail fast while the database is down (README, "Timeouts").
   * Give exactly one of `pool`, `connectionString`, `conString`, `conObject`.
   */
  pool?: Pool;
  /** A connection URL (`postgres://user:pass@host:5432/db`); the store makes, owns and ends its own pool. */
  connectionString?: string;
  /** connect-pg-simple's name for {@link connectionString}. */
  conString?: string;
  /**
   * A `pg.PoolConfig` for a pool the store makes, owns and ends (connect-pg-simple's name). The
   * store's timeout defaults are filled in where this object leaves them unset.
   */
  conObject?: PoolConfig;
  /** The schema of the table. Default: none, so the connection's `search_path` decides (usually `public`). */
  schemaName?: string;
  /** The table. Default `"session"`, as connect-pg-simple. */
  tableName?: string;
  /**
   * Create the table (with the timestamptz layout, README "Data layout") when it does not exist.
   * Default false, as connect-pg-simple: without it, a missing table is an error on every call.
   */
  createTableIfMissing?: boolean;
  /**
   * Seconds between background deletions of expired rows, jittered by ±50% so that scaled-out
   * instances spread out; `false` turns them off (call `prune()` yourself). Default 900 (15 min).
   * Expired rows are never returned either way: pruning only reclaims space.
   */
  pruneSessionInterval?: number | false;
  /** Rows deleted per statement when pruning, so a prune never holds long locks. Default 1000. */
  pruneBatchSize?: number;
  /** Rows fetched per query by `all()`, `ids()` and `iterate()` (keyset pagination). Default 100. */
  pageSize?: number;
  /**
   * Also called with a message and the error when a background prune fails (connect-pg-simple's
   * name). Such failures are always emitted as a `warning` event (code `ERR_SESSION_STORE_PRUNE_FAILED`). Default: none.
   */
  errorLog?: (message: string, error: unknown) => void;
}

export const DEFAULT_TABLE_NAME = 'session';

/** Where the pool comes from: the app's (`client`), or one the store makes from a URL or config (`owned`). */
export type ClientSource = { kind: 'client'; pool: Pool } | { kind: 'owned'; config: PoolConfig };

export interface ResolvedPostgresOptions {
  source: ClientSource;
  schemaName: string | undefined;
  tableName: string;
  createTableIfMissing: boolean;
  pruneIntervalMs: number | false;
  pruneBatchSize: number;
  pageSize: number;
  errorLog: ((message: string, error: unknown) => void) | undefined;
}

/** Checks the PostgreSQL-specific options; the base checks the shared ones. Throws TypeError. */
export function resolveOptions(raw: PostgresStoreOptions | undefined): ResolvedPostgresOptions {
  const options = validate.checkOptionsObject(STORE_NAME, raw) as PostgresStoreOptions & Record<string, unknown>;
  const way = validate.exactlyOne(STORE_NAME, options, ['pool', 'connectionString', 'conString', 'conObject']);

  let source: ClientSource;
  if (way === 'pool') {
    const pool = options.pool as unknown;
    const candidate = pool as { query?: unknown; connect?: unknown } | null;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof candidate.query !== 'function' ||
      typeof candidate.connect !== 'function'
    ) {
      throw new TypeError(`${STORE_NAME}: option "pool" must be a pg.Pool (an object with query and connect methods)`);
    }
    source = { kind: 'client', pool: pool as Pool };
  } else if (way === 'conObject') {
    validate.checkOptionsObject(`${STORE_NAME}: option "conObject"`, options.conObject);
    source = { kind: 'owned', config: { ...options.conObject } };
  } else {
    const url = options[way];
    if (typeof url !== 'string' || url.length === 0)
      throw new TypeError(`${STORE_NAME}: option "${way}" must be a non-empty connection string, got ${typeof url}`);
    source = { kind: 'owned', config: { connectionString: url } };
  }

  const schemaName = validate.optionalString(STORE_NAME, 'schemaName', options.schemaName, validate.IDENTIFIER);
  const tableName =
    validate.optionalString(STORE_NAME, 'tableName', options.tableName, validate.IDENTIFIER) ?? DEFAULT_TABLE_NAME;
  const createTableIfMissing =
    validate.optionalBoolean(STORE_NAME, 'createTableIfMissing', options.createTableIfMissing) ?? false;

  const pruneIntervalMs = validate.pruneIntervalMs(STORE_NAME, 'pruneSessionInterval', options.pruneSessionInterval);
  const pruneBatchSize = validate.pruneBatchSize(STORE_NAME, options.pruneBatchSize);
  const pageSize = validate.pageSize(STORE_NAME, options.pageSize);
  const errorLog = validate.optionalFunction<(message: string, error: unknown) => void>(
    STORE_NAME,
    'errorLog',
    options.errorLog,
  );

  return {
    source,
    schemaName,
    tableName,
    createTableIfMissing,
    pruneIntervalMs,
    pruneBatchSize,
    pageSize,
    errorLog,
  };
}
