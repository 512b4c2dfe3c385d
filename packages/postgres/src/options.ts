import { type BaseStoreOptions, validate } from '@session-stores/core';
import type { Pool, PoolConfig } from 'pg';

export const STORE_NAME = 'PostgresStore';

/** Options of {@link PostgresStore}. Names follow connect-pg-simple where they mean the same. */
export interface PostgresStoreOptions extends BaseStoreOptions {
  /**
   * A `pg.Pool` to use. The store never ends it. Set `connectionTimeoutMillis` and
   * `statement_timeout` on it so that calls fail fast while the database is down (README, "Timeouts").
   * Give at most one of `pool`, `connectionString`, `conString`, `conObject`; with none, the
   * `DATABASE_URL` environment variable is used, as connect-pg-simple does.
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
  /**
   * connect-pg-simple's switch for the jitter: `false` waits exactly `pruneSessionInterval`
   * between prunes. Default: jittered by ±50%. A function (a delay algorithm of your own) is
   * refused: use `pruneSessionInterval: false` and call `prune()` on your own schedule.
   */
  pruneSessionRandomizedInterval?: false;
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
  /** Fraction of the interval each wait may vary by: 0.5 by default, 0 when the jitter is off. */
  pruneJitter: number;
  pruneBatchSize: number;
  pageSize: number;
  errorLog: ((message: string, error: unknown) => void) | undefined;
}

/** Checks the PostgreSQL-specific options; the base checks the shared ones. Throws TypeError. */
export function resolveOptions(raw: PostgresStoreOptions | undefined): ResolvedPostgresOptions {
  const options = validate.checkOptionsObject(STORE_NAME, raw) as PostgresStoreOptions & Record<string, unknown>;
  refuseAnchorOnlyOptions(options);
  const source = resolveSource(options);

  const schemaName = validate.optionalString(STORE_NAME, 'schemaName', options.schemaName, validate.IDENTIFIER);
  if (typeof options.tableName === 'string' && options.tableName.includes('"."')) {
    // connect-pg-simple's deprecated way of naming the schema inside tableName.
    throw new TypeError(
      `${STORE_NAME}: option "tableName" must be a table name alone, got ${JSON.stringify(options.tableName)}: name the schema with "schemaName"`,
    );
  }
  const tableName =
    validate.optionalString(STORE_NAME, 'tableName', options.tableName, validate.IDENTIFIER) ?? DEFAULT_TABLE_NAME;
  const createTableIfMissing =
    validate.optionalBoolean(STORE_NAME, 'createTableIfMissing', options.createTableIfMissing) ?? false;

  const pruneIntervalMs = validate.pruneIntervalMs(STORE_NAME, 'pruneSessionInterval', options.pruneSessionInterval);
  const pruneJitter = resolvePruneJitter(options.pruneSessionRandomizedInterval);
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
    pruneJitter,
    pruneBatchSize,
    pageSize,
    errorLog,
  };
}

const CONNECTION_OPTIONS = ['pool', 'connectionString', 'conString', 'conObject'] as const;

/**
 * connect-pg-simple's options that this store does not take: each refused with what to use
 * instead, rather than ignored (an ignored `pgPromise` would connect somewhere else).
 */
function refuseAnchorOnlyOptions(options: Record<string, unknown>): void {
  if (options.pgPromise !== undefined) {
    throw new TypeError(
      `${STORE_NAME}: option "pgPromise" is not supported: pass pg-promise's pool as "pool" (pool: db.$pool), or a pg.Pool of your own`,
    );
  }
}

/** Where the pool comes from: the one connection option given, else `DATABASE_URL` (connect-pg-simple's fallback). */
function resolveSource(options: PostgresStoreOptions & Record<string, unknown>): ClientSource {
  const given = CONNECTION_OPTIONS.some((name) => options[name] !== undefined);
  const fromEnvironment = process.env['DATABASE_URL'];
  if (!given) {
    if (fromEnvironment === undefined || fromEnvironment === '') {
      throw new TypeError(
        `${STORE_NAME}: give one of ${CONNECTION_OPTIONS.map((n) => `"${n}"`).join(', ')}, or set the DATABASE_URL environment variable (conObject: {} uses the PG* variables)`,
      );
    }
    return { kind: 'owned', config: { connectionString: fromEnvironment } };
  }
  const way = validate.exactlyOne(STORE_NAME, options, CONNECTION_OPTIONS);
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
  return source;
}

/** `pruneSessionRandomizedInterval`: absent means the ±50% jitter, `false` none; a custom delay function is refused. */
function resolvePruneJitter(value: unknown): number {
  if (value === undefined) return 0.5;
  if (value === false) return 0;
  throw new TypeError(
    `${STORE_NAME}: option "pruneSessionRandomizedInterval" must be false (no jitter) or absent (±50%), got ${validate.describeValue(value)}: for a delay of your own, set pruneSessionInterval: false and call prune() on your schedule`,
  );
}
