import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import expressSession from 'express-session';
import type { Store } from 'express-session';
import { rawEnumeration } from '../raw-enumeration';
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

/**
 * SQLite needs no server: the "server" is a temporary directory, and each subject gets its own
 * database file in it. The anchor runs on a database opened the way its README shows (default
 * rollback journal, synchronous FULL: an fsync per write); ours and raw use WAL with
 * synchronous NORMAL, which is what our store sets up.
 */
export const sqliteBackend: BackendDefinition = {
  name: 'sqlite',
  anchorLabel: 'better-sqlite3-session-store 0.1.0',
  oursLabel: '@session-stores/sqlite',
  rawLabel: 'better-sqlite3 prepared statements, WAL (SELECT / INSERT .. ON CONFLICT / UPDATE / DELETE)',

  async startServer() {
    const dir = await mkdtemp(join(tmpdir(), 'session-bench-sqlite-'));
    return {
      info: { backend: 'sqlite', url: dir },
      description: `SQLite ${sqliteVersion()} via better-sqlite3 (files in ${dir})`,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },

  async createSubject(kind, context) {
    if (kind === 'ours') return ours(context);
    if (kind === 'anchor') return anchor(context);
    return raw(context);
  },
};

function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version;
  } finally {
    db.close();
  }
}

function file(context: SubjectContext, kind: string): string {
  return join(context.server.url, `${kind}-${context.namespace}.db`);
}

async function ours(context: SubjectContext): Promise<Subject> {
  type Ctor = new (options: { filename: string }) => Store & {
    close(): Promise<void>;
    db: Database.Database;
  };
  const SqliteStore = await loadOurStore<Ctor>(
    '@session-stores/sqlite',
    'SqliteStore',
    () => import('@session-stores/sqlite'),
  );
  const store = new SqliteStore({ filename: file(context, 'ours'), ...context.storeOptions });
  return storeSubject('ours', sqliteBackend.oursLabel, store, () => store.close(), {
    // Through the store's own set(), 10,000 to a transaction on its own connection: one WAL
    // commit per batch instead of one per session (a million sessions: 3 minutes of set()).
    seed: async (sids, session) => {
      for (let start = 0; start < sids.length; start += 10_000) {
        store.db.exec('BEGIN');
        try {
          await Promise.all(
            sids
              .slice(start, start + 10_000)
              .map((sid) => viaCallback<void>((callback) => store.set(sid, session, callback))),
          );
          store.db.exec('COMMIT');
        } catch (error) {
          store.db.exec('ROLLBACK');
          throw error;
        }
      }
    },
  });
}

async function anchor(context: SubjectContext): Promise<Subject> {
  const factory = require('better-sqlite3-session-store') as (
    session: typeof expressSession,
  ) => new (options: { client: Database.Database }) => Store;
  const AnchorStore = factory(expressSession);
  const db = new Database(file(context, 'anchor'));
  const store = new AnchorStore({ client: db });
  return storeSubject(
    'anchor',
    sqliteBackend.anchorLabel,
    store,
    async () => {
      db.close();
    },
    {
      enumerationNote: 'all() returns raw rows, expired ones included; length() counts expired rows',
      // Its calls are synchronous, so many sets fit in one transaction: seeding 100,000 sessions
      // through fsync-per-write would take minutes.
      seed: async (sids, session) => {
        db.transaction(() => {
          for (const sid of sids)
            store.set(sid, session, (error) => {
              if (error) throw error;
            });
        })();
      },
    },
  );
}

/** Sessions per page of the raw listing. */
const RAW_PAGE = 1000;

async function raw(context: SubjectContext): Promise<Subject> {
  // The same table and index as ours (better-sqlite3-session-store's layout), the same pragmas,
  // and one prepared statement per operation: what is left is the cost of SQLite itself.
  const db = new Database(file(context, 'raw'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS sessions (sid TEXT NOT NULL PRIMARY KEY, sess JSON NOT NULL, expire TEXT NOT NULL)',
  );
  db.exec('CREATE INDEX IF NOT EXISTS sessions_expire ON sessions (expire)');
  const select = db.prepare<[string, string], { sess: string; expire: string }>(
    'SELECT sess, expire FROM sessions WHERE sid = ? AND expire > ?',
  );
  const upsert = db.prepare(
    'INSERT INTO sessions (sid, sess, expire) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expire = excluded.expire',
  );
  const update = db.prepare('UPDATE sessions SET expire = ? WHERE sid = ? AND expire > ?');
  const remove = db.prepare('DELETE FROM sessions WHERE sid = ?');
  const list = db.prepare<[string], string>('SELECT sess FROM sessions WHERE expire > ?').pluck();
  const count = db.prepare<[string], number>('SELECT count(*) FROM sessions WHERE expire > ?').pluck();
  const iso = (epochMs: number) => new Date(epochMs).toISOString();
  return {
    kind: 'raw',
    label: sqliteBackend.rawLabel,
    // One statement stepped row by row: the pages are only how the walk hands sessions over.
    ...rawEnumeration({
      async *pages() {
        let page: unknown[] = [];
        for (const sess of list.iterate(iso(Date.now()))) {
          page.push(JSON.parse(sess) as unknown);
          if (page.length === RAW_PAGE) {
            yield page;
            page = [];
          }
        }
        if (page.length > 0) yield page;
      },
      count: async () => count.get(iso(Date.now()))!,
    }),
    seed: async (sids, session) => {
      const json = JSON.stringify(session);
      const expire = iso(expiresAt(session));
      db.transaction(() => {
        for (const sid of sids) upsert.run(sid, json, expire);
      })();
    },
    get: async (sid) => {
      const row = select.get(sid, iso(Date.now()));
      return row ? (JSON.parse(row.sess) as unknown) : null;
    },
    set: async (sid, session) => {
      upsert.run(sid, JSON.stringify(session), iso(expiresAt(session)));
    },
    touch: async (sid, session) => {
      update.run(iso(expiresAt(session)), sid, iso(Date.now()));
    },
    destroy: async (sid) => {
      remove.run(sid);
    },
    close: async () => {
      db.close();
    },
  };
}
