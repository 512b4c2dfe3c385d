import Database from 'better-sqlite3';
import type { Express } from 'express';
import { describe, expect, it } from 'vitest';
import { expectVisitCounter, readmeCode, swap } from '../../../scripts/test-support/readme-code';
import { SqliteStore } from '../src/index';
import { session, sid, tempDatabaseDir } from './helpers';

/** The README's code, run as written: only file names (and the port) are swapped for temporary ones. */
const { blocks, runModule } = readmeCode(import.meta.url);
const files = tempDatabaseDir();

describe('README', () => {
  it('the usage example keeps a visit counter in SQLite', async () => {
    const [usage] = blocks('ts');
    let code = swap(usage!, "filename: 'sessions.db'", `filename: ${JSON.stringify(files.path())}`);
    code = swap(code, 'app.listen(3000);', 'export { app };');
    const { app } = (await runModule('usage', code)) as { app: Express };
    await expectVisitCounter(app);
  });

  it('the shared-database example leaves the database open and in WAL', async () => {
    const [, shared] = blocks('ts');
    const path = files.path();
    let code = swap(shared!, "new Database('app.db')", `new Database(${JSON.stringify(path)})`);
    code = `import { SqliteStore } from '@session-stores/sqlite';\n${code}\nexport { db, store };`;
    const { db, store } = (await runModule('shared', code)) as { db: Database.Database; store: SqliteStore };
    await store.close();
    expect(db.open).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('the connect-sqlite3 migration copies live sessions into the default layout', async () => {
    const path = files.path();
    const [, , connectExample] = blocks('ts');
    const code = `import { SqliteStore } from '@session-stores/sqlite';\nexport const store = ${swap(connectExample!, "'./sessions.db'", JSON.stringify(path)).trim()}`;
    const { store: old } = (await runModule('connect', code)) as { store: SqliteStore };
    const live = sid();
    const value = session(60_000, { user: 'ada' });
    await old.set(live, value as never);
    await old.set(sid(), session(60_000) as never);
    old.db.prepare('UPDATE sessions SET expired = ? WHERE sid != ?').run(Date.now() - 1, live);
    await old.close();

    const migration = blocks('sql').find((sql) => sql.includes('INSERT INTO new_sessions'))!;
    const db = new Database(path);
    db.exec(migration);
    db.close();
    const migrated = new SqliteStore({ filename: path, table: 'new_sessions', pruneInterval: false });
    expect(await migrated.ids()).toEqual([live]);
    expect(await migrated.get(live)).toEqual(value);
    await migrated.close();
  });

  it('the data layout shown is the one the store creates', () => {
    const db = new Database(files.path());
    new SqliteStore({ db, pruneInterval: false });
    new SqliteStore({ db, table: 'legacy', layout: 'connect-sqlite3', pruneInterval: false });
    const schema = db
      .prepare('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid')
      .pluck()
      .all() as string[];
    const shown = blocks('sql').filter((sql) => sql.startsWith('CREATE TABLE IF NOT EXISTS "sessions"'));
    expect(shown).toHaveLength(2);
    const normalize = (sql: string) =>
      sql
        .replace(/ IF NOT EXISTS/g, '')
        .trim()
        .split(';\n')
        .map((s) => s.replace(/;$/, ''));
    expect(schema.slice(0, 2)).toEqual(normalize(shown[0]!));
    expect(schema.slice(2)).toEqual(normalize(shown[1]!).map((s) => s.replaceAll('sessions', 'legacy')));
    db.close();
  });

  it('the sessions-by-user example lists and logs out the sessions of one user', async () => {
    const byUser = blocks('ts').find((block) => block.includes('destroyUserSessions'))!;
    let code = swap(byUser, "filename: 'sessions.db'", `filename: ${JSON.stringify(files.path())}`);
    code = swap(
      code,
      "const sessions = await store.userSessions('ada');",
      "await store.set('a1', live('ada'));\nawait store.set('a2', live('ada'));\nawait store.set('g1', live('grace'));\nconst sessions = await store.userSessions('ada');",
    );
    code = `const live = (userId) => ({ cookie: { originalMaxAge: 60000, expires: new Date(Date.now() + 60000).toISOString() }, userId });\n${code}\nexport { store, sessions, loggedOut };`;
    const { store, sessions, loggedOut } = (await runModule('by-user', code)) as {
      store: SqliteStore;
      sessions: { sid: string }[];
      loggedOut: number;
    };
    expect(sessions.map((entry) => entry.sid).sort()).toEqual(['a1', 'a2']);
    expect(loggedOut).toBe(1);
    expect(await store.countUserSessions('ada')).toBe(1);
    expect(await store.countUserSessions('grace')).toBe(1);
    await store.close();
  });
});
