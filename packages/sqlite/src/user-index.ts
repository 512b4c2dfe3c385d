import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { Layout } from './layout';
import { quoteIdentifier } from './sql';

/** The column that holds each session's user, with the `userId` option (see README, "Sessions by user"). */
export const USER_COLUMN = 'user_id';

/** The statements of the index by user; each binds the app's clock for "live", as sql.ts does. */
export interface UserStatements {
  /** The upsert of sql.ts that also writes the user, in the same statement (atomic with the data). */
  upsert: Statement;
  list: Statement;
  count: Statement;
  /** Deletes a user's live rows but one sid (NULL: none kept); `changes` is how many. */
  destroy: Statement;
}

export function hasUserColumn(db: SqliteDatabase, table: string): boolean {
  const columns = db.prepare(`PRAGMA table_info(${quoteIdentifier(table)})`).all() as { name: string }[];
  return columns.some((column) => column.name === USER_COLUMN);
}

/**
 * Makes sure the table has the user column and its index. The store adds them only when it was
 * given the `userId` option and may create the table (`createTable`, the default): an existing
 * table gains a nullable column, which the anchor stores' reads and writes never name, so they
 * keep working. With `createTable: false` a missing column is an error that gives the SQL to run.
 */
export function ensureUserColumn(db: SqliteDatabase, table: string, createTable: boolean): void {
  const quoted = quoteIdentifier(table);
  const column = quoteIdentifier(USER_COLUMN);
  const addColumn = `ALTER TABLE ${quoted} ADD COLUMN ${column} TEXT`;
  const addIndex = `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`IDX_${table}_${USER_COLUMN}`)} ON ${quoted} (${column})`;
  if (!createTable) {
    if (hasUserColumn(db, table)) return;
    throw new Error(
      `the table ${quoted} has no ${column} column for the "userId" option, and createTable is false; run: ${addColumn}; ${addIndex}`,
    );
  }
  db.transaction(() => {
    if (!hasUserColumn(db, table)) db.exec(addColumn);
    db.exec(addIndex);
  }).immediate();
}

/** The statements of the user index, for a table that has the column. */
export function prepareUserStatements(
  table: string,
  layout: Layout,
  prepare: (source: string, pluck?: boolean) => Statement,
): UserStatements {
  const quoted = quoteIdentifier(table);
  const expiry = quoteIdentifier(layout.expiryColumn);
  const user = quoteIdentifier(USER_COLUMN);
  const live = `${expiry} > ?`;
  return {
    upsert: prepare(
      `INSERT INTO ${quoted} (sid, sess, ${expiry}, ${user}) VALUES (?, ?, ?, ?) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, ${expiry} = excluded.${expiry}, ${user} = excluded.${user}`,
    ),
    list: prepare(`SELECT sid, sess, ${expiry} AS expiry FROM ${quoted} WHERE ${user} = ? AND ${live} ORDER BY sid`),
    count: prepare(`SELECT count(*) FROM ${quoted} WHERE ${user} = ? AND ${live}`, true),
    destroy: prepare(`DELETE FROM ${quoted} WHERE ${user} = ? AND sid IS NOT ? AND ${live}`),
  };
}
