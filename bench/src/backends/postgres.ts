import { createRequire } from 'node:module';
import expressSession from 'express-session';
import type { SessionData, Store } from 'express-session';
import pg from 'pg';
import { rawEnumeration } from '../raw-enumeration';
import { startHarnessServer } from '../servers';
import { expiresAt } from '../session-expiry';
import {
  loadOurStore,
  storeSubject,
  viaCallback,
  type BackendDefinition,
  type Subject,
  type SubjectContext,
} from '../subject';

const require = createRequire(import.meta.url);

/** Connections per subject: pg's default pool size, the same for all three. */
const POOL_SIZE = 10;

/**
 * PostgreSQL: each subject gets its own pg.Pool of the same size and its own table. Ours and
 * raw use the table ours creates (timestamptz(3) expiry, index on expire); the anchor creates
 * its own (connect-pg-simple's layout), in a schema of its own. Pruning timers are off for both stores: the bench
 * measures the requests, not a background job.
 */
export const postgresBackend: BackendDefinition = {
  name: 'postgres',
  anchorLabel: 'connect-pg-simple 10.0.0',
  oursLabel: '@session-stores/postgres',
  rawLabel: 'pg, one named (prepared) statement per operation; lists in keyset pages of 10,000',

  async startServer() {
    const { startPostgres } = await import('@session-stores/test-servers');
    return startHarnessServer(
      'postgres',
      () => startPostgres(),
      async (server) => {
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
          return `PostgreSQL ${rows[0]?.server_version ?? '?'}`;
        } finally {
          await client.end();
        }
      },
    );
  },

  async createSubject(kind, context) {
    if (kind === 'ours') return ours(context);
    if (kind === 'anchor') return anchor(context);
    return raw(context);
  },
};

const table = (kind: string, context: SubjectContext) => `${kind}_${context.namespace}`;

function newPool(context: SubjectContext): pg.Pool {
  const pool = new pg.Pool({ connectionString: context.server.url, max: POOL_SIZE });
  pool.on('error', () => undefined);
  return pool;
}

async function ours(context: SubjectContext): Promise<Subject> {
  type Ctor = new (options: {
    pool: pg.Pool;
    tableName: string;
    createTableIfMissing: boolean;
    pruneSessionInterval: false;
  }) => Store & { close(): Promise<void> };
  const PostgresStore = await loadOurStore<Ctor>(
    '@session-stores/postgres',
    'PostgresStore',
    () => import('@session-stores/postgres'),
  );
  const pool = newPool(context);
  const store = new PostgresStore({
    pool,
    tableName: table('ours', context),
    createTableIfMissing: true,
    pruneSessionInterval: false,
    ...context.storeOptions,
  });
  return storeSubject(
    'ours',
    postgresBackend.oursLabel,
    store,
    async () => {
      await store.close();
      await pool.end();
    },
    {
      seed: async (sids, session) => {
        // The store creates its table on its first call.
        await viaCallback((callback) => store.get('seed-probe', callback));
        await multiRowSeed(pool, table('ours', context), sids, session);
      },
    },
  );
}

/**
 * Writes the sessions into ours' table as ours lays them out (the session JSON, the cookie's
 * expiry), 10,000 rows per INSERT from arrays: a million
 * sessions in seconds rather than minutes of set() calls.
 */
async function multiRowSeed(
  pool: pg.Pool,
  tableName: string,
  sids: readonly string[],
  session: SessionData,
): Promise<void> {
  const json = JSON.stringify(session);
  const expire = new Date(expiresAt(session)).toISOString();
  for (let start = 0; start < sids.length; start += 10_000) {
    await pool.query(
      `INSERT INTO "${tableName}" (sid, sess, expire) SELECT unnest($1::text[]), $2::json, $3::timestamptz ON CONFLICT (sid) DO NOTHING`,
      [sids.slice(start, start + 10_000), json, expire],
    );
  }
}

