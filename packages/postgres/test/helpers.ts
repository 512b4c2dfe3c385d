import { randomBytes } from 'node:crypto';
import { backendForTests, backendTitle, type HarnessServer } from '@session-stores/test-servers';
import pg from 'pg';
import { afterAll } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../src/index';

export interface TestDatabase {
  server: HarnessServer;
  url: string;
  /** Runs SQL directly, bypassing the store. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** A store on this database, closed after the file's tests. Pruning is off unless asked for. */
  store(options?: Partial<PostgresStoreOptions>): PostgresStore;
}

/**
 * A PostgreSQL server for this test file from the harness (DATABASE_URL, a container, or a
 * local cluster), or null when none can be had here (the file's tests are then skipped, loudly;
 * in CI the harness throws instead). Tables get random names, so files sharing a server never meet.
 */
export async function testDatabase(): Promise<TestDatabase | null> {
  const server = await backendForTests('postgres');
  return server ? databaseOn(server) : null;
}

export const databaseTitle = (db: TestDatabase | null): string => backendTitle('postgres', db?.server ?? null);

function databaseOn(server: HarnessServer): TestDatabase {
  const url = server.url;
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const stores: PostgresStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await admin.end();
  });
  // The admin pool outlives stops of the server in fault tests: an idle connection dying is no error here.
  admin.on('error', () => {});
  return {
    server,
    url,
    sql: async (text, values) => (await admin.query(text, values)).rows,
    store(options = {}) {
      const given = options.pool !== undefined || options.conObject !== undefined || options.conString !== undefined;
      const store = new PostgresStore({
        ...(given ? {} : { connectionString: url }),
        pruneSessionInterval: false,
        ...options,
      } as PostgresStoreOptions);
      stores.push(store);
      return store;
    },
  };
}

export const tableName = (): string => `t_${randomBytes(6).toString('hex')}`;

export { expiresOf, session, sid } from '../../../scripts/test-support/sessions';

/** Polls `condition` until it holds or the deadline passes. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
