import { describe, expect, it } from 'vitest';
import { databaseTitle, expiresOf, session, sid, tableName, testDatabase } from './helpers';

const maybeDb = await testDatabase();
const db = maybeDb!;

describe.skipIf(!maybeDb)(`PostgresStore inspect(sid), on ${databaseTitle(maybeDb)}`, () => {
  it('shows the row as PostgreSQL holds it, expired rows included', async () => {
    const table = tableName();
    const store = db.store({ tableName: table, createTableIfMissing: true });
    const id = sid();
    const data = session(60_000, { views: 2 });
    await store.set(id, data);
    const [row] = await db.sql<{ sess: string; expire: string }>(
      `SELECT sess::text AS sess, expire::text AS expire FROM "${table}" WHERE sid = $1`,
      [id],
    );
    expect(await store.inspect(id)).toEqual({
      backend: 'PostgreSQL',
      location: `row sid = '${id}' of table "${table}"`,
      stored: { sid: id, sess: row!.sess, expire: row!.expire },
      expiresAt: Date.parse(expiresOf(data)),
      expiry: `expire = ${row!.expire}`,
    });
    expect(JSON.parse(row!.sess)).toMatchObject({ views: 2 });

    await db.sql(`UPDATE "${table}" SET expire = '2000-01-01T00:00:00Z' WHERE sid = $1`, [id]);
    expect(await store.get(id)).toBeNull();
    expect(await store.inspect(id)).toMatchObject({ expiresAt: Date.UTC(2000, 0, 1) });
    expect(await store.inspect(sid())).toBeNull();
    expect(await store.inspect('nul\u0000sid')).toBeNull();
  });

  it("reads connect-pg-simple's zoneless expire as the instant the store wrote", async () => {
    const table = tableName();
    await db.sql(
      `CREATE TABLE "${table}" (sid varchar NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL)`,
    );
    const store = db.store({ tableName: table });
    const id = sid();
    const data = session(60_000);
    await store.set(id, data);
    expect(await store.inspect(id)).toMatchObject({ expiresAt: Date.parse(expiresOf(data)) });
  });
});
