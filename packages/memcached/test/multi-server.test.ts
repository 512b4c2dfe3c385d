import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { describe, expect, it } from 'vitest';
import { MemcachedStore, sessionKey } from '../src';
import { eventually, randomPrefix, randomSid, sessionExpiringIn } from './helpers';
import { dumpKeys } from './helpers';

// Two independent servers, so that one can be killed while the other stays up.
const first = await backendForTests('memcached');
const second = await backendForTests('memcached');
const distinct = first && second && first.url !== second.url ? [first, second] : null;
const restartable = distinct !== null && distinct.every((server) => server.canRestart);

/** Whether every thread of `pid` is stopped (Linux: state T in /proc/<pid>/task/<tid>/stat). */
function isStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) =>
    /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')),
  );
}

/** Which of the two servers memjs sends `sid` to. */
function serverIndexOf(store: MemcachedStore, sid: string): number {
  const server = store.client.server(sessionKey(store.prefix, sid));
  return store.client.servers.indexOf(server!);
}

describe.skipIf(!distinct)(`MemcachedStore on two servers (${backendTitle('memcached', first)})`, () => {
  const servers = () => distinct!.map((server) => server.url).join(',');

  it('spreads sessions across both servers, each on exactly one, and enumerates both', async () => {
    const store = new MemcachedStore({ servers: servers(), prefix: randomPrefix() });
    try {
      const sids = Array.from({ length: 40 }, () => randomSid());
      await Promise.all(sids.map((sid) => store.set(sid, sessionExpiringIn(60_000, { sid }))));
      const held = await Promise.all(
        distinct!.map(async (server) =>
          [...(await dumpKeys(server.nodes[0]!)).keys()].filter((key) => key.startsWith(store.prefix)),
        ),
      );
      expect(held[0]!.length).toBeGreaterThan(0);
      expect(held[1]!.length).toBeGreaterThan(0);
      expect(held[0]!.length + held[1]!.length).toBe(sids.length);
      for (const sid of sids) expect(held[serverIndexOf(store, sid)]).toContain(sessionKey(store.prefix, sid));
      expect((await store.ids()).sort()).toEqual([...sids].sort());
      for (const sid of sids) expect(await store.get(sid)).toMatchObject({ sid });
    } finally {
      await store.close();
    }
  });

  it.skipIf(!restartable)(
    'one server killed under load: calls end within the bound, the other server keeps working, and it recovers by itself',
    { timeout: 60_000 },
    async () => {
      const [victim] = distinct!;
      const store = new MemcachedStore({ servers: servers(), prefix: randomPrefix() });
      const events: string[] = [];
      store.on('connect', () => events.push('connect'));
      store.on('disconnect', () => events.push('disconnect'));
      // Sessions on each server, known in advance.
      const byServer: string[][] = [[], []];
      while (byServer[0]!.length < 20 || byServer[1]!.length < 20) {
        const sid = randomSid();
        byServer[serverIndexOf(store, sid)]!.push(sid);
      }
      type Phase = 'up' | 'down' | 'restarted';
      let phase = 'up' as Phase;
      let killedAt = Number.POSITIVE_INFINITY;
      const calls: Array<{ phase: Phase; server: number; endedAt: number; ms: number; error: unknown }> = [];
      let stop = false;
      const worker = async (id: number) => {
        for (let round = 0; !stop; round++) {
          const server = (id + round) % 2;
          const list = byServer[server]!;
          const sid = list[(id * 7 + round) % list.length]!;
          const callPhase = phase;
          let error: unknown = null;
          let slowest = 0;
          // Each call is timed alone: the bound holds per call, not per round.
          const timed = async <T>(call: () => Promise<T>): Promise<T> => {
            const started = Date.now();
            try {
              return await call();
            } finally {
              slowest = Math.max(slowest, Date.now() - started);
            }
          };
          try {
            await timed(() => store.set(sid, sessionExpiringIn(60_000, { round })));
            const got = await timed(() => store.get(sid));
            if (!got) throw new Error('a session just written was not found');
          } catch (caught) {
            error = caught;
          }
          calls.push({ phase: callPhase, server, endedAt: Date.now(), ms: slowest, error });
          // Yield between rounds so the loop stays bounded and timers run.
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      try {
        const workers = Array.from({ length: 8 }, (_, id) => worker(id));
        await eventually(() => calls.length >= 200, 5000);
        killedAt = Date.now();
        await victim!.stop();
        phase = 'down';
        const whileDown = (server: number) =>
          calls.filter((call) => call.phase === 'down' && call.server === server).length;
        await eventually(() => whileDown(0) >= 20 && whileDown(1) >= 200, 20_000);
        await victim!.start();
        phase = 'restarted';
        const recovered = await eventually(
          () => calls.some((call) => call.phase === 'restarted' && call.server === 0 && call.error === null),
          10_000,
        );
        stop = true;
        await Promise.all(workers);

        expect(recovered).toBe(true);
        // Every call, on either server, ended within the store's bound (operationTimeoutMs, 5 s by
        // default). Almost all fail at once (connection refused); a request in flight when the
        // server died can wait for the bound (memjs does not fail requests on a cleanly closed
        // connection).
        expect(Math.max(...calls.map((call) => call.ms))).toBeLessThan(5000 + 500);
        expect(calls.filter((call) => call.endedAt < killedAt && call.error)).toEqual([]);
        // While the first server was down, the second one's sessions kept working...
        const down = calls.filter((call) => call.phase === 'down');
        expect(down.filter((call) => call.server === 1 && call.error)).toEqual([]);
        expect(down.filter((call) => call.server === 1).length).toBeGreaterThanOrEqual(200);
        // ...and the first one's failed with a store error, never a hang or a false miss.
        const failures = down.filter((call) => call.server === 0 && call.error);
        expect(failures.length).toBeGreaterThan(0);
        for (const { error } of failures)
          expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_SESSION_STORE_(BACKEND|TIMEOUT)$/) });
        // One server down is not the store down: express-session must keep loading the others' sessions.
        expect(events).not.toContain('disconnect');
      } finally {
        stop = true;
        await store.close();
        await victim!.start();
      }
    },
  );

  it.skipIf(!distinct?.[0]?.local || !existsSync('/proc/self/task'))(
    'one server frozen (SIGSTOP): its calls fail within the bound, the other keeps working, and it recovers after SIGCONT',
    { timeout: 30_000 },
    async () => {
      const [victim] = distinct!;
      const pids = victim!.local!.pids();
      const store = new MemcachedStore({ servers: servers(), prefix: randomPrefix() });
      const sids: string[][] = [[], []];
      while (sids[0]!.length < 3 || sids[1]!.length < 3) {
        const sid = randomSid();
        sids[serverIndexOf(store, sid)]!.push(sid);
      }
      try {
        await Promise.all(sids.flat().map((sid) => store.set(sid, sessionExpiringIn(60_000, { sid }))));
        for (const pid of pids) process.kill(pid, 'SIGSTOP');
        // A signal reaches each thread when it next runs: on a busy machine a worker thread can
        // still answer for a moment. Wait until every thread is stopped.
        expect(await eventually(() => pids.every(isStopped), 5000, 5)).toBe(true);
        const started = Date.now();
        const frozen = await Promise.allSettled(sids[0]!.map((sid) => store.get(sid)));
        const elapsed = Date.now() - started;
        for (const sid of sids[1]!) expect(await store.get(sid)).toMatchObject({ sid });
        // memjs's own timeout (1 s, two attempts) answers well before the store's 5 s deadline.
        expect(elapsed).toBeLessThan(5000);
        for (const outcome of frozen) {
          expect(outcome.status).toBe('rejected');
          expect((outcome as PromiseRejectedResult).reason).toMatchObject({
            code: expect.stringMatching(/^ERR_SESSION_STORE_(BACKEND|TIMEOUT)$/),
          });
        }
        for (const pid of pids) process.kill(pid, 'SIGCONT');
        expect(
          await eventually(async () => (await store.get(sids[0]![0]!).catch(() => null)) !== null, 5000, 100),
        ).toBe(true);
      } finally {
        for (const pid of pids) process.kill(pid, 'SIGCONT');
        await store.close();
      }
    },
  );
});
