import type { RecordInspection } from '@session-stores/core';
import type { QueryResult, QueryResultRow } from 'pg';

interface InspectedRow extends QueryResultRow {
  sid: string;
  sess: string;
  expire: string;
  expires_at: number;
}

/** Runs one SQL text through the store's own pool, so inspection is watched and timed like any call. */
export type RunQuery = <R extends QueryResultRow>(text: string, values: unknown[]) => Promise<QueryResult<R>>;

/**
 * The row of `sid` exactly as PostgreSQL holds it, or null when there is none: `sess` as its
 * stored text and `expire` as PostgreSQL prints it (in the connection's TimeZone for
 * connect-pg-simple's zoneless column). Expired rows not yet pruned are shown too: they are
 * still in the table, and `expire` says why `get` no longer returns them.
 */
export async function inspectPostgresRecord(
  run: RunQuery,
  table: string,
  layout: { readonly expireHasTimeZone: boolean },
  sid: string,
): Promise<RecordInspection | null> {
  const expire = layout.expireHasTimeZone ? 'expire' : 'expire::timestamptz';
  const { rows } = await run<InspectedRow>(
    `SELECT sid, sess::text AS sess, expire::text AS expire, floor(extract(epoch from ${expire}) * 1000)::float8 AS expires_at FROM ${table} WHERE sid = $1`,
    [sid],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    backend: 'PostgreSQL',
    location: `row sid = '${sid.replaceAll("'", "''")}' of table ${table}`,
    stored: { sid: row.sid, sess: row.sess, expire: row.expire },
    expiresAt: row.expires_at,
    expiry: `expire = ${row.expire}`,
  };
}
