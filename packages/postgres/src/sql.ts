import { createHash } from 'node:crypto';
import type { TableLayout } from './layout';

/** A statement with a stable name, so pg prepares it once per connection and reuses the plan. */
export interface Statement {
  name: string;
  text: string;
}

/**
 * Quotes an identifier. Names are validated as IDENTIFIER (letters, digits, underscores) at
 * construction already; quoting as well keeps mixed case intact and makes the SQL safe even if
 * that check were ever loosened.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedTableName(schemaName: string | undefined, tableName: string): string {
  return schemaName === undefined
    ? quoteIdentifier(tableName)
    : `${quoteIdentifier(schemaName)}.${quoteIdentifier(tableName)}`;
}

export function statement(text: string): Statement {
  // Named after a hash of the text: two stores on one pool with different tables never share a
  // name, and the name stays under PostgreSQL's 63 characters whatever the table is called.
  return { name: `session_stores_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

/** An app-clock instant, passed as epoch milliseconds, as a timestamptz. */
export const at = (parameter: string): string => `to_timestamp(${parameter}::float8 / 1000)`;

export interface Statements {
  get: Statement;
  upsert: Statement;
  touch: Statement;
  touchWithCookie: Statement;
  readStored: Statement;
  replaceStored: Statement;
  destroy: Statement;
  firstPage: Statement;
  nextPage: Statement;
  firstIdPage: Statement;
  nextIdPage: Statement;
  count: Statement;
  clear: Statement;
  pruneBatch: Statement;
}

/**
 * Every statement the store runs on a table. Each takes the app's `now` as a parameter where
 * it decides liveness, so one clock (the app's, which also computed `expiresAt` from
 * `cookie.expires`) decides expiry everywhere.
 *
 * The expression `expire::timestamptz` reads both layouts: a no-op on timestamptz, and on
 * connect-pg-simple's `timestamp without time zone` it reads the wall-clock value in the
 * connection's TimeZone, exactly as connect-pg-simple wrote it. Writes of a timestamptz into
 * that column convert back in the same zone.
 */
export function buildStatements(table: string, layout: TableLayout): Statements {
  // Lookups of one sid test liveness with `(expire > now) IS TRUE`: the same truth, but not a
  // clause an index can serve, so the planner always takes the primary key. With a plain
  // `expire > $n`, a generic plan made after ANALYZE of a near-empty table can pick the expire
  // index and scan every live row on each call (measured: get falling from ~10,000 to ~600/s).
  const liveAt = (param: string) => `(expire > ${at(param)}) IS TRUE`;
  const expire = layout.expireHasTimeZone ? 'expire' : 'expire::timestamptz';
  const expiresAtMs = `floor(extract(epoch from ${expire}) * 1000)::float8`;
  const record = `sess::text AS payload, ${expiresAtMs} AS expires_at`;
  return {
    get: statement(`SELECT ${record} FROM ${table} WHERE sid = $1 AND ${liveAt('$2')}`),
    // The sess parameter takes the column's type (json or jsonb) from the INSERT target.
    upsert: statement(
      `INSERT INTO ${table} (sid, sess, expire) VALUES ($1, $2, ${at('$3')}) ` +
        `ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expire = excluded.expire`,
    ),
    touch: statement(`UPDATE ${table} SET expire = ${at('$2')} WHERE sid = $1 AND ${liveAt('$3')}`),
    touchWithCookie: statement(touchWithCookie(table)),
    // Read-modify-write of the cookie where SQL cannot reach it (see PostgresStore.refreshExpiry):
    // the write applies only if the row is still what was read.
    readStored: statement(`SELECT sess::text AS sess FROM ${table} WHERE sid = $1 AND ${liveAt('$2')}`),
    replaceStored: statement(
      `UPDATE ${table} SET sess = $2, expire = ${at('$3')} WHERE sid = $1 AND sess::text = $4 AND ${liveAt('$5')}`,
    ),
    destroy: statement(`DELETE FROM ${table} WHERE sid = $1`),
    firstPage: statement(`SELECT sid, ${record} FROM ${table} WHERE expire > ${at('$1')} ORDER BY sid LIMIT $2`),
    nextPage: statement(
      `SELECT sid, ${record} FROM ${table} WHERE sid > $3 AND expire > ${at('$1')} ORDER BY sid LIMIT $2`,
    ),
    firstIdPage: statement(`SELECT sid FROM ${table} WHERE expire > ${at('$1')} ORDER BY sid LIMIT $2`),
    nextIdPage: statement(`SELECT sid FROM ${table} WHERE sid > $3 AND expire > ${at('$1')} ORDER BY sid LIMIT $2`),
    count: statement(`SELECT count(*)::float8 AS count FROM ${table} WHERE expire > ${at('$1')}`),
    clear: statement(`DELETE FROM ${table}`),
    // Expiry is re-checked on the row being deleted: a row that a concurrent set() revived
    // between the subquery and the delete stays.
    pruneBatch: statement(
      `DELETE FROM ${table} WHERE sid IN (SELECT sid FROM ${table} WHERE expire <= ${at('$1')} LIMIT $2) AND expire <= ${at('$1')}`,
    ),
  };
}

