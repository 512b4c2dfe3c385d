import { backendForTests, backendTitle, startMemcached } from '@session-stores/test-servers';
import { describe, expect, it } from 'vitest';
import { watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { MemcachedStore } from '../src';
import { eventually, randomPrefix, randomSid, sessionExpiringIn } from './helpers';

const server = await backendForTests('memcached');

describe.skipIf(!server)(backendTitle('memcached', server), () => {
  describe('MemcachedStore while the server is down', () => {
    it.skipIf(server?.canRestart === false)(
      'fails fast, emits disconnect once, then connect when the server is back without any traffic',
      async () => {
        // A server of this test's own: it is stopped and started.
        const own = await startMemcached();
        const store = new MemcachedStore({ servers: own.url, prefix: randomPrefix() });
        const events: string[] = [];
        store.on('connect', () => events.push('connect'));
        store.on('disconnect', () => events.push('disconnect'));
        try {
          const sid = randomSid();
          await store.set(sid, sessionExpiringIn(60_000));
          expect(events).toEqual(['connect']);
          await own.stop();
          const started = Date.now();
          const outcomes = await Promise.allSettled([
            store.get(sid),
            store.set(sid, sessionExpiringIn(60_000)),
            store.touch(sid, sessionExpiringIn(60_000)),
            store.destroy(sid),
            store.all(),
            store.ids(),
            store.length(),
            store.clear(),
          ]);
          expect(Date.now() - started).toBeLessThan(5000);
          for (const outcome of outcomes) {
            expect(outcome.status).toBe('rejected');
            expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(Error);
            expect((outcome as PromiseRejectedResult).reason.code).not.toBe('ENOENT');
          }
          expect(await eventually(() => events.includes('disconnect'), 3000)).toBe(true);
          await own.start();
          expect(await eventually(() => events.at(-1) === 'connect', 3000)).toBe(true);
          expect(events).toEqual(['connect', 'disconnect', 'connect']);
          await store.set(sid, sessionExpiringIn(60_000, { back: true }));
          expect(await store.get(sid)).toMatchObject({ back: true });
        } finally {
          await store.close();
          await own.dispose();
        }
      },
    );

    it.skipIf(server?.canRestart === false)(
      'throwing connect/disconnect listeners never end the process; the store recovers',
      async () => {
        const faults = watchProcessFaults();
        const own = await startMemcached();
        const store = new MemcachedStore({ servers: own.url, prefix: randomPrefix() });
        const heard: string[] = [];
        for (const event of ['connect', 'disconnect']) {
          store.on(event, () => {
            heard.push(event);
            throw new Error(`${event} listener failed`);
          });
        }
        try {
          const sid = randomSid();
          // The connect listener runs as the first command is answered: the command still succeeds.
          await store.set(sid, sessionExpiringIn(60_000, { before: true }));
          expect(await store.get(sid)).toMatchObject({ before: true });
          await own.stop();
          await expect(store.get(sid)).rejects.toBeInstanceOf(Error);
          expect(await eventually(() => heard.includes('disconnect'), 3000)).toBe(true);
          await own.start();
          // The probe's timer notices the server is back, with no traffic.
          expect(await eventually(() => heard.at(-1) === 'connect', 3000)).toBe(true);
          await store.set(sid, sessionExpiringIn(60_000, { back: true }));
          expect(await store.get(sid)).toMatchObject({ back: true });
          const reported = faults.warnings.filter((warning) => warning.code === 'ERR_SESSION_STORE_LISTENER_THREW');
          for (const event of ['connect', 'disconnect'])
            expect(reported.some((warning) => warning.message.includes(`"${event}" listener threw`))).toBe(true);
          expect(faults.fatal).toEqual([]);
        } finally {
          faults.stop();
          await store.close();
          await own.dispose();
        }
      },
    );
  });
});
