import expressSession, { type SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index';
import { loadConnectSqlite3 } from './connect-sqlite3-anchor';
import { session, sid, tempDatabaseDir } from './helpers';

/**
 * Both ways on one file: connect-sqlite3 0.9 itself (a devDependency, on the sqlite3 native
 * module built offline) and SqliteStore with layout "connect-sqlite3", each reading what the
 * other wrote, touched and destroyed.
 */
const files = tempDatabaseDir();
const anchor = loadConnectSqlite3();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

type Callback<T = void> = (error: unknown, value?: T) => void;
interface AnchorStore {
  db: { close(cb: Callback): void; get(sql: string, params: unknown[], cb: Callback<Record<string, unknown>>): void };
  get(sid: string, cb: Callback<SessionData | null>): void;
  set(sid: string, session: SessionData, cb: Callback): void;
  touch(sid: string, session: SessionData, cb: Callback): void;
  destroy(sid: string, cb: Callback): void;
}
const call = <T>(run: (cb: Callback<T>) => void) =>
  new Promise<T | undefined>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));

async function setup() {
  const path = files.path();
  const Theirs = anchor.factory!(expressSession);
  const theirs = new Theirs({ db: path.split('/').pop(), dir: path.slice(0, path.lastIndexOf('/')) }) as AnchorStore;
  // Its constructor creates the table asynchronously; a first read waits for it.
  await call((cb) => theirs.db.get('SELECT 1', [], cb));
  cleanup.push(() => call((cb) => theirs.db.close(cb)));
  const ours = new SqliteStore({ filename: path, layout: 'connect-sqlite3', pruneInterval: false });
  cleanup.push(() => ours.close());
  return { theirs, ours };
}

describe.skipIf(!anchor.factory)(
  `compatibility with connect-sqlite3 (layout "connect-sqlite3")${anchor.factory ? '' : ` (skipped: ${anchor.reason})`}`,
  () => {
    it('SqliteStore reads what connect-sqlite3 wrote, and sees its destroy', async () => {
      const { theirs, ours } = await setup();
      const id = sid();
      const value = session(60_000, { user: 'ada' }) as unknown as SessionData;
      await call((cb) => theirs.set(id, value, cb));
      expect(await ours.get(id)).toMatchObject({ user: 'ada', cookie: { originalMaxAge: 60_000 } });
      await call((cb) => theirs.destroy(id, cb));
      expect(await ours.get(id)).toBeNull();
    });

    it('connect-sqlite3 reads what SqliteStore wrote, touched and destroyed', async () => {
      const { theirs, ours } = await setup();
      const id = sid();
      const value = session(60_000, { user: 'grace' });
      await ours.set(id, value as unknown as SessionData);
      expect(await call<SessionData | null>((cb) => theirs.get(id, cb))).toEqual(value);
      const later = session(600_000);
      await ours.touch(id, { ...value, cookie: later.cookie } as unknown as SessionData);
      expect(await call<SessionData | null>((cb) => theirs.get(id, cb))).toEqual({ ...value, cookie: later.cookie });
      await ours.destroy(id);
      expect(await call<SessionData | null>((cb) => theirs.get(id, cb))).toBeUndefined();
    });

    it('a session connect-sqlite3 touched keeps its new expiry in SqliteStore', async () => {
      const { theirs, ours } = await setup();
      const id = sid();
      const value = session(60_000) as unknown as SessionData;
      await call((cb) => theirs.set(id, value, cb));
      const longer = session(600_000);
      await call((cb) => theirs.touch(id, { ...value, cookie: longer.cookie } as unknown as SessionData, cb));
      const inspected = await ours.inspect(id);
      expect(inspected?.expiresAt).toBeGreaterThan(Date.now() + 300_000);
    });

    it('an expiry stored as a REAL (node-sqlite3 binds large numbers as doubles) reads the same', async () => {
      const { ours } = await setup();
      const id = sid();
      const expired = Date.now() + 60_000;
      ours.db
        .prepare('INSERT INTO sessions VALUES (?, CAST(? AS REAL), ?)')
        .run(id, expired, JSON.stringify(session(60_000)));
      expect(ours.db.prepare('SELECT typeof(expired) FROM sessions').pluck().get()).toBe('real');
      expect(await ours.get(id)).toMatchObject({ cookie: { expires: new Date(expired).toISOString() } });
    });
  },
);
