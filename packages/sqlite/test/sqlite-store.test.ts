import Database from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

const files = tempDatabaseDir();
const opened: SqliteStore[] = [];

function makeStore(options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = new SqliteStore({ filename: files.path(), pruneInterval: false, ...options } as SqliteStoreOptions);
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

const asSession = (value: unknown) => value as SessionData;

describe('SqliteStore', () => {
  it('declares millisecond granularity and every enumeration method', () => {
    const store = makeStore();
    expect(store.capabilities).toMatchObject({
      touch: true,
      all: true,
      ids: true,
      length: true,
      clear: true,
      iterate: true,
      ttlGranularityMs: 1,
      persistent: true,
      defaultTtlMs: 86_400_000,
    });
  });

  it('set(sid) then get(sid) returns the session with the stored expiry as cookie.expires', async () => {
    const store = makeStore();
    const id = sid();
    const value = session(60_000, { user: 'ada', nested: { list: [1, 'two', null] } });
    await store.set(id, asSession(value));
    expect(await store.get(id)).toEqual(value);
  });

  it('get(sid) misses exactly when the expiry passes (millisecond precision)', async () => {
    const store = makeStore();
    const id = sid();
    await store.set(id, asSession(session(80)));
    expect(await store.get(id)).not.toBeNull();
    const expiresAt = Date.parse(((await store.get(id)) as unknown as { cookie: { expires: string } }).cookie.expires);
    while (Date.now() < expiresAt) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.get(id)).toBeNull();
  });

  it('touch(sid) moves the expiry without rewriting the session data', async () => {
    const store = makeStore();
    const id = sid();
    await store.set(id, asSession(session(60_000, { n: 2 })));
    const stale = session(120_000, { n: 1 });
    await store.touch(id, asSession(stale));
    const got = (await store.get(id)) as unknown as { n: number; cookie: { expires: string } };
    expect(got.n).toBe(2);
    expect(got.cookie.expires).toBe(stale.cookie.expires);
  });

  it('touch(sid) of an unknown or destroyed sid creates nothing', async () => {
    const store = makeStore();
    const id = sid();
    await store.touch(id, asSession(session(60_000)));
    expect(await store.get(id)).toBeNull();
    await store.set(id, asSession(session(60_000)));
    await store.destroy(id);
    await store.touch(id, asSession(session(60_000)));
    expect(await store.get(id)).toBeNull();
  });

  it('all(), ids() and length() page through live sessions only, each exactly once', async () => {
    const store = makeStore({ pageSize: 3 });
    const live = Array.from({ length: 10 }, () => sid());
    for (const id of live) await store.set(id, asSession(session(60_000, { id })));
    const expiring = sid();
    await store.set(expiring, asSession(session(30)));
    await new Promise((resolve) => setTimeout(resolve, 60));

    expect((await store.ids()).sort()).toEqual([...live].sort());
    expect(await store.length()).toBe(10);
    const all = await store.all();
    expect(all.map((s) => s.id).sort()).toEqual([...live].sort());
    const walked: string[] = [];
    for await (const entry of store.iterate()) walked.push(entry.sid);
    expect(walked.sort()).toEqual([...live].sort());
  });

  it('clear() empties only its own table', async () => {
    const file = files.path();
    const mine = makeStore({ filename: file, table: 'mine' });
    const theirs = makeStore({ filename: file, table: 'theirs' });
    const a = sid();
    const b = sid();
    await mine.set(a, asSession(session(60_000)));
    await theirs.set(b, asSession(session(60_000)));
    await mine.clear();
    expect(await mine.length()).toBe(0);
    expect(await mine.get(a)).toBeNull();
    expect(await theirs.get(b)).not.toBeNull();
  });

  it('two stores on one file and table share their sessions', async () => {
    const file = files.path();
    const first = makeStore({ filename: file });
    const second = makeStore({ filename: file });
    const id = sid();
    await first.set(id, asSession(session(60_000, { from: 'first' })));
    expect(await second.get(id)).toMatchObject({ from: 'first' });
  });

  it('sids with a lone surrogate: set fails clearly, the rest treat them as unknown', async () => {
    const store = makeStore();
    const good = '\uD800\uDC00-pair';
    const lone = '\uD800-lone';
    const replaced = '\uFFFD-lone';
    await store.set(good, asSession(session(60_000, { good: true })));
    await store.set(replaced, asSession(session(60_000, { replaced: true })));
    expect(await store.get(good)).toMatchObject({ good: true });
    await expect(store.set(lone, asSession(session(60_000)))).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
    });
    expect(await store.get(lone)).toBeNull();
    await store.destroy(lone);
    await store.touch(lone, asSession(session(60_000)));
    expect(await store.get(replaced)).toMatchObject({ replaced: true });
  });

  it('an expiry at the end of year 9999 is kept; a later one is refused by the core, not clamped', async () => {
    const store = makeStore();
    const id = sid();
    const last = { cookie: { originalMaxAge: null, expires: '9999-12-31T23:59:59.999Z', path: '/' } };
    await store.set(id, asSession(last));
    expect(await store.get(id)).not.toBeNull();
    expect(await store.ids()).toContain(id);
    const raw = store.db.prepare('SELECT expire FROM sessions WHERE sid = ?').pluck().get(id);
    expect(raw).toBe('9999-12-31T23:59:59.999Z');
    const later = makeStore({ ttl: () => 400_000 * 365 * 86_400 });
    await expect(later.set(sid(), asSession(session(60_000)))).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
    });
  });

  it('a row whose expiry is not a date is a miss, reported as decodeError', async () => {
    const store = makeStore();
    const id = sid();
    await store.set(id, asSession(session(60_000)));
    store.db.prepare("UPDATE sessions SET expire = 'soon' WHERE sid = ?").run(id);
    const errors: unknown[] = [];
    store.on('decodeError', (event) => errors.push(event));
    // 'soon' sorts after any ISO date, so SQL sees it as live; the layout refuses to read it.
    expect(await store.get(id)).toBeNull();
    expect(errors).toHaveLength(1);
  });

  it('calls back asynchronously', async () => {
    const store = makeStore();
    let returned = false;
    const called = new Promise<boolean>((resolve) => {
      store.get(sid(), () => resolve(returned));
      returned = true;
    });
    expect(await called).toBe(true);
  });

  it('a database closed under the store gives callback errors, not throws', async () => {
    const db = new Database(files.path());
    const store = makeStore({ filename: undefined, db });
    db.close();
    const error = await new Promise<unknown>((resolve) => store.set(sid(), asSession(session(60_000)), resolve));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(/^SqliteStore\.set failed: /),
    });
    await expect(store.get(sid())).rejects.toMatchObject({ code: 'ERR_SESSION_STORE_BACKEND' });
  });

  it('close() closes a database it opened, and only that', async () => {
    const owned = makeStore();
    await owned.close();
    expect(owned.db.open).toBe(false);

    const db = new Database(files.path());
    const borrowed = makeStore({ filename: undefined, db });
    await borrowed.close();
    expect(db.open).toBe(true);
    db.close();
  });

  it('accepts the anchor option name client for the database', async () => {
    const db = new Database(files.path());
    const store = makeStore({ filename: undefined, client: db });
    const id = sid();
    await store.set(id, asSession(session(60_000, { via: 'client' })));
    expect(await store.get(id)).toMatchObject({ via: 'client' });
    await store.close();
    db.close();
  });
});
