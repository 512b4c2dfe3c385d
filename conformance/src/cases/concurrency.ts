import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { requires, type ConformanceCase } from '../case';
import { assertSessionEquals } from '../compare';
import { jsonForm, loadedSession, type LiveSession } from '../sessions';
import { delay } from '../timing';
import { assertGone, assertStored } from './helpers';

const group = 'concurrency';

/**
 * How far apart two racing calls start: the same tick, one event-loop turn, then a few ms. A
 * store that does a read and a write for one call (a read-modify-write touch, a write applied
 * after the callback) has a window between them; one of these offsets lands the other call in it.
 */
const OFFSETS = ['tick', 'turn', 1, 3, 10] as const;
type Offset = (typeof OFFSETS)[number];

function after(offset: Offset): Promise<void> {
  if (offset === 'tick') return Promise.resolve();
  if (offset === 'turn') return new Promise((resolve) => setImmediate(resolve));
  return delay(offset);
}

/** Starts `first`, then `second` after `offset`, and waits for both. */
async function race(first: () => Promise<unknown>, second: () => Promise<unknown>, offset: Offset): Promise<void> {
  const started = first();
  await after(offset);
  await Promise.all([started, second()]);
}

/** A late write (applied after its callback) lands within this; the checks wait it out. */
const LATE_WRITE_MS = 60;