// The stored cookie, when it is the first member of the session object and has only scalar
// members (as express-session writes it): `{"cookie":{...}` with strings and their escapes
// skipped whole, so a `}` inside a string does not end it. Only the head of the text is searched.
const COOKIE_HEAD = String.raw`^\{"cookie":(\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\})`;
const COOKIE_SEARCH_CHARS = 4096;
const EXPIRES_MEMBER = String.raw`"expires":"[^"]*"`;

/**
 * touch in one statement for json columns holding plain JSON sessions: moves `expire` and, when
 * the touched cookie ($4, its JSON) differs from the stored one in more than `expires` (a new
 * maxAge, say), splices it in place of the stored cookie, leaving every other byte of the text as
 * it was. When only `expires` differs the text stays as it is (the column is the truth and `get`
 * answers from it), so a large session is not rewritten on every request. Every expression reads
 * the row being updated, so a concurrent set() is re-read, never spliced with stale offsets.
 * Returns whether the stored cookie was found; when it was not, the caller rewrites it in JS.
 */
function touchWithCookie(table: string): string {
  const cookie = `(regexp_match(left(sess::text, ${COOKIE_SEARCH_CHARS}), $re$${COOKIE_HEAD}$re$))[1]`;
  const withoutExpires = (json: string) => `regexp_replace(${json}, $re$${EXPIRES_MEMBER}$re$, '')`;
  return (
    `UPDATE ${table} SET expire = ${at('$2')}, sess = CASE ` +
    `WHEN $4::text IS NULL OR ${cookie} IS NULL THEN sess ` +
    `WHEN ${withoutExpires(cookie)} = ${withoutExpires('$4::text')} THEN sess ` +
    `ELSE ('{"cookie":' || $4::text || substr(sess::text, 11 + length(${cookie})))::json END ` +
    `WHERE sid = $1 AND (expire > ${at('$3')}) IS TRUE ` +
    `RETURNING ${cookie} IS NOT NULL AS cookie_found`
  );
}

/**
 * Advisory lock key for pruning one table: a fixed class ("SESS") and the table's oid, so
 * stores pruning the same table exclude each other and other tables prune independently.
 */
const PRUNE_LOCK_CLASS = 1_397_052_243;
export const tryPruneLock = `SELECT pg_try_advisory_lock(${PRUNE_LOCK_CLASS}, to_regclass($1)::oid::int4) AS locked`;
export const releasePruneLock = `SELECT pg_advisory_unlock(${PRUNE_LOCK_CLASS}, to_regclass($1)::oid::int4) AS released`;
