import type { SessionData } from 'express-session';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { MongoStore } from '../src/index';
import { eventually, type MongoTarget, mongoTargets, sessionData, TEST_DB, uniqueName } from './helpers';

// The server dies under load and comes back: every call ends within the bound (clause 32),
// with a MongoStore error, and the same store recovers by itself, with disconnect/connect
// events (clause 37). Each test restarts the server, so this file has its own.

const { targets, skipped } = await mongoTargets();
for (const title of skipped) describe.skip(title, () => it('runs the fault tests', () => {}));
const restartable = targets.filter((target) => target.server.canRestart);
for (const target of targets.filter((t) => !t.server.canRestart)) {
  describe.skip(`${target.title}: a server the harness did not start is never stopped`, () =>
    it('runs the fault tests', () => {}));
}

/** The store's default bound on every call, and the slack a loaded 2-core machine gets on top. */
const BOUND_MS = 5000;
const SLACK_MS = 1500;

interface Outcome {
  operation: string;
  startedAt: number;
  ms: number;
  error?: { code?: unknown; message: string };
}

/** Kills the server the hard way when it is a local process (no clean shutdown), else stops it. */
async function killServer(target: MongoTarget): Promise<void> {
  const pids = target.server.local?.pids() ?? [];
  if (pids.length === 0) return target.server.stop();
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await eventually('the server process to die', () => target.server.local!.pids().length === 0);
}

