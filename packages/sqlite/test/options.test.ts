import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import session from 'express-session';
import { anchorOptionCases } from '../../../scripts/test-support/anchor-options';
import betterSqlite3SessionStore from '../src/better-sqlite3-session-store';
import connectSqlite3 from '../src/connect-sqlite3';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { session as sessionExpiringIn, sid, tempDatabaseDir } from './helpers';

const files = tempDatabaseDir();
const db = new Database(files.path());
afterAll(() => db.close());

const construct = (options: unknown) => () => new SqliteStore(options as SqliteStoreOptions);

describe('SqliteStore options', () => {
  it('needs exactly one of db, client and filename', () => {
    expect(construct(undefined)).toThrow(new TypeError('SqliteStore: give exactly one of "db", "client", "filename"'));
    expect(construct({})).toThrow(TypeError);
    expect(construct({ db, filename: files.path() })).toThrow(/give exactly one of .* got db and filename/);
  });

  it('rejects a non-object options argument', () => {
    expect(construct('sessions.db')).toThrow(
      new TypeError('SqliteStore: options must be an object, got "sessions.db"'),
    );
  });

  it.each([
    [{ db: {} }, /option "db" must be a better-sqlite3 Database, got object/],
    [{ client: 'file.db' }, /option "client" must be a better-sqlite3 Database, got string/],
    [{ filename: '' }, /option "filename" must be a non-empty file path/],
    [{ filename: 42 }, /option "filename" must be a string/],
    [{ db, table: 'sessions; DROP TABLE users' }, /option "table" must be an identifier/],
    [{ db, table: 'sess"ions' }, /option "table" must be an identifier/],
    [{ db, table: '1sessions' }, /option "table" must be an identifier/],
    [
      { db, layout: 'connect-pg-simple' },
      /option "layout" must be one of "better-sqlite3-session-store", "connect-sqlite3"/,
    ],
    [{ db, createTable: 'yes' }, /option "createTable" must be a boolean/],
    [{ db, pruneInterval: 0 }, /option "pruneInterval" must be false or a number of seconds above 0/],
    [{ db, pruneInterval: true }, /option "pruneInterval" must be false or a number of seconds/],
    [{ db, pruneInterval: 3_000_000 }, /option "pruneInterval" must be false or a number of seconds/],
    [{ db, pruneBatchSize: 0 }, /option "pruneBatchSize" must be an integer/],
    [{ db, pruneBatchSize: 1.5 }, /option "pruneBatchSize" must be an integer/],
    [{ db, pageSize: -1 }, /option "pageSize" must be an integer/],
    [{ filename: ':memory:', busyTimeoutMs: 6000 }, /option "busyTimeoutMs" must be an integer from 0 to 5000/],
    [
      { filename: ':memory:', operationTimeoutMs: 200, busyTimeoutMs: 500 },
      /option "busyTimeoutMs" must be an integer from 0 to 200/,
    ],
    [{ db, busyTimeoutMs: 100 }, /option "busyTimeoutMs" applies only with "filename"/],
    [{ db, ttl: -1 }, /option "ttl" must be a number/],
    [{ db, expired: true }, /option "expired" must be an object/],
    [{ db, expired: { clear: 'no' } }, /option "expired.clear" must be a boolean/],
    [{ db, expired: { intervalMs: 0 } }, /option "expired.intervalMs" must be a number/],
    [{ db, expired: { interval: 1000 } }, /option "expired" takes only "clear" and "intervalMs", got "interval"/],
    [{ db, expired: { clear: true }, pruneInterval: 60 }, /give "expired" .* or "pruneInterval", not both/],
    [{ db, operationTimeoutMs: 0 }, /option "operationTimeoutMs" must be a number/],
  ])('throws a TypeError naming the option: %j', (options, message) => {
    expect(construct(options)).toThrow(TypeError);
    expect(construct(options)).toThrow(message);
  });

  it('reports a file it cannot open at construction, with the cause', () => {
    let error: unknown;
    try {
      new SqliteStore({ filename: files.path('missing-dir/sessions.db') });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^SqliteStore: cannot open the database file ".*missing-dir\/sessions\.db": /,
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('accepts every documented option', async () => {
    const store = new SqliteStore({
      filename: files.path(),
      table: 'web_sessions',
      layout: 'connect-sqlite3',
      createTable: true,
      pruneInterval: 60,
      pruneBatchSize: 10,
      pageSize: 5,
      busyTimeoutMs: 250,
      ttl: 3600,
      touchAfter: 0,
      disableTouch: false,
      operationTimeoutMs: 1000,
    });
    expect(store.table).toBe('web_sessions');
    expect(await store.layout()).toBe('connect-sqlite3');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(250);
    await store.close();
  });

  describe("better-sqlite3-session-store's expired option", () => {
    /** Rows left after an hour of (fake) time, with one live and one expired row at the start. */
    async function rowsAfterAnHour(expired: unknown): Promise<number> {
      vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'Date'] });
      const own = new Database(files.path());
      const store = new SqliteStore({ client: own, expired } as SqliteStoreOptions);
      try {
        await store.set(sid(), sessionExpiringIn(7_200_000) as never);
        own
          .prepare('INSERT INTO sessions VALUES (?, ?, ?)')
          .run(sid(), JSON.stringify(sessionExpiringIn(1)), new Date(Date.now() - 1).toISOString());
        await vi.advanceTimersByTimeAsync(3_600_000);
        return own.prepare('SELECT count(*) FROM sessions').pluck().get() as number;
      } finally {
        vi.useRealTimers();
        await store.close();
        own.close();
      }
    }

    it('{ clear: false } never prunes on a timer (better-sqlite3-session-store cannot turn it off)', async () => {
      expect(await rowsAfterAnHour({ clear: false })).toBe(2);
    });

    it('{ clear: true, intervalMs } prunes on that interval', async () => {
      expect(await rowsAfterAnHour({ clear: true, intervalMs: 60_000 })).toBe(1);
    });

    it('{ intervalMs } longer than the wait has not pruned yet: the interval is used, not the default', async () => {
      expect(await rowsAfterAnHour({ intervalMs: 7_200_000 })).toBe(2);
    });
  });
});

