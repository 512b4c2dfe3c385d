import { createRequire } from 'node:module';
import expressSession from 'express-session';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index';
import { databaseTitle, expiresOf, session, sid, tableName, testDatabase } from './helpers';

/** The parts of connect-pg-simple 10.0.0 (no bundled types) these tests use. */
interface PgSimpleStore {
  get(sid: string, cb: (error: unknown, session?: unknown) => void): void;
  set(sid: string, session: unknown, cb: (error: unknown) => void): void;
  touch(sid: string, session: unknown, cb: (error: unknown) => void): void;
  destroy(sid: string, cb: (error: unknown) => void): void;
  pruneSessions(cb: (error: unknown) => void): void;
  close(): Promise<void>;
}
type PgSimpleStoreClass = new (options: Record<string, unknown>) => PgSimpleStore;
const require = createRequire(import.meta.url);
const PgSimple = (require('connect-pg-simple') as (session: unknown) => PgSimpleStoreClass)(expressSession);

const maybeDb = await testDatabase();
const db = maybeDb!;
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

const call = <T>(fn: (cb: (error: unknown, value?: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));

/**
 * Both stores on one table, their connections in the given TimeZone. connect-pg-simple creates
 * the table from its table.sql, in a schema of its own (the constraint and index names in that
 * file are fixed, so a schema holds one such table).
 */
async function pair(timeZone: string) {
  const schemaName = tableName();
  await db.sql(`CREATE SCHEMA ${schemaName}`);
  const table = `${schemaName}.session`;
  const conObject = { connectionString: db.url, options: `-c TimeZone=${timeZone}` };
  // errorLog: connect-pg-simple's pool.end() does not wait for its sockets to close, so the
  // server's shutdown after the file reaches them and is logged; the tests check every call anyway.
  const theirs = new PgSimple({
    conObject,
    schemaName,
    createTableIfMissing: true,
    pruneSessionInterval: false,
    errorLog: () => {},
  });
  closers.push(() => theirs.close());
  await call((cb) => theirs.get('warm-up', cb));
  const ours = new PostgresStore({ conObject, schemaName, pruneSessionInterval: false });
  closers.push(async () => {
    await ours.close();
  });
  expect(await ours.layout()).toBe('connect-pg-simple');
  return { table, theirs, ours };
}

/** The wall-clock time stored in `expire`, read through a UTC connection, equals `at` in `timeZone`. */
async function expectWallClock(table: string, id: string, at: number, timeZone: string): Promise<void> {
  const [row] = await db.sql<{ matches: boolean; expire: string }>(
    `SELECT expire = (to_timestamp($2::float8 / 1000) AT TIME ZONE $3) AS matches, expire::text FROM ${table} WHERE sid = $1`,
    [id, at, timeZone],
  );
  expect(row, `row ${id}`).toBeDefined();
  expect(row!.matches, `expire ${row!.expire} is ${new Date(at).toISOString()} in ${timeZone}`).toBe(true);
}

describe.skipIf(!maybeDb)(`compatibility with connect-pg-simple 10.0.0 on ${databaseTitle(maybeDb)}`, () => {
  it('with the userId option, PostgresStore adds an indexed user_id column that connect-pg-simple keeps reading and writing around', async () => {
    const { table, theirs } = await pair('UTC');
    const before = sid();
    await call((cb) => theirs.set(before, session(3_600_000, { userId: 'ada' }), cb));
    const [schemaName] = table.split('.');
    const indexed = new PostgresStore({
      connectionString: db.url,
      schemaName,
      pruneSessionInterval: false,
      userId: (value) => (value as { userId?: string }).userId,
    });
    closers.push(async () => {
      await indexed.close();
    });
    const mine = sid();
    await indexed.set(mine, session(3_600_000, { userId: 'ada' }));
    const columns = await db.sql<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [table],
    );
    expect(columns.map((column) => column.name)).toEqual(['sid', 'sess', 'expire', 'user_id']);
    const indexes = await db.sql<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE schemaname = $1`, [
      schemaName,
    ]);
    expect(indexes.some((index) => index.def.includes('(user_id)'))).toBe(true);
    // A row connect-pg-simple wrote has no user until our store saves it: only ours is listed.
    expect((await indexed.userSessions('ada')).map((entry) => entry.sid)).toEqual([mine]);
    // connect-pg-simple names its columns, so it still reads, writes and destroys on the table.
    expect(await call((cb) => theirs.get(mine, cb))).toMatchObject({ userId: 'ada' });
    const theirsAfter = sid();
    await call((cb) => theirs.set(theirsAfter, session(3_600_000, { userId: 'ada' }), cb));
    expect(await indexed.get(theirsAfter)).toMatchObject({ userId: 'ada' });
    await call((cb) => theirs.destroy(mine, cb));
    expect(await indexed.countUserSessions('ada')).toBe(0);
    // An instance without the option, started once the column is there, writes it too (to null).
    const plain = new PostgresStore({ connectionString: db.url, schemaName, pruneSessionInterval: false });
    closers.push(async () => {
      await plain.close();
    });
    await indexed.set(mine, session(3_600_000, { userId: 'ada' }));
    await plain.set(mine, session(3_600_000, { userId: 'grace' }));
    expect(await indexed.userSessions('ada')).toEqual([]);
  });

  describe.each(['UTC', 'America/New_York', 'Asia/Kolkata'])('connections in %s', (timeZone) => {
    it('the zone differs from the server default, which the direct checks read in (or is UTC)', async () => {
      const [row] = await db.sql<{ TimeZone: string }>('SHOW TimeZone');
      if (timeZone !== 'UTC') expect(row!.TimeZone).not.toBe(timeZone);
    });

    it('PostgresStore reads what connect-pg-simple wrote, with its expiry, and never an expired one', async () => {
      const { table, theirs, ours } = await pair(timeZone);
      const id = sid();
      const value = session(3_600_000, { user: 'ada', nested: { list: [1, 'two', null] } });
      await call((cb) => theirs.set(id, value, cb));
      // connect-pg-simple rounds the expiry up to the second.
      const stored = Math.ceil(Date.parse(expiresOf(value)) / 1000) * 1000;
      await expectWallClock(table, id, stored, timeZone);
      const got = await ours.get(id);
      expect(got).toEqual({ ...value, cookie: { ...value.cookie, expires: new Date(stored).toISOString() } });
      expect(await ours.length()).toBe(1);

      // A row connect-pg-simple wrote with an expiry a minute ago is a miss, not a live session
      // shifted by the zone's offset.
      const old = sid();
      await call((cb) => theirs.set(old, session(-60_000), cb));
      expect(await db.sql(`SELECT sid FROM ${table} WHERE sid = $1`, [old])).toHaveLength(1);
      expect(await ours.get(old)).toBeNull();
      expect(await ours.ids()).toEqual([id]);
    });

    it('connect-pg-simple reads what PostgresStore wrote and touched', async () => {
      const { table, theirs, ours } = await pair(timeZone);
      const id = sid();
      const value = session(3_600_000, { user: 'grace' });
      await ours.set(id, value);
      await expectWallClock(table, id, Date.parse(expiresOf(value)), timeZone);
      expect(await call((cb) => theirs.get(id, cb))).toEqual(value);

      const touched = session(7_200_000, { user: 'stale copy' });
      await ours.touch(id, touched);
      await expectWallClock(table, id, Date.parse(expiresOf(touched)), timeZone);
      expect(await call((cb) => theirs.get(id, cb))).toMatchObject({ user: 'grace' });

      // connect-pg-simple's prune, in its zone, leaves our live rows alone and takes expired ones.
      const soon = sid();
      await ours.set(soon, session(60_000));
      await db.sql(`UPDATE ${table} SET expire = expire - interval '2 minutes' WHERE sid = $1`, [soon]);
      await call((cb) => theirs.pruneSessions(cb));
      expect((await db.sql<{ sid: string }>(`SELECT sid FROM ${table}`)).map((row) => row.sid)).toEqual([id]);
    });

    it('PostgresStore touches sessions connect-pg-simple wrote, and connect-pg-simple touches ours', async () => {
      const { theirs, ours } = await pair(timeZone);
      const a = sid();
      const b = sid();
      await call((cb) => theirs.set(a, session(60_000, { by: 'theirs' }), cb));
      await ours.set(b, session(60_000, { by: 'ours' }));
      const later = session(600_000);
      await ours.touch(a, later);
      expect(expiresOf(await ours.get(a))).toBe(expiresOf(later));
      await call((cb) => theirs.touch(b, later, cb));
      expect(Date.parse(expiresOf(await ours.get(b)))).toBe(Math.ceil(Date.parse(expiresOf(later)) / 1000) * 1000);
    });
  });

  describe('migrating a connect-pg-simple table to timestamptz(3)', () => {
    it('the README statement keeps every expiry, and both packages keep working on the migrated table', async () => {
      const zone = 'America/New_York';
      const { table, theirs } = await pair(zone);
      const id = sid();
      const value = session(3_600_000, { user: 'lin' });
      await call((cb) => theirs.set(id, value, cb));

      // The migration from the README, with the zone the rows were written in.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        await client.query(
          `ALTER TABLE ${table} ALTER COLUMN expire TYPE timestamptz(3) USING expire AT TIME ZONE '${zone}'`,
        );
      } finally {
        await client.end();
      }

      // Read from a connection in another zone: the instant no longer depends on it.
      const ours = new PostgresStore({
        conObject: { connectionString: db.url, options: '-c TimeZone=Pacific/Auckland' },
        schemaName: table.split('.')[0],
        pruneSessionInterval: false,
      });
      closers.push(async () => {
        await ours.close();
      });
      expect(await ours.layout()).toBe('timestamptz');
      expect(expiresOf(await ours.get(id))).toBe(
        new Date(Math.ceil(Date.parse(expiresOf(value)) / 1000) * 1000).toISOString(),
      );

      const next = sid();
      await ours.set(next, session(60_000, { after: 'migration' }));
      expect(await call((cb) => theirs.get(next, cb))).toMatchObject({ after: 'migration' });
    });
  });
});
