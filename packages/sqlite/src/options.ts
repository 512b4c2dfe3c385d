import { type BaseStoreOptions, DEFAULT_OPERATION_TIMEOUT_MS, validate } from '@session-stores/core';
import type { Database } from 'better-sqlite3';
import { LAYOUT_NAMES, type LayoutName } from './layout';

export const STORE_NAME = 'SqliteStore';

export interface SqliteStoreOptions extends BaseStoreOptions {
  /**
   * An open better-sqlite3 `Database`. The store uses it as it is (its journal mode,
   * `synchronous` and busy timeout stay as its owner set them) and never closes it.
   * Give exactly one of `db`, `client` or `filename`.
   */
  db?: Database;
  /** The same as `db`, under the name better-sqlite3-session-store uses, for drop-in migration. */
  client?: Database;
  /**
   * A database file for the store to open and own: it turns on WAL with `synchronous = NORMAL`,
   * sets the busy timeout, and closes the database on `close()`.
   */
  filename?: string;
  /** The session table. Letters, digits and underscores only. Default `"sessions"`. */
  table?: string;
  /**
   * The table's layout: `"better-sqlite3-session-store"` (`sid`, `sess`, `expire` as ISO-8601
   * text) or `"connect-sqlite3"` (`sid`, `expired` as epoch ms, `sess`).
   * Default `"better-sqlite3-session-store"`.
   */
  layout?: LayoutName;
  /** Create the table and its expiry index when they are missing. Default true. */
  createTable?: boolean;
  /**
   * Seconds between deletions of expired rows (with ±25% jitter, so app instances sharing a
   * file spread out), or false to never prune on a timer (call `prune()` yourself).
   * The timer never keeps the process alive. Default 900 (15 minutes).
   */
  pruneInterval?: number | false;
  /**
   * better-sqlite3-session-store's name for the prune timer, for drop-in migration:
   * `{ clear: false }` is `pruneInterval: false`, `{ intervalMs }` is `pruneInterval: intervalMs / 1000`.
   * Give `expired` or `pruneInterval`, not both.
   */
  expired?: { clear?: boolean; intervalMs?: number };
  /** Rows deleted per statement while pruning, so a large backlog never holds the write lock long. Default 1000. */
  pruneBatchSize?: number;
  /** Rows fetched per page by `all()`, `ids()`, `length()` and `iterate()`. Default 100. */
  pageSize?: number;
  /**
   * Milliseconds a call waits for a database locked by another connection before failing with
   * SQLITE_BUSY, for a database the store opened (`filename`). better-sqlite3 waits
   * synchronously, blocking the event loop, so this is kept short and at most `operationTimeoutMs`.
   * Default 1000 (or `operationTimeoutMs` when that is smaller).
   */
  busyTimeoutMs?: number;
}

/** Where the database comes from: the app's (`client`), or a file the store opens and owns (`filename`). */
export type ClientSource = { kind: 'client'; db: Database } | { kind: 'filename'; filename: string };

export interface ResolvedSqliteOptions {
  source: ClientSource;
  table: string;
  layout: LayoutName;
  createTable: boolean;
  pruneIntervalMs: number | false;
  pruneBatchSize: number;
  pageSize: number;
  busyTimeoutMs: number;
  /** The stored `cookie.expires` can be kept true on touch with SQLite's JSON functions. */
  plainJson: boolean;
}

export const DEFAULT_TABLE = 'sessions';
export const DEFAULT_LAYOUT: LayoutName = 'better-sqlite3-session-store';
export const DEFAULT_BUSY_TIMEOUT_MS = 1000;

function isDatabase(value: unknown): value is Database {
  const candidate = value as Partial<Database> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.pragma === 'function' &&
    typeof candidate.exec === 'function'
  );
}