export const concurrencyCases: ConformanceCase[] = [
  {
    clauses: [47],
    group,
    title: '1000 parallel set(sid) calls to distinct sids all succeed and each get(sid) reads back its own value',
    timeoutMs: () => 120_000,
    async run(context) {
      const sessions: [string, LiveSession][] = Array.from({ length: 1000 }, (_, index) => {
        const sid = context.sid();
        return [sid, context.session(sid, { index, sid })];
      });
      const outcomes = await Promise.all(
        sessions.map(([sid, session]) => context.call('set', [sid, session], context.store, 60_000)),
      );
      const failed = outcomes.filter((outcome) => outcome.error);
      assert.equal(
        failed.length,
        0,
        `${failed.length} of 1000 parallel set()s failed, first: ${inspect(failed[0]?.error)}`,
      );
      const got = await Promise.all(sessions.map(([sid]) => context.call('get', [sid], context.store, 60_000)));
      got.forEach((outcome, index) => {
        const [sid, session] = sessions[index]!;
        assert.equal(outcome.error ?? null, null, `get(${sid}) failed: ${inspect(outcome.error)}`);
        assertSessionEquals(
          outcome.value,
          jsonForm(session),
          context.granularityMs,
          `get(sid) #${index} after 1000 parallel set()s`,
        );
      });
    },
  },
  {
    clauses: [48],
    group,
    title: 'parallel set(sid) calls to one sid leave exactly one whole value that was written',
    async run(context) {
      const sid = context.sid();
      const writers = Array.from({ length: 50 }, (_, writer) =>
        context.session(sid, {
          writer,
          [`key${writer}`]: writer,
          list: Array.from({ length: 5 }, () => writer),
          nested: { writer },
        }),
      );
      await Promise.all(writers.map((session) => context.set(sid, session)));
      const got = await context.get(sid);
      assert.ok(got, 'get(sid) missed after parallel set()s');
      const writer = got.writer as number;
      assert.ok(
        Number.isInteger(writer) && writer >= 0 && writer < writers.length,
        `the stored value has no valid writer: ${inspect(got.writer)}`,
      );
      assertSessionEquals(
        got,
        jsonForm(writers[writer]),
        context.granularityMs,
        `the stored value is not writer ${writer}'s whole value (torn or merged write)`,
      );
    },
  },
  {
    clauses: [49],
    group,
    title: "a set(sid) issued after another set(sid)'s callback wins, and a get(sid) after it sees it",
    async run(context) {
      const sid = context.sid();
      for (let round = 0; round < 30; round += 1) {
        const session = context.session(sid, { round, parity: round % 2 === 0 ? 'even' : 'odd' });
        await context.set(sid, session);
        await assertStored(context, sid, session, `get(sid) right after set #${round} called back (stale read)`);
      }
    },
  },
  {
    clauses: [49],
    group,
    title: 'a second store on the same namespace reads what the first one just wrote',
    async run(context) {
      const reader = await context.openStore(context.namespace);
      const sid = context.sid();
      for (let round = 0; round < 20; round += 1) {
        const session = context.session(sid, { round });
        await context.set(sid, session);
        await assertStored(
          context,
          sid,
          session,
          `get(sid) on another instance right after set #${round} called back (stale read)`,
          reader,
        );
      }
    },
  },
  {
    clauses: [50],
    group,
    title: "a touch(sid) racing a set(sid) does not roll back the set's data",
    skipReason: requires.method('touch'),
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { round: 0 }));
      for (let round = 1; round <= 20; round += 1) {
        const stale = loadedSession(context.store, sid, await context.get(sid));
        stale.touch();
        const fresh = context.session(sid, { round, fresh: true });
        // The set is issued first, the touch (from a concurrent request holding older data) right after.
        await Promise.all([context.set(sid, fresh), context.touch(sid, stale)]);
        const got = await context.get(sid);
        assert.ok(got, `get(sid) missed after a racing set and touch in round ${round}`);
        assert.equal(
          got.round,
          round,
          `round ${round}: the touch rolled back the set (data of round ${String(got.round)})`,
        );
        assert.equal(got.fresh, true, `round ${round}: the touch rolled back the set`);
      }
    },
  },
  {
    clauses: [50],
    group,
    title: 'a touch(sid) issued after destroy(sid) completed does not bring the session back',
    skipReason: requires.method('touch'),
    async run(context) {
      for (let round = 0; round < 10; round += 1) {
        const sid = context.sid();
        await context.set(sid, context.session(sid, { round }));
        const stale = loadedSession(context.store, sid, await context.get(sid));
        stale.touch();
        await context.destroy(sid);
        await context.touch(sid, stale);
        await assertGone(context, sid, `get(sid) after destroy then touch, round ${round}`);
      }
    },
  },
  {
    clauses: [50],
    group,
    title:
      "a touch(sid) and a set(sid) overlapping, in either order and at several offsets, keep the set's data (no read-modify-write touch)",
    skipReason: requires.method('touch'),
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { round: 0 }));
      let round = 0;
      for (const touchFirst of [true, false]) {
        for (const offset of OFFSETS) {
          round += 1;
          const stale = loadedSession(context.store, sid, await context.get(sid));
          stale.touch();
          const fresh = context.session(sid, { round, fresh: true });
          const set = () => context.set(sid, fresh);
          const touch = () => context.touch(sid, stale);
          await (touchFirst ? race(touch, set, offset) : race(set, touch, offset));
          const order = `${touchFirst ? 'touch then set' : 'set then touch'}, ${offset === 'tick' || offset === 'turn' ? `a ${offset}` : `${offset} ms`} apart`;
          const got = await context.get(sid);
          assert.ok(got, `get(sid) missed after a racing touch and set (${order})`);
          assert.equal(
            got.round,
            round,
            `${order}: the touch rolled back the set (data of round ${String(got.round)})`,
          );
          assert.equal(got.fresh, true, `${order}: the touch rolled back the set`);
        }
      }
    },
  },
  {
    clauses: [50],
    group,
    title: 'a touch(sid) and a destroy(sid) overlapping, in either order and at several offsets, leave no session',
    skipReason: requires.method('touch'),
    async run(context) {
      for (const touchFirst of [true, false]) {
        for (const offset of OFFSETS) {
          const sid = context.sid();
          await context.set(sid, context.session(sid, { doomed: true }));
          const stale = loadedSession(context.store, sid, await context.get(sid));
          stale.touch();
          const destroy = () => context.destroy(sid);
          const touch = () => context.touch(sid, stale);
          await (touchFirst ? race(touch, destroy, offset) : race(destroy, touch, offset));
          const order = `${touchFirst ? 'touch then destroy' : 'destroy then touch'}, ${offset === 'tick' || offset === 'turn' ? `a ${offset}` : `${offset} ms`} apart`;
          await assertGone(
            context,
            sid,
            `get(sid) after a racing touch and destroy (${order}): the touch brought it back`,
          );
        }
      }
    },
  },
  {
    clauses: [49],
    group,
    title:
      'set(sid) and destroy(sid) are applied when they call back: the call issued after the callback is never undone',
    async run(context) {
      for (let round = 0; round < 5; round += 1) {
        // A set that calls back before it is applied lands after the destroy that followed it.
        const setFirst = context.sid();
        await context.set(setFirst, context.session(setFirst, { round }));
        await context.destroy(setFirst);
        // A destroy that calls back before it is applied deletes the set that followed it.
        const destroyFirst = context.sid();
        await context.set(destroyFirst, context.session(destroyFirst, { round, first: true }));
        await context.destroy(destroyFirst);
        const again = context.session(destroyFirst, { round, again: true });
        await context.set(destroyFirst, again);
        await delay(LATE_WRITE_MS);
        await assertGone(
          context,
          setFirst,
          `round ${round}: a set applied after its callback undid the destroy after it`,
        );
        await assertStored(
          context,
          destroyFirst,
          again,
          `round ${round}: a destroy applied after its callback deleted the set after it`,
        );
      }
    },
  },
];
