import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

/**
 * touch replaces the cookie stored inside the session with the touched one (and nothing else),
 * so the stored cookie stays true for `get`, for a later `req.session.save()`, and for whatever
 * reads the table directly. Plain JSON is patched with SQLite's json_set, which must keep every
 * other byte as JSON.stringify wrote it.
 */
const files = tempDatabaseDir();
const opened: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function makeStore(options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = new SqliteStore({ filename: files.path(), pruneInterval: false, ...options } as SqliteStoreOptions);
  opened.push(store);
  return store;
}

const asSession = (value: unknown) => value as SessionData;
const rawRow = (store: SqliteStore, id: string) =>
  store.db.prepare('SELECT sess, expire FROM sessions WHERE sid = ?').get(id) as { sess: string; expire: string };

function awkwardData(): Record<string, unknown> {
  const data: Record<string, unknown> = {
    nul: 'a\u0000b',
    lone: ['\uD800', '\uDFFF', 'x\uDBFFy'],
    ['key\u0000with\uD800odd']: 'chars',
    emoji: '👩🏽‍💻 e\u0301 שלום \u202E',
    escapes: '"\\/\b\f\n\r\t\u001F\u007F\u2028\u2029',
    maxSafe: Number.MAX_SAFE_INTEGER,
    minSafe: Number.MIN_SAFE_INTEGER,
    floats: [0.1, 1e-7, 5e-324, 1.7976931348623157e308, 1e21, -0, 123456789.12345679, 2 ** 53 + 2],
    empties: { obj: {}, arr: [], str: '' },
    'dotted.key': { $dollar: true },
    nested: { deep: { deeper: [null, false, true] } },
  };
  Object.defineProperty(data, '__proto__', {
    value: { polluted: true },
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return data;
}

/** What the stored text must become: the written JSON with only its cookie swapped. */
function withCookie(original: { cookie: object }, cookie: object): string {
  const written = JSON.stringify(original);
  expect(written.indexOf(JSON.stringify(original.cookie))).toBe('{"cookie":'.length);
  return written.replace(JSON.stringify(original.cookie), JSON.stringify(cookie));
}

describe('touch and the stored cookie', () => {
  it('replaces only the cookie: every other byte of the stored JSON stays as written', async () => {
    const store = makeStore();
    const id = sid();
    const original = session(60_000, awkwardData());
    await store.set(id, asSession(original));
    const later = session(600_000);
    await store.touch(id, asSession(later));
    expect(JSON.stringify(original)).toContain('"__proto__":{"polluted":true}');
    expect(rawRow(store, id).sess).toBe(withCookie(original, later.cookie));
    const got = (await store.get(id)) as unknown as Record<string, unknown>;
    expect(JSON.stringify(got)).toBe(rawRow(store, id).sess);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  });

  it('keeps the touched originalMaxAge (an app that changed cookie.maxAge without changing data)', async () => {
    const store = makeStore();
    const id = sid();
    const original = session(60_000, { user: 'ada' });
    await store.set(id, asSession(original));
    const rememberMe = session(30 * 86_400_000);
    await store.touch(id, asSession(rememberMe));
    expect(await store.get(id)).toEqual({ ...original, cookie: rememberMe.cookie });
    expect(rawRow(store, id).expire).toBe(rememberMe.cookie.expires);
  });

  it('keeps a 1 MiB session intact', async () => {
    const store = makeStore();
    const id = sid();
    const original = session(60_000, { blob: 'x'.repeat(1024 * 1024) });
    await store.set(id, asSession(original));
    const later = session(600_000);
    await store.touch(id, asSession(later));
    expect(rawRow(store, id).sess).toBe(withCookie(original, later.cookie));
  });

  it('a browser-session cookie (expires null) stays as it is; the expire column moves', async () => {
    const store = makeStore();
    const id = sid();
    const original = { cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' }, n: 1 };
    await store.set(id, asSession(original));
    const before = rawRow(store, id).expire;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.touch(id, asSession(original));
    expect(rawRow(store, id).sess).toBe(JSON.stringify(original));
    expect(rawRow(store, id).expire > before).toBe(true);
  });

  it('a corrupt row, or one without a cookie, is left as it is and touch does not fail', async () => {
    const store = makeStore();
    for (const stored of ['{not json', '["an","array"]', '{"n":1}']) {
      const id = sid();
      await store.set(id, asSession(session(60_000)));
      store.db.prepare('UPDATE sessions SET sess = ? WHERE sid = ?').run(stored, id);
      const later = session(600_000);
      await store.touch(id, asSession(later));
      expect(rawRow(store, id)).toEqual({ sess: stored, expire: later.cookie.expires });
    }
  });

  it('with encryption, the cookie is replaced inside the encrypted payload', async () => {
    const store = makeStore({ encryption: { secret: 'a secret of at least sixteen bytes' } });
    const id = sid();
    const original = session(60_000, { secret: 'data' });
    await store.set(id, asSession(original));
    const before = rawRow(store, id).sess;
    const later = session(600_000);
    await store.touch(id, asSession(later));
    const after = rawRow(store, id).sess;
    expect(after).not.toBe(before);
    expect(after).toMatch(/^\{"ss_encrypted":"v2\./);
    expect(after).not.toContain('data');
    expect(await store.get(id)).toEqual({ ...original, cookie: later.cookie });
  });

  it('with a custom serializer, the payload is rewritten through it', async () => {
    const serializer = {
      stringify: (value: unknown) => `wrapped:${JSON.stringify(value)}`,
      parse: (text: string) => JSON.parse(text.slice('wrapped:'.length)) as unknown,
    };
    const store = makeStore({ serializer });
    const id = sid();
    const original = session(60_000, { n: 1 });
    await store.set(id, asSession(original));
    const later = session(600_000);
    await store.touch(id, asSession(later));
    expect(rawRow(store, id).sess).toBe(`wrapped:${JSON.stringify({ ...original, cookie: later.cookie })}`);
  });

  it('with a custom serializer, an unreadable row keeps its payload and gets the new expiry', async () => {
    const serializer = {
      stringify: (value: unknown) => `wrapped:${JSON.stringify(value)}`,
      parse: (text: string) => JSON.parse(text.slice('wrapped:'.length)) as unknown,
    };
    const store = makeStore({ serializer });
    const id = sid();
    await store.set(id, asSession(session(60_000)));
    store.db.prepare("UPDATE sessions SET sess = 'garbage' WHERE sid = ?").run(id);
    const later = session(600_000);
    await store.touch(id, asSession(later));
    expect(rawRow(store, id)).toEqual({ sess: 'garbage', expire: later.cookie.expires });
  });
});
