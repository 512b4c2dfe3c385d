/**
 * The table layouts SqliteStore can read and write, so that an app switching from the store it
 * used before keeps every session (see README, "Migrating").
 */
export type LayoutName = 'better-sqlite3-session-store' | 'connect-sqlite3';

export const LAYOUT_NAMES: readonly LayoutName[] = ['better-sqlite3-session-store', 'connect-sqlite3'];

export interface Layout {
  readonly name: LayoutName;
  /** The column holding the expiry. */
  readonly expiryColumn: string;
  /** `CREATE TABLE IF NOT EXISTS` for this layout; `table` is already quoted. */
  createTableSql(table: string): string;
  /** The expiry as this layout stores it; also what comparisons in SQL bind. */
  encodeExpiry(epochMs: number): string | number;
  /** Epoch ms from the stored expiry, or null when the stored value is not a date. */
  decodeExpiry(stored: unknown): number | null;
}

/**
 * The latest instant an ISO-8601 string can hold in the plain `YYYY-MM-DDTHH:mm:ss.sssZ` form.
 * Later years print as `+010000-...`, which sorts before `2026-...` as text and would read as
 * expired; expiries are clamped here in every layout, so both layouts behave the same.
 */
export const LATEST_EXPIRY_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

// Exactly what Date.prototype.toISOString writes: other spellings (no ms, offsets) would not
// compare correctly as text, so they are not accepted as live.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * better-sqlite3-session-store: `expire` is an ISO-8601 UTC string written by `toISOString()`.
 * That form sorts lexically in time order, so SQL compares it as text and the index serves it.
 */
const isoTextLayout: Layout = {
  name: 'better-sqlite3-session-store',
  expiryColumn: 'expire',
  createTableSql: (table) =>
    `CREATE TABLE IF NOT EXISTS ${table} (sid TEXT NOT NULL PRIMARY KEY, sess JSON NOT NULL, expire TEXT NOT NULL)`,
  encodeExpiry: (epochMs) => new Date(epochMs).toISOString(),
  decodeExpiry: (stored) => {
    if (typeof stored !== 'string' || !ISO_UTC.test(stored)) return null;
    const ms = Date.parse(stored);
    return Number.isNaN(ms) ? null : ms;
  },
};

/** connect-sqlite3: `expired` holds epoch milliseconds as an integer. */
const epochMsLayout: Layout = {
  name: 'connect-sqlite3',
  expiryColumn: 'expired',
  createTableSql: (table) => `CREATE TABLE IF NOT EXISTS ${table} (sid PRIMARY KEY, expired, sess)`,
  encodeExpiry: (epochMs) => epochMs,
  decodeExpiry: (stored) => {
    const ms = typeof stored === 'bigint' ? Number(stored) : stored;
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : null;
  },
};

export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = {
  'better-sqlite3-session-store': isoTextLayout,
  'connect-sqlite3': epochMsLayout,
};
