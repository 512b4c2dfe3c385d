import { backendForTests, backendTitle } from '@session-stores/test-servers';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index';
import { eventually, prefix, session, sid } from './helpers';
import { readmeBlock, runModule, swap } from './readme';

const server = await backendForTests('redis-sentinel');
const WORKERS = 8;
/** Pause between one worker's writes: a steady load, not a flood that would slow the failover it observes. */
const PACE_MS = 10;

describe.skipIf(!server)(backendTitle('redis-sentinel', server), () => {
  it("the README's Sentinel example finds the master through the Sentinels", async () => {
    const sentinels = "[{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }]";
    let code = swap(readmeBlock('const watched = new RedisStore('), sentinels, JSON.stringify(server!.sentinels));
    code = swap(code, "name: 'mymaster'", `name: ${JSON.stringify(server!.masterName)}`);
    code = `import { RedisStore } from '@session-stores/redis';\n${code}\nexport { watched };`;
    const { watched } = (await runModule('sentinel', code)) as { watched: RedisStore };
    try {
      const id = sid();
      await watched.set(id, session(60_000, { n: 1 }));
      expect(await watched.get(id)).toMatchObject({ n: 1 });
      await watched.destroy(id);
    } finally {
      await watched.close();
    }
  });

  it('a failover in the middle of a run loses no acknowledged session that had reached the replica', async (context) => {
    if (!server!.canFailover) context.skip('the harness did not start these servers, so it does not fail them over');
    const store = new RedisStore({
      sentinel: { sentinels: [...server!.sentinels], name: server!.masterName },
      prefix: prefix(),
      // ioredis: its Sentinel client reports the move to the new master (node-redis's does not).
      driver: 'ioredis',
    });
    try {
      const events: string[] = [];
      store.on('connect', () => events.push('connect'));
      store.on('disconnect', () => events.push('disconnect'));
      const oldMaster = await server!.master();

      // A bounded write load: each worker has one set in flight, each to a new sid, at a steady pace.
      const acknowledged = new Map<string, number>();
      let failed = 0;
      let running = true;
      let counter = 0;
      const workers = Array.from({ length: WORKERS }, async () => {
        while (running) {
          const id = sid();
          const n = (counter += 1);
          try {
            await store.set(id, session(120_000, { n }));
            acknowledged.set(id, n);
          } catch {
            failed += 1;
          }
          await new Promise((resolve) => setTimeout(resolve, PACE_MS));
        }
      });

      await eventually(() => acknowledged.size >= 200, 'the load to write through the first master');
      // WAIT counts the replicas that have every write this connection made before it: the
      // sessions acknowledged by then are on the replica once it answers 1.
      const beforeWait = new Map(acknowledged);
      const replicas = await (store.client as Redis).wait(1, 5_000);
      expect(replicas).toBe(1);

      const newMaster = await server!.failover();
      expect(newMaster).not.toEqual(oldMaster);
      await eventually(
        async () => {
          try {
            const id = sid();
            await store.set(id, session(60_000));
            return (await store.get(id)) !== null;
          } catch {
            return false;
          }
        },
        'the store to write to the new master',
        30_000,
      );
      const okAfterFailover = acknowledged.size;
      await eventually(() => acknowledged.size > okAfterFailover + WORKERS, 'the load to go on against the new master');
      running = false;
      await Promise.all(workers);

      const lost: string[] = [];
      for (const [id, n] of beforeWait) {
        const loaded = (await store.get(id)) as { n?: number } | null;
        if (loaded?.n !== n) lost.push(id);
      }
      expect(lost).toEqual([]);
      expect(beforeWait.size).toBeGreaterThanOrEqual(200);
      // The connection moved from one master to the other: the store said so.
      expect(events.lastIndexOf('connect')).toBeGreaterThan(events.indexOf('disconnect'));
      console.info(
        `[failover] ${beforeWait.size} replicated sessions all read back; ${acknowledged.size} acknowledged, ${failed} sets failed during the failover`,
      );
    } finally {
      await store.close();
    }
  }, 120_000);
});
