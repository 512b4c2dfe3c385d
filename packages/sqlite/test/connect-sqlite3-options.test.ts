import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import expressSession from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import betterSqlite3SessionStore from '../src/better-sqlite3-session-store';
import connectSqlite3 from '../src/connect-sqlite3';
import { fromConnectSqlite3Options } from '../src/connect-sqlite3-options';
import { SqliteStore } from '../src/index';
import { tempDatabaseDir } from './helpers';

/** connect-sqlite3's options through the compatibility factory: each honoured or refused with the alternative. */
const files = tempDatabaseDir();
const SQLiteStore = connectSqlite3(expressSession);
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
const open = (options?: object) => {
  const store = new SQLiteStore({ pruneInterval: false, ...options });
  stores.push(store);
  return store;
};

describe("connect-sqlite3's options", () => {
  it('db is a file name inside dir, on the connect-sqlite3 layout; table names the table', async () => {
    const dir = join(files.path('dir'), 'a', 'b');
    const store = open({ db: 'app.db', dir, table: 'web_sessions', createDirIfNotExists: true });
    expect(store.db.name).toBe(join(dir, 'app.db'));
    expect(store.table).toBe('web_sessions');
    expect(await store.layout()).toBe('connect-sqlite3');
    expect(existsSync(join(dir, 'app.db'))).toBe(true);
  });

  it('without db the file is named after the table, in "."', () => {
    expect(fromConnectSqlite3Options({ table: 'web_sessions' })).toMatchObject({
      filename: 'web_sessions',
      layout: 'connect-sqlite3',
    });
    expect(fromConnectSqlite3Options(undefined)).toMatchObject({ filename: 'sessions', layout: 'connect-sqlite3' });
  });

  it('":memory:" is opened as it is', () => {
    expect(open({ db: ':memory:' }).db.memory).toBe(true);
  });

  it('concurrentDB: true (and its misspelling concurrentDb) is WAL, what a file the store opens has', () => {
    for (const option of ['concurrentDB', 'concurrentDb']) {
      const store = open({
        db: `${option}.db`,
        dir: join(files.path('wal')),
        createDirIfNotExists: true,
        [option]: true,
      });
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    }
  });

  it('db may be an open better-sqlite3 Database, left as its owner set it', () => {
    const db = new Database(files.path());
    const store = open({ db });
    expect(store.db).toBe(db);
    db.close();
  });

  it('createDirIfNotExists off (the default): a missing dir is an error at construction', () => {
    expect(() => open({ db: 'x.db', dir: files.path('missing') })).toThrow(/cannot open the database file/);
  });

  it.each([
    [{ concurrentDB: false }, /"concurrentDB: false" is not supported: .* pass it as "db"/],
    [{ concurrentDB: 'yes' }, /option "concurrentDB" must be a boolean/],
    [{ mode: 1 }, /option "mode" .* open the database with better-sqlite3 .* pass it as "db"/],
    [{ db: { run() {}, get() {} } }, /not better-sqlite3's .* pass its file name as "db"/],
    [{ db: '' }, /option "db" must be a file name or a better-sqlite3 Database/],
    [{ dir: '' }, /option "dir" must be a non-empty directory path/],
    [{ db: ':memory:', dir: '/tmp' }, /"dir" does not apply to an in-memory "db"/],
    [{ filename: 'x.db' }, /option "filename" is not one of connect-sqlite3's/],
    [{ layout: 'better-sqlite3-session-store' }, /option "layout" is not one of connect-sqlite3's/],
    ['sessions.db', /options must be an object/],
  ])('refuses %j with what to use instead', (options, message) => {
    expect(() => new SQLiteStore(options as never)).toThrow(TypeError);
    expect(() => new SQLiteStore(options as never)).toThrow(message);
  });

  it('the factories take the express-session module, as the old packages did', () => {
    expect(() => connectSqlite3(undefined as never)).toThrow(
      /connect-sqlite3\(session\) takes the express-session module/,
    );
    expect(() => betterSqlite3SessionStore({} as never)).toThrow(/better-sqlite3-session-store\(session\) takes/);
    expect(betterSqlite3SessionStore(expressSession)).toBe(SqliteStore);
    expect(typeof connectSqlite3({ session: expressSession })).toBe('function');
  });
});
