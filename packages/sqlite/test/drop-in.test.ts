import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Store } from 'express-session';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { visitOnce as visit } from '../../../scripts/test-support/visit';
import { swap } from '../../../scripts/test-support/readme-code';
import betterSqlite3SessionStore from '../src/better-sqlite3-session-store';
import connectSqlite3 from '../src/connect-sqlite3';
import { SqliteStore } from '../src/index';
import { loadConnectSqlite3 } from './connect-sqlite3-anchor';

/**
 * The switch as a user makes it: the anchor's README usage runs an app on the real anchor
 * package (a devDependency), a visitor gets a session, then the same code with only the require
 * line changed runs on this package, on the same file, and the visitor's session carries on.
 */
const realRequire = createRequire(import.meta.url);
/** Our subpath entries, as `require` gives them once built (dist.test.ts loads the built files). */
const ours: Record<string, unknown> = {
  '@session-stores/sqlite/better-sqlite3-session-store': betterSqlite3SessionStore,
  '@session-stores/sqlite/connect-sqlite3': connectSqlite3,
};
const appRequire = (name: string): unknown => ours[name] ?? realRequire(name);
const quietConsole = { ...console, log: () => {} };

const dir = mkdtempSync(join(tmpdir(), 'sqlite-drop-in-'));
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
// A test changes the working directory (connect-sqlite3's default file is ./sessions): restore it.
const startCwd = process.cwd();
afterEach(() => process.chdir(startCwd));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RunningApp {
  app: Express;
  /** The store the app's session middleware uses, as express-session hands it to requests. */
  store(): Store;
}

/**
 * Runs CommonJS app code (a README's usage) with `require`, plus an express app it does not show
 * and a route counting visits. Timers the code starts without unref (better-sqlite3-session-store's
 * cleanup) are cleared after the test, so the test process can exit.
 */
function runApp(code: string): RunningApp {
  let seen: Store | undefined;
  const realSetInterval = globalThis.setInterval;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    const timer = realSetInterval(...args);
    cleanup.push(() => clearInterval(timer));
    return timer;
  }) as typeof setInterval;
  try {
    const body = `const express = require('express');\nconst app = express();\n${code}
app.get('/', (req, res) => {
  onStore(req.sessionStore);
  req.session.views = (req.session.views ?? 0) + 1;
  res.send('views: ' + req.session.views);
});
return app;`;
    const app = new Function('require', 'console', 'onStore', body)(appRequire, quietConsole, (store: Store) => {
      seen = store;
    }) as Express;
    return {
      app,
      store: () => {
        expect(seen, 'a request has gone through the app').toBeDefined();
        return seen!;
      },
    };
  } finally {
    globalThis.setInterval = realSetInterval;
  }
}

