import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { databaseTitle, eventually, session, tableName, testDatabase } from './helpers';

const maybeDb = await testDatabase();
const db = maybeDb!;

/** A table with `expired` rows that expired a minute ago and `live` rows good for an hour. */
async function seededTable(expired: number, live: number): Promise<string> {
  const table = tableName();
  await db.store({ tableName: table, createTableIfMissing: true }).layout();
  await db.sql(
    `INSERT INTO ${table} (sid, sess, expire)
     SELECT 'expired-' || i, '{"cookie":{}}'::json, now() - interval '1 minute' FROM generate_series(1, $1::int) i
     UNION ALL
     SELECT 'live-' || i, '{"cookie":{}}'::json, now() + interval '1 hour' FROM generate_series(1, $2::int) i`,
    [expired, live],
  );
  return table;
}

const count = async (table: string, prefix: string): Promise<number> =>
  (await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE sid LIKE $1`, [`${prefix}%`]))[0]!.n;

describe.skipIf(!maybeDb)(`PostgresStore pruning on ${databaseTitle(maybeDb)}`, () => {
  it('prune() deletes expired rows in batches and returns how many', async () => {
    const table = await seededTable(2_345, 100);
    const store = db.store({ tableName: table, pruneBatchSize: 500 });
    expect(await store.prune()).toBe(2_345);
    expect(await count(table, 'expired-')).toBe(0);
    expect(await count(table, 'live-')).toBe(100);
    expect(await store.prune()).toBe(0);
    await store.close();
    await expect(store.prune()).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_CLOSED',
      message: 'PostgresStore.prune failed: the store is closed',
    });
  });

  it("pruneSessions(callback), connect-pg-simple's name, prunes and calls back with null", async () => {
    const table = await seededTable(20, 3);
    const store = db.store({ tableName: table });
    const error = await new Promise<Error | null>((resolve) => store.pruneSessions(resolve));
    expect(error).toBeNull();
    expect(await count(table, 'expired-')).toBe(0);
    expect(await count(table, 'live-')).toBe(3);
  });

  it('pruneSessions() reports a failure to its callback, or without one as a warning and to errorLog', async () => {
    const logged: unknown[][] = [];
    const store = db.store({ tableName: tableName(), errorLog: (...args: unknown[]) => logged.push(args) });
    const error = await new Promise<Error | null>((resolve) => store.pruneSessions(resolve));
    expect(error?.message).toMatch(/does not exist/);
    const warned = new Promise<{ code: string }>((resolve) => store.once('warning', resolve));
    store.pruneSessions();
    expect(await warned).toMatchObject({ code: 'ERR_SESSION_STORE_PRUNE_FAILED' });
    await eventually(() => logged.length === 1);
    expect(logged[0]![0]).toMatch(/failed to prune expired sessions/);
  });

  it('two stores pruning at once delete each expired row once and no live row', async () => {
    const table = await seededTable(3_000, 200);
    const a = db.store({ tableName: table, pruneBatchSize: 100 });
    const b = db.store({ tableName: table, pruneBatchSize: 100 });
    const [a1, b1, a2, b2] = await Promise.all([a.prune(), b.prune(), a.prune(), b.prune()]);
    // A second prune() on a store that is pruning joins the running one.
    expect([a2, b2]).toEqual([a1, b1]);
    expect(a1! + b1!).toBe(3_000);
    expect(await count(table, 'expired-')).toBe(0);
    expect(await count(table, 'live-')).toBe(200);
  });

  it("does nothing while another session holds the table's prune lock", async () => {
    const table = await seededTable(10, 1);
    const store = db.store({ tableName: table });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      const [{ locked }] = (
        await holder.query(`SELECT pg_try_advisory_lock(1397052243, to_regclass($1)::oid::int4) AS locked`, [table])
      ).rows as [{ locked: boolean }];
      expect(locked).toBe(true);
      expect(await store.prune()).toBe(0);
      expect(await count(table, 'expired-')).toBe(10);
      // Another table is not blocked by that lock.
      const other = await seededTable(3, 0);
      expect(await db.store({ tableName: other }).prune()).toBe(3);
    } finally {
      await holder.end();
    }
    expect(await store.prune()).toBe(10);
  });

  it('prunes by itself on a timer when pruneSessionInterval is set', async () => {
    const table = await seededTable(50, 5);
    db.store({ tableName: table, pruneSessionInterval: 0.05 });
    await eventually(async () => (await count(table, 'expired-')) === 0);
    expect(await count(table, 'live-')).toBe(5);
  });

  it('never prunes with pruneSessionInterval: false', async () => {
    const table = await seededTable(5, 0);
    const store = db.store({ tableName: table, pruneSessionInterval: false });
    // A store with a short interval on another table shows timers did get their chance to run.
    const other = await seededTable(5, 0);
    db.store({ tableName: other, pruneSessionInterval: 0.02 });
    await eventually(async () => (await count(other, 'expired-')) === 0);
    expect(await count(table, 'expired-')).toBe(5);
    await store.close();
  });

  it('does not delete a row set() revived after it expired', async () => {
    const table = await seededTable(0, 0);
    const store = db.store({ tableName: table });
    await store.set('revived', session(-1_000));
    await db.sql(`INSERT INTO ${table} (sid, sess, expire) VALUES ('revived', '{}', now() - interval '1 second')`);
    await store.set('revived', session(60_000, { back: true }));
    expect(await store.prune()).toBe(0);
    expect(await store.get('revived')).toMatchObject({ back: true });
  });

  it('reports a failed background prune as a coded warning, a pruneError event and to errorLog, never as error', async () => {
    const logged: string[] = [];
    const store = db.store({
      tableName: tableName(),
      pruneSessionInterval: 0.02,
      errorLog: (message) => logged.push(message),
    });
    const pruneErrors: unknown[] = [];
    const warnings: unknown[] = [];
    let errors = 0;
    store.on('pruneError', (error) => pruneErrors.push(error));
    store.on('warning', (warning) => warnings.push(warning));
    store.on('error', () => (errors += 1));
    await eventually(() => logged.length > 0 && pruneErrors.length > 0 && warnings.length > 0);
    expect(warnings[0]).toMatchObject({
      name: 'SessionStoreWarning',
      code: 'ERR_SESSION_STORE_PRUNE_FAILED',
      store: 'PostgresStore',
      cause: pruneErrors[0],
    });
    expect(logged[0]).toMatch(/PostgresStore: failed to prune expired sessions/);
    expect(pruneErrors[0]).toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(/^PostgresStore\.prune failed: table .* does not exist/),
    });
    expect(errors).toBe(0);
  });

  it('an async errorLog whose promise rejects on a failed background prune is reported, never an unhandled rejection', async () => {
    const faults = watchProcessFaults();
    try {
      // A table that does not exist: every timed prune fails.
      db.store({
        tableName: tableName(),
        pruneSessionInterval: 0.02,
        errorLog: async () => {
          throw new Error('log service down');
        },
      });
      await eventually(() =>
        faults.warnings.some(
          (warning) =>
            warning.code === 'ERR_SESSION_STORE_LISTENER_THREW' &&
            warning.message.includes('the "errorLog" hook threw: log service down'),
        ),
      );
      expect(faults.fatal).toEqual([]);
    } finally {
      faults.stop();
    }
  });
});
