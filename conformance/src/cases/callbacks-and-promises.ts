import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { callWithPromise, type CallbackMethod } from '../calls';
import type { ConformanceCase } from '../case';
import { assertSessionEquals } from '../compare';
import type { CaseContext } from '../context';
import { captureProcessFaults } from '../process-faults';
import { jsonForm } from '../sessions';
import { settle } from '../timing';
import {
  asIdList,
  asSessionList,
  assertCalledBackWithError,
  assertMiss,
  assertNoProcessFaults,
  circularSession,
} from './helpers';
import { assertErrorNamesStoreAndOperation } from './errors-and-faults';

const group = 'callbacksAndPromises';

/** Calls that succeed, for every method the store has. */
async function successCalls(context: CaseContext): Promise<[CallbackMethod, unknown[]][]> {
  const sid = context.sid();
  await context.set(sid, context.session(sid, { n: 1 }));
  const calls: [CallbackMethod, unknown[]][] = [
    ['get', [sid]],
    ['get', [context.sid()]],
    ['set', [sid, context.session(sid, { n: 2 })]],
  ];
  if (context.capabilities.touch) calls.push(['touch', [sid, context.session(sid, { n: 2 })]]);
  for (const method of ['all', 'ids', 'length'] as const) if (context.capabilities[method]) calls.push([method, []]);
  calls.push(['destroy', [sid]], ['destroy', [context.sid()]]);
  if (context.capabilities.clear) calls.push(['clear', []]);
  return calls;
}

/** Calls that fail (or at least may) on bad input. */
function errorCalls(context: CaseContext): [CallbackMethod, unknown[]][] {
  const sid = context.sid();
  const calls: [CallbackMethod, unknown[]][] = [
    ['set', [sid, circularSession(context, sid)]],
    ['set', [sid, context.session(sid, { big: 1n })]],
    ['get', [42]],
    ['set', [42, context.session(sid)]],
    ['destroy', [42]],
  ];
  if (context.capabilities.touch) calls.push(['touch', [sid, null]]);
  return calls;
}

export const callbacksAndPromisesCases: ConformanceCase[] = [
  {
    clauses: [51],
    group,
    title: 'every callback is called exactly once, on success and on error',
    async run(context) {
      const outcomes = [];
      for (const [method, args] of [...(await successCalls(context)), ...errorCalls(context)])
        outcomes.push(await context.call(method, args));
      await settle(100);
      for (const outcome of outcomes)
        assert.equal(outcome.callCount(), 1, `${outcome.label} called its callback ${outcome.callCount()} times`);
    },
  },
  {
    clauses: [52],
    group,
    title: 'callbacks are called after the method returns, never synchronously, on success, miss and error',
    async run(context) {
      for (const [method, args] of [...(await successCalls(context)), ...errorCalls(context)]) {
        const outcome = await context.call(method, args);
        assert.equal(outcome.synchronous, false, `${outcome.label} called its callback before returning`);
      }
    },
  },
  {
    clauses: [3, 53],
    group,
    title: 'every method returns a Promise when called without a callback, resolving to what the callback gets',
    async run(context) {
      const { store, callTimeoutMs } = context;
      const sid = context.sid();
      const session = context.session(sid, { n: 1 });
      const viaPromise = <T>(method: CallbackMethod, args: unknown[]) =>
        callWithPromise<T>(store, method, args, callTimeoutMs);
      await viaPromise('set', [sid, session]);
      assertSessionEquals(
        await viaPromise('get', [sid]),
        jsonForm(session),
        context.granularityMs,
        'await get(sid) after await set(sid)',
      );
      assertMiss(await viaPromise('get', [context.sid()]), 'await get(unknown sid)');
      if (context.capabilities.touch) {
        const touched = context.session(sid, { n: 1 }, { maxAge: 120_000 });
        await viaPromise('touch', [sid, touched]);
      }
      if (context.capabilities.all)
        assert.deepStrictEqual(
          asSessionList(await viaPromise('all', []), 'await all()').map((element) => element.id),
          [sid],
        );
      if (context.capabilities.ids) assert.deepStrictEqual(asIdList(await viaPromise('ids', []), 'await ids()'), [sid]);
      if (context.capabilities.length) assert.equal(await viaPromise('length', []), 1, 'await length()');
      await viaPromise('destroy', [sid]);
      assertMiss(await viaPromise('get', [sid]), 'await get(sid) after await destroy(sid)');
      if (context.capabilities.clear) await viaPromise('clear', []);
      let rejected: unknown;
      await viaPromise('set', [sid, circularSession(context, sid)]).catch((error: unknown) => {
        rejected = error;
      });
      assert.ok(
        rejected instanceof Error,
        `await set(sid, circular) should reject with an Error, got ${inspect(rejected)}`,
      );
    },
  },
  {
    clauses: [53],
    group,
    title: 'a method given a callback never leaves a rejected promise unhandled, on error or success',
    async run(context) {
      const calls = [...errorCalls(context), ...(await successCalls(context))];
      const { faults } = await captureProcessFaults(async () => {
        // What a method returns alongside a callback is ignored here, as express-session ignores it.
        for (const [method, args] of calls) await context.call(method, args);
      }, 100);
      assertNoProcessFaults(faults, 'calls with callbacks');
    },
  },
  {
    clauses: [54],
    group,
    title: 'errors are Error instances whose message names the store and the operation, with the cause',
    async run(context) {
      const sid = context.sid();
      const outcome = await context.call('set', [sid, circularSession(context, sid)]);
      const error = assertCalledBackWithError(outcome, 'set of a circular session');
      assertErrorNamesStoreAndOperation(error, context.store, 'set', outcome.label);
      assert.ok(error.cause !== undefined, `${outcome.label}: the error has no cause (the serializer's error)`);
      for (const [method, args] of [
        ['get', [42]],
        ['destroy', [42]],
      ] as [CallbackMethod, unknown[]][]) {
        const result = await context.call(method, args);
        if (result.error) {
          assert.ok(
            result.error instanceof Error,
            `${result.label} called back with a non-Error: ${inspect(result.error)}`,
          );
          assertErrorNamesStoreAndOperation(result.error, context.store, method, result.label);
        }
      }
    },
  },
];
