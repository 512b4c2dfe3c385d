import { SessionStoreError } from '@session-stores/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index';
import { databaseTitle, eventually, expiresOf, session, sid, tableName, testDatabase } from './helpers';

const maybeDb = await testDatabase();
const db = maybeDb!;

const epochMs = async (table: string, id: string): Promise<number | undefined> =>
  (
    await db.sql<{ ms: number }>(
      `SELECT floor(extract(epoch from expire) * 1000)::float8 AS ms FROM ${table} WHERE sid = $1`,
      [id],
    )
  )[0]?.ms;

describe.skipIf(!maybeDb)(`PostgresStore on a table it creates on ${databaseTitle(maybeDb)}`, () => {
  it('creates the timestamptz(3) layout with an expire index, once, under concurrent starts', async () => {
    const table = tableName();
    const stores = Array.from({ length: 4 }, () => db.store({ tableName: table, createTableIfMissing: true }));
    expect(await Promise.all(stores.map((store) => store.layout()))).toEqual([
      'timestamptz',
      'timestamptz',
      'timestamptz',
      'timestamptz',
    ]);
    const columns = await db.sql(
      `SELECT column_name, data_type, datetime_precision, collation_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    expect(columns).toEqual([
      { column_name: 'sid', data_type: 'character varying', datetime_precision: null, collation_name: 'C' },
      { column_name: 'sess', data_type: 'json', datetime_precision: null, collation_name: null },
      { column_name: 'expire', data_type: 'timestamp with time zone', datetime_precision: 3, collation_name: null },
    ]);
    const indexes = await db.sql<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = $1`, [table]);
    expect(indexes.map((index) => index.indexdef).some((def) => /\(expire\)/.test(def))).toBe(true);
  });

  it('fails every call with a clear error when the table is missing and createTableIfMissing is off, and recovers once it exists', async () => {
    const table = tableName();
    const store = db.store({ tableName: table });
    await expect(store.get(sid())).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(new RegExp(`PostgresStore.get failed: table "${table}" does not exist`)),
    });
    await db.sql(`CREATE TABLE ${table} (sid varchar PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL)`);
    expect(await store.get(sid())).toBeNull();
    expect(await store.layout()).toBe('connect-pg-simple');
  });

  it("rejects a table without a session table's columns", async () => {
    const table = tableName();
    await db.sql(`CREATE TABLE ${table} (sid varchar PRIMARY KEY, data text, expire bigint)`);
    const store = db.store({ tableName: table });
    await expect(store.get(sid())).rejects.toThrow(
      /column "sess" must be json or jsonb \(it is missing\); column "expire" must be timestamp or timestamptz \(it is int8\)/,
    );
  });

  it('uses schemaName, and keeps mixed-case names apart from lower-case ones', async () => {
    const schema = `S_${tableName()}`;
    await db.sql(`CREATE SCHEMA "${schema}"`);
    const upper = db.store({ schemaName: schema, tableName: 'Session', createTableIfMissing: true });
    const lower = db.store({ schemaName: schema, tableName: 'session', createTableIfMissing: true });
    const id = sid();
    await upper.set(id, session(60_000, { who: 'upper' }));
    expect(await lower.get(id)).toBeNull();
    expect(await db.sql(`SELECT sid FROM "${schema}"."Session"`)).toEqual([{ sid: id }]);
  });

  it('stores the expiry to the millisecond', async () => {
    const table = tableName();
    const store = db.store({ tableName: table, createTableIfMissing: true });
    const id = sid();
    const value = session(61_234);
    await store.set(id, value);
    expect(await epochMs(table, id)).toBe(Date.parse(expiresOf(value)));
  });

  it('keeps sess as json text, so \\u0000 and lone surrogates survive', async () => {
    const table = tableName();
    const store = db.store({ tableName: table, createTableIfMissing: true });
    const id = sid();
    const value = session(60_000, { nul: 'a\u0000b', lone: '\ud800x\udfff', 'key\u0000': 1 });
    await store.set(id, value);
    expect(await store.get(id)).toEqual(value);
    const [raw] = await db.sql<{ sess: string }>(`SELECT sess::text AS sess FROM ${table} WHERE sid = $1`, [id]);
    expect(raw!.sess).toBe(JSON.stringify(value));
  });

  it('get never returns a row whose expire has passed, though the row is still there', async () => {
    const table = tableName();
    const store = db.store({ tableName: table, createTableIfMissing: true });
    const id = sid();
    await store.set(id, session(60_000));
    await db.sql(`UPDATE ${table} SET expire = now() - interval '1 millisecond' WHERE sid = $1`, [id]);
    expect(await store.get(id)).toBeNull();
    expect(await store.length()).toBe(0);
    expect(await store.all()).toEqual([]);
    expect(await db.sql(`SELECT sid FROM ${table}`)).toHaveLength(1);
  });

  it('touch moves only expire, never creates a row, and leaves expired rows expired', async () => {
    const table = tableName();
    const store = db.store({ tableName: table, createTableIfMissing: true });
    const id = sid();
    await store.set(id, session(60_000, { n: 2 }));
    const later = session(120_000, { n: 1 });
    await store.touch(id, later);
    const got = await store.get(id);
    expect(got).toMatchObject({ n: 2 });
    expect(expiresOf(got)).toBe(expiresOf(later));

    const unknown = sid();
    await store.touch(unknown, later);
    expect(await db.sql(`SELECT sid FROM ${table} WHERE sid = $1`, [unknown])).toEqual([]);

    const expired = sid();
    await store.set(expired, session(60_000));
    await db.sql(`UPDATE ${table} SET expire = now() - interval '1 second' WHERE sid = $1`, [expired]);
    await store.touch(expired, later);
    expect(await store.get(expired)).toBeNull();
  });

  it('pages all(), ids(), length() and iterate() with keyset pagination across many pages', async () => {
    const table = tableName();
    const store = db.store({ tableName: table, createTableIfMissing: true, pageSize: 40 });
    const ids = Array.from({ length: 250 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id, i) => store.set(id, session(60_000, { i }))));
    // Expired rows in between must be skipped without ending a page early.
    await db.sql(`UPDATE ${table} SET expire = now() - interval '1 second' WHERE sid LIKE 's1%'`);
    const live = ids.filter((id) => !id.startsWith('s1'));
    expect(await store.length()).toBe(live.length);
    expect((await store.ids()).sort()).toEqual(live);
    expect((await store.all()).map((s) => s.id).sort()).toEqual(live);
    const seen: string[] = [];
    for await (const entry of store.iterate()) seen.push(entry.sid);
    expect(seen.sort()).toEqual(live);
  });

  it("clear() deletes only its own table's rows", async () => {
    const mine = db.store({ tableName: tableName(), createTableIfMissing: true });
    const theirs = db.store({ tableName: tableName(), createTableIfMissing: true });
    const a = sid();
    const b = sid();
    await mine.set(a, session(60_000));
    await theirs.set(b, session(60_000));
    await mine.clear();
    expect(await mine.get(a)).toBeNull();
    expect(await theirs.get(b)).not.toBeNull();
  });

  it('stores what a custom serializer returns, JSON or not', async () => {
    const table = tableName();
    const plain = db.store({
      tableName: table,
      createTableIfMissing: true,
      serializer: { stringify: (s) => `v1:${JSON.stringify(s)}`, parse: (text) => JSON.parse(text.slice(3)) },
    });
    const asJson = db.store({
      tableName: table,
      serializer: {
        stringify: (s) => JSON.stringify({ wrapped: s }),
        parse: (text) => (JSON.parse(text) as { wrapped: unknown }).wrapped,
      },
    });
    const a = sid();
    const b = sid();
    const value = session(60_000, { text: '"quoted" \\ back' });
    await plain.set(a, value);
    await asJson.set(b, value);
    expect(await plain.get(a)).toEqual(value);
    expect(await asJson.get(b)).toEqual(value);
    const rows = await db.sql<{ sid: string; kind: string }>(
      `SELECT sid, json_typeof(sess) AS kind FROM ${table} ORDER BY sid`,
    );
    expect(Object.fromEntries(rows.map((row) => [row.sid, row.kind]))).toEqual({ [a]: 'string', [b]: 'object' });
  });

  it('encrypts sessions into a json object', async () => {
    const table = tableName();
    const store = db.store({
      tableName: table,
      createTableIfMissing: true,
      encryption: { secret: 'a secret of at least sixteen bytes' },
    });
    const id = sid();
    const value = session(60_000, { card: '4111' });
    await store.set(id, value);
    expect(await store.get(id)).toEqual(value);
    const [row] = await db.sql<{ sess: string }>(`SELECT sess::text AS sess FROM ${table}`);
    expect(row!.sess).toMatch(/^\{"ss_encrypted":"v2\./);
    expect(row!.sess).not.toContain('4111');
  });

  it('reads and writes a jsonb sess column', async () => {
    const table = tableName();
    await db.sql(`CREATE TABLE ${table} (sid varchar PRIMARY KEY, sess jsonb NOT NULL, expire timestamptz NOT NULL)`);
    const store = db.store({ tableName: table });
    const id = sid();
    const value = session(60_000, { nested: { a: [1, 2, { b: null }] } });
    await store.set(id, value);
    expect(await store.get(id)).toEqual(value);
  });

  it('refuses to set sids PostgreSQL text cannot hold apart, and misses them elsewhere', async () => {
    const table = tableName();
    const store = db.store({ tableName: table, createTableIfMissing: true });
    await store.set('\ufffd', session(60_000, { replacement: true }));
    for (const odd of ['\ud800', 'a\udfffb', 'nul\u0000']) {
      await expect(store.set(odd, session(60_000))).rejects.toMatchObject({
        code: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
        // Lone surrogates are refused by the core on every store (clause 65), NUL by this store.
        message: expect.stringMatching(
          /^PostgresStore\.set failed: (sid cannot be stored|the sid is not well-formed UTF-16)/,
        ),
      });
      expect(await store.get(odd)).toBeNull();
      await store.touch(odd, session(120_000));
      await store.destroy(odd);
    }
    // A sid with a surrogate pair is well formed and its own key.
    await store.set('\ud83d\ude00', session(60_000, { emoji: true }));
    expect(await store.get('\ufffd')).toMatchObject({ replacement: true });
    expect((await store.ids()).sort()).toEqual(['\ud83d\ude00', '\ufffd'].sort());
  });

  it('emits connect once the database answers', async () => {
    const store = db.store({ tableName: tableName(), createTableIfMissing: true });
    let connects = 0;
    store.on('connect', () => (connects += 1));
    await store.get(sid());
    await store.get(sid());
    await eventually(() => connects === 1);
    expect(connects).toBe(1);
  });
});