describe("the anchors' options: each honoured, or refused naming the replacement", () => {
  const made: SqliteStore[] = [];
  afterAll(async () => {
    await Promise.all(made.map((store) => store.close()));
  });
  const keep = (store: SqliteStore) => (made.push(store), store);
  const journal = (store: SqliteStore) => store.db.pragma('journal_mode', { simple: true });
  const pruneInterval = (store: SqliteStore) =>
    (store as unknown as { backgroundPrune: { intervalMs: number } | null }).backgroundPrune?.intervalMs ?? null;

  describe('connect-sqlite3', () => {
    const ConnectSqlite3 = connectSqlite3(session);
    const dir = files.path('connect-sqlite3-dir');
    anchorOptionCases<SqliteStore>(
      'connect-sqlite3',
      ['table', 'db', 'dir', 'createDirIfNotExists', 'concurrentDB', 'mode'],
      (options) => keep(new ConnectSqlite3({ db: ':memory:', ...options } as never)),
      [
        ['table', { table: 'app_sessions' }, { honoured: (store) => expect(store.table).toMatch(/app_sessions/) }],
        [
          'db',
          { db: 'named.db', dir: files.path('') },
          { honoured: (store) => expect(store.db.name).toMatch(/named\.db$/) },
        ],
        [
          'dir',
          { db: 'in-dir.db', dir: files.path('') },
          { honoured: (store) => expect(store.db.name).toBe(`${files.path('')}/in-dir.db`) },
        ],
        [
          'createDirIfNotExists',
          { db: 'made.db', dir, createDirIfNotExists: true },
          { honoured: (store) => expect(store.db.name).toBe(`${dir}/made.db`) },
        ],
        [
          'concurrentDB',
          { db: 'wal.db', dir: files.path(''), concurrentDB: true },
          { honoured: (store) => expect(journal(store)).toBe('wal') },
        ],
        [
          'concurrentDB',
          { db: 'wal2.db', dir: files.path(''), concurrentDb: true },
          { honoured: (store) => expect(journal(store)).toBe('wal') },
        ],
        [
          'concurrentDB',
          { concurrentDB: false },
          { refused: /"concurrentDB: false" is not supported.*pass it as "db"/ },
        ],
        [
          'mode',
          { mode: 1 },
          { refused: /"mode" .*is not supported; open the database with better-sqlite3 .*pass it as "db"/ },
        ],
      ],
    );
  });

  describe('better-sqlite3-session-store', () => {
    const BetterSqlite3Store = betterSqlite3SessionStore(session);
    const client = new Database(':memory:');
    afterAll(() => client.close());
    anchorOptionCases<SqliteStore>(
      'better-sqlite3-session-store',
      ['client', 'expired'],
      (options) => keep(new BetterSqlite3Store({ client, ...options } as never)),
      [
        ['client', {}, { honoured: (store) => expect(store.db).toBe(client) }],
        [
          'expired',
          { expired: { clear: true, intervalMs: 60_000 } },
          { honoured: (store) => expect(pruneInterval(store)).toBe(60_000) },
        ],
        ['expired', { expired: { clear: false } }, { honoured: (store) => expect(pruneInterval(store)).toBeNull() }],
      ],
    );
  });
});
