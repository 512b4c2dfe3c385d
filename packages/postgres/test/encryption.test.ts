import { describe } from 'vitest';
import { sealedExpiryCases } from '../../../scripts/test-support/sealed-expiry';
import type { PostgresStore } from '../src/index';
import { databaseTitle, tableName, testDatabase } from './helpers';

/** Encrypted sessions in PostgreSQL: the expire column cannot extend a session past the expiry sealed with it. */
const maybeDb = await testDatabase();
const db = maybeDb!;
const tables = new WeakMap<PostgresStore, string>();

describe.skipIf(!maybeDb)(`PostgresStore encryption on ${databaseTitle(maybeDb)}`, () => {
  sealedExpiryCases({
    make(encryption) {
      const table = tableName();
      const store = db.store({ tableName: table, createTableIfMissing: true, encryption: encryption as never });
      tables.set(store, table);
      return store;
    },
    async readPayload(store, sid) {
      const rows = await db.sql<{ sess: string }>(
        `SELECT sess::text AS sess FROM ${tables.get(store)} WHERE sid = $1`,
        [sid],
      );
      return rows[0]!.sess;
    },
    async replacePayload(store, sid, payload) {
      await db.sql(`UPDATE ${tables.get(store)} SET sess = $2::json WHERE sid = $1`, [sid, payload]);
    },
    async extendStoredExpiry(store, sid, ms) {
      await db.sql(`UPDATE ${tables.get(store)} SET expire = expire + $2 * interval '1 millisecond' WHERE sid = $1`, [
        sid,
        ms,
      ]);
    },
  });
});
