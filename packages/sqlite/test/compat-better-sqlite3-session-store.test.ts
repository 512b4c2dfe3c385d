import Database from 'better-sqlite3';
import expressSession, { type SessionData, type Store } from 'express-session';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index';
import { sid, tempDatabaseDir } from './helpers';

/**
 * Proves the drop-in claim: sessions written by better-sqlite3-session-store (the anchor,
 * installed as a devDependency; GPL, so only run here, never copied) are read by SqliteStore on
 * the same file and table, and the reverse, including touch and destroy in both directions.
 */
const files = tempDatabaseDir();
const require = createRequire(import.meta.url);
type AnchorStore = Store & {
  get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void;
  set(sid: string, session: SessionData, cb: (err: unknown) => void): void;
  touch(sid: string, session: SessionData, cb: (err: unknown) => void): void;
  destroy(sid: string, cb: (err: unknown) => void): void;
};
const AnchorClass = (
  require('better-sqlite3-session-store') as (session: unknown) => new (options: unknown) => AnchorStore
)(expressSession);

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** The anchor store on its own connection to `path`, as the app version before the switch would have it. */
function anchorOn(path: string): { anchor: AnchorStore; db: Database.Database } {
  const db = new Database(path);
  cleanup.push(() => db.close());
  // The anchor starts a cleanup interval it never unrefs or exposes; catch it so the test
  // process can exit.
  const realSetInterval = globalThis.setInterval;
  let interval: NodeJS.Timeout | undefined;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) =>
    (interval = realSetInterval(...args))) as typeof setInterval;
  try {
    return { anchor: new AnchorClass({ client: db, expired: { intervalMs: 3_600_000 } }), db };
  } finally {
    globalThis.setInterval = realSetInterval;
    cleanup.push(() => clearInterval(interval));
  }
}

function oursOn(path: string): SqliteStore {
  const store = new SqliteStore({ filename: path, pruneInterval: false });
  cleanup.push(() => store.close());
  return store;
}

/** One database file with the anchor (which creates the table) and our store on it. */
function pair() {
  const path = files.path();
  const { anchor, db } = anchorOn(path);
  return { anchor, ours: oursOn(path), db };
}

