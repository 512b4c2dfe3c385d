import Database from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

const files = tempDatabaseDir();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A session for a minute, typed as express-session's (helpers' cookie has a string expires). */
const live = (data: Record<string, unknown> = {}): SessionData => session(60_000, data) as unknown as SessionData;
const userId = (value: SessionData): string | undefined => (value as { userId?: string }).userId;

function storeOn(filename: string, options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = new SqliteStore({ filename, pruneInterval: false, ...options });
  cleanup.push(() => store.close());
  return store;
}

function columnsOf(filename: string, table = 'sessions'): string[] {
  const db = new Database(filename, { readonly: true });
  try {
    return db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
  } finally {
    db.close();
  }
}

describe('SqliteStore sessions by user', () => {
  it('adds no column without the userId option (never silently)', async () => {
    const file = files.path();
    await storeOn(file).set(sid(), live({ userId: 'ada' }));
    expect(columnsOf(file)).toEqual(['sid', 'sess', 'expire']);
  });

  it('adds the column to a table the store made earlier without the option, in either layout', async () => {
    for (const layout of ['better-sqlite3-session-store', 'connect-sqlite3'] as const) {
      const file = files.path();
      const old = sid();
      await storeOn(file, { layout }).set(old, live({ userId: 'ada' }));
      const indexed = storeOn(file, { layout, userId });
      const fresh = sid();
      await indexed.set(fresh, live({ userId: 'ada' }));
      expect(columnsOf(file)).toContain('user_id');
      // The older row has no user until it is saved again: the index never guesses.
      expect((await indexed.userSessions('ada')).map((entry) => entry.sid)).toEqual([fresh]);
      expect(await indexed.get(old)).toMatchObject({ userId: 'ada' });
    }
  });

  it('with createTable: false, a table without the column fails every call with the SQL to run', async () => {
    const file = files.path();
    await storeOn(file).set(sid(), live());
    const store = storeOn(file, { createTable: false, userId });
    await expect(store.set(sid(), live({ userId: 'ada' }))).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(/no "user_id" column .*run: ALTER TABLE "sessions" ADD COLUMN "user_id" TEXT/),
    });
    await expect(store.userSessions('ada')).rejects.toThrow(/no "user_id" column/);
  });

  it('an instance without the option, on a table with the column, clears the user it overwrites', async () => {
    const file = files.path();
    const indexed = storeOn(file, { userId });
    const plain = storeOn(file);
    const id = sid();
    await indexed.set(id, live({ userId: 'ada' }));
    expect(await indexed.countUserSessions('ada')).toBe(1);
    await plain.set(id, live({ userId: 'grace' }));
    expect(await indexed.countUserSessions('ada')).toBe(0);
  });
});
