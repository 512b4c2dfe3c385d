import { runConformance } from '@session-stores/conformance';
import { describe, it } from 'vitest';
import { PostgresStore } from '../src/index';
import { databaseTitle, testDatabase } from './helpers';

const maybeDb = await testDatabase();

if (maybeDb) {
  const db = maybeDb;
  runConformance({
    name: `PostgresStore on ${databaseTitle(db)}`,
    // The namespace is the table: each namespace gets a table of its own.
    createStore: ({ namespace, userId }) =>
      new PostgresStore({
        connectionString: db.url,
        tableName: namespace,
        userId,
        createTableIfMissing: true,
        pruneSessionInterval: false,
      }),
    inspect: {
      async rawTtlMs(store, sid) {
        const [row] = await db.sql<{ ms: number }>(
          `SELECT floor(extract(epoch from expire) * 1000)::float8 AS ms FROM ${store.table} WHERE sid = $1`,
          [sid],
        );
        return row ? row.ms - Date.now() : null;
      },
      async rawValue(store, sid) {
        const [row] = await db.sql<{ sess: string }>(`SELECT sess::text AS sess FROM ${store.table} WHERE sid = $1`, [
          sid,
        ]);
        return row?.sess ?? null;
      },
      async writeCorrupt(store, sid, kind) {
        // A json column only holds valid JSON: "not JSON" is a JSON string whose text is not a
        // serialized session, "wrong shape" is JSON that is not an object.
        const sess = kind === 'not-json' ? JSON.stringify('{"cookie": not json') : '[1,2,3]';
        await db.sql(
          `INSERT INTO ${store.table} (sid, sess, expire) VALUES ($1, $2, now() + interval '1 hour')
           ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expire = excluded.expire`,
          [sid, sess],
        );
      },
    },
    ...(db.server.canRestart
      ? { faults: { stopBackend: () => db.server.stop(), startBackend: () => db.server.start() } }
      : {}),
  });
} else {
  describe(`conformance: PostgresStore on ${databaseTitle(null)}`, () => {
    it.skip('needs a PostgreSQL server', () => {});
  });
}
