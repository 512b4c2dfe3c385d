import { SessionStoreError } from '@session-stores/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index';
import { unboundLoggerMethod, watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { databaseTitle, eventually, session, sid, tableName, testDatabase } from './helpers';

// A server of this file's own: the tests stop it.
const maybeDb = await testDatabase();
const db = maybeDb!;
const canRestart = maybeDb?.server.canRestart === true;

const TIMEOUT_MS = 1500;
// What a call may take beyond the timeout: timers firing late on a busy 2-core machine.
const SLACK_MS = 750;

interface CallOutcome {
  operation: string;
  ms: number;
  error: unknown;
  startedWhileDown: boolean;
}

/** Watches a store's connect/disconnect/error events in order. */
function watchEvents(store: PostgresStore): string[] {
  const events: string[] = [];
  store.on('connect', () => events.push('connect'));
  store.on('disconnect', () => events.push('disconnect'));
  store.on('error', () => events.push('error'));
  return events;
}

describe.skipIf(!canRestart)(`PostgresStore while the database is down, on ${databaseTitle(maybeDb)}`, () => {
  it('under load: every call ends within the timeout with a SessionStoreError, and the store recovers by itself', async () => {
    const store = db.store({ tableName: tableName(), createTableIfMissing: true, operationTimeoutMs: TIMEOUT_MS });
    const events = watchEvents(store);
    const kept = sid();
    await store.set(kept, session(600_000, { kept: true }));

    let down = false;
    let running = true;
    const outcomes: CallOutcome[] = [];
    const calls: Array<[string, (id: string) => Promise<unknown>]> = [
      // async wrappers: the void-returning callback overloads come first in the core's typings.
      ['set', async (id) => store.set(id, session(60_000, { n: 1 }))],
      ['get', (id) => store.get(id)],
      ['touch', async (id) => store.touch(id, session(120_000))],
      ['destroy', async (id) => store.destroy(id)],
      ['length', () => store.length()],
      ['ids', () => store.ids()],
      ['all', () => store.all()],
      [
        'iterate',
        async () => {
          for await (const entry of store.iterate()) void entry;
        },
      ],
    ];
    // A bounded parallel loop: 8 workers, each one call at a time, so load never piles up.
    const worker = async (index: number) => {
      while (running) {
        const [operation, call] = calls[index % calls.length]!;
        const startedWhileDown = down;
        const started = performance.now();
        let error: unknown = null;
        try {
          await call(sid());
        } catch (caught) {
          error = caught;
        }
        outcomes.push({ operation, ms: performance.now() - started, error, startedWhileDown });
        index += 1;
        // Failures come back fast (connection refused): pace the loop so it does not spin.
        if (error) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const workers = Array.from({ length: 8 }, (_, index) => worker(index));
    try {
      await eventually(() => outcomes.filter((o) => !o.error).length >= 40);

      await db.server.stop();
      down = true;
      await eventually(() => outcomes.filter((o) => o.startedWhileDown && o.error).length >= 40);
      await eventually(() => events.includes('disconnect'));

      await db.server.start();
      down = false;
      const restartedAt = outcomes.length;
      await eventually(() => outcomes.slice(restartedAt).filter((o) => !o.error).length >= 40, 20_000);
    } finally {
      running = false;
      await Promise.all(workers);
    }

    const failures = outcomes.filter((o) => o.error);
    expect(failures.length).toBeGreaterThanOrEqual(40);
    for (const outcome of outcomes) {
      expect(outcome.ms, `${outcome.operation} took ${Math.round(outcome.ms)} ms`).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    for (const { error, operation } of failures) {
      expect(error).toBeInstanceOf(SessionStoreError);
      expect((error as SessionStoreError).message).toMatch(/^PostgresStore\.\w+ failed: /);
      expect(['ERR_SESSION_STORE_BACKEND', 'ERR_SESSION_STORE_TIMEOUT']).toContain((error as SessionStoreError).code);
      void operation;
    }
    await eventually(() => events.at(-1) === 'connect');
    expect(events).not.toContain('error');
    expect(events.indexOf('disconnect')).toBeGreaterThan(events.indexOf('connect'));
    expect(await store.get(kept)).toMatchObject({ kept: true });
  });

  it('emits connect by itself once the database is back, with no calls in between', async () => {
    const store = db.store({ tableName: tableName(), createTableIfMissing: true, operationTimeoutMs: TIMEOUT_MS });
    const events = watchEvents(store);
    await store.get(sid());
    await db.server.stop();
    try {
      await expect(store.get(sid())).rejects.toBeInstanceOf(SessionStoreError);
      await eventually(() => events.includes('disconnect'));
    } finally {
      await db.server.start();
    }
    // express-session sends no requests to a disconnected store: the store must notice alone.
    await eventually(() => events.at(-1) === 'connect');
    expect(events).toEqual(['connect', 'disconnect', 'connect']);
  });

  it('does not emit disconnect when one connection dies while the database is up', async () => {
    const victim = db.store({
      conObject: { connectionString: db.url, application_name: 'victim_store' },
      tableName: tableName(),
      createTableIfMissing: true,
    });
    const events = watchEvents(victim);
    const id = sid();
    await victim.set(id, session(60_000));
    const victims = `SELECT pid FROM pg_stat_activity WHERE application_name = 'victim_store'`;
    const before = (await db.sql<{ pid: number }>(victims)).map((row) => row.pid);
    expect(before.length).toBeGreaterThanOrEqual(1);
    await db.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'victim_store'`);
    // Once the backends are gone, their goodbye (FATAL 57P01) is on the store's sockets.
    await eventually(async () => (await db.sql<{ pid: number }>(victims)).every((row) => !before.includes(row.pid)));
    await eventually(async () => (await victim.get(id).catch(() => null)) !== null);
    expect(await victim.get(id)).not.toBeNull();
    expect(events).toEqual(['connect']);
  });
});

describe.skipIf(!canRestart)(`PostgresStore with throwing hooks during an outage, on ${databaseTitle(maybeDb)}`, () => {
  it('a throwing errorLog and throwing connect/disconnect/warning/pruneError listeners never end the process; the store recovers', async () => {
    const faults = watchProcessFaults();
    try {
      const store = db.store({
        tableName: tableName(),
        createTableIfMissing: true,
        operationTimeoutMs: TIMEOUT_MS,
        pruneSessionInterval: 0.05,
        errorLog: unboundLoggerMethod(),
      });
      const heard: string[] = [];
      for (const event of ['connect', 'disconnect', 'warning', 'pruneError']) {
        store.on(event, () => {
          heard.push(event);
          throw new Error(`${event} listener failed`);
        });
      }
      const kept = sid();
      await store.set(kept, session(600_000, { kept: true }));
      await eventually(() => heard.includes('connect'));
      await db.server.stop();
      try {
        // The background prune fails while the database is down, and the probe reports disconnect.
        await eventually(
          () => heard.includes('disconnect') && heard.includes('warning') && heard.includes('pruneError'),
        );
      } finally {
        await db.server.start();
      }
      await eventually(() => heard.lastIndexOf('connect') > heard.indexOf('disconnect'));
      expect(await store.get(kept)).toMatchObject({ kept: true });
      // What the listeners threw was reported, not lost.
      const reported = faults.warnings.filter((warning) => warning.code === 'ERR_SESSION_STORE_LISTENER_THREW');
      for (const event of ['connect', 'disconnect', 'warning', 'pruneError'])
        expect(reported.some((warning) => warning.message.includes(`"${event}" listener threw`))).toBe(true);
      expect(reported.some((warning) => warning.message.includes('the "errorLog" hook threw'))).toBe(true);
      expect(faults.fatal).toEqual([]);
    } finally {
      faults.stop();
    }
  });
});

// Freezing takes the server's pids: only servers the local provider started have them.
describe.skipIf(!canRestart || !maybeDb?.server.local)(
  `PostgresStore on a pool it was given, with a frozen database, on ${databaseTitle(maybeDb)}`,
  () => {
    it("the store's deadline bounds every call even when the pool has no timeouts, and the pool recovers", async () => {
      // No connectionTimeoutMillis: pg would wait forever for a server that accepts and never answers.
      const pool = new pg.Pool({ connectionString: db.url });
      pool.on('error', () => {});
      const store = db.store({
        pool,
        tableName: tableName(),
        createTableIfMissing: true,
        operationTimeoutMs: TIMEOUT_MS,
      });
      const id = sid();
      await store.set(id, session(60_000, { frozen: 'before' }));
      await pool.end();

      const freshPool = new pg.Pool({ connectionString: db.url });
      freshPool.on('error', () => {});
      const frozenStore = db.store({
        pool: freshPool,
        tableName: (store.table.match(/"(.+)"/) ?? [])[1]!,
        operationTimeoutMs: TIMEOUT_MS,
      });
      const pids = db.server.local?.pids() ?? [];
      expect(pids.length).toBeGreaterThan(0);
      // SIGSTOP the postmaster: connections are accepted by the kernel and never answered.
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      try {
        const started = performance.now();
        const results = await Promise.allSettled([
          frozenStore.get(id),
          frozenStore.set(sid(), session(60_000)),
          frozenStore.length(),
        ]);
        expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
        for (const result of results) {
          expect(result.status).toBe('rejected');
          expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_SESSION_STORE_TIMEOUT' });
        }
      } finally {
        for (const pid of pids) process.kill(pid, 'SIGCONT');
      }
      await eventually(async () => (await frozenStore.get(id).catch(() => null)) !== null);
      expect(await frozenStore.get(id)).toMatchObject({ frozen: 'before' });
      await frozenStore.close();
      await freshPool.end();
    });
  },
);
