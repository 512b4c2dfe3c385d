import type { Layout } from './layout';

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
  /** Touch that also replaces the cookie inside the stored JSON with the touched one. */
  touchWithCookie: string;
  /** Replaces payload and expiry of a row, for touches that rewrite the cookie in JavaScript. */
  rewrite: string;
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
  // json_set is applied only to valid JSON that has a cookie already, so a corrupt or foreign
  // row is left byte for byte as it was. CASE evaluates only the branch it takes, so json_type
  // never sees invalid JSON. SQLite keeps the text of every other value as it was written
  // (escapes, number spellings, key order), which test/touch-cookie.test.ts checks.
  const sessWithCookie = `CASE WHEN json_valid(sess) THEN CASE WHEN json_type(sess, '$.cookie') IS NOT NULL THEN json_set(sess, '$.cookie', json(?)) ELSE sess END ELSE sess END`;
  return {
    createTable: layout.createTableSql(table),
    createIndex: `CREATE INDEX IF NOT EXISTS ${index} ON ${table} (${expiry})`,
    get: `SELECT sess, ${expiry} AS expiry FROM ${table} WHERE sid = ? AND ${live}`,
    upsert: `INSERT INTO ${table} (sid, sess, ${expiry}) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, ${expiry} = excluded.${expiry}`,
    touch: `UPDATE ${table} SET ${expiry} = ? WHERE sid = ? AND ${live}`,
    touchWithCookie: `UPDATE ${table} SET ${expiry} = ?, sess = ${sessWithCookie} WHERE sid = ? AND ${live}`,
    rewrite: `UPDATE ${table} SET sess = ?, ${expiry} = ? WHERE sid = ?`,
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
