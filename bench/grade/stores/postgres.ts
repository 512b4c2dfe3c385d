import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import type * as Pg from 'pg';
import { opened, type GradedStore } from '../types';
import { connectStyleStore } from './express-session';

const require = createRequire(import.meta.url);

type PgSimpleStore = new (options: Record<string, unknown>) => object & { close(): Promise<void> | void };

/** Schemas already made in this process: createStore runs for every test, often several times. */
const schemas = new Set<string>();

async function createSchema(url: string, schema: string): Promise<void> {
  if (schemas.has(schema)) return;
  const { Client } = require('pg') as typeof Pg;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    schemas.add(schema);
  } finally {
    await client.end();
  }
}

/** connect-pg-simple with the table it creates itself. */
export const connectPgSimple: GradedStore = {
  id: 'connect-pg-simple',
  title: 'connect-pg-simple',
  ours: false,
  packages: ['connect-pg-simple', 'pg'],
  backend: 'postgres',
  namespace: 'schema `<namespace>` (table `session` in it)',
  notes: [
    'A schema per namespace, made before the store: connect-pg-simple names its index `IDX_session_expire` whatever the table, so a second table in one schema cannot be created.',
  ],
  // connect-pg-simple counts expiry in whole seconds (Math.ceil of the time, to_timestamp).
  capabilities: (server) => ({ ttlGranularityMs: 1000, persistent: server.dataSurvivesRestart }),
  factory:
    (server) =>
    async ({ namespace }) => {
      await createSchema(server.url, namespace);
      const PGStore = connectStyleStore<PgSimpleStore>('connect-pg-simple');
      const store = new PGStore({ conString: server.url, schemaName: namespace, createTableIfMissing: true });
      return opened(store, () => store.close());
    },
};

type KnexStore = new (options: { knex: Knex; tableName: string }) => object & { nextDbCleanup?: NodeJS.Timeout };

/** connect-session-knex on a knex instance of its own, on `client` (pg or sqlite3). */
export function knexStoreFactory(knexConfig: () => Knex.Config) {
  return async ({ namespace }: { namespace: string }) => {
    const createKnex = require('knex') as (config: Knex.Config) => Knex;
    const { ConnectSessionKnexStore } = require('connect-session-knex') as { ConnectSessionKnexStore: KnexStore };
    const knex = createKnex(knexConfig());
    const store = new ConnectSessionKnexStore({ knex, tableName: namespace });
    return opened(store, async () => {
      clearTimeout(store.nextDbCleanup);
      await knex.destroy();
    });
  };
}

export const connectSessionKnexPostgres: GradedStore = {
  id: 'connect-session-knex-pg',
  title: 'connect-session-knex (PostgreSQL)',
  ours: false,
  packages: ['connect-session-knex', 'knex', 'pg'],
  backend: 'postgres',
  namespace: 'table `<namespace>`',
  capabilities: (server) => ({ persistent: server.dataSurvivesRestart }),
  factory: (server) => knexStoreFactory(() => ({ client: 'pg', connection: server.url })),
};