/** The README usage block of an installed anchor package: the one js block containing `marker`. */
function anchorReadmeBlock(pkg: string, readme: string, marker: string): string {
  const text = readFileSync(join(realRequire.resolve(`${pkg}/package.json`), '..', readme), 'utf8');
  const found = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((c) => c.includes(marker));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('drop-in for better-sqlite3-session-store: its README usage, only the require line changed', () => {
  const theirs = 'const SqliteStore = require("better-sqlite3-session-store")(session)';
  const oursLine = 'const SqliteStore = require("@session-stores/sqlite/better-sqlite3-session-store")(session)';

  it('keeps the sessions the old package wrote, and the app works unchanged', async () => {
    const file = join(dir, 'bsss.db');
    // The README's file name, swapped for a scratch file (as addresses are in the other READMEs' tests).
    const code = swap(
      anchorReadmeBlock('better-sqlite3-session-store', 'README.md', 'new SqliteStore({'),
      '"sessions.db"',
      JSON.stringify(file),
    );

    const before = runApp(code);
    const first = await visit(before.app);
    expect(first.text).toBe('views: 1');
    expect((await visit(before.app, first.cookie)).text).toBe('views: 2');
    (before.store() as Store & { client: { close(): void } }).client.close();

    const after = runApp(swap(code, theirs, oursLine));
    expect((await visit(after.app, first.cookie)).text).toBe('views: 3');
    expect((await visit(after.app)).text).toBe('views: 1');
    const store = after.store();
    expect(store).toBeInstanceOf(SqliteStore);
    cleanup.push(async () => {
      await (store as SqliteStore).close();
      (store as SqliteStore).db.close();
    });
    // The rows stay in the old package's layout (ISO-8601 text in `expire`), so a rollback reads them.
    expect(await (store as SqliteStore).layout()).toBe('better-sqlite3-session-store');
    const expiries = (store as SqliteStore).db.prepare('SELECT expire FROM sessions').pluck().all();
    expect(expiries).toHaveLength(2);
    for (const expire of expiries) expect(expire).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

const anchor = loadConnectSqlite3();

describe.skipIf(!anchor.factory)(
  `drop-in for connect-sqlite3: its README usage, only the require line changed${anchor.factory ? '' : ` (skipped: ${anchor.reason})`}`,
  () => {
    const theirs = "var SQLiteStore = require('connect-sqlite3')(session);";
    const oursLine = "var SQLiteStore = require('@session-stores/sqlite/connect-sqlite3')(session);";
    /** The README's Express 4.x usage (its other lines are Express 3 middleware, gone from Express 5). */
    const readmeUsage = (storeExpression: string) => `var session = require('express-session');
${theirs}
app.use(session({
  store: ${storeExpression},
  secret: 'your secret',
  cookie: { maxAge: 7 * 24 * 60 * 60 * 1000 } // 1 week
}));`;

    /** Runs `code` on connect-sqlite3, then on ours, and follows one visitor across the switch. */
    async function switchKeepsTheVisitor(code: string): Promise<SqliteStore> {
      const before = runApp(code);
      const first = await visit(before.app);
      expect(first.text).toBe('views: 1');
      expect((await visit(before.app, first.cookie)).text).toBe('views: 2');
      const theirDb = (before.store() as Store & { db: { close(cb: (error: unknown) => void): void } }).db;
      await new Promise<void>((resolve, reject) => theirDb.close((error) => (error ? reject(error) : resolve())));

      const after = runApp(swap(code, theirs, oursLine));
      expect((await visit(after.app, first.cookie)).text).toBe('views: 3');
      expect((await visit(after.app)).text).toBe('views: 1');
      const store = after.store() as SqliteStore;
      expect(store).toBeInstanceOf(SqliteStore);
      cleanup.push(() => store.close());
      expect(await store.layout()).toBe('connect-sqlite3');
      return store;
    }

    it('`new SQLiteStore` with no options: the file ./sessions in the working directory', async () => {
      const cwd = mkdtempSync(join(dir, 'cwd-'));
      process.chdir(cwd);
      const store = await switchKeepsTheVisitor(readmeUsage('new SQLiteStore'));
      expect(store.db.name).toBe('sessions');
      expect(store.table).toBe('sessions');
    });

    it('its options: db, dir, createDirIfNotExists, table and concurrentDB', async () => {
      const sub = join(dir, 'nested', 'dir');
      const options = `{ db: 'app.db', dir: ${JSON.stringify(sub)}, createDirIfNotExists: true, table: 'web_sessions', concurrentDB: true }`;
      const store = await switchKeepsTheVisitor(readmeUsage(`new SQLiteStore(${options})`));
      expect(store.db.name).toBe(join(sub, 'app.db'));
      expect(store.table).toBe('web_sessions');
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    });

    it('its other README form, a node-sqlite3 connection as db, is refused with what to pass instead', async () => {
      type Connection = { close(cb: (error: unknown) => void): void };
      const sqlite3 = realRequire('sqlite3') as {
        Database: new (path: string, cb: (error: unknown) => void) => Connection;
      };
      // Opened (asynchronously, on sqlite3's thread pool) and closed before the test ends.
      let connection!: Connection;
      await new Promise<void>((resolve, reject) => {
        connection = new sqlite3.Database(':memory:', (error) => (error ? reject(error) : resolve()));
      });
      cleanup.push(() => new Promise<void>((resolve) => connection.close(() => resolve())));
      const SQLiteStore = connectSqlite3(realRequire('express-session'));
      expect(() => new SQLiteStore({ db: connection as never })).toThrow(
        /option "db" is a database object that is not better-sqlite3's .* pass its file name as "db" \(with "dir"\), or a better-sqlite3 Database/,
      );
    });
  },
);