async function anchor(context: SubjectContext): Promise<Subject> {
  const factory = require('connect-pg-simple') as (
    session: typeof expressSession,
  ) => new (options: Record<string, unknown>) => Store & { close(): void };
  const PGStore = factory(expressSession);
  const pool = newPool(context);
  // connect-pg-simple names its index "IDX_session_expire" whatever the table is called, so a
  // second table in one schema fails to be created: each namespace gets its own schema, with
  // the default table name "session" in it.
  const schemaName = table('anchor', context);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schemaName}"`);
  const store = new PGStore({ pool, schemaName, createTableIfMissing: true, pruneSessionInterval: false });
  return storeSubject(
    'anchor',
    postgresBackend.anchorLabel,
    store,
    async () => {
      store.close();
      await pool.end();
    },
    { enumerationNote: 'connect-pg-simple has no all() and no length()' },
  );
}

/** Rows per page of the raw listing: ours' page size is its own option. */
const RAW_PAGE = 10_000;

async function raw(context: SubjectContext): Promise<Subject> {
  const pool = newPool(context);
  const name = `"${table('raw', context)}"`;
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${name} (sid varchar COLLATE "C" NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamptz(3) NOT NULL)`,
  );
  await pool.query(`CREATE INDEX IF NOT EXISTS ${table('raw', context)}_expire ON ${name} (expire)`);
  const at = (parameter: string) => `to_timestamp(${parameter}::float8 / 1000)`;
  const statement = (label: string, text: string) => ({ name: `bench_raw_${context.namespace}_${label}`, text });
  // Named statements get generic plans; after an ANALYZE of a nearly empty table, a generic plan
  // for `sid = $1 AND expire > $2` can pick the expire index and scan every live row. The limit
  // must not fall into that: get filters by sid alone and checks the expiry here, and touch
  // writes its liveness test in a form no index serves.
  const select = statement(
    'get',
    `SELECT sess::text AS sess, floor(extract(epoch from expire) * 1000)::float8 AS expires_at FROM ${name} WHERE sid = $1`,
  );
  const upsert = statement(
    'set',
    `INSERT INTO ${name} (sid, sess, expire) VALUES ($1, $2, ${at('$3')}) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expire = excluded.expire`,
  );
  const update = statement(
    'touch',
    `UPDATE ${name} SET expire = ${at('$2')} WHERE sid = $1 AND expire + interval '0 ms' > ${at('$3')}`,
  );
  const remove = statement('destroy', `DELETE FROM ${name} WHERE sid = $1`);
  // Listing: one SELECT for all() would be the least work, but iterate() must not hold every row,
  // and pg without a cursor package returns a query's rows at once; so both walk keyset pages
  // (by sid, the primary key), as a bare driver would. pg parses the json column itself.
  const firstPage = statement(
    'first_page',
    `SELECT sid, sess FROM ${name} WHERE expire > now() ORDER BY sid LIMIT ${RAW_PAGE}`,
  );
  const nextPage = statement(
    'next_page',
    `SELECT sid, sess FROM ${name} WHERE sid > $1 AND expire > now() ORDER BY sid LIMIT ${RAW_PAGE}`,
  );
  const count = statement('count', `SELECT count(*)::int AS count FROM ${name} WHERE expire > now()`);
  return {
    kind: 'raw',
    label: postgresBackend.rawLabel,
    ...rawEnumeration({
      async *pages() {
        let after: string | null = null;
        for (;;) {
          const { rows }: pg.QueryResult<{ sid: string; sess: unknown }> = await pool.query(
            after === null ? firstPage : { ...nextPage, values: [after] },
          );
          if (rows.length > 0) yield rows.map((row) => row.sess);
          if (rows.length < RAW_PAGE) return;
          after = rows[rows.length - 1]!.sid;
        }
      },
      count: async () => (await pool.query<{ count: number }>(count)).rows[0]!.count,
    }),
    seed: (sids, session) => multiRowSeed(pool, table('raw', context), sids, session),
    get: async (sid) => {
      const { rows } = await pool.query<{ sess: string; expires_at: number }>({ ...select, values: [sid] });
      const row = rows[0];
      return row && row.expires_at > Date.now() ? (JSON.parse(row.sess) as unknown) : null;
    },
    set: async (sid, session) => {
      await pool.query({ ...upsert, values: [sid, JSON.stringify(session), expiresAt(session)] });
    },
    touch: async (sid, session) => {
      await pool.query({ ...update, values: [sid, expiresAt(session), Date.now()] });
    },
    destroy: async (sid) => {
      await pool.query({ ...remove, values: [sid] });
    },
    close: () => pool.end(),
  };
}
