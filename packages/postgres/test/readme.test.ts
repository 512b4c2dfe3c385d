import type { Express } from 'express';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { expectVisitCounter, readmeCode, swap } from '../../../scripts/test-support/readme-code';
import type { PostgresStore } from '../src/index';
import { databaseTitle, expiresOf, session, sid, tableName, testDatabase } from './helpers';

/** The README's code, run as written: only the connection string (and the port) are swapped. */
const { blocks, runModule } = readmeCode(import.meta.url);
const sqlBlock = (start: string) => {
  const found = blocks('sql').filter((sql) => sql.startsWith(start));
  expect(found, `one sql block starting with ${start}`).toHaveLength(1);
  return found[0]!;
};

const maybeDb = await testDatabase();
const db = maybeDb!;

/** Runs SQL as written (unqualified names) in a fresh schema of its own. */
async function runInSchema(schema: string, sql: string, timeZone = 'UTC'): Promise<void> {
  const client = new pg.Client({ connectionString: db.url, options: `-c TimeZone=${timeZone}` });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const columnsAndIndexes = async (schema: string) => ({
  columns: await db.sql(
    `SELECT column_name, data_type, datetime_precision, collation_name, is_nullable FROM information_schema.columns WHERE table_schema = $1 ORDER BY ordinal_position`,
    [schema],
  ),
  indexes: (
    await db.sql<{ def: string }>(
      `SELECT regexp_replace(indexdef, 'INDEX \\S+ ON \\S+', 'INDEX ON') AS def FROM pg_indexes WHERE schemaname = $1 ORDER BY def`,
      [schema],
    )
  ).map((row) => row.def),
});

describe.skipIf(!maybeDb)(`README, on ${databaseTitle(maybeDb)}`, () => {
  it('the usage example keeps a visit counter in PostgreSQL', async () => {
    const [usage] = blocks('ts');
    let code = swap(
      usage!,
      'connectionString: process.env.DATABASE_URL',
      `connectionString: ${JSON.stringify(db.url)}`,
    );
    code = swap(code, 'app.listen(3000);', 'export { app };');
    const { app } = (await runModule('usage', code)) as { app: Express };
    await expectVisitCounter(app, async () => {
      expect(await db.sql(`SELECT count(*)::int AS n FROM public.session`)).toEqual([{ n: 1 }]);
    });
  });

  it('the shared-pool example uses the pool and leaves it open', async () => {
    const [, shared] = blocks('ts');
    await db.sql('CREATE SCHEMA IF NOT EXISTS app');
    let code = swap(
      shared!,
      'connectionString: process.env.DATABASE_URL',
      `connectionString: ${JSON.stringify(db.url)}`,
    );
    code = `import { PostgresStore } from '@session-stores/postgres';\n${code}\nexport { pool, store };`;
    const { pool, store } = (await runModule('shared', code)) as { pool: pg.Pool; store: PostgresStore };
    expect(store.table).toBe('"app"."session"');
    const id = sid();
    await store.set(id, session(60_000, { n: 1 }));
    expect(await store.get(id)).toMatchObject({ n: 1 });
    await store.close();
    expect((await pool.query('SELECT count(*)::int AS n FROM app.session')).rows).toEqual([{ n: 1 }]);
    await pool.end();
  });

  it("the layout shown is the one the store creates, and connect-pg-simple's is read as such", async () => {
    const shown = tableName();
    await runInSchema(shown, sqlBlock('CREATE TABLE "session" (sid'));
    const created = tableName();
    await db.sql(`CREATE SCHEMA ${created}`);
    expect(await db.store({ schemaName: created, createTableIfMissing: true }).layout()).toBe('timestamptz');
    expect(await columnsAndIndexes(shown)).toEqual(await columnsAndIndexes(created));

    const legacy = tableName();
    await runInSchema(legacy, sqlBlock('CREATE TABLE "session" ("sid"'));
    expect(await db.store({ schemaName: legacy }).layout()).toBe('connect-pg-simple');
  });

  it("the migration statement converts connect-pg-simple's table, keeping every expiry, under a running store", async () => {
    const schema = tableName();
    await runInSchema(schema, sqlBlock('CREATE TABLE "session" ("sid"'));
    const store = db.store({ schemaName: schema, conObject: { connectionString: db.url, options: '-c TimeZone=UTC' } });
    expect(await store.layout()).toBe('connect-pg-simple');
    const id = sid();
    const value = session(3_600_000, { user: 'ada' });
    await store.set(id, value);

    await runInSchema(schema, sqlBlock('ALTER TABLE'));

    // The running store (its layout found before the change) keeps reading and writing.
    expect(expiresOf(await store.get(id))).toBe(expiresOf(value));
    await store.touch(id, session(7_200_000));
    const fresh = db.store({ schemaName: schema });
    expect(await fresh.layout()).toBe('timestamptz');
    expect(await fresh.get(id)).toMatchObject({ user: 'ada' });
    const [column] = await db.sql(
      `SELECT data_type, datetime_precision FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'expire'`,
      [schema],
    );
    expect(column).toEqual({ data_type: 'timestamp with time zone', datetime_precision: 3 });
  });
});
