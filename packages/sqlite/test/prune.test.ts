import Database from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { SqliteStore, type SqliteStoreOptions } from '../src/index';
import { eventually, session, sid, tempDatabaseDir } from './helpers';

const files = tempDatabaseDir();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A store on a database whose every statement is logged, so the tests can count batches. */
function setup(options: Partial<SqliteStoreOptions> = {}) {
  const statements: string[] = [];
  const db = new Database(files.path(), { verbose: (sql) => statements.push(String(sql)) });
  db.pragma('journal_mode = WAL');
  cleanup.push(() => db.close());
  const store = new SqliteStore({ db, pruneInterval: false, ...options });
  cleanup.push(() => store.close());
  const insert = db.prepare('INSERT INTO sessions VALUES (?, ?, ?)');
  const addRows = (count: number, expiresAt: number) => {
    const ids = Array.from({ length: count }, () => sid());
    db.transaction(() =>
      ids.forEach((id) => insert.run(id, JSON.stringify(session(1000)), new Date(expiresAt).toISOString())),
    )();
    return ids;
  };
  const remaining = () => db.prepare('SELECT sid FROM sessions ORDER BY sid').pluck().all() as string[];
  const deletes = () => statements.filter((sql) => sql.startsWith('DELETE FROM "sessions" WHERE sid IN')).length;
  return { db, store, addRows, remaining, deletes };
}

describe('SqliteStore pruning', () => {
  it('prune() deletes only expired rows and says how many', async () => {
    const { store, addRows, remaining } = setup();
    const live = addRows(5, Date.now() + 60_000);
    addRows(7, Date.now() - 1);
    expect(await store.prune()).toBe(7);
    expect(remaining()).toEqual([...live].sort());
    expect(await store.prune()).toBe(0);
  });

  it('prune() deletes in batches of pruneBatchSize, letting other work run in between', async () => {
    const { store, addRows, remaining, deletes } = setup({ pruneBatchSize: 3 });
    addRows(10, Date.now() - 1);
    const live = addRows(2, Date.now() + 60_000);
    const seenBetweenBatches: number[] = [];
    const pruning = store.prune();
    setImmediate(() => seenBetweenBatches.push(remaining().length));
    expect(await pruning).toBe(10);
    // 3 + 3 + 3 + 1: the last, short batch ends the run.
    expect(deletes()).toBe(4);
    expect(seenBetweenBatches).toHaveLength(1);
    expect(seenBetweenBatches[0]).toBeGreaterThan(live.length);
    expect(seenBetweenBatches[0]).toBeLessThan(12);
    expect(remaining()).toEqual([...live].sort());
  });

  it('concurrent prune() calls share one run', async () => {
    const { store, addRows } = setup({ pruneBatchSize: 2 });
    addRows(5, Date.now() - 1);
    const [first, second] = await Promise.all([store.prune(), store.prune()]);
    expect(first).toBe(5);
    expect(second).toBe(5);
  });

  it('the timer prunes expired rows by itself', async () => {
    const { addRows, remaining } = setup({ pruneInterval: 0.02 });
    const live = addRows(3, Date.now() + 60_000);
    addRows(3, Date.now() - 1);
    await eventually(() => remaining().length === 3);
    expect(remaining()).toEqual([...live].sort());
  });

  it('the timer does not keep the process alive', () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    setup({ pruneInterval: 60 });
    expect(timers()).toBe(before);
  });

  it('a failing timed prune emits a coded warning (and pruneError), never error', async () => {
    const db = new Database(files.path());
    const store = new SqliteStore({ db, pruneInterval: 0.01 });
    cleanup.push(() => store.close());
    const pruneErrors: unknown[] = [];
    const warnings: unknown[] = [];
    let errors = 0;
    store.on('pruneError', (error) => pruneErrors.push(error));
    store.on('warning', (warning) => warnings.push(warning));
    store.on('error', () => (errors += 1));
    db.close();
    await eventually(() => pruneErrors.length >= 2 && warnings.length >= 2);
    expect(errors).toBe(0);
    expect(warnings[0]).toMatchObject({ code: 'ERR_SESSION_STORE_PRUNE_FAILED', cause: pruneErrors[0] });
    expect(pruneErrors[0]).toMatchObject({
      code: 'ERR_SESSION_STORE_BACKEND',
      message: expect.stringMatching(/^SqliteStore\.prune failed: /),
    });
  });

  it('timed prunes failing while warning and pruneError listeners throw never end the process; the store keeps working', async () => {
    const faults = watchProcessFaults();
    try {
      const path = files.path();
      const store = new SqliteStore({ filename: path, pruneInterval: 0.02, busyTimeoutMs: 20 });
      cleanup.push(() => store.close());
      const heard: string[] = [];
      for (const event of ['warning', 'pruneError']) {
        store.on(event, () => {
          heard.push(event);
          throw new Error(`${event} listener failed`);
        });
      }
      const kept = sid();
      await store.set(kept, session(60_000, { kept: true }) as unknown as SessionData);
      const expired = sid();
      await store.set(expired, session(60_000) as unknown as SessionData);
      // Another connection holds the write lock: every timed prune fails with SQLITE_BUSY.
      const other = new Database(path);
      cleanup.push(() => other.close());
      other
        .prepare('UPDATE sessions SET expire = ? WHERE sid = ?')
        .run(new Date(Date.now() - 1000).toISOString(), expired);
      other.exec('BEGIN IMMEDIATE');
      await eventually(() => heard.filter((event) => event === 'warning').length >= 2 && heard.includes('pruneError'));
      other.exec('COMMIT');
      // The timer goes on, and pruning works again once the lock is gone.
      const rowsOf = other.prepare('SELECT count(*) AS n FROM sessions WHERE sid = ?');
      await eventually(() => (rowsOf.get(expired) as { n: number }).n === 0);
      expect(await store.get(kept)).toMatchObject({ kept: true });
      const reported = faults.warnings.filter((warning) => warning.code === 'ERR_SESSION_STORE_LISTENER_THREW');
      for (const event of ['warning', 'pruneError'])
        expect(reported.some((warning) => warning.message.includes(`"${event}" listener threw`))).toBe(true);
      expect(faults.fatal).toEqual([]);
    } finally {
      faults.stop();
    }
  });

  it('close() during a prune stops it after the current batch, without an error', async () => {
    const { store, addRows, deletes } = setup({ pruneBatchSize: 2 });
    addRows(10, Date.now() - 1);
    const pruning = store.prune();
    await store.close();
    expect(await pruning).toBe(2);
    expect(deletes()).toBe(1);
  });

  it('prune() after close() rejects with ERR_SESSION_STORE_CLOSED', async () => {
    const { store } = setup();
    await store.close();
    await expect(store.prune()).rejects.toMatchObject({ code: 'ERR_SESSION_STORE_CLOSED' });
  });

  it("get and prune compare against the app clock (Date.now()), not SQLite's", async () => {
    const { store, remaining } = setup();
    const id = sid();
    await store.set(id, session(60_000) as unknown as SessionData);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    try {
      expect(await store.get(id)).toBeNull();
      expect(await store.prune()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
    expect(remaining()).toEqual([]);
  });
});
