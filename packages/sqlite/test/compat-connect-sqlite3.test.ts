import Database from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

/**
 * connect-sqlite3 0.9 runs on the `sqlite3` native module, whose install script downloads a
 * binary (or compiles one), which these machines cannot do; so this test issues, through a
 * second connection, the statements connect-sqlite3's source runs: its CREATE TABLE, its
 * `INSERT OR REPLACE ... VALUES (sid, expired, sess)` with `expired = now + maxAge` in epoch ms,
 * and its `SELECT sess ... WHERE sid = ? AND ? <= expired`.
 */
const files = tempDatabaseDir();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function setup() {
  const path = files.path();
  const theirs = new Database(path);
  cleanup.push(() => theirs.close());
  theirs.exec('CREATE TABLE IF NOT EXISTS sessions (sid PRIMARY KEY, expired, sess)');
  const ours = new SqliteStore({ filename: path, layout: 'connect-sqlite3', pruneInterval: false });
  cleanup.push(() => ours.close());
  const write = (id: string, value: object, expired: number) =>
    theirs.prepare('INSERT OR REPLACE INTO sessions VALUES (?, ?, ?)').run(id, expired, JSON.stringify(value));
  const read = (id: string) => {
    const row = theirs.prepare('SELECT sess FROM sessions WHERE sid = ? AND ? <= expired').get(id, Date.now()) as
      { sess: string } | undefined;
    return row ? (JSON.parse(row.sess) as unknown) : null;
  };
  return { ours, write, read };
}

describe('compatibility with connect-sqlite3 (layout "connect-sqlite3")', () => {
  it('SqliteStore reads what connect-sqlite3 wrote', async () => {
    const { ours, write } = setup();
    const id = sid();
    const value = session(60_000, { user: 'ada' });
    const expired = Date.now() + 60_000;
    write(id, value, expired);
    expect(await ours.get(id)).toEqual({
      ...value,
      cookie: { ...value.cookie, expires: new Date(expired).toISOString() },
    });
  });

  it('connect-sqlite3 reads what SqliteStore wrote, touched and destroyed', async () => {
    const { ours, read } = setup();
    const id = sid();
    const value = session(60_000, { user: 'grace' });
    await ours.set(id, value as unknown as SessionData);
    expect(read(id)).toEqual(value);
    const later = session(600_000);
    await ours.touch(id, later as unknown as SessionData);
    expect(read(id)).toEqual({ ...value, cookie: later.cookie });
    await ours.destroy(id);
    expect(read(id)).toBeNull();
  });

  it('an expiry stored as a REAL (node-sqlite3 binds large numbers as doubles) reads the same', async () => {
    const { ours } = setup();
    const id = sid();
    const expired = Date.now() + 60_000;
    ours.db
      .prepare('INSERT INTO sessions VALUES (?, CAST(? AS REAL), ?)')
      .run(id, expired, JSON.stringify(session(60_000)));
    expect(ours.db.prepare('SELECT typeof(expired) FROM sessions').pluck().get()).toBe('real');
    expect(await ours.get(id)).toMatchObject({ cookie: { expires: new Date(expired).toISOString() } });
  });

  it('an expired row is a miss for both', async () => {
    const { ours, write, read } = setup();
    const id = sid();
    write(id, session(60_000), Date.now() - 1);
    expect(await ours.get(id)).toBeNull();
    expect(read(id)).toBeNull();
  });
});
