import { SessionStoreError } from '@session-stores/core';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index';
import { DRIVERS } from './conformance-options';
import { eventually, prefix, session, sid } from './helpers';
import { watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { backendForTests, backendTitle } from '@session-stores/test-servers';

const OPERATION_TIMEOUT_MS = 2000;
/** Slack over the operation timeout for timers and a loaded 2-core machine. */
const BOUND_MS = OPERATION_TIMEOUT_MS + 1500;
const WORKERS = 16;

const server = await backendForTests('redis');

interface Outcome {
  ok: boolean;
  error?: unknown;
  ms: number;
}

for (const driver of DRIVERS)
  describe.skipIf(!server)(
    `RedisStore (${driver}) when Redis is killed under load [${backendTitle('redis', server)}]`,
    () => {
      it('ends every call within the bound, recovers by itself and emits connect after disconnect', async (context) => {
        if (!server!.canRestart || !server!.local)
          context.skip(`the ${server!.provider} server cannot be killed by this test`);
        const store = new RedisStore({
          url: server!.url,
          driver,
          prefix: prefix(),
          operationTimeoutMs: OPERATION_TIMEOUT_MS,
        });
        let running = true;
        try {
          const events: string[] = [];
          store.on('connect', () => events.push('connect'));
          store.on('disconnect', () => events.push('disconnect'));
          await store.set(sid(), session(60_000));

          const outcomes: Outcome[] = [];
          let started = 0;
          const call = async (operation: () => Promise<unknown>) => {
            started += 1;
            const begin = Date.now();
            try {
              await operation();
              outcomes.push({ ok: true, ms: Date.now() - begin });
            } catch (error) {
              outcomes.push({ ok: false, error, ms: Date.now() - begin });
            }
          };
          // A bounded load: each worker has one call in flight at a time, until told to stop.
          const workers = Array.from({ length: WORKERS }, async (_, worker) => {
            const id = `w${worker}-${sid()}`;
            while (running) {
              await call(async () => {
                await store.set(id, session(60_000, { worker }));
              });
              await call(() => store.get(id));
            }
          });

          await eventually(() => outcomes.filter((o) => o.ok).length > 50, 'the load to run against a live Redis');
          for (const pid of server!.local!.pids()) process.kill(pid, 'SIGKILL');
          await eventually(() => events.includes('disconnect'), 'the store to emit disconnect');
          const failuresBefore = outcomes.filter((o) => !o.ok).length;
          await eventually(
            () => outcomes.filter((o) => !o.ok).length > failuresBefore + WORKERS,
            'calls to fail while Redis is down',
          );

          await server!.start();
          const recovery = Date.now();
          await eventually(
            async () => {
              try {
                const id = sid();
                await store.set(id, session(60_000, { back: true }));
                return (await store.get(id)) !== null;
              } catch {
                return false;
              }
            },
            'a set and get to work again',
            15_000,
          );
          await eventually(() => events.at(-1) === 'connect', 'the store to emit connect again');
          const okAfterRecovery = outcomes.length;
          await eventually(
            () => outcomes.slice(okAfterRecovery).filter((o) => o.ok).length >= WORKERS,
            'the load to succeed again',
          );
          running = false;
          await Promise.all(workers);

          // Every call ended (none is still pending), within the bound, and failures are store errors.
          expect(outcomes).toHaveLength(started);
          const failures = outcomes.filter((o) => !o.ok);
          expect(failures.length).toBeGreaterThan(0);
          for (const failure of failures) {
            expect(failure.error).toBeInstanceOf(SessionStoreError);
            expect((failure.error as Error).message).toMatch(/^RedisStore\.(get|set) failed: /);
          }
          expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThanOrEqual(BOUND_MS);
          expect(events.slice(0, 2)).toEqual(['connect', 'disconnect']);
          expect(events.at(-1)).toBe('connect');
          expect(Date.now() - recovery).toBeLessThan(60_000);
        } finally {
          // Stops the load even when an expectation failed: calls on a closed store fail at once.
          running = false;
          await store.close();
        }
      });

      it('ends every call within the bound while Redis is frozen (connected but silent), and works once it thaws', async (context) => {
        if (!server!.canRestart || !server!.local)
          context.skip(`the ${server!.provider} server cannot be frozen by this test`);
        const store = new RedisStore({
          url: server!.url,
          driver,
          prefix: prefix(),
          operationTimeoutMs: OPERATION_TIMEOUT_MS,
        });
        const pids = server!.local!.pids();
        try {
          const id = sid();
          await store.set(id, session(60_000, { n: 1 }));
          for (const pid of pids) process.kill(pid, 'SIGSTOP');
          const calls = [
            store.get(id),
            store.set(id, session(60_000, { n: 2 })),
            store.touch(id, session(60_000)),
            store.destroy(sid()),
            store.length(),
            store.all(),
          ];
          const begin = Date.now();
          const settled = await Promise.allSettled(calls);
          expect(Date.now() - begin).toBeLessThanOrEqual(BOUND_MS);
          for (const result of settled) {
            expect(result.status).toBe('rejected');
            expect((result as PromiseRejectedResult).reason).toBeInstanceOf(SessionStoreError);
          }
          for (const pid of pids) process.kill(pid, 'SIGCONT');
          await eventually(
            async () => (await store.get(id).catch(() => null)) !== null,
            'get to work again after the thaw',
          );
        } finally {
          for (const pid of pids) process.kill(pid, 'SIGCONT');
          await store.close();
        }
      });

      it('throwing connect/disconnect listeners never end the process; the store recovers', async (context) => {
        if (!server!.canRestart || !server!.local)
          context.skip(`the ${server!.provider} server cannot be killed by this test`);
        const faults = watchProcessFaults();
        const store = new RedisStore({
          url: server!.url,
          driver,
          prefix: prefix(),
          operationTimeoutMs: OPERATION_TIMEOUT_MS,
        });
        const heard: string[] = [];
        for (const event of ['connect', 'disconnect']) {
          store.on(event, () => {
            heard.push(event);
            throw new Error(`${event} listener failed`);
          });
        }
        try {
          const id = sid();
          await store.set(id, session(60_000, { before: true }));
          await eventually(() => heard.includes('connect'), 'the store to emit connect');
          for (const pid of server!.local!.pids()) process.kill(pid, 'SIGKILL');
          await eventually(() => heard.includes('disconnect'), 'the store to emit disconnect');
          await server!.start();
          await eventually(() => heard.lastIndexOf('connect') > heard.indexOf('disconnect'), 'connect again', 15_000);
          await eventually(
            async () =>
              await store.get(id).then(
                () => true,
                () => false,
              ),
            'calls to work again',
            15_000,
          );
          await store.set(id, session(60_000, { back: true }));
          expect(await store.get(id)).toMatchObject({ back: true });
          const reported = faults.warnings.filter((warning) => warning.code === 'ERR_SESSION_STORE_LISTENER_THREW');
          for (const event of ['connect', 'disconnect'])
            expect(reported.some((warning) => warning.message.includes(`"${event}" listener threw`))).toBe(true);
          expect(faults.fatal).toEqual([]);
        } finally {
          faults.stop();
          await store.close();
        }
      });
    },
  );
