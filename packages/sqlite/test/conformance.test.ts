import { runConformance } from '@session-stores/conformance';
import { SqliteStore } from '../src/index';
import { quoteIdentifier } from '../src/sql';
import { tempDatabaseDir } from './helpers';

// One database file for the whole suite, so stores made with the same namespace (table) share
// their sessions through separate connections, as two app instances would. There is no server
// to stop, so no fault hooks: the lock behaviour that clause 32 means for SQLite is tested in
// faults.test.ts.
const file = tempDatabaseDir().path('conformance.db');

const row = (store: SqliteStore, sid: string) =>
  store.db.prepare(`SELECT sess, expire FROM ${quoteIdentifier(store.table)} WHERE sid = ?`).get(sid) as
    { sess: string; expire: string } | undefined;

runConformance({
  name: 'SqliteStore',
  createStore: ({ namespace, userId }) => new SqliteStore({ filename: file, table: namespace, userId }),
  inspect: {
    rawValue: async (store, sid) => row(store, sid)?.sess ?? null,
    rawTtlMs: async (store, sid) => {
      const found = row(store, sid);
      return found ? Date.parse(found.expire) - Date.now() : null;
    },
    writeCorrupt: async (store, sid, kind) => {
      const corrupt = kind === 'not-json' ? '{"cookie": not json' : '["an", "array"]';
      store.db.prepare(`UPDATE ${quoteIdentifier(store.table)} SET sess = ? WHERE sid = ?`).run(corrupt, sid);
    },
  },
});
