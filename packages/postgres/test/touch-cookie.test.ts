import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import type { PostgresStoreOptions } from '../src/index';
import { databaseTitle, expiresOf, session, sid, tableName, testDatabase } from './helpers';

/**
 * touch keeps the stored cookie true, not only the expiry: a cookie whose maxAge changed
 * without any data changing reaches the store only through touch (express-session's hash
 * leaves the cookie out), and the next request resets the cookie from the stored originalMaxAge.
 */
const maybeDb = await testDatabase();
const db = maybeDb!;

const rawSess = async (table: string, id: string): Promise<string> =>
  (await db.sql<{ sess: string }>(`SELECT sess::text AS sess FROM ${table} WHERE sid = $1`, [id]))[0]!.sess;

type AnySession = SessionData & Record<string, unknown>;
const asSession = (value: unknown): AnySession => value as AnySession;

/** The session with its cookie's maxAge changed, as express-session's Cookie does it (originalMaxAge follows). */
function withMaxAge(value: AnySession, maxAge: number): AnySession {
  return asSession({
    ...value,
    cookie: { ...value.cookie, originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge).toISOString() },
  });
}

function awkwardData(): Record<string, unknown> {
  return {
    nul: 'a\u0000b',
    lone: ['\uD800', '\uDFFF'],
    'key\u0000odd': 'chars',
    braces: '{"cookie":{"originalMaxAge":1}}',
    escapes: '"\\/\b\f\n\r\t\u001F\u2028',
    nested: { deep: { list: [null, false, 1.5e300] } },
  };
}

async function tableWith(options: Partial<PostgresStoreOptions> = {}, ddl?: string) {
  const table = tableName();
  if (ddl) await db.sql(ddl.replace('$table', table));
  const store = db.store({ tableName: table, createTableIfMissing: true, ...options });
  return { table, store };
}

describe.skipIf(!maybeDb)(`touch and the stored cookie, on ${databaseTitle(maybeDb)}`, () => {
  it('a new maxAge replaces the stored cookie and nothing else, byte for byte', async () => {
    const { table, store } = await tableWith();
    const id = sid();
    const original = session(60_000, awkwardData());
    await store.set(id, original);
    const touched = withMaxAge(original, 30 * 86_400_000);
    await store.touch(id, asSession({ ...touched, nul: 'stale copy' }));
    const written = JSON.stringify(original);
    expect(await rawSess(table, id)).toBe(
      written.replace(JSON.stringify(original.cookie), JSON.stringify(touched.cookie)),
    );
    expect(await store.get(id)).toEqual({ ...original, cookie: touched.cookie });
  });

  it('when only expires moves, the stored text stays as it was and get answers the new expiry', async () => {
    const { table, store } = await tableWith();
    const id = sid();
    const original = session(60_000, { n: 1 });
    await store.set(id, original);
    const later = asSession({
      ...original,
      cookie: { ...original.cookie, expires: new Date(Date.now() + 90_000).toISOString() },
    });
    await store.touch(id, later);
    expect(await rawSess(table, id)).toBe(JSON.stringify(original));
    expect(expiresOf(await store.get(id))).toBe(expiresOf(later));
  });

  it('a cookie holding } and escaped quotes in a string is found and replaced whole', async () => {
    const { table, store } = await tableWith();
    const id = sid();
    const original = session(60_000, { n: 1 });
    (original.cookie as unknown as Record<string, unknown>).path = '/a}b"c\\';
    await store.set(id, original);
    const touched = withMaxAge(original, 120_000);
    await store.touch(id, touched);
    expect(JSON.parse(await rawSess(table, id))).toEqual(JSON.parse(JSON.stringify(touched)));
  });

  it('a cookie that is not the first key is rewritten through a read and a compare-and-set', async () => {
    const { table, store } = await tableWith();
    const id = sid();
    const base = session(60_000);
    const original = asSession({ n: 1, ...awkwardData(), cookie: base.cookie });
    await store.set(id, original);
    const touched = withMaxAge(original, 120_000);
    await store.touch(id, asSession({ ...touched, n: 2 }));
    expect(await store.get(id)).toEqual({ ...original, cookie: touched.cookie });
    expect(JSON.parse(await rawSess(table, id))).toEqual(
      JSON.parse(JSON.stringify({ ...original, cookie: touched.cookie })),
    );
  });

  it('an encrypted session gets its new cookie too', async () => {
    const { store } = await tableWith({ encryption: { secret: 'a secret of at least sixteen bytes' } });
    const id = sid();
    const original = session(60_000, { card: '4111' });
    await store.set(id, original);
    const touched = withMaxAge(original, 120_000);
    await store.touch(id, asSession({ ...touched, card: 'stale' }));
    expect(await store.get(id)).toEqual({ ...original, cookie: touched.cookie });
  });

  it('a jsonb column gets the new cookie too', async () => {
    const { store } = await tableWith(
      {},
      'CREATE TABLE $table (sid varchar PRIMARY KEY, sess jsonb NOT NULL, expire timestamptz NOT NULL)',
    );
    const id = sid();
    const original = session(60_000, { n: 1 });
    await store.set(id, original);
    const touched = withMaxAge(original, 120_000);
    await store.touch(id, asSession({ ...touched, n: 2 }));
    expect(await store.get(id)).toEqual({ ...original, cookie: touched.cookie });
  });

  it('a touch without a cookie moves the expiry and keeps the stored cookie', async () => {
    const { table, store } = await tableWith();
    const id = sid();
    const original = session(60_000, { n: 1 });
    await store.set(id, original);
    await store.touch(id, asSession({ n: 2 }));
    expect(await rawSess(table, id)).toBe(JSON.stringify(original));
    expect(await store.get(id)).toMatchObject({ n: 1, cookie: { originalMaxAge: 60_000 } });
  });

  it('a cookie JSON cannot hold fails with ERR_SESSION_STORE_SERIALIZE, as in every store, and changes nothing', async () => {
    const { table, store } = await tableWith();
    const id = sid();
    const original = session(60_000, { n: 1 });
    await store.set(id, original);
    const unserializable = asSession({ ...original, cookie: { ...original.cookie, originalMaxAge: 10n } });
    await expect(store.touch(id, unserializable)).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_SERIALIZE',
      message: expect.stringMatching(/^PostgresStore\.touch failed: the cookie cannot be serialized/),
    });
    expect(await rawSess(table, id)).toBe(JSON.stringify(original));
  });

  it('touch of an unknown or expired sid writes nothing on any path', async () => {
    const { table, store } = await tableWith();
    const encrypted = db.store({ tableName: table, encryption: { secret: 'a secret of at least sixteen bytes' } });
    const expired = sid();
    await store.set(expired, session(60_000));
    await db.sql(`UPDATE ${table} SET expire = now() - interval '1 second' WHERE sid = $1`, [expired]);
    for (const writer of [store, encrypted]) {
      await writer.touch(sid(), session(60_000));
      await writer.touch(expired, withMaxAge(session(60_000), 120_000));
    }
    expect(await db.sql(`SELECT sid FROM ${table}`)).toEqual([{ sid: expired }]);
    expect(await store.get(expired)).toBeNull();
  });
});
