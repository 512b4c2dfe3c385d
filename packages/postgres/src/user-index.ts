import { createHash } from 'node:crypto';
import type { TableLayout } from './layout';
import { at, statement, type Statement } from './sql';

/** The column that holds each session's user, with the `userId` option (see README, "Sessions by user"). */
export const USER_COLUMN = 'user_id';

/** The statements of the index by user. Each takes the app's `now` for liveness, as sql.ts does. */
export interface UserStatements {
  /** sql.ts's upsert that also writes the user, in the same statement (atomic with the data). */
  upsert: Statement;
  list: Statement;
  count: Statement;
  /** Deletes a user's live rows but one sid ($2, NULL: none kept); the row count is how many. */
  destroy: Statement;
}

/** Whether the table (resolved as the store's statements resolve it) has the user column. */
export const hasUserColumn = `
  SELECT count(*) > 0 AS present FROM pg_attribute
  WHERE attrelid = to_regclass($1) AND attname = '${USER_COLUMN}' AND NOT attisdropped`;

/**
 * The DDL that gives an existing table the user column and its index: a nullable column, which
 * connect-pg-simple's statements never name (they list their columns), so it keeps reading and
 * writing the table. Idempotent; the store runs it under an advisory lock with the `userId` option.
 */
export function addUserColumnStatements(table: string): string[] {
  // Named after the table, so IF NOT EXISTS can find it again, within PostgreSQL's 63 characters.
  const index = `session_stores_user_${createHash('sha256').update(table).digest('hex').slice(0, 16)}`;
  return [
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${USER_COLUMN} text`,
    `CREATE INDEX IF NOT EXISTS ${index} ON ${table} (${USER_COLUMN})`,
  ];
}

export function buildUserStatements(table: string, layout: TableLayout): UserStatements {
  const expire = layout.expireHasTimeZone ? 'expire' : 'expire::timestamptz';
  const record = `sid, sess::text AS payload, floor(extract(epoch from ${expire}) * 1000)::float8 AS expires_at`;
  const live = (parameter: string) => `expire > ${at(parameter)}`;
  return {
    upsert: statement(
      `INSERT INTO ${table} (sid, sess, expire, ${USER_COLUMN}) VALUES ($1, $2, ${at('$3')}, $4) ` +
        `ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expire = excluded.expire, ${USER_COLUMN} = excluded.${USER_COLUMN}`,
    ),
    list: statement(`SELECT ${record} FROM ${table} WHERE ${USER_COLUMN} = $1 AND ${live('$2')} ORDER BY sid`),
    count: statement(`SELECT count(*)::float8 AS count FROM ${table} WHERE ${USER_COLUMN} = $1 AND ${live('$2')}`),
    destroy: statement(
      `DELETE FROM ${table} WHERE ${USER_COLUMN} = $1 AND sid IS DISTINCT FROM $2::text AND ${live('$3')}`,
    ),
  };
}
