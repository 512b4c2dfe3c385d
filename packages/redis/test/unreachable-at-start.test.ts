import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index';
import { DRIVERS } from './conformance-options';
import { eventually, prefix, session, sid } from './helpers';

const OPERATION_TIMEOUT_MS = 1000;
/** Slack over the operation timeout for timers and a loaded 2-core machine. */
const BOUND_MS = OPERATION_TIMEOUT_MS + 1500;

// A Cluster that is down when the store starts: calls wait for it within their deadline, and a
// call whose deadline has passed is never sent once the Cluster is up (its caller was told it
// failed). Before, calls waited for the first connection without limit and every timed-out
// write ran on connect.
const server = await backendForTests('redis-cluster');
const admin = server ? new Cluster([...server.nodes]) : null;
admin?.on('error', () => {});
afterAll(() => admin?.disconnect());

describe.skipIf(!server)(
  `RedisStore on a Cluster unreachable at start [${backendTitle('redis-cluster', server)}]`,
  () => {
    for (const driver of DRIVERS) {
      it(`${driver}: calls fail within their bound, and none is sent once the Cluster is up`, async (context) => {
        if (!server!.canRestart) context.skip(`the ${server!.provider} cluster cannot be stopped by this test`);
        await server!.stop();
        const store = new RedisStore({
          cluster: { nodes: [...server!.nodes] },
          driver,
          prefix: prefix(),
          operationTimeoutMs: OPERATION_TIMEOUT_MS,
        });
        try {
          const ids = Array.from({ length: 20 }, () => sid());
          const begin = Date.now();
          const outcomes = await Promise.allSettled([
            ...ids.map((id) => store.set(id, session(60_000, { late: true }))),
            ...ids.map((id) => store.touch(id, session(60_000))),
          ]);
          expect(Date.now() - begin).toBeLessThanOrEqual(BOUND_MS);
          for (const outcome of outcomes) expect(outcome.status).toBe('rejected');

          await server!.start();
          await eventually(
            async () => {
              try {
                await store.set(sid(), session(60_000));
                return true;
              } catch {
                return false;
              }
            },
            'the store to write once the Cluster is up',
            30_000,
          );
          // Give anything a client might still hold the time to arrive, then look for it.
          await new Promise((resolve) => setTimeout(resolve, 500));
          const arrived = await Promise.all(ids.map((id) => admin!.exists(store.key(id))));
          expect(arrived.filter((n) => n === 1)).toEqual([]);
        } finally {
          await store.close();
        }
      }, 60_000);
    }
  },
);
