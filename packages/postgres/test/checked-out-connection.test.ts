import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { databaseTitle, eventually, session, sid, tableName, testDatabase } from './helpers';

const maybeDb = await testDatabase();
const db = maybeDb!;

// Found by the soak (bench/soak, postgres target): with every connection terminated by the server
// under load, an app exited on an `error` event of a pg Client that nobody listened to. pg-pool
// listens on a connection only while it is idle or inside pool.query; a connection checked out
// and between two messages when the server ends it has no listener at all.
describe.skipIf(!maybeDb)(`PostgresStore's own connections, on ${databaseTitle(maybeDb)}`, () => {
  it('a connection terminated by the server while checked out and idle never ends the process', async () => {
    const application = `checked-out-${sid().slice(0, 12)}`;
    const store = db.store({
      conObject: { connectionString: db.url, application_name: application },
      tableName: tableName(),
      createTableIfMissing: true,
    });
    const faults = watchProcessFaults();
    const admin = new pg.Client({ connectionString: db.url });
    admin.on('error', () => {});
    try {
      const id = sid();
      await store.set(id, session(60_000, { n: 1 }));
      // Hold one of the store's connections the way its transactions and guarded writes do
      // between two statements: checked out, no query running.
      const pool = (store as unknown as { pool: pg.Pool }).pool;
      const held = await pool.connect();
      await admin.connect();
      const { rowCount } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [application],
      );
      expect(rowCount).toBeGreaterThan(0);
      await eventually(async () => {
        const { rows } = await admin.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
          [application],
        );
        return rows[0]!.n === '0';
      });
      // Let the termination messages arrive and be emitted.
      await new Promise((resolve) => setTimeout(resolve, 200));
      held.release(new Error('terminated'));
      expect(faults.fatal).toEqual([]);
      // And the store goes on with new connections.
      await expect(store.get(id)).resolves.toMatchObject({ n: 1 });
    } finally {
      faults.stop();
      await admin.end();
      await store.close();
    }
  });
});
