import type { Layout } from './layouts';

/**
 * Every statement the store runs, as text, for one table and layout. The table name has passed
 * the IDENTIFIER check and is quoted besides, so options can never inject SQL. Expiry
 * comparisons bind the app's clock (Date.now()), never SQLite's, so a store and its tests agree
 * on "now".
 */
export interface StoreSql {
  createTable: string;
  createIndex: string;
  get: string;
  upsert: string;
  touch: string;
  /** Touch that also rewrites `cookie.expires` inside the stored JSON, when it holds a date. */
  touchWithCookie: string;
  destroy: string;
  firstPage: string;
  nextPage: string;
  firstIdPage: string;
  nextIdPage: string;
  count: string;
  clear: string;
  pruneBatch: string;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function buildSql(tableName: string, layout: Layout): StoreSql {
  const table = quoteIdentifier(tableName);
  const expiry = quoteIdentifier(layout.expiryColumn);
  const index = quoteIdentifier(`IDX_${tableName}_${layout.expiryColumn}`);
  const live = `${expiry} > ?`;
  // Pages walk the primary key in sid order; the unary + keeps the planner from switching to
  // the expiry index (which would need a sort of every live row to honour ORDER BY sid).
  const liveUnindexed = `+${expiry} > ?`;
  const columns = `sid, sess, ${expiry} AS expiry`;
  // json_set is applied only to valid JSON whose cookie.expires is a string, so a corrupt row or
  // a browser-session cookie (null, false) is left byte for byte as it was. CASE evaluates only
  // the branch it takes, so json_type never sees invalid JSON.
  const sessWithCookie = `CASE WHEN json_valid(sess) THEN CASE WHEN json_type(sess, '$.cookie.expires') = 'text' THEN json_set(sess, '$.cookie.expires', ?) ELSE sess END ELSE sess END`;
  return {
    createTable: layout.createTableSql(table),
    createIndex: `CREATE INDEX IF NOT EXISTS ${index} ON ${table} (${expiry})`,
    get: `SELECT sess, ${expiry} AS expiry FROM ${table} WHERE sid = ? AND ${live}`,
    upsert: `INSERT INTO ${table} (sid, sess, ${expiry}) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, ${expiry} = excluded.${expiry}`,
    touch: `UPDATE ${table} SET ${expiry} = ? WHERE sid = ? AND ${live}`,
    touchWithCookie: `UPDATE ${table} SET ${expiry} = ?, sess = ${sessWithCookie} WHERE sid = ? AND ${live}`,
    destroy: `DELETE FROM ${table} WHERE sid = ?`,
    firstPage: `SELECT ${columns} FROM ${table} WHERE ${liveUnindexed} ORDER BY sid LIMIT ?`,
    nextPage: `SELECT ${columns} FROM ${table} WHERE sid > ? AND ${liveUnindexed} ORDER BY sid LIMIT ?`,
    firstIdPage: `SELECT sid FROM ${table} WHERE ${liveUnindexed} ORDER BY sid LIMIT ?`,
    nextIdPage: `SELECT sid FROM ${table} WHERE sid > ? AND ${liveUnindexed} ORDER BY sid LIMIT ?`,
    count: `SELECT count(*) AS n FROM ${table} WHERE ${live}`,
    clear: `DELETE FROM ${table}`,
    pruneBatch: `DELETE FROM ${table} WHERE sid IN (SELECT sid FROM ${table} WHERE ${expiry} <= ? LIMIT ?)`,
  };
}
