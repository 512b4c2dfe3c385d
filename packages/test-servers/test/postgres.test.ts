import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { backendForTests, backendTitle, startPostgres, type HarnessServer } from '@session-stores/test-servers';
import { lifecycleTests, type DataProbe } from './lifecycle';

async function withClient<T>(server: HarnessServer, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const probe: DataProbe = {
  write: (server, key, value) =>
    withClient(server, async (client) => {
      await client.query('create table if not exists harness_probe (k text primary key, v text not null)');
      await client.query(
        'insert into harness_probe (k, v) values ($1, $2) on conflict (k) do update set v = excluded.v',
        [key, value],
      );
    }),
  read: (server, key) =>
    withClient(server, async (client) => {
      const result = await client.query<{ v: string }>('select v from harness_probe where k = $1', [key]);
      return result.rows[0]?.v ?? null;
    }),
};

const server = await backendForTests('postgres');

describe.skipIf(!server)(backendTitle('postgres', server), () => {
  lifecycleTests(() => server as HarnessServer, startPostgres, probe);

  it('connects as "postgres" to the "postgres" database without a password', async () => {
    const url = new URL((server as HarnessServer).url);
    expect(url.username).toBe('postgres');
    expect(url.password).toBe('');
    expect(url.pathname).toBe('/postgres');
    const row = await withClient(
      server as HarnessServer,
      async (client) => (await client.query('select current_user as "user", current_database() as db')).rows[0],
    );
    expect(row).toEqual({ user: 'postgres', db: 'postgres' });
  });
});