const call = <T>(fn: (cb: (err: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/** A session as express-session builds it: a real Cookie, whose maxAge the anchor reads. */
function liveSession(maxAge: number, data: Record<string, unknown>): SessionData {
  // The typings declare no constructor arguments; express-session's Cookie takes its options.
  const CookieClass = expressSession.Cookie as unknown as new (options: { maxAge: number }) => SessionData['cookie'];
  return { cookie: new CookieClass({ maxAge }), ...data } as unknown as SessionData;
}

const json = (value: unknown) =>
  JSON.parse(JSON.stringify(value)) as Record<string, unknown> & { cookie: { expires: string } };

describe('compatibility with better-sqlite3-session-store 0.1.0', () => {
  it('with the userId option, SqliteStore adds an indexed user_id column to the anchor table, which the anchor still reads but can no longer write', async () => {
    const { anchor, db } = pair();
    const before = sid();
    await call((cb) => anchor.set(before, liveSession(60_000, { userId: 'ada' }), cb));
    const ours = new SqliteStore({
      filename: db.name,
      pruneInterval: false,
      userId: (s) => (s as { userId?: string }).userId,
    });
    cleanup.push(() => ours.close());
    const mine = sid();
    await ours.set(mine, liveSession(60_000, { userId: 'ada' }));
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('sessions');
    expect(columns).toEqual(['sid', 'sess', 'expire', 'user_id']);
    expect(db.prepare("SELECT name FROM pragma_index_list('sessions')").pluck().all()).toContain(
      'IDX_sessions_user_id',
    );
    // A row the anchor wrote has no user until our store saves it: only ours is listed.
    expect((await ours.userSessions('ada')).map((entry) => entry.sid)).toEqual([mine]);
    expect(await call((cb) => anchor.get(mine, cb))).toMatchObject({ userId: 'ada' });
    await call((cb) => anchor.destroy(mine, cb));
    expect(await ours.userSessions('ada')).toEqual([]);
    // The anchor inserts without naming columns, so a fourth column stops its writes: the README
    // says to turn the option on only once no instance runs the anchor.
    await expect(call((cb) => anchor.set(sid(), liveSession(60_000, {}), cb))).rejects.toThrow(
      /4 columns but 3 values/,
    );
  });

  it('SqliteStore reads what the anchor wrote, with the anchor row expiry as cookie.expires', async () => {
    const { anchor, ours, db } = pair();
    const id = sid();
    const value = liveSession(60_000, { user: 'ada', cart: [1, 2] });
    await call((cb) => anchor.set(id, value, cb));
    const expire = db.prepare('SELECT expire FROM sessions WHERE sid = ?').pluck().get(id);
    expect(await ours.get(id)).toEqual({ ...json(value), cookie: { ...json(value).cookie, expires: expire } });
    expect(await ours.ids()).toEqual([id]);
  });

  it('the anchor reads what SqliteStore wrote', async () => {
    const { anchor, ours } = pair();
    const id = sid();
    const value = liveSession(60_000, { user: 'grace', nested: { a: [true, null] } });
    await ours.set(id, value);
    expect(await call((cb) => anchor.get(id, cb))).toEqual(json(value));
  });

  it('touch by either store keeps the session alive for the other', async () => {
    const { anchor, ours, db } = pair();
    const expireOf = (id: string) => db.prepare('SELECT expire FROM sessions WHERE sid = ?').pluck().get(id) as string;

    const fromAnchor = sid();
    await call((cb) => anchor.set(fromAnchor, liveSession(60_000, { n: 1 }), cb));
    const later = json(liveSession(600_000, {}));
    await ours.touch(fromAnchor, later as unknown as SessionData);
    expect(expireOf(fromAnchor)).toBe(later.cookie.expires);
    // The stored cookie moved too, so the anchor (which returns sess as stored) sees the truth.
    expect(await call<SessionData | null>((cb) => anchor.get(fromAnchor, cb))).toMatchObject({
      n: 1,
      cookie: { expires: later.cookie.expires },
    });

    const fromOurs = sid();
    await ours.set(fromOurs, liveSession(60_000, { n: 2 }));
    const evenLater = liveSession(900_000, {});
    await call((cb) => anchor.touch(fromOurs, evenLater, cb));
    const got = (await ours.get(fromOurs)) as unknown as { n: number; cookie: { expires: string } };
    expect(got.n).toBe(2);
    expect(got.cookie.expires).toBe(json(evenLater).cookie.expires);
  });

  it('an expired row is a miss for both', async () => {
    const { anchor, ours, db } = pair();
    const id = sid();
    await ours.set(id, liveSession(60_000, {}));
    db.prepare('UPDATE sessions SET expire = ? WHERE sid = ?').run(new Date(Date.now() - 2000).toISOString(), id);
    expect(await ours.get(id)).toBeNull();
    expect(await call((cb) => anchor.get(id, cb))).toBeNull();
    expect(await ours.length()).toBe(0);
  });

  it('destroy by either store removes the session for both', async () => {
    const { anchor, ours } = pair();
    const a = sid();
    const b = sid();
    await ours.set(a, liveSession(60_000, {}));
    await call((cb) => anchor.set(b, liveSession(60_000, {}), cb));
    await call((cb) => anchor.destroy(a, cb));
    await ours.destroy(b);
    expect(await ours.get(a)).toBeNull();
    expect(await call((cb) => anchor.get(b, cb))).toBeNull();
  });

  it('the anchor keeps working on a table SqliteStore created and indexed', async () => {
    const path = files.path();
    const ours = oursOn(path);
    await ours.length();
    const { anchor } = anchorOn(path);
    const id = sid();
    await call((cb) => anchor.set(id, liveSession(60_000, { ok: true }), cb));
    expect(await ours.get(id)).toMatchObject({ ok: true });
  });
});
