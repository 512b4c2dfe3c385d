import { afterEach, describe } from 'vitest';
import { sealedExpiryCases } from '../../../scripts/test-support/sealed-expiry';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { tempDatabaseDir } from './helpers';

/** Encrypted sessions in SQLite: the expiry column cannot extend a session past the expiry sealed with it. */
const files = tempDatabaseDir();
const opened: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

/** The `expire` column moved `ms` later, in whatever encoding the layout keeps (epoch ms or ISO text). */
function later(expire: number | string, ms: number): number | string {
  return typeof expire === 'number' ? expire + ms : new Date(new Date(expire).getTime() + ms).toISOString();
}

describe.each([
  ['the default layout', {}],
  ["connect-sqlite3's layout", { layout: 'connect-sqlite3' }],
] as Array<[string, Partial<SqliteStoreOptions>]>)('SqliteStore encryption, %s', (_title, layout) => {
  const column = (store: SqliteStore) =>
    store.db
      .prepare("SELECT name FROM pragma_table_info('sessions') WHERE name IN ('expire', 'expired')")
      .pluck()
      .get() as string;
  sealedExpiryCases({
    make(encryption) {
      const store = new SqliteStore({
        filename: files.path(),
        pruneInterval: false,
        ...layout,
        encryption,
      } as SqliteStoreOptions);
      opened.push(store);
      return store;
    },
    async readPayload(store, sid) {
      return String(store.db.prepare('SELECT sess FROM sessions WHERE sid = ?').pluck().get(sid));
    },
    async replacePayload(store, sid, payload) {
      store.db.prepare('UPDATE sessions SET sess = ? WHERE sid = ?').run(payload, sid);
    },
    async extendStoredExpiry(store, sid, ms) {
      const name = column(store);
      const expire = store.db.prepare(`SELECT ${name} FROM sessions WHERE sid = ?`).pluck().get(sid) as number | string;
      store.db.prepare(`UPDATE sessions SET ${name} = ? WHERE sid = ?`).run(later(expire, ms), sid);
    },
  });
});
