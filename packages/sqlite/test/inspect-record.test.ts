import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

const files = tempDatabaseDir();
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function open(options: Record<string, unknown> = {}): SqliteStore {
  const store = new SqliteStore({ filename: files.path(), ...options });
  stores.push(store);
  return store;
}

describe('SqliteStore inspect(sid)', () => {
  it('shows the row as SQLite holds it, in the default layout', async () => {
    const store = open();
    const id = sid();
    const data = session(60_000, { views: 3 });
    await store.set(id, data as never);
    const shown = await store.inspect(id);
    const row = store.db.prepare('SELECT * FROM sessions WHERE sid = ?').get(id) as Record<string, unknown>;
    expect(shown).toEqual({
      backend: 'SQLite',
      location: `row sid = '${id}' of table "sessions"`,
      stored: row,
      expiresAt: Date.parse(data.cookie.expires),
      expiry: `expire = '${data.cookie.expires}'`,
    });
    expect(JSON.parse(row.sess as string)).toMatchObject({ views: 3 });
  });

  it('shows the epoch-ms expiry of the connect-sqlite3 layout', async () => {
    const store = open({ layout: 'connect-sqlite3' });
    const id = sid();
    const data = session(60_000);
    await store.set(id, data as never);
    const shown = await store.inspect(id);
    const expiresAt = Date.parse(data.cookie.expires);
    expect(shown).toMatchObject({
      expiresAt,
      expiry: `expired = ${expiresAt}`,
      stored: { sid: id, expired: expiresAt },
    });
  });

  it('shows an expired row that is still in the table, and null for a missing one', async () => {
    const filename = files.path();
    const store = open({ filename, pruneInterval: false });
    const id = sid();
    await store.set(id, session(60_000) as never);
    const past = '2000-01-01T00:00:00.000Z';
    const db = new Database(filename);
    db.prepare('UPDATE sessions SET expire = ? WHERE sid = ?').run(past, id);
    db.close();
    expect(await store.get(id)).toBeNull();
    expect(await store.inspect(id)).toMatchObject({ expiresAt: Date.parse(past), expiry: `expire = '${past}'` });
    expect(await store.inspect(sid())).toBeNull();
    // A quote in the sid is shown as SQL writes it, not a broken literal.
    const quoted = "it's";
    await store.set(quoted, session(60_000) as never);
    expect((await store.inspect(quoted))?.location).toBe(`row sid = 'it''s' of table "sessions"`);
  });
});