/** Runs `workers` loops of random calls until `running()` is false: bounded parallel load. */
async function load(store: MongoStore, outcomes: Outcome[], running: () => boolean, workers = 8): Promise<void> {
  const sids = Array.from({ length: 40 }, (_, i) => `load-${i}`);
  const worker = async (): Promise<void> => {
    while (running()) {
      // A call that fails without I/O must not starve the timers that end the loop.
      await new Promise((resolve) => setImmediate(resolve));
      const sid = sids[Math.floor(Math.random() * sids.length)]!;
      const pick = Math.random();
      const [operation, call] =
        pick < 0.4
          ? ['get', () => store.get(sid)]
          : pick < 0.7
            ? ['set', () => store.set(sid, sessionData(60_000, { at: Date.now() }) as unknown as SessionData)]
            : pick < 0.9
              ? ['touch', () => store.touch(sid, sessionData(120_000) as unknown as SessionData)]
              : ['destroy', () => store.destroy(sid)];
      const startedAt = Date.now();
      try {
        await (call as () => Promise<unknown>)();
        outcomes.push({ operation, startedAt, ms: Date.now() - startedAt });
      } catch (error) {
        const { code, message } = error as { code?: unknown; message: string };
        outcomes.push({ operation, startedAt, ms: Date.now() - startedAt, error: { code, message } });
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

describe.each(restartable)('MongoStore when $title dies', (target) => {
  it(
    'under load: every call ends within the bound, and the store recovers by itself',
    { timeout: 90_000 },
    async () => {
      const store = new MongoStore({
        mongoUrl: target.server.url,
        dbName: TEST_DB,
        collectionName: uniqueName(),
        autoRemove: 'disabled',
      });
      const events: Array<{ event: string; at: number }> = [];
      for (const event of ['connect', 'disconnect', 'error'] as const)
        store.on(event, () => events.push({ event, at: Date.now() }));
      let phase: 'up' | 'down' | 'restarted' | 'done' = 'up';
      let running = Promise.resolve();
      try {
        await store.set('before-kill', sessionData(600_000, { kept: true }) as unknown as SessionData);
        await eventually('connect', () => events.some((e) => e.event === 'connect'));

        const outcomes: Outcome[] = [];
        running = load(store, outcomes, () => phase !== 'done');

        await eventually('calls to succeed under load', () => outcomes.filter((o) => !o.error).length >= 50);
        const killedAt = Date.now();
        await killServer(target);
        phase = 'down';
        await eventually(
          'the store to report disconnect',
          () => events.some((e) => e.event === 'disconnect'),
          BOUND_MS + SLACK_MS,
        );
        // Long enough for calls to run into the driver's server-selection timeout, not just fail fast.
        await eventually(
          'calls to fail while the server is down',
          () => outcomes.filter((o) => o.error && o.startedAt > killedAt + 1000).length >= 8,
          30_000,
        );

        // The store may see the server before start() has finished checking it: count from here.
        const restartingAt = Date.now();
        await target.server.start();
        phase = 'restarted';
        await eventually(
          'the store to report connect again',
          () => events.some((e) => e.event === 'connect' && e.at >= restartingAt),
          20_000,
        );
        const connectedAt = Date.now();
        await eventually(
          'calls to succeed again',
          () => outcomes.filter((o) => !o.error && o.startedAt > connectedAt).length >= 100,
          20_000,
        );
        phase = 'done';
        await running;

        const slowest = Math.max(...outcomes.map((o) => o.ms));
        expect(slowest, 'the slowest call, in ms').toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
        const failures = outcomes.filter((o) => o.error);
        expect(failures.length).toBeGreaterThan(0);
        for (const { operation, error } of failures) {
          expect(error!.message).toMatch(new RegExp(`^MongoStore\\.${operation} failed: `));
          expect(['ERR_SESSION_STORE_BACKEND', 'ERR_SESSION_STORE_TIMEOUT']).toContain(error!.code);
        }
        expect(outcomes.filter((o) => o.error && o.startedAt > connectedAt)).toEqual([]);
        // Calls in flight when the server died may fail; the ones that ended before may not.
        expect(outcomes.filter((o) => o.error && o.startedAt + o.ms < killedAt)).toEqual([]);

        expect(events.filter((e) => e.event === 'error')).toEqual([]);
        const order = events.map((e) => e.event);
        expect(order.indexOf('disconnect')).toBeGreaterThan(order.indexOf('connect'));
        expect(order.at(-1)).toBe('connect');
        if (target.server.dataSurvivesRestart) expect(await store.get('before-kill')).toMatchObject({ kept: true });
      } finally {
        phase = 'done';
        await running;
        await store.close();
        await target.server.start();
      }
    },
  );

  it(
    'throwing connect/disconnect/warning/pruneError listeners never end the process; the store recovers',
    { timeout: 60_000 },
    async () => {
      const faults = watchProcessFaults();
      const store = new MongoStore({
        mongoUrl: target.server.url,
        dbName: TEST_DB,
        collectionName: uniqueName(),
        autoRemove: 'interval',
        autoRemoveInterval: 0.005, // 300 ms: prunes fail while the server is down
        operationTimeoutMs: 2000,
      });
      const heard: string[] = [];
      for (const event of ['connect', 'disconnect', 'warning', 'pruneError']) {
        store.on(event, () => {
          heard.push(event);
          throw new Error(`${event} listener failed`);
        });
      }
      try {
        await store.set('kept', sessionData(600_000, { kept: true }) as unknown as SessionData);
        await eventually('connect', () => heard.includes('connect'));
        await killServer(target);
        try {
          await eventually(
            'disconnect and a failed prune',
            () => heard.includes('disconnect') && heard.includes('warning') && heard.includes('pruneError'),
            20_000,
          );
        } finally {
          await target.server.start();
        }
        await eventually('connect again', () => heard.lastIndexOf('connect') > heard.indexOf('disconnect'), 20_000);
        await eventually(
          'calls to succeed again',
          async () =>
            await store.get('probe').then(
              () => true,
              () => false,
            ),
        );
        await store.set('after', sessionData(600_000, { after: true }) as unknown as SessionData);
        expect(await store.get('after')).toMatchObject({ after: true });
        const reported = faults.warnings.filter((warning) => warning.code === 'ERR_SESSION_STORE_LISTENER_THREW');
        for (const event of ['connect', 'disconnect', 'warning', 'pruneError'])
          expect(reported.some((warning) => warning.message.includes(`"${event}" listener threw`))).toBe(true);
        expect(faults.fatal).toEqual([]);
      } finally {
        faults.stop();
        await store.close();
        await target.server.start();
      }
    },
  );

  it('a store made while the server is down fails fast, then works once it is up', { timeout: 60_000 }, async () => {
    await killServer(target);
    const store = new MongoStore({
      mongoUrl: target.server.url,
      dbName: TEST_DB,
      collectionName: uniqueName(),
      autoRemove: 'disabled',
    });
    try {
      const startedAt = Date.now();
      await expect(store.get('sid')).rejects.toMatchObject({
        message: expect.stringMatching(/^MongoStore\.get failed: /),
      });
      expect(Date.now() - startedAt).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
      await target.server.start();
      await eventually(
        'the store to work',
        async () =>
          await store.set('sid', sessionData() as unknown as SessionData).then(
            () => true,
            () => false,
          ),
        20_000,
      );
      expect(await store.get('sid')).not.toBeNull();
    } finally {
      await store.close();
      await target.server.start();
    }
  });

  it(
    "with a given client on the driver's defaults (30 s to select a server), calls still end at operationTimeoutMs",
    { timeout: 60_000 },
    async () => {
      const client = new MongoClient(target.server.url);
      const store = new MongoStore({
        client,
        dbName: TEST_DB,
        collectionName: uniqueName(),
        autoRemove: 'disabled',
        operationTimeoutMs: 1500,
      });
      try {
        await store.set('sid', sessionData() as unknown as SessionData);
        await killServer(target);
        const startedAt = Date.now();
        const results = await Promise.allSettled([
          store.get('sid'),
          store.set('sid', sessionData() as unknown as SessionData),
          store.length(),
        ]);
        expect(Date.now() - startedAt).toBeLessThanOrEqual(1500 + SLACK_MS);
        for (const result of results)
          expect(result).toMatchObject({
            status: 'rejected',
            reason: { message: expect.stringMatching(/^MongoStore\.\w+ failed: /) },
          });
        await target.server.start();
        await eventually(
          'the store to work',
          async () =>
            await store.get('sid').then(
              () => true,
              () => false,
            ),
          40_000,
        );
      } finally {
        await store.close();
        await client.close();
        await target.server.start();
      }
    },
  );
});
