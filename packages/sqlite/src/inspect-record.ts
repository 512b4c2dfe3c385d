import type { RecordInspection } from '@session-stores/core';
import type { Database } from 'better-sqlite3';
import { quoteIdentifier } from './sql';

/** What inspection needs of the table's layout (see layouts.ts): where the expiry is and how to read it. */
export interface InspectedLayout {
  readonly expiryColumn: string;
  decodeExpiry(stored: unknown): number | null;
}

/**
 * The row of `sid` exactly as SQLite holds it (every column, `sess` as the stored text), or null
 * when there is none. An expired row that no prune has deleted yet is shown too: it is still in
 * the table, and its expiry says why `get` no longer returns it.
 */
export function inspectSqliteRecord(
  db: Database,
  table: string,
  layout: InspectedLayout,
  sid: string,
): RecordInspection | null {
  const row = db.prepare(`SELECT * FROM ${quoteIdentifier(table)} WHERE sid = ?`).get(sid) as
    Record<string, unknown> | undefined;
  if (row === undefined) return null;
  const stored: Record<string, unknown> = {};
  // Integers beyond 2^53 come back as bigint from better-sqlite3 with safeIntegers: keep them exact as text.
  for (const [column, value] of Object.entries(row)) stored[column] = typeof value === 'bigint' ? String(value) : value;
  const rawExpiry = row[layout.expiryColumn];
  return {
    backend: 'SQLite',
    location: `row sid = ${sqlText(sid)} of table ${quoteIdentifier(table)}`,
    stored,
    expiresAt: layout.decodeExpiry(rawExpiry),
    expiry: `${layout.expiryColumn} = ${typeof rawExpiry === 'string' ? sqlText(rawExpiry) : String(rawExpiry)}`,
  };
}

/** A value as an SQL string literal, so the location reads as the WHERE clause that finds it. */
function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