describe.skipIf(!maybeDb)(`PostgresStore's errorLog on ${databaseTitle(maybeDb)}`, () => {
  it("hears errors of the pool the store made, as connect-pg-simple's did", async () => {
    const logged: unknown[][] = [];
    const application = `errorlog_${tableName()}`;
    const store = db.store({
      conObject: { connectionString: db.url, application_name: application },
      tableName: tableName(),
      createTableIfMissing: true,
      errorLog: (...args: unknown[]) => logged.push(args),
    });
    await store.set(sid(), session(60_000));
    // The store's connection now idles in its pool; the server ends it, and pg reports that on the pool.
    await db.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [application]);
    await eventually(() => logged.length > 0);
    expect(logged[0]![0]).toBe('PG Pool error:');
    expect(logged[0]![1]).toBeInstanceOf(Error);
  });
});

describe.skipIf(!maybeDb)(`PostgresStore: a write reported as failed never lands, on ${databaseTitle(maybeDb)}`, () => {
  const TIMEOUT_MS = 1500;
  // The pool's only connection is busy this long before the write gets it: without a limit of its
  // own, the write would then run on the server until WAIT_MS + TIMEOUT_MS, well past the deadline.
  const WAIT_MS = 1000;

  it.each([
    ['set', (store: PostgresStore, id: string) => store.set(id, session(60_000, { v: 2 }))],
    ['touch', (store: PostgresStore, id: string) => store.touch(id, session(120_000, { v: 2 }))],
    ['destroy', (store: PostgresStore, id: string) => store.destroy(id)],
  ])(
    '%s blocked by a row lock after a wait for a connection fails, and does not land once the lock goes',
    async (_, call) => {
      const pool = new pg.Pool({
        connectionString: db.url,
        max: 1,
        statement_timeout: TIMEOUT_MS,
        application_name: 'landing_test',
      });
      pool.on('error', () => {});
      const table = tableName();
      const store = db.store({ pool, tableName: table, createTableIfMissing: true, operationTimeoutMs: TIMEOUT_MS });
      const id = sid();
      await store.set(id, session(60_000, { v: 1 }));
      const before = await db.sql<{ sess: unknown; expire: Date }>(`SELECT sess, expire FROM ${table} WHERE sid = $1`, [
        id,
      ]);

      const locker = new pg.Client({ connectionString: db.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`SELECT 1 FROM ${table} WHERE sid = $1 FOR UPDATE`, [id]);
        const busy = await pool.connect();
        setTimeout(() => busy.release(), WAIT_MS);
        await expect(call(store, id)).rejects.toBeInstanceOf(SessionStoreError);
        // The caller has been told the write failed. Whatever is still queued behind the lock
        // would now go through.
        await locker.query('COMMIT');
      } finally {
        await locker.end();
      }
      // Nothing of the store's is left running on the server, so nothing can still land.
      await eventually(
        async () =>
          (await db.sql(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'landing_test' AND state <> 'idle'`))
            .length === 0,
      );
      expect(await db.sql(`SELECT sess, expire FROM ${table} WHERE sid = $1`, [id])).toEqual(before);
      expect(await store.get(id)).toMatchObject({ v: 1 });
      await store.close();
      await pool.end();
    },
  );
});
