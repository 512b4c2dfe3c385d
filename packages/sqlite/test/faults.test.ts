import Database from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

const files = tempDatabaseDir();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function track<T extends { close(): unknown }>(thing: T): T {
  cleanup.push(() => thing.close());
  return thing;
}

const asSession = (value: unknown) => value as SessionData;
const pragmas = (db: Database.Database) => ({
  journal_mode: db.pragma('journal_mode', { simple: true }),
  synchronous: db.pragma('synchronous', { simple: true }),
  busy_timeout: db.pragma('busy_timeout', { simple: true }),
});

describe('SqliteStore pragmas', () => {
  it('a database it opens gets WAL, synchronous = NORMAL and a short busy timeout', () => {
    const store = track(new SqliteStore({ filename: files.path(), pruneInterval: false }));
    expect(pragmas(store.db)).toEqual({ journal_mode: 'wal', synchronous: 1, busy_timeout: 1000 });
  });

  it('the busy timeout never exceeds operationTimeoutMs', () => {
    const store = track(new SqliteStore({ filename: files.path(), pruneInterval: false, operationTimeoutMs: 300 }));
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(300);
  });

  it('a database handed in keeps the pragmas its owner chose', async () => {
    const db = track(new Database(files.path(), { timeout: 1234 }));
    db.pragma('synchronous = FULL');
    const before = pragmas(db);
    expect(before).toEqual({ journal_mode: 'delete', synchronous: 2, busy_timeout: 1234 });
    const store = track(new SqliteStore({ db, pruneInterval: false }));
    await store.set(sid(), asSession(session(60_000)));
    expect(pragmas(db)).toEqual(before);
  });
});

describe('SqliteStore on a database locked by another connection (clause 32)', () => {
  it('a write fails with SQLITE_BUSY within the bound instead of hanging, reads go on, and the store recovers', async () => {
    const path = files.path();
    const store = track(new SqliteStore({ filename: path, pruneInterval: false, operationTimeoutMs: 400 }));
    const id = sid();
    await store.set(id, asSession(session(60_000, { n: 1 })));

    const other = track(new Database(path));
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    const error = await new Promise<unknown>((resolve) => store.set(id, asSession(session(60_000, { n: 2 })), resolve));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(/^SqliteStore\.set failed: database is locked/),
      cause: { code: 'SQLITE_BUSY' },
    });
    // It waited for the lock (busy timeout = operationTimeoutMs here), and not much longer.
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(400 + 2000);
    await expect(store.touch(id, asSession(session(90_000)))).rejects.toMatchObject({ cause: { code: 'SQLITE_BUSY' } });
    await expect(store.prune()).rejects.toMatchObject({ cause: { code: 'SQLITE_BUSY' } });

    // WAL: a writer elsewhere does not block readers.
    expect(await store.get(id)).toMatchObject({ n: 1 });
    expect(await store.length()).toBe(1);

    other.exec('COMMIT');
    await store.set(id, asSession(session(60_000, { n: 3 })));
    expect(await store.get(id)).toMatchObject({ n: 3 });
  });

  it('a write that failed on the lock never lands once the lock goes: a failure is never "outcome unknown" here', async () => {
    const path = files.path();
    const store = track(new SqliteStore({ filename: path, pruneInterval: false, operationTimeoutMs: 300 }));
    const id = sid();
    await store.set(id, asSession(session(60_000, { n: 1 })));
    const other = track(new Database(path));
    other.exec('BEGIN IMMEDIATE');
    await expect(store.set(id, asSession(session(60_000, { n: 2 })))).rejects.toMatchObject({
      cause: { code: 'SQLITE_BUSY' },
    });
    await expect(store.destroy(id)).rejects.toMatchObject({ cause: { code: 'SQLITE_BUSY' } });
    other.exec('COMMIT');
    // Nothing can still be queued: better-sqlite3 ran (and failed) each statement inside its call.
    expect(await store.get(id)).toMatchObject({ n: 1 });
  });

  it('a handed-in database waits as long as its own timeout says', async () => {
    const path = files.path();
    const db = track(new Database(path, { timeout: 50 }));
    const store = track(new SqliteStore({ db, pruneInterval: false }));
    await store.length();
    const other = track(new Database(path));
    other.exec('BEGIN EXCLUSIVE');
    await expect(store.set(sid(), asSession(session(60_000)))).rejects.toMatchObject({
      cause: { code: 'SQLITE_BUSY' },
    });
    // Rollback journal (the owner's choice): an exclusive lock blocks readers too; still an error, not a hang.
    await expect(store.get(sid())).rejects.toMatchObject({ cause: { code: 'SQLITE_BUSY' } });
    other.exec('ROLLBACK');
    expect(await store.get(sid())).toBeNull();
  });
});
