import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import express, { type Express } from 'express';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { visitOnce } from '../../../scripts/test-support/visit';
import connectPgSimple from '../src/connect-pg-simple';
import { PostgresStore } from '../src/index';
import { databaseTitle, tableName, testDatabase } from './helpers';

/**
 * connect-pg-simple's own README examples, run as written with express-session against a real
 * server, then again with only the require line changed: sessions the anchor wrote before the
 * switch are read after it, and the app's code works unchanged.
 */
const load = createRequire(import.meta.url);
const anchorDir = load.resolve('connect-pg-simple/package.json').replace(/package\.json$/, '');
const anchorReadme = readFileSync(`${anchorDir}README.md`, 'utf8');
const tableSql = readFileSync(`${anchorDir}table.sql`, 'utf8');
const examples = [...anchorReadme.matchAll(/```javascript\n([\s\S]*?)```/g)].map((match) => match[1]!);
const example = (marker: string): string => {
  const found = examples.filter((code) => code.includes(marker));
  expect(found, `one javascript block of connect-pg-simple's README containing ${marker}`).toHaveLength(1);
  return found[0]!;
};
const SUBPATH = '@session-stores/postgres/connect-pg-simple';

const maybeDb = await testDatabase();
const db = maybeDb!;

/** The anchor's README code, with one require line switched or not: `from` must be in it. */
function switched(code: string, switchTo: boolean): string {
  const from = "require('connect-pg-simple')";
  expect(code).toContain(from);
  return switchTo ? code.replace(from, `require('${SUBPATH}')`) : code;
}

interface Running {
  app: Express;
  stores: Array<{ close(): Promise<unknown> | unknown }>;
  pools: pg.Pool[];
}

/**
 * Runs the example as a CommonJS app would: `require` is the real one, except that it records
 * the stores express-session is given and the pools pg makes (so the test can close them), fills
 * the README's "Insert pool options here" with the test database, and resolves our subpath to
 * this package's source (dist.test.ts checks the built subpath).
 */
function runExample(code: string, searchPath: string): Running {
  const running: Running = { app: express(), stores: [], pools: [] };
  const realSession = load('express-session') as (options: { store: Running['stores'][number] }) => unknown;
  const recordingSession = Object.assign((options: { store: Running['stores'][number] }) => {
    running.stores.push(options.store);
    return realSession(options);
  }, realSession);
  const realPg = load('pg') as typeof pg;
  class Pool extends realPg.Pool {
    constructor(config: pg.PoolConfig = {}) {
      super({ ...config, connectionString: db.url, options: `-c search_path=${searchPath}` });
      running.pools.push(this);
    }
  }
  const fakeRequire = (name: string): unknown => {
    if (name === 'express-session') return recordingSession;
    if (name === 'pg') return { ...realPg, Pool };
    if (name === SUBPATH) return connectPgSimple;
    return load(name);
  };
  new Function('require', 'app', code)(fakeRequire, running.app);
  // The app's own code, the same before and after the switch.
  running.app.get('/', (req, res) => {
    const visits = req.session as unknown as { views?: number };
    visits.views = (visits.views ?? 0) + 1;
    res.send(`views: ${visits.views}`);
  });
  return running;
}

async function stop(running: Running): Promise<void> {
  for (const store of running.stores) await store.close();
  for (const pool of running.pools) await pool.end();
}

/**
 * Runs the example (switched or not), visits it once per count in `views` with `cookie`, each
 * page showing that count, stops it, and gives the cookie and the store the app was given.
 */
async function visits(
  code: string,
  switchTo: boolean,
  schema: string,
  cookie: string | undefined,
  views: number[],
): Promise<{ cookie: string; store: unknown }> {
  const running = runExample(switched(code, switchTo), schema);
  try {
    for (const count of views) {
      const page = await visitOnce(running.app, cookie);
      expect(page.text).toBe(`views: ${count}`);
      cookie = page.cookie;
    }
    if (switchTo) expect(await (running.stores[0] as PostgresStore).layout()).toBe('connect-pg-simple');
    return { cookie: cookie!, store: running.stores[0] };
  } finally {
    await stop(running);
  }
}

/** connect-pg-simple's table.sql, as its README says to run it, in a schema of its own. */
async function anchorTable(schema: string, table = 'session'): Promise<void> {
  await db.sql(`CREATE SCHEMA ${schema}`);
  await db.sql(`SET search_path TO ${schema}; ${tableSql.replaceAll('"session"', `"${table}"`)}; RESET search_path`);
}

const savedEnvironment = { secret: process.env['FOO_COOKIE_SECRET'], url: process.env['DATABASE_URL'] };
afterAll(() => {
  for (const [name, value] of [
    ['FOO_COOKIE_SECRET', savedEnvironment.secret],
    ['DATABASE_URL', savedEnvironment.url],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe.skipIf(!maybeDb)(`drop-in for connect-pg-simple, on ${databaseTitle(maybeDb)}`, () => {
  process.env['FOO_COOKIE_SECRET'] = 'a secret of the app';

  it('the advanced example (pool, tableName) keeps its sessions across the switch and back', async () => {
    const code = example("require('connect-pg-simple')(expressSession)");
    const schema = tableName();
    await anchorTable(schema, 'user_sessions');

    const before = await visits(code, false, schema, undefined, [1, 2]);
    const after = await visits(code, true, schema, before.cookie, [3, 4]);
    expect(after.store).toBeInstanceOf(PostgresStore);
    // A rollback (or the old half of a rolling deploy) reads what the new store wrote.
    await visits(code, false, schema, after.cookie, [5]);
    expect(await db.sql(`SELECT count(*)::int AS n FROM ${schema}.user_sessions`)).toEqual([{ n: 1 }]);
  });

  it('the simple example (no options: DATABASE_URL) keeps its sessions across the switch', async () => {
    const code = example('new (require(');
    const schema = tableName();
    await anchorTable(schema);
    // Both stores make their own pool from DATABASE_URL; the search_path picks the test's schema.
    const url = new URL(db.url);
    url.searchParams.set('options', `-c search_path=${schema}`);
    process.env['DATABASE_URL'] = url.href;

    const before = await visits(code, false, schema, undefined, [1]);
    const after = await visits(code, true, schema, before.cookie, [2]);
    expect(after.store).toBeInstanceOf(PostgresStore);
    expect(await db.sql(`SELECT count(*)::int AS n FROM ${schema}.session`)).toEqual([{ n: 1 }]);
  });
});
