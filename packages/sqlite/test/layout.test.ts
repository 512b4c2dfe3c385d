import Database from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { LAYOUTS } from '../src/layout';
import { buildSql } from '../src/sql';
import { session, sid, tempDatabaseDir } from './helpers';

const files = tempDatabaseDir();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function openDb(path = files.path()): Database.Database {
  const db = new Database(path);
  cleanup.push(() => db.close());
  return db;
}

function makeStore(options: Partial<SqliteStoreOptions>): SqliteStore {
  const store = new SqliteStore({ pruneInterval: false, ...options } as SqliteStoreOptions);
  cleanup.push(() => store.close());
  return store;
}

const NOW = '2026-01-01T00:00:00.000Z';
const asSession = (value: unknown) => value as SessionData;
const columns = (db: Database.Database, table: string) =>
  db.prepare(`SELECT name, type, pk, "notnull" FROM pragma_table_info(?) ORDER BY cid`).all(table) as unknown[];
const indexes = (db: Database.Database, table: string) =>
  db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .all(table);

describe('SqliteStore table layout', () => {
  it('creates the better-sqlite3-session-store table and an index on expire', () => {
    const db = openDb();
    makeStore({ db });
    expect(columns(db, 'sessions')).toEqual([
      { name: 'sid', type: 'TEXT', pk: 1, notnull: 1 },
      { name: 'sess', type: 'JSON', pk: 0, notnull: 1 },
      { name: 'expire', type: 'TEXT', pk: 0, notnull: 1 },
    ]);
    expect(indexes(db, 'sessions')).toEqual([
      { name: 'IDX_sessions_expire', sql: 'CREATE INDEX "IDX_sessions_expire" ON "sessions" ("expire")' },
    ]);
  });

  it('writes sess as the session JSON and expire as toISOString() of the expiry', async () => {
    const db = openDb();
    const store = makeStore({ db });
    const id = sid();
    const value = session(60_000, { user: 'ada' });
    await store.set(id, asSession(value));
    const row = db
      .prepare('SELECT sid, sess, expire, typeof(sess) AS sessType, typeof(expire) AS expireType FROM sessions')
      .get();
    expect(row).toEqual({
      sid: id,
      sess: JSON.stringify(value),
      expire: value.cookie.expires,
      sessType: 'text',
      expireType: 'text',
    });
  });

  it('uses the table option, quoted (a keyword is a valid table name)', async () => {
    const db = openDb();
    const store = makeStore({ db, table: 'select' });
    const id = sid();
    await store.set(id, asSession(session(60_000)));
    expect(db.prepare('SELECT count(*) FROM "select"').pluck().get()).toBe(1);
    expect(await store.ids()).toEqual([id]);
  });

  it('with createTable false, a missing table is a callback error until it exists', async () => {
    const db = openDb();
    const store = makeStore({ db, createTable: false });
    await expect(store.get(sid())).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(/no such table: sessions/),
    });
    db.exec('CREATE TABLE sessions (sid TEXT NOT NULL PRIMARY KEY, sess JSON NOT NULL, expire TEXT NOT NULL)');
    const id = sid();
    await store.set(id, asSession(session(60_000)));
    expect(await store.get(id)).not.toBeNull();
    expect(indexes(db, 'sessions')).toEqual([]);
  });

  it('creates the connect-sqlite3 table with layout "connect-sqlite3", expired in epoch ms', async () => {
    const db = openDb();
    const store = makeStore({ db, layout: 'connect-sqlite3' });
    expect(columns(db, 'sessions')).toEqual([
      { name: 'sid', type: '', pk: 1, notnull: 0 },
      { name: 'expired', type: '', pk: 0, notnull: 0 },
      { name: 'sess', type: '', pk: 0, notnull: 0 },
    ]);
    expect(indexes(db, 'sessions')).toEqual([
      { name: 'IDX_sessions_expired', sql: 'CREATE INDEX "IDX_sessions_expired" ON "sessions" ("expired")' },
    ]);

    const id = sid();
    const value = session(60_000, { user: 'ada' });
    await store.set(id, asSession(value));
    const row = db.prepare('SELECT sess, expired FROM sessions WHERE sid = ?').get(id);
    expect(row).toEqual({ sess: JSON.stringify(value), expired: Date.parse(value.cookie.expires) });
    expect(await store.get(id)).toEqual(value);

    const later = session(120_000);
    await store.touch(id, asSession(later));
    expect(db.prepare('SELECT expired FROM sessions WHERE sid = ?').pluck().get(id)).toBe(
      Date.parse(later.cookie.expires),
    );
  });

  it('the connect-sqlite3 layout pages, counts and prunes on the numeric column', async () => {
    const db = openDb();
    const store = makeStore({ db, layout: 'connect-sqlite3', pageSize: 2 });
    const live = [sid(), sid(), sid()];
    for (const id of live) await store.set(id, asSession(session(60_000)));
    db.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run('gone', Date.now() - 1, JSON.stringify(session(-1)));
    expect(await store.length()).toBe(3);
    expect((await store.ids()).sort()).toEqual([...live].sort());
    expect(await store.prune()).toBe(1);
  });

  it('pages walk the primary key in sid order, even when statistics favour the expiry index', () => {
    const db = openDb();
    makeStore({ db });
    // Mostly expired rows plus ANALYZE make the expiry index look selective: without the
    // unary + the planner would read every live row through it and sort them for each page.
    const insert = db.prepare('INSERT INTO sessions VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 500; i++)
        insert.run(`s${i}`, '{}', i < 490 ? '2000-01-01T00:00:00.000Z' : '2100-01-01T00:00:00.000Z');
    })();
    db.exec('ANALYZE');
    const sql = buildSql('sessions', LAYOUTS['better-sqlite3-session-store']);
    for (const [statement, params] of [
      [sql.nextPage, ['a', NOW, 10]],
      [sql.nextIdPage, ['a', NOW, 10]],
      [sql.firstPage, [NOW, 10]],
      [sql.firstIdPage, [NOW, 10]],
    ] as const) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${statement}`).all(...params) as Array<{ detail: string }>)
        .map((step) => step.detail)
        .join('\n');
      expect(plan).toMatch(/sqlite_autoindex_sessions_1/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });
});