/** Checks the SQLite-specific options; the base class checks the shared ones. */
export function resolveOptions(options: SqliteStoreOptions | undefined): ResolvedSqliteOptions {
  const raw = validate.checkOptionsObject(STORE_NAME, options);
  const way = validate.exactlyOne(STORE_NAME, raw, ['db', 'client', 'filename']);

  let source: ClientSource;
  if (way === 'filename') {
    const filename = validate.optionalString(STORE_NAME, 'filename', raw.filename, {
      regex: /\S/,
      description: 'a non-empty file path',
    })!;
    source = { kind: 'filename', filename };
  } else if (!isDatabase(raw[way])) {
    throw new TypeError(
      `${STORE_NAME}: option "${way}" must be a better-sqlite3 Database, got ${raw[way] === null ? 'null' : typeof raw[way]}`,
    );
  } else {
    source = { kind: 'client', db: raw[way] as Database };
  }

  const table = validate.optionalString(STORE_NAME, 'table', raw.table, validate.IDENTIFIER) ?? DEFAULT_TABLE;
  const layout = validate.optionalOneOf(STORE_NAME, 'layout', raw.layout, LAYOUT_NAMES) ?? DEFAULT_LAYOUT;
  const createTable = validate.optionalBoolean(STORE_NAME, 'createTable', raw.createTable) ?? true;

  const pruneIntervalMs =
    raw.expired === undefined
      ? validate.pruneIntervalMs(STORE_NAME, 'pruneInterval', raw.pruneInterval)
      : expiredOption(raw.expired, raw.pruneInterval);
  const pruneBatchSize = validate.pruneBatchSize(STORE_NAME, raw.pruneBatchSize);
  const pageSize = validate.pageSize(STORE_NAME, raw.pageSize);

  // The base validates operationTimeoutMs itself; here only its value is needed as a bound.
  const operationTimeoutMs =
    typeof raw.operationTimeoutMs === 'number' ? raw.operationTimeoutMs : DEFAULT_OPERATION_TIMEOUT_MS;
  const busyTimeoutMs =
    validate.optionalNumber(STORE_NAME, 'busyTimeoutMs', raw.busyTimeoutMs, {
      min: 0,
      max: operationTimeoutMs,
      integer: true,
    }) ?? Math.min(DEFAULT_BUSY_TIMEOUT_MS, Math.floor(operationTimeoutMs));
  if (raw.busyTimeoutMs !== undefined && way !== 'filename') {
    throw new TypeError(
      `${STORE_NAME}: option "busyTimeoutMs" applies only with "filename"; set the busy timeout of a database you pass in with better-sqlite3's own "timeout" option`,
    );
  }

  const plainJson = raw.serializer === undefined && raw.encryption === undefined;
  return {
    source,
    table,
    layout,
    createTable,
    pruneIntervalMs,
    pruneBatchSize,
    pageSize,
    busyTimeoutMs,
    plainJson,
  };
}

/**
 * better-sqlite3-session-store's `expired: { clear, intervalMs }`, as the prune timer. There,
 * `clear: false` is read as true (`false || true`) and the timer cannot be stopped; here it stops it,
 * which is what the option says.
 */
function expiredOption(value: unknown, pruneInterval: unknown): number | false {
  if (pruneInterval !== undefined) {
    throw new TypeError(
      `${STORE_NAME}: give "expired" (better-sqlite3-session-store's name) or "pruneInterval", not both; "pruneInterval" is in seconds, or false`,
    );
  }
  const expired = validate.optionalObject(STORE_NAME, 'expired', value)!;
  const unknown = Object.keys(expired).filter((key) => key !== 'clear' && key !== 'intervalMs');
  if (unknown.length > 0) {
    throw new TypeError(
      `${STORE_NAME}: option "expired" takes only "clear" and "intervalMs", got ${unknown.map((k) => `"${k}"`).join(', ')}`,
    );
  }
  const clear = validate.optionalBoolean(STORE_NAME, 'expired.clear', expired.clear) ?? true;
  const intervalMs = validate.optionalNumber(STORE_NAME, 'expired.intervalMs', expired.intervalMs, { min: 1 });
  if (!clear) return false;
  return validate.pruneIntervalMs(
    STORE_NAME,
    'expired.intervalMs',
    intervalMs === undefined ? undefined : intervalMs / 1000,
  );
}
