import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

/**
 * touch keeps the `cookie.expires` inside the stored JSON true (with SQLite's json_set), so a
 * reader of the raw table (the store users migrate from, admin tools) sees the real expiry.
 * SQLite's JSON functions must then keep every other byte as JSON.stringify wrote it.
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
const rawSess = (store: SqliteStore, id: string) => store.db.prepare('SELECT sess FROM sessions WHERE sid = ?').pluck().get(id) as string;

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
  Object.defineProperty(data, '__proto__', { value: { polluted: true }, enumerable: true, configurable: true, writable: true });
  return data;
}

describe('touch and the stored cookie.expires', () => {
  it('rewrites only cookie.expires: every other byte of the stored JSON stays as written', async () => {
    const store = makeStore();
    const id = sid();
    const original = session(60_000, awkwardData());
    await store.set(id, asSession(original));
    const later = session(600_000);
    await store.touch(id, asSession(later));
    const written = JSON.stringify(original);
    expect(written).toContain('"__proto__":{"polluted":true}');
    expect(rawSess(store, id)).toBe(written.replace(original.cookie.expires, later.cookie.expires));
    const got = (await store.get(id)) as unknown as Record<string, unknown>;
    expect(JSON.stringify(got)).toBe(rawSess(store, id));
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  });

  it('keeps a 1 MiB session intact', async () => {
    const store = makeStore();
    const id = sid();
    const original = session(60_000, { blob: 'x'.repeat(1024 * 1024) });
    await store.set(id, asSession(original));
    const later = session(600_000);
    await store.touch(id, asSession(later));
    expect(rawSess(store, id)).toBe(JSON.stringify({ ...original, cookie: { ...original.cookie, expires: later.cookie.expires } }));
  });

  it('leaves a browser-session cookie (expires null) alone, moving only the expire column', async () => {
    const store = makeStore();
    const id = sid();
    const original = { cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' }, n: 1 };
    await store.set(id, asSession(original));
    const before = store.db.prepare('SELECT expire FROM sessions WHERE sid = ?').pluck().get(id) as string;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.touch(id, asSession(original));
    expect(rawSess(store, id)).toBe(JSON.stringify(original));
    const after = store.db.prepare('SELECT expire FROM sessions WHERE sid = ?').pluck().get(id) as string;
    expect(after > before).toBe(true);
  });

  it('leaves a corrupt row as it is and does not fail', async () => {
    const store = makeStore();
    const id = sid();
    await store.set(id, asSession(session(60_000)));
    store.db.prepare("UPDATE sessions SET sess = '{not json' WHERE sid = ?").run(id);
    await store.touch(id, asSession(session(600_000)));
    expect(rawSess(store, id)).toBe('{not json');
    expect(await store.get(id)).toBeNull();
  });

  it('with encryption, touch never opens the payload: only the expire column moves', async () => {
    const store = makeStore({ encryption: { secret: 'a secret of at least sixteen bytes' } });
    const id = sid();
    const original = session(60_000, { secret: 'data' });
    await store.set(id, asSession(original));
    const stored = rawSess(store, id);
    const later = session(600_000);
    await store.touch(id, asSession(later));
    expect(rawSess(store, id)).toBe(stored);
    expect(await store.get(id)).toEqual({ ...original, cookie: { ...original.cookie, expires: later.cookie.expires } });
  });

  it('with a custom serializer, touch never rewrites the payload either', async () => {
    const serializer = { stringify: (value: unknown) => JSON.stringify({ wrapped: value }), parse: (text: string) => (JSON.parse(text) as { wrapped: unknown }).wrapped };
    const store = makeStore({ serializer });
    const id = sid();
    const original = session(60_000, { n: 1 });
    await store.set(id, asSession(original));
    const stored = rawSess(store, id);
    await store.touch(id, asSession(session(600_000)));
    expect(rawSess(store, id)).toBe(stored);
  });
});
