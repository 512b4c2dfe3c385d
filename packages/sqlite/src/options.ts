import type { BaseStoreOptions } from '@session-stores/core';
import { DEFAULT_OPERATION_TIMEOUT_MS, validate } from '@session-stores/core';
import type { Database } from 'better-sqlite3';
import { LAYOUT_NAMES, type LayoutName } from './layouts';

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

export interface ResolvedSqliteOptions {
  db: Database | null;
  filename: string | null;
  table: string;
  layout: LayoutName;
  createTable: boolean;
  pruneIntervalMs: number | null;
  pruneBatchSize: number;
  pageSize: number;
  busyTimeoutMs: number;
  /** The stored `cookie.expires` can be kept true on touch with SQLite's JSON functions. */
  plainJson: boolean;
}

export const DEFAULT_TABLE = 'sessions';
export const DEFAULT_LAYOUT: LayoutName = 'better-sqlite3-session-store';
export const DEFAULT_PRUNE_INTERVAL_SECONDS = 900;
export const DEFAULT_PRUNE_BATCH_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_BUSY_TIMEOUT_MS = 1000;
// setTimeout's ceiling (2^31 - 1 ms), in seconds.
const MAX_TIMER_SECONDS = 2_147_483;

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
  const source = validate.exactlyOne(STORE_NAME, raw, ['db', 'client', 'filename']);

  let db: Database | null = null;
  let filename: string | null = null;
  if (source === 'filename') {
    filename = validate.optionalString(STORE_NAME, 'filename', raw.filename, {
      regex: /\S/,
      description: 'a non-empty file path',
    })!;
  } else if (!isDatabase(raw[source])) {
    throw new TypeError(
      `${STORE_NAME}: option "${source}" must be a better-sqlite3 Database, got ${raw[source] === null ? 'null' : typeof raw[source]}`,
    );
  } else {
    db = raw[source] as Database;
  }

  const table = validate.optionalString(STORE_NAME, 'table', raw.table, validate.IDENTIFIER) ?? DEFAULT_TABLE;
  const layout = validate.optionalOneOf(STORE_NAME, 'layout', raw.layout, LAYOUT_NAMES) ?? DEFAULT_LAYOUT;
  const createTable = validate.optionalBoolean(STORE_NAME, 'createTable', raw.createTable) ?? true;

  let pruneIntervalMs: number | null;
  if (raw.pruneInterval === false) pruneIntervalMs = null;
  else {
    const seconds = raw.pruneInterval === undefined ? DEFAULT_PRUNE_INTERVAL_SECONDS : raw.pruneInterval;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMER_SECONDS) {
      throw new TypeError(
        `${STORE_NAME}: option "pruneInterval" must be false or a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}, got ${describe(seconds)}`,
      );
    }
    pruneIntervalMs = seconds * 1000;
  }

  const pruneBatchSize =
    validate.optionalNumber(STORE_NAME, 'pruneBatchSize', raw.pruneBatchSize, {
      min: 1,
      max: 1_000_000,
      integer: true,
    }) ?? DEFAULT_PRUNE_BATCH_SIZE;
  const pageSize =
    validate.optionalNumber(STORE_NAME, 'pageSize', raw.pageSize, { min: 1, max: 100_000, integer: true }) ??
    DEFAULT_PAGE_SIZE;

  // The base validates operationTimeoutMs itself; here only its value is needed as a bound.
  const operationTimeoutMs =
    typeof raw.operationTimeoutMs === 'number' ? raw.operationTimeoutMs : DEFAULT_OPERATION_TIMEOUT_MS;
  const busyTimeoutMs =
    validate.optionalNumber(STORE_NAME, 'busyTimeoutMs', raw.busyTimeoutMs, {
      min: 0,
      max: operationTimeoutMs,
      integer: true,
    }) ?? Math.min(DEFAULT_BUSY_TIMEOUT_MS, Math.floor(operationTimeoutMs));
  if (raw.busyTimeoutMs !== undefined && source !== 'filename') {
    throw new TypeError(
      `${STORE_NAME}: option "busyTimeoutMs" applies only with "filename"; set the busy timeout of a database you pass in with better-sqlite3's own "timeout" option`,
    );
  }

  const plainJson = raw.serializer === undefined && raw.encryption === undefined;
  return {
    db,
    filename,
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

function describe(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value)
    : value === null
      ? 'null'
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : typeof value;
}
